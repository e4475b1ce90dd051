import { InvalidArgumentError, Option } from "commander";
import {
  type Config,
  type EnvFileReading,
  envFilePath,
  loadConfig,
  mergeEnvironment,
  readEnvFile,
} from "../config/env.ts";
import { PROFILES, type Profile } from "../config/services.ts";
import { registerSecrets } from "../errors.ts";

/** Loads and validates the configuration once per command, and registers its secrets for masking. */
export function loadCommandConfig(): Config {
  const config = loadConfig();
  registerSecrets(config.secrets);
  return config;
}

/**
 * `--profile <profile>`, repeatable or comma-separated like make's PROFILE=core,cache, refusing a name that is
 * no profile. (Commander's `.choices()` is undone by a later `.argParser()`, which is how `--profile nope` once
 * got through.)
 */
export function profileOption(description: string): Option {
  return new Option("--profile <profile>", `${description} (repeatable: ${PROFILES.join(", ")})`).argParser(
    (value: string, previous: Profile[] | undefined): Profile[] => {
      const names = value.split(",").map((name) => name.trim());
      const unknown = names.find((name) => !PROFILES.includes(name));
      if (unknown !== undefined)
        throw new InvalidArgumentError(`unknown profile "${unknown}"; choose from ${PROFILES.join(", ")}`);
      return [...new Set([...(previous ?? []), ...names])];
    },
  );
}

/** A commander parser for `--only a,b` that accepts only names from `allowed`. */
export function listOf(allowed: readonly string[], what: string) {
  return (value: string, previous: string[] | undefined): string[] => {
    const names = value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const unknown = names.filter((n) => !allowed.includes(n));
    if (unknown.length > 0 || names.length === 0) {
      throw new InvalidArgumentError(
        `unknown ${what} "${unknown.join(", ")}"; choose from ${allowed.join(", ")}`,
      );
    }
    return [...new Set([...(previous ?? []), ...names])];
  };
}

type Env = Record<string, string | undefined>;

/** The .env file and the process environment merged (process wins), like loadConfig. */
export function readEnvironment(): { reading: EnvFileReading; merged: Env } {
  const reading = readEnvFile(envFilePath(), process.env);
  return { reading, merged: mergeEnvironment(reading.values, process.env) };
}
