import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { repoRoot } from "../config/env.ts";
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

/** Where the services of the Compose file last parsed are kept, with the hash of the text they came from. */
const PARSED_CACHE = resolve(repoRoot, ".turbo", "compose-services.json");

/**
 * The services of infra/docker-compose.yml; none when the file cannot be read (doctor reports that itself).
 * The YAML parser costs 0.05-0.1 s of the first start's critical path: its result is kept beside the lock
 * files, for as long as the file's text hashes the same.
 */
export async function readComposeServices(
  file = COMPOSE_FILE,
  cacheFile = PARSED_CACHE,
): Promise<Record<string, ComposeServiceSpec>> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const hash = createHash("sha256").update(text).digest("hex");
  try {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as { hash?: string; services?: unknown };
    if (cached.hash === hash && typeof cached.services === "object" && cached.services !== null)
      return cached.services as Record<string, ComposeServiceSpec>;
  } catch {
    // No cache yet, or an unreadable one: parse.
  }
  let services: Record<string, ComposeServiceSpec>;
  try {
    const { parse } = await import("yaml");
    services = (parse(text) as { services?: Record<string, ComposeServiceSpec> }).services ?? {};
  } catch {
    return {};
  }
  try {
    mkdirSync(dirname(cacheFile), { recursive: true });
    const partial = `${cacheFile}.${process.pid}`;
    writeFileSync(partial, JSON.stringify({ hash, services }));
    renameSync(partial, cacheFile);
  } catch {
    // A read-only checkout parses every time.
  }
  return services;
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
