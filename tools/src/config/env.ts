import { isIP } from "node:net";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { MASK, maskUrl } from "../output/mask.ts";
import { dotenvValues, duplicateKeys, misreadValues, parseDotenv, readDotenvFile } from "./dotenv.mjs";

// The sources (tools/src/config/) and the bundle (tools/dist/, one flat folder of chunks) sit at different depths.
const moduleDir = dirname(fileURLToPath(import.meta.url));
/** Repository root: two levels above tools/dist, three above tools/src/config. */
export const repoRoot = resolve(moduleDir, basename(moduleDir) === "dist" ? "../.." : "../../..");

type Env = Record<string, string | undefined>;

/** One invalid variable: its name, the value as it may be shown, and the form it should have. */
export interface ConfigProblem {
  variable: string;
  shownValue: string;
  expected: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `${p.variable}=${p.shownValue}: expected ${p.expected}`);
    super(`invalid configuration: ${lines.join("; ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** One reason the .env file cannot be used as written: what, the line, and the fix. */
export interface EnvFileProblem {
  line?: number;
  what: string;
  fix: string;
}

/** The .env file is unreadable, or Compose would read a value differently from what it says. */
export class EnvFileError extends Error {
  readonly file: string;
  readonly problems: readonly EnvFileProblem[];
  constructor(file: string, problems: readonly EnvFileProblem[]) {
    super(`${file}: ${problems.map((p) => p.what).join("; ")}`);
    this.name = "EnvFileError";
    this.file = file;
    this.problems = problems;
  }
}

export interface PostgresConfig {
  url: string;
  user: string;
  password: string;
  database: string;
}

export interface S3Config {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  forcePathStyle: boolean;
  bucket: string;
}

export interface OpenSearchConfig {
  url: string;
  username: string | undefined;
  password: string | undefined;
  /** Accept a self-signed certificate (staging clusters); never the default. */
  tlsInsecure: boolean;
  dashboardsUrl: string;
}

export interface NatsConfig {
  url: string;
  monitorUrl: string;
  user: string | undefined;
  password: string | undefined;
  credsFile: string | undefined;
}

export interface Config {
  /** The .env file that was read, if any. */
  envFile: string | undefined;
  /** Folder of the seed definitions: infra/init, or WALLPAPERDB_INIT_DIR. */
  initDir: string;
  composeProjectName: string;
  bindAddress: string;
  stackStartTimeoutSeconds: number;
  /** Every *_PORT variable with its resolved value. */
  ports: Readonly<Record<PortVariable, number>>;
  postgres: PostgresConfig;
  s3: S3Config;
  minioConsoleUrl: string;
  opensearch: OpenSearchConfig;
  nats: NatsConfig;
  /** OTLP/HTTP base URL of the collector (OTEL_EXPORTER_OTLP_ENDPOINT). */
  otlpHttpEndpoint: string;
  /** Optional URL of the collector's health_check extension (reachable inside the Compose network only). */
  collectorHealthUrl: string | undefined;
  prometheusUrl: string;
  lokiUrl: string;
  tempoUrl: string;
  grafana: { url: string; user: string; password: string };
  /** Every secret value, so output can mask it wherever it appears. */
  secrets: readonly string[];
}

/** Host ports with the defaults of .env.example. */
export const PORT_DEFAULTS = {
  POSTGRES_PORT: 5432,
  MINIO_API_PORT: 9000,
  MINIO_CONSOLE_PORT: 9001,
  OPENSEARCH_PORT: 9200,
  OPENSEARCH_DASHBOARDS_PORT: 5601,
  NATS_PORT: 4222,
  NATS_MONITOR_PORT: 8222,
  GRAFANA_PORT: 3000,
  PROMETHEUS_PORT: 9090,
  LOKI_PORT: 3100,
  TEMPO_PORT: 3200,
  OTEL_GRPC_PORT: 4317,
  OTEL_HTTP_PORT: 4318,
} as const;
export type PortVariable = keyof typeof PORT_DEFAULTS;

/** Variables whose value is a secret: shown as **** in every message. */
const SECRET_VARIABLES = new Set([
  "POSTGRES_PASSWORD",
  "MINIO_ROOT_PASSWORD",
  "S3_SECRET_KEY",
  "OPENSEARCH_PASSWORD",
  "NATS_PASSWORD",
  "GRAFANA_ADMIN_PASSWORD",
]);

const DEFAULTS = {
  COMPOSE_PROJECT_NAME: "wallpaperdb",
  BIND_ADDRESS: "127.0.0.1",
  STACK_START_TIMEOUT: "300",
  POSTGRES_USER: "wallpaperdb",
  POSTGRES_PASSWORD: "wallpaperdb-dev-password",
  POSTGRES_DB: "wallpaperdb",
  MINIO_ROOT_USER: "wallpaperdb",
  MINIO_ROOT_PASSWORD: "wallpaperdb-dev-password",
  MINIO_BUCKET: "wallpapers",
  S3_REGION: "us-east-1",
  S3_FORCE_PATH_STYLE: "true",
  OPENSEARCH_TLS_INSECURE: "false",
  GRAFANA_ADMIN_USER: "admin",
  GRAFANA_ADMIN_PASSWORD: "wallpaperdb-dev-password",
} as const;

/**
 * Digits only: Number() would also take 1e3, 0x1F90 or 5432.0, which Compose then receives literally.
 */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
const port = wholeNumber(1, 65535);
const nonEmpty = z.string().min(1);
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => ["true", "1", "yes"].includes(v));
const urlWithScheme = (schemes: readonly string[]) =>
  z.string().refine((value) => {
    try {
      const url = new URL(value);
      // The credentials and database name are percent-decoded later; malformed escapes (`p%zz`) fail here.
      for (const part of [url.username, url.password, url.pathname]) decodeURIComponent(part);
      return schemes.includes(url.protocol.replace(/:$/, "")) && url.hostname !== "";
    } catch {
      return false;
    }
  });
const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full", "no-verify"];
const postgresUrl = urlWithScheme(["postgres", "postgresql"]).refine((value) => {
  const mode = new URL(value).searchParams.get("sslmode");
  return mode === null || SSL_MODES.includes(mode);
});
const bucketName = z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
/** Compose's port binding needs an address, not a host name. */
const ipAddress = z.string().refine((value) => isIP(value) !== 0);

interface VariableRule {
  schema: z.ZodType;
  expected: string;
}

const URL_HTTP = { schema: urlWithScheme(["http", "https"]), expected: "an http:// or https:// URL" };

/** The form of every variable the tools read. Unknown variables are ignored. */
const RULES: Record<string, VariableRule> = {
  COMPOSE_PROJECT_NAME: {
    schema: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    expected: "lowercase letters, digits, '-' or '_' (a Compose project name)",
  },
  BIND_ADDRESS: { schema: ipAddress, expected: "an IP address such as 127.0.0.1" },
  STACK_START_TIMEOUT: {
    schema: wholeNumber(1, 3600),
    expected: "a whole number of seconds between 1 and 3600",
  },
  ...Object.fromEntries(
    Object.keys(PORT_DEFAULTS).map((name) => [
      name,
      { schema: port, expected: "a TCP port number between 1 and 65535" },
    ]),
  ),
  POSTGRES_USER: { schema: nonEmpty, expected: "a non-empty user name" },
  POSTGRES_PASSWORD: { schema: nonEmpty, expected: "a non-empty password" },
  POSTGRES_DB: { schema: nonEmpty, expected: "a non-empty database name" },
  DATABASE_URL: {
    schema: postgresUrl,
    expected: `postgres://user:password@host:port/database (special characters percent-encoded, e.g. %40 for @), optional ?sslmode=${SSL_MODES.join("|")}`,
  },
  MINIO_ROOT_USER: { schema: z.string().min(3), expected: "an access key of 3 or more characters" },
  MINIO_ROOT_PASSWORD: {
    schema: z.string().min(8),
    expected: "a secret of 8 or more characters (MinIO's minimum)",
  },
  MINIO_BUCKET: {
    schema: bucketName,
    expected: "an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
  },
  S3_ENDPOINT: URL_HTTP,
  S3_REGION: { schema: z.string().regex(/^[a-z0-9-]+$/), expected: "an S3 region such as us-east-1" },
  S3_ACCESS_KEY: { schema: nonEmpty, expected: "a non-empty access key" },
  S3_SECRET_KEY: { schema: nonEmpty, expected: "a non-empty secret key" },
  S3_FORCE_PATH_STYLE: { schema: bool, expected: "true or false" },
  OPENSEARCH_URL: URL_HTTP,
  OPENSEARCH_USERNAME: { schema: nonEmpty, expected: "a non-empty user name" },
  OPENSEARCH_PASSWORD: { schema: nonEmpty, expected: "a non-empty password" },
  OPENSEARCH_TLS_INSECURE: { schema: bool, expected: "true or false" },
  OPENSEARCH_DASHBOARDS_URL: URL_HTTP,
  NATS_URL: {
    schema: urlWithScheme(["nats", "tls", "ws", "wss"]),
    expected: "nats://host:port (or tls://host:port)",
  },
  NATS_MONITOR_URL: URL_HTTP,
  NATS_USER: { schema: nonEmpty, expected: "a non-empty user name" },
  NATS_PASSWORD: { schema: nonEmpty, expected: "a non-empty password" },
  NATS_CREDS_FILE: { schema: nonEmpty, expected: "the path of a NATS .creds file" },
  OTEL_EXPORTER_OTLP_ENDPOINT: URL_HTTP,
  OTEL_COLLECTOR_HEALTH_URL: URL_HTTP,
  PROMETHEUS_URL: URL_HTTP,
  LOKI_URL: URL_HTTP,
  TEMPO_URL: URL_HTTP,
  GRAFANA_URL: URL_HTTP,
  MINIO_CONSOLE_URL: URL_HTTP,
  GRAFANA_ADMIN_USER: { schema: nonEmpty, expected: "a non-empty user name" },
  GRAFANA_ADMIN_PASSWORD: { schema: nonEmpty, expected: "a non-empty password" },
};

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
    const raw = read(env, name) ?? (DEFAULTS as Record<string, string>)[name];
    if (raw === undefined) continue;
    const result = rule.schema.safeParse(raw);
    if (result.success) values.set(name, result.data);
    else problems.push({ variable: name, shownValue: showValue(name, raw), expected: rule.expected });
  }
  const credsFile = read(env, "NATS_CREDS_FILE");
  if (credsFile !== undefined && read(env, "NATS_USER") !== undefined) {
    problems.push({
      variable: "NATS_CREDS_FILE",
      shownValue: showValue("NATS_CREDS_FILE", credsFile),
      expected: "either NATS_CREDS_FILE or NATS_USER/NATS_PASSWORD, not both",
    });
  }
  if ((read(env, "NATS_USER") === undefined) !== (read(env, "NATS_PASSWORD") === undefined)) {
    // Name the one that is missing: a user without a password would fail later as "authorization violation".
    const missing = read(env, "NATS_USER") === undefined ? "NATS_USER" : "NATS_PASSWORD";
    problems.push({
      variable: missing,
      shownValue: showValue(missing, undefined),
      expected: "NATS_USER and NATS_PASSWORD set together (or neither)",
    });
  }
  if ((read(env, "OPENSEARCH_USERNAME") === undefined) !== (read(env, "OPENSEARCH_PASSWORD") === undefined)) {
    problems.push({
      variable: "OPENSEARCH_PASSWORD",
      shownValue: showValue("OPENSEARCH_PASSWORD", read(env, "OPENSEARCH_PASSWORD")),
      expected: "OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD set together (or neither)",
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const str = (name: string) => values.get(name) as string;
  const opt = (name: string) => values.get(name) as string | undefined;
  const ports = Object.fromEntries(
    Object.keys(PORT_DEFAULTS).map((name) => [
      name,
      (values.get(name) as number | undefined) ?? PORT_DEFAULTS[name as PortVariable],
    ]),
  ) as Record<PortVariable, number>;
  const local = (scheme: string, portVariable: PortVariable) =>
    `${scheme}://localhost:${ports[portVariable]}`;

  const postgresUser = str("POSTGRES_USER");
  const postgresPassword = str("POSTGRES_PASSWORD");
  const postgresDb = str("POSTGRES_DB");
  const databaseUrl =
    opt("DATABASE_URL") ??
    `postgres://${encodeURIComponent(postgresUser)}:${encodeURIComponent(postgresPassword)}@localhost:${ports.POSTGRES_PORT}/${encodeURIComponent(postgresDb)}`;
  const parsedDbUrl = new URL(databaseUrl);

  const s3 = {
    endpoint: opt("S3_ENDPOINT") ?? local("http", "MINIO_API_PORT"),
    region: str("S3_REGION"),
    accessKey: opt("S3_ACCESS_KEY") ?? str("MINIO_ROOT_USER"),
    secretKey: opt("S3_SECRET_KEY") ?? str("MINIO_ROOT_PASSWORD"),
    forcePathStyle: values.get("S3_FORCE_PATH_STYLE") as boolean,
    bucket: str("MINIO_BUCKET"),
  };
  const opensearch = {
    url: opt("OPENSEARCH_URL") ?? local("http", "OPENSEARCH_PORT"),
    username: opt("OPENSEARCH_USERNAME"),
    password: opt("OPENSEARCH_PASSWORD"),
    tlsInsecure: values.get("OPENSEARCH_TLS_INSECURE") as boolean,
    dashboardsUrl: opt("OPENSEARCH_DASHBOARDS_URL") ?? local("http", "OPENSEARCH_DASHBOARDS_PORT"),
  };
  const nats = {
    url: opt("NATS_URL") ?? local("nats", "NATS_PORT"),
    monitorUrl: opt("NATS_MONITOR_URL") ?? local("http", "NATS_MONITOR_PORT"),
    user: opt("NATS_USER"),
    password: opt("NATS_PASSWORD"),
    credsFile,
  };
  const grafana = {
    url: opt("GRAFANA_URL") ?? local("http", "GRAFANA_PORT"),
    user: str("GRAFANA_ADMIN_USER"),
    password: str("GRAFANA_ADMIN_PASSWORD"),
  };
  const secrets = [
    postgresPassword,
    decodeURIComponent(parsedDbUrl.password),
    s3.secretKey,
    str("MINIO_ROOT_PASSWORD"),
    opensearch.password,
    nats.password,
    grafana.password,
  ].filter((s): s is string => typeof s === "string" && s !== "");

  return {
    envFile,
    initDir: resolve(repoRoot, read(env, "WALLPAPERDB_INIT_DIR") ?? "infra/init"),
    composeProjectName: str("COMPOSE_PROJECT_NAME"),
    bindAddress: str("BIND_ADDRESS"),
    stackStartTimeoutSeconds: values.get("STACK_START_TIMEOUT") as number,
    ports,
    postgres: {
      url: databaseUrl,
      user: decodeURIComponent(parsedDbUrl.username) || postgresUser,
      password: decodeURIComponent(parsedDbUrl.password) || postgresPassword,
      database: decodeURIComponent(parsedDbUrl.pathname.replace(/^\//, "")) || postgresDb,
    },
    s3,
    minioConsoleUrl: opt("MINIO_CONSOLE_URL") ?? local("http", "MINIO_CONSOLE_PORT"),
    opensearch,
    nats,
    otlpHttpEndpoint: (opt("OTEL_EXPORTER_OTLP_ENDPOINT") ?? local("http", "OTEL_HTTP_PORT")).replace(
      /\/+$/,
      "",
    ),
    collectorHealthUrl: opt("OTEL_COLLECTOR_HEALTH_URL"),
    prometheusUrl: opt("PROMETHEUS_URL") ?? local("http", "PROMETHEUS_PORT"),
    lokiUrl: opt("LOKI_URL") ?? local("http", "LOKI_PORT"),
    tempoUrl: opt("TEMPO_URL") ?? local("http", "TEMPO_PORT"),
    grafana,
    secrets: [...new Set(secrets)],
  };
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
