import { existsSync, readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import dotenv from "dotenv";
import { type Config, envFilePath, loadConfig } from "../config/env.ts";
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
export function readEnvironment(): { file: string; fileExists: boolean; fileValues: Env; merged: Env } {
  const file = envFilePath();
  const fileExists = existsSync(file);
  const fileValues = fileExists ? dotenv.parse(readFileSync(file, "utf8")) : {};
  const fromProcess = Object.fromEntries(
    Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ""),
  );
  return { file, fileExists, fileValues, merged: { ...fileValues, ...fromProcess } };
}
