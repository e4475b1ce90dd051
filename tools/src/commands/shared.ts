import { InvalidArgumentError } from "commander";
import {
  type Config,
  type EnvFileReading,
  envFilePath,
  loadConfig,
  mergeEnvironment,
  readEnvFile,
} from "../config/env.ts";
import { registerSecrets } from "../errors.ts";

/** Loads and validates the configuration once per command, and registers its secrets for masking. */
export function loadCommandConfig(): Config {
  const config = loadConfig();
  registerSecrets(config.secrets);
  return config;
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
