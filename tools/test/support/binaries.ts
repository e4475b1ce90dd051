import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** With CI=true a missing server binary fails the test run; elsewhere the test is skipped with this reason. */
export const inCi = process.env.CI === "true" || process.env.CI === "1";

export class MissingServerError extends Error {
  override name = "MissingServerError";
}

/**
 * Finds a server binary or reports it missing. Outside CI returns `{ skip }` (a message naming what to
 * install); in CI throws, so the run fails instead of silently skipping.
 */
export function locate(
  found: string | undefined,
  what: string,
  install: string,
  ci = inCi,
): { path: string } | { skip: string } {
  if (found) return { path: found };
  const message = `${what} not found; install ${install} to run these integration tests`;
  if (ci) throw new MissingServerError(`${message} (CI=true: a missing server is a failure, not a skip)`);
  return { skip: message };
}

/** Newest /usr/lib/postgresql/<major>/bin that has initdb and postgres (Debian/Ubuntu layout), or PG_BIN. */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const majors = readdirSync(root)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...majors.map((m) => join(root, m, "bin")));
  }
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")));
}

export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
