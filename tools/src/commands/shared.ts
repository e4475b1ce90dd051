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
 * `--profile <profile>`, repeatable, refusing a name that is no profile. (Commander's `.choices()` is undone by
 * a later `.argParser()`, which is how `--profile nope` once got through.)
 */
export function profileOption(description: string): Option {
  return new Option("--profile <profile>", `${description} (repeatable: ${PROFILES.join(", ")})`).argParser(
    (value: string, previous: Profile[] | undefined): Profile[] => {
      if (!(PROFILES as readonly string[]).includes(value))
        throw new InvalidArgumentError(`unknown profile "${value}"; choose from ${PROFILES.join(", ")}`);
      return [...new Set([...(previous ?? []), value as Profile])];
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
