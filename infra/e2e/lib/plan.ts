// The e2e run's identity: an isolated Compose project name, host ports of its own and the env file
// that carries them. Pure functions: every decision that keeps the suite away from a developer's
// running stack lives here and is unit-tested.

/** Prefix of every project the suite creates; teardown and log collection act on exactly one of them. */
export const E2E_PROJECT_PREFIX = "wallpaperdb-e2e-";
/** The stack's own project name (the Compose file's top-level `name:` and the .env.example default). */
export const DEFAULT_PROJECT_NAME = "wallpaperdb";

// Compose's rule for project names: lowercase letters, digits, dashes and underscores, starting with a
// letter or digit.
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

// Variable families of the stack and the tools. Inherited values of these never reach a command of the run:
// a developer's exported DATABASE_URL or COMPOSE_PROJECT_NAME would otherwise point it at their own stack.
const STACK_VARIABLE =
  /^(COMPOSE_|DOCKER_COMPOSE_|POSTGRES_|DATABASE_|PG[A-Z]+$|MINIO_|S3_|OPENSEARCH_|NATS_|OTEL_|PROMETHEUS_|LOKI_|TEMPO_|GRAFANA_|STACK_|WALLPAPERDB_|BIND_ADDRESS$)/;

export function makeProjectName(randomSuffix: string): string {
  const name = `${E2E_PROJECT_PREFIX}${randomSuffix.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
  if (name === E2E_PROJECT_PREFIX) throw new Error("the e2e project name needs a non-empty random suffix");
  return name;
}

/** The port variables of the contract: every key of .env.example that ends in _PORT. */
export function portKeys(example: Record<string, string>): string[] {
  return Object.keys(example)
    .filter((key) => /^[A-Z][A-Z0-9_]*_PORT$/.test(key))
    .sort();
}

/** Ports a developer's stack may hold: the defaults, the developer's .env and the shell's overrides. */
export function developerPorts(
  keys: readonly string[],
  ...sources: Record<string, string | undefined>[]
): Set<number> {
  const ports = new Set<number>();
  for (const source of sources) {
    for (const key of keys) {
      const port = Number(source[key]);
      if (Number.isInteger(port) && port > 0 && port < 65536) ports.add(port);
    }
  }
  return ports;
}

/** Project names a developer's stack may run under; the e2e project must be none of them. */
export function developerProjectNames(...candidates: (string | undefined)[]): Set<string> {
  const names = new Set<string>([DEFAULT_PROJECT_NAME]);
  for (const candidate of candidates) if (candidate?.trim()) names.add(candidate.trim().toLowerCase());
  return names;
}

export interface E2EPlan {
  projectName: string;
  ports: Record<string, number>;
}

/** Every reason the plan could touch a developer's stack; empty means isolated. */
export function isolationViolations(
  plan: E2EPlan,
  developer: { projectNames: ReadonlySet<string>; ports: ReadonlySet<number> },
): string[] {
  const violations: string[] = [];
  if (!PROJECT_NAME.test(plan.projectName)) {
    violations.push(`project name "${plan.projectName}" is not a valid Compose project name`);
  }
  if (!plan.projectName.startsWith(E2E_PROJECT_PREFIX)) {
    violations.push(`project name "${plan.projectName}" does not start with ${E2E_PROJECT_PREFIX}`);
  }
  if (developer.projectNames.has(plan.projectName)) {
    violations.push(`project name "${plan.projectName}" is the developer's project`);
  }
  const seen = new Map<number, string>();
  for (const [key, port] of Object.entries(plan.ports)) {
    if (developer.ports.has(port)) violations.push(`${key}=${port} is a port of the developer's stack`);
    const other = seen.get(port);
    if (other) violations.push(`${key}=${port} collides with ${other}`);
    seen.set(port, key);
  }
  return violations;
}

/** Endpoint URLs derived from the e2e ports, so a developer's DATABASE_URL & co never leak into the run. */
export function endpointVariables(values: Record<string, string>): Record<string, string> {
  const host = "127.0.0.1";
  const endpoints: Record<string, string> = {};
  // Only for ports the stack defines: a URL without a port would be invalid config.
  const add = (name: string, scheme: string, portKey: string) => {
    if (values[portKey]) endpoints[name] = `${scheme}://${host}:${values[portKey]}`;
  };
  if (values.POSTGRES_PORT) {
    const user = encodeURIComponent(values.POSTGRES_USER ?? "");
    const password = encodeURIComponent(values.POSTGRES_PASSWORD ?? "");
    endpoints.DATABASE_URL = `postgres://${user}:${password}@${host}:${values.POSTGRES_PORT}/${values.POSTGRES_DB ?? ""}`;
  }
  add("S3_ENDPOINT", "http", "MINIO_API_PORT");
  add("NATS_URL", "nats", "NATS_PORT");
  add("OPENSEARCH_URL", "http", "OPENSEARCH_PORT");
  add("OTEL_EXPORTER_OTLP_ENDPOINT", "http", "OTEL_HTTP_PORT");
  add("PROMETHEUS_URL", "http", "PROMETHEUS_PORT");
  add("LOKI_URL", "http", "LOKI_PORT");
  add("TEMPO_URL", "http", "TEMPO_PORT");
  add("GRAFANA_URL", "http", "GRAFANA_PORT");
  return endpoints;
}

/**
 * The complete variable set of the e2e stack: .env.example's defaults, then the plan. The developer's .env
 * is deliberately not read here: the run must not depend on (or inherit ports from) a local setup.
 */
export function e2eVariables(
  example: Record<string, string>,
  plan: E2EPlan,
  fit: Record<string, string> = {},
): Record<string, string> {
  const values: Record<string, string> = { ...example, ...fit, COMPOSE_PROJECT_NAME: plan.projectName };
  values.BIND_ADDRESS = "127.0.0.1";
  // A cold hosted runner pulls nothing here (images are pulled first) but OpenSearch's first boot is slow.
  values.STACK_START_TIMEOUT = String(Math.max(Number(values.STACK_START_TIMEOUT) || 0, 600));
  for (const [key, port] of Object.entries(plan.ports)) values[key] = String(port);
  return { ...values, ...endpointVariables(values) };
}

/**
 * Variables that fit the stack to this machine (OpenSearch's heap, memory cap, open files, JVM flags), not to a
 * developer's identity (project, ports, credentials): the run takes them from the developer's .env, the
 * environment winning, so a machine that needs them (an Apple M4's -XX:UseSVE=0, an engine that cannot grant
 * 65536 open files) passes the e2e run as it runs the stack.
 */
export const MACHINE_FIT_VARIABLES = [
  "OPENSEARCH_HEAP",
  "OPENSEARCH_MEM_LIMIT",
  "OPENSEARCH_NOFILE",
  "OPENSEARCH_EXTRA_JAVA_OPTS",
] as const;

export function machineFit(
  developerEnv: Record<string, string>,
  processEnv: Record<string, string | undefined>,
): Record<string, string> {
  const fit: Record<string, string> = {};
  for (const key of MACHINE_FIT_VARIABLES) {
    const value = processEnv[key] || developerEnv[key];
    if (value) fit[key] = value;
  }
  return fit;
}

/**
 * The environment for every command of the run: the inherited one without any stack variable (by family,
 * and every key .env.example defines), then exactly the e2e variables.
 */
export function isolatedEnvironment(
  inherited: Record<string, string | undefined>,
  exampleKeys: readonly string[],
  e2e: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(inherited)) {
    if (value === undefined || STACK_VARIABLE.test(key) || exampleKeys.includes(key)) continue;
    env[key] = value;
  }
  return { ...env, ...e2e };
}

/** Renders variables as an env file Compose reads literally (values quoted when needed). */
export function renderEnvFile(values: Record<string, string>, header: string): string {
  const lines = header.split("\n").map((line) => `# ${line}`.trimEnd());
  for (const [key, value] of Object.entries(values)) {
    // Single quotes keep `$` literal in Compose's env-file syntax; inside double quotes (for a value with
    // a ') Compose interpolates, so $, " and \ are escaped there.
    const plain = /^[A-Za-z0-9_./:@,+-]*$/.test(value);
    const quoted = value.includes("'") ? `"${value.replace(/[\\"$]/g, "\\$&")}"` : `'${value}'`;
    lines.push(`${key}=${plain ? value : quoted}`);
  }
  return `${lines.join("\n")}\n`;
}
