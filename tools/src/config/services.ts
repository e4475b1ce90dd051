/** The catalog, derived from the service modules: names, profiles, and lookups the commands share. */
import type { PublishedPort, ServiceModule } from "../services/module.ts";
import { MODULES } from "../services/modules.ts";
import type { ReadinessProbe } from "../services/probe.ts";

export type { PublishedPort, ServiceDefinition } from "../services/module.ts";
export type ServiceName = string;
export type Profile = string;

export const SERVICES: readonly ServiceModule[] = MODULES;
export const SERVICE_NAMES: readonly string[] = SERVICES.map((s) => s.name);

/** Every profile, in the order of the modules (what --profile accepts). */
export const PROFILES: readonly Profile[] = [...new Set(SERVICES.map((s) => s.profile))];
/** The profiles a plain `make start` starts: all but the opt-in ones. */
export const DEFAULT_PROFILES: readonly Profile[] = PROFILES.filter(
  (p) => !SERVICES.some((s) => s.profile === p && s.optIn),
);

export const SEEDED_SERVICES = SERVICES.filter((s) => s.seed !== undefined).map((s) => s.name);
export const VERIFIED_SERVICES = SERVICES.filter((s) => s.verify !== undefined).map((s) => s.name);

export function serviceByName(name: string): ServiceModule | undefined {
  return SERVICES.find((s) => s.name === name);
}

export function servicesInProfile(profile: Profile): string[] {
  return SERVICES.filter((s) => s.profile === profile).map((s) => s.name);
}

/** The host port a published port uses: its variable's configured value, else the catalog default. */
export function hostPort(ports: Readonly<Record<string, number>>, port: PublishedPort): number {
  return ports[port.variable] ?? port.defaultHostPort;
}

export function probeFor(service: string): ReadinessProbe {
  const probe = serviceByName(service)?.probe;
  if (!probe) throw new Error(`no readiness probe for ${service}`);
  return probe;
}
