import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MASK, maskUrl } from "../output/mask.ts";
import type { SliceInput } from "../services/module.ts";
import { MODULES } from "../services/modules.ts";
import { dotenvValues, duplicateKeys, misreadValues, parseDotenv, readDotenvFile } from "./dotenv.mjs";
import { ipAddress, matching, PORT_RULE, type VariableRule, wholeNumber } from "./schema.ts";

// The sources (tools/src/config/) and the bundle (tools/dist/, one flat folder of chunks) sit at different depths.
const moduleDir = dirname(fileURLToPath(import.meta.url));
/** Repository root: two levels above tools/dist, three above tools/src/config. */
export const repoRoot = resolve(moduleDir, basename(moduleDir) === "dist" ? "../.." : "../../..");

type Env = Record<string, string | undefined>;

export { ConfigError, type ConfigProblem, EnvFileError, type EnvFileProblem } from "./errors.ts";

import { ConfigError, type ConfigProblem, EnvFileError, type EnvFileProblem } from "./errors.ts";

/**
 * The validated configuration. Each service module adds its slice to this interface (declaration merging:
 * `declare module "../../config/env.ts"` in tools/src/services/<name>/index.ts).
 */
export interface Config {
  /** The .env file that was read, if any. */
  envFile: string | undefined;
  /** Folder of the seed definitions: infra/init, or WALLPAPERDB_INIT_DIR. */
  initDir: string;
  composeProjectName: string;
  bindAddress: string;
  stackStartTimeoutSeconds: number;
  /** Every port variable of the catalog with its resolved value. */
  ports: Readonly<Record<PortVariable, number>>;
  /** Every secret value, so output can mask it wherever it appears. */
  secrets: readonly string[];
}

/** Host ports with the defaults of .env.example, from the catalog entries of the modules. */
export const PORT_DEFAULTS: Readonly<Record<string, number>> = Object.fromEntries(
  MODULES.flatMap((m) => m.ports.map((p) => [p.variable, p.defaultHostPort])),
);
export type PortVariable = string;

/** The variables of the stack as a whole; every other variable belongs to a service module. */
const STACK_VARIABLES: Record<string, VariableRule> = {
  COMPOSE_PROJECT_NAME: {
    parse: matching(/^[a-z0-9][a-z0-9_-]*$/),
    expected: "lowercase letters, digits, '-' or '_' (a Compose project name)",
    default: "wallpaperdb",
  },
  BIND_ADDRESS: { parse: ipAddress, expected: "an IP address such as 127.0.0.1", default: "127.0.0.1" },
  STACK_START_TIMEOUT: {
    parse: wholeNumber(1, 3600),
    expected: "a whole number of seconds between 1 and 3600",
    default: "300",
  },
};

/** The form of every variable the tools read. Unknown variables are ignored. */
const RULES: Record<string, VariableRule> = {
  ...STACK_VARIABLES,
  ...Object.fromEntries(Object.keys(PORT_DEFAULTS).map((name) => [name, PORT_RULE])),
  ...Object.assign({}, ...MODULES.map((m) => m.config?.variables ?? {})),
};

/** Variables whose value is a secret: shown as **** in every message. */
const SECRET_VARIABLES = new Set(
  Object.entries(RULES)
    .filter(([, rule]) => rule.secret)
    .map(([name]) => name),
);

/** How a value may appear in a message: secrets fully masked, URL passwords masked. */
export function showValue(variable: string, value: string | undefined): string {
  if (value === undefined) return "(unset)";
  if (SECRET_VARIABLES.has(variable)) return MASK;
  return JSON.stringify(maskUrl(value));
}

/** Empty strings count as unset, the way Compose treats `VAR=` for `${VAR:-default}`. */
function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** What is wrong with a value Compose reads differently from its text; a secret's text is never shown. */
function misreadProblem(file: string, misread: ReturnType<typeof misreadValues>[number]): EnvFileProblem {
  const references = misread.references.map((name) => `$${name}`).join(", ");
  const at = `${basename(file)} line ${misread.line}`;
  const what = SECRET_VARIABLES.has(misread.key)
    ? `${at}: ${misread.key} contains a $ that Compose reads as a reference to a variable that is not set, so Compose would not use the value as written`
    : `${at}: ${misread.key} contains ${references}, which Compose reads as a reference to a variable that is not set (it would become empty)`;
  return { line: misread.line, what, fix: misread.fix };
}

/** What the tools, the scripts and Compose read from one .env file (tools/src/config/dotenv.mjs). */
export interface EnvFileReading {
  file: string;
  exists: boolean;
  /** The values Compose reads: the last line of a key wins. */
  values: Env;
  /** Keys set on more than one line, with their lines. */
  duplicates: { key: string; lines: number[] }[];
  /** Why the file cannot be used as written (unreadable, a line Compose refuses, a misread `$`). */
  problems: EnvFileProblem[];
}

/** Reads and checks the .env file; `processEnv` resolves `${VAR}` references first, as in Compose. */
export function readEnvFile(file: string, processEnv: Env): EnvFileReading {
  const read = readDotenvFile(file);
  if (read.kind === "absent") return { file, exists: false, values: {}, duplicates: [], problems: [] };
  if (read.kind === "unreadable")
    return {
      file,
      exists: true,
      values: {},
      duplicates: [],
      problems: [
        { what: read.what, fix: read.fix || "make it a readable file, or set WALLPAPERDB_ENV_FILE" },
      ],
    };
  const parsed = parseDotenv(read.text, (name) => processEnv[name]);
  const problems = parsed.error
    ? [
        {
          line: parsed.error.line,
          what: `${basename(file)} line ${parsed.error.line}: ${parsed.error.reason}`,
          fix: parsed.error.fix,
        },
      ]
    : misreadValues(parsed.entries).map((misread) => misreadProblem(file, misread));
  // Compose reads nothing of a file with a line it refuses.
  const values = parsed.error ? {} : dotenvValues(parsed.entries);
  return { file, exists: true, values, duplicates: duplicateKeys(parsed.entries), problems };
}

/**
 * The environment Compose interpolates with: a variable of the process environment beats the file, also
 * when it is empty (then `${VAR:-default}` gives the default, in Compose and in parseConfig).
 */
export function mergeEnvironment(fileValues: Env, processEnv: Env): Env {
  const fromProcess = Object.entries(processEnv).filter(([, v]) => v !== undefined);
  return { ...fileValues, ...Object.fromEntries(fromProcess) };
}

/**
 * Turns environment variables into a validated, typed Config. Pure: no file or network access.
 * Endpoints not set explicitly are derived from the port variables with host `localhost`.
 * Throws ConfigError naming every invalid variable.
 */
export function parseConfig(env: Env, envFile?: string): Config {
  const problems: ConfigProblem[] = [];
  const values = new Map<string, unknown>();
  for (const [name, rule] of Object.entries(RULES)) {
    const raw = read(env, name) ?? rule.default;
    if (raw === undefined) continue;
    const value = rule.parse(raw);
    if (value !== undefined) values.set(name, value);
    else problems.push({ variable: name, shownValue: showValue(name, raw), expected: rule.expected });
  }
  const raw = (name: string) => read(env, name);
  for (const conflict of MODULES.flatMap((m) => m.config?.conflicts?.(raw) ?? []))
    problems.push({ ...conflict, shownValue: showValue(conflict.variable, raw(conflict.variable)) });
  if (problems.length > 0) throw new ConfigError(problems);

  const ports = Object.fromEntries(
    Object.entries(PORT_DEFAULTS).map(([name, fallback]) => [name, (values.get(name) as number) ?? fallback]),
  );
  const input: SliceInput = {
    value: <T>(name: string) => values.get(name) as T,
    raw,
    ports,
    local: (scheme, portVariable) => `${scheme}://localhost:${ports[portVariable]}`,
  };
  const slices = MODULES.flatMap((m) => {
    if (!m.config) return [];
    const slice = m.config.build(input);
    return [{ slice, secrets: m.config.secrets(slice, input) }];
  });
  const secrets = slices
    .flatMap((s) => s.secrets)
    .filter((s): s is string => typeof s === "string" && s !== "");

  return Object.assign(
    {
      envFile,
      initDir: resolve(repoRoot, read(env, "WALLPAPERDB_INIT_DIR") ?? "infra/init"),
      composeProjectName: input.value("COMPOSE_PROJECT_NAME"),
      bindAddress: input.value("BIND_ADDRESS"),
      stackStartTimeoutSeconds: input.value<number>("STACK_START_TIMEOUT"),
      ports,
      secrets: [...new Set(secrets)],
    },
    ...slices.map((s) => s.slice),
  ) as Config;
}

/** The .env file to read: WALLPAPERDB_ENV_FILE if set, else <repo root>/.env (absent is fine). */
export function envFilePath(env: Env = process.env): string {
  return resolve(read(env, "WALLPAPERDB_ENV_FILE") ?? resolve(repoRoot, ".env"));
}

/**
 * Reads the .env file (if present) and the process environment, process environment winning,
 * and validates them. The only impure entry point of the config module.
 */
export function loadConfig(processEnv: Env = process.env): Config {
  const reading = readEnvFile(envFilePath(processEnv), processEnv);
  if (!reading.exists && read(processEnv, "WALLPAPERDB_ENV_FILE") !== undefined) {
    throw new ConfigError([
      {
        variable: "WALLPAPERDB_ENV_FILE",
        shownValue: JSON.stringify(reading.file),
        expected: "the path of an existing .env file",
      },
    ]);
  }
  if (reading.problems.length > 0) throw new EnvFileError(reading.file, reading.problems);
  return parseConfig(mergeEnvironment(reading.values, processEnv), reading.exists ? reading.file : undefined);
}
