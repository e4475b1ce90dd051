import { readFileSync } from "node:fs";
import { COMPOSE_FILE } from "./compose.ts";

type Env = Record<string, string | undefined>;

/** The attributes of a Compose service the tools read from the file (as written, not interpolated). */
export interface ComposeServiceSpec {
  image?: string;
  mem_limit?: string | number;
  profiles?: string[];
  healthcheck?: { interval?: string; timeout?: string };
  /** Short ("name:/path") or long syntax entries. */
  volumes?: unknown[];
}

/** Seconds of a Compose duration ("10s", "1m30s", "500ms"); undefined when it does not parse. */
export function durationSeconds(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value.trim()) return undefined;
  const scale: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  return parts.reduce((sum, p) => sum + Number(p[1]) * (scale[p[2] as string] ?? 0), 0);
}

/** How long until a service's healthcheck has surely run again: one interval plus its timeout (Docker: 30 s each). */
export function nextHealthcheckSeconds(spec: ComposeServiceSpec | undefined): number {
  return (
    (durationSeconds(spec?.healthcheck?.interval) ?? 30) + (durationSeconds(spec?.healthcheck?.timeout) ?? 30)
  );
}

/** `${VAR:-default}` / `${VAR}` interpolation as Compose does it, for reading mem_limit and image. */
export function interpolate(value: string, env: Env): string {
  return value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => {
      const v = env[name];
      return v !== undefined && v !== "" ? v : (fallback ?? "");
    },
  );
}

/** The services of infra/docker-compose.yml; none when the file cannot be read (doctor reports that itself). */
export async function readComposeServices(file = COMPOSE_FILE): Promise<Record<string, ComposeServiceSpec>> {
  try {
    // Loaded on demand: the YAML parser costs ~30-80 ms of start-up that other commands should not pay.
    const { parse } = await import("yaml");
    const doc = parse(readFileSync(file, "utf8")) as { services?: Record<string, ComposeServiceSpec> };
    return doc.services ?? {};
  } catch {
    return {};
  }
}

/** A service's memory limit: the .env variable that sets it (if the file reads one) and its current value. */
export interface MemoryLimit {
  variable: string | undefined;
  value: string;
}

export function memoryLimitOf(spec: ComposeServiceSpec | undefined, env: Env): MemoryLimit | undefined {
  if (spec?.mem_limit === undefined) return undefined;
  const written = String(spec.mem_limit);
  return {
    variable: /^\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(written)?.[1],
    value: interpolate(written, env),
  };
}
