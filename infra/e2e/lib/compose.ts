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
  containerNames: string[];
}

/** Services, every profile they use and any fixed container_name (which would defeat project isolation). */
export function composeFileFacts(yamlText: string): ComposeFileFacts {
  const doc = (parse(yamlText) ?? {}) as { services?: Record<string, Record<string, unknown> | null> };
  const services = Object.keys(doc.services ?? {}).sort();
  const profiles = new Set<string>();
  const containerNames: string[] = [];
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    for (const profile of (service?.profiles as string[] | undefined) ?? []) profiles.add(profile);
    if (service?.container_name) containerNames.push(`${name}: ${String(service.container_name)}`);
  }
  return { services, profiles: [...profiles].sort(), containerNames };
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
