// Compose invocations of the e2e run. Every one names the e2e project explicitly (-p), so no command of the
// suite can reach the developer's project, whatever COMPOSE_PROJECT_NAME or .env say.
import { parse } from "yaml";

export interface ComposeTarget {
  /** `["docker", "compose"]` (plugin) or `["docker-compose"]` (standalone v2). */
  command: readonly string[];
  projectName: string;
  composeFile: string;
  envFile: string;
  profiles: readonly string[];
}

export interface ComposeFileFacts {
  services: string[];
  profiles: string[];
  /** Settings that would make two projects share something (so the e2e run could touch another stack). */
  isolationBreakers: string[];
}

type Resource = { name?: unknown; external?: unknown } | null;

/**
 * Services, every profile they use, and what would defeat project isolation: a fixed container_name,
 * host networking (container ports land on the host), and volumes or networks with a fixed `name:` or
 * `external: true` (shared by every project, so `down -v` of the e2e project could delete their data).
 */
export function composeFileFacts(yamlText: string): ComposeFileFacts {
  const doc = (parse(yamlText) ?? {}) as {
    services?: Record<string, Record<string, unknown> | null>;
    volumes?: Record<string, Resource>;
    networks?: Record<string, Resource>;
  };
  const services = Object.keys(doc.services ?? {}).sort();
  const profiles = new Set<string>();
  const isolationBreakers: string[] = [];
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    for (const profile of (service?.profiles as string[] | undefined) ?? []) profiles.add(profile);
    if (service?.container_name)
      isolationBreakers.push(`service ${name}: container_name ${String(service.container_name)}`);
    if (service?.network_mode === "host") isolationBreakers.push(`service ${name}: network_mode host`);
  }
  for (const kind of ["volumes", "networks"] as const) {
    for (const [name, resource] of Object.entries(doc[kind] ?? {})) {
      if (resource?.name) isolationBreakers.push(`${kind} ${name}: fixed name ${String(resource.name)}`);
      if (resource?.external) isolationBreakers.push(`${kind} ${name}: external`);
    }
  }
  return { services, profiles: [...profiles].sort(), isolationBreakers };
}

/** argv for one Compose subcommand against the e2e project only. */
export function composeArgs(target: ComposeTarget, ...subcommand: string[]): string[] {
  const [, ...rest] = target.command;
  return [
    ...rest,
    "-p",
    target.projectName,
    "-f",
    target.composeFile,
    "--env-file",
    target.envFile,
    ...target.profiles.flatMap((profile) => ["--profile", profile]),
    ...subcommand,
  ];
}

/** The teardown: containers, networks and this project's named volumes (and nothing of any other project). */
export function teardownArgs(target: ComposeTarget): string[] {
  return composeArgs(target, "down", "-v", "--remove-orphans", "--timeout", "10");
}

/** Every service's image as written in the Compose file (not yet interpolated), in service order. */
export function composeImages(yamlText: string): { service: string; image: string }[] {
  const doc = (parse(yamlText) ?? {}) as { services?: Record<string, { image?: unknown } | null> };
  return Object.entries(doc.services ?? {})
    .filter(([, service]) => typeof service?.image === "string")
    .map(([service, definition]) => ({ service, image: String(definition?.image) }));
}
