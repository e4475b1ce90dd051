import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { TestContext } from "node:test";
import { parse } from "yaml";
import { parseEnvExample } from "../../src/compose-rules.ts";
import { infraDir, repoRoot } from "./paths.ts";

export const composeFile = resolve(infraDir, "docker-compose.yml");
export const envExampleFile = resolve(repoRoot, ".env.example");
export const natsConfigFile = resolve(infraDir, "config/nats/nats.conf");

/** The Compose file as written (variables NOT interpolated), freshly parsed: safe to mutate. */
export function loadCompose(): Record<string, unknown> {
  return parse(readFileSync(composeFile, "utf8"), { merge: true }) as Record<string, unknown>;
}

export function loadEnvExample() {
  return parseEnvExample(readFileSync(envExampleFile, "utf8"));
}

/**
 * True when `binary` runs. Otherwise: under CI=true the test FAILS (a missing validator must
 * never pass silently); elsewhere it is skipped with what to install.
 */
export function requireTool(t: TestContext, binary: string, install: string): boolean {
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (!probe.error) return true;
  const message = `${binary} not found on PATH: ${install}`;
  if (process.env.CI === "true") throw new Error(`${message} (required when CI=true)`);
  t.skip(message);
  return false;
}

/** A minimal environment: nothing from the developer's shell (ports, passwords) leaks in. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...extra };
}
