/**
 * The rules of DESIGN.md §2-3 for infra/docker-compose.yml, as code.
 *
 * Pure: takes the Compose file as parsed YAML (NOT the output of `docker compose config`, which
 * has already interpolated the `${VAR:-default}` expressions these rules inspect) and the
 * entries of .env.example, and returns every violation found. No file or process access.
 */
import type { ServiceModule } from "../../tools/src/services/module.ts";
import { MODULES } from "../../tools/src/services/modules.ts";

export type RuleId =
  | "top-level-name"
  | "no-container-name"
  | "service-set"
  | "profiles"
  | "host-ports"
  | "bind-address"
  | "unique-host-ports"
  | "internal-ports"
  | "named-volumes"
  | "config-mounts"
  | "image-pinned"
  | "healthcheck"
  | "depends-on-target"
  | "depends-on-cycle"
  | "depends-on-condition"
  | "depends-on-profile"
  | "env-default"
  | "env-documented"
  | "memory-limit"
  | "memory-budget";

export interface Violation {
  /** The Compose service at fault, or TOP_LEVEL for the file as a whole. */
  service: string;
  rule: RuleId;
  /** Names the service and the rule, says what is wrong and what is expected. */
  message: string;
}

export const TOP_LEVEL = "(top level)";

export interface PortContract {
  /** The .env variable holding the host port. */
  variable: string;
  /** Its default, equal to .env.example. */
  fallback: number;
  container: number;
}

export interface ServiceContract {
  profile: string;
  ports: PortContract[];
  /** Container ports that must stay inside the Compose network. */
  internalPorts: number[];
  volume?: { name: string; target: string };
  /** Read-only bind mounts: source relative to infra/, target inside the container. */
  configMounts: { source: string; target: string }[];
  /** False only where the image cannot run any check (FROM scratch). */
  healthcheck: boolean;
  /** Numeric parts an exact version tag has (PostgreSQL 10+ is MAJOR.MINOR). */
  versionParts: number;
  /** Started only when its profile is asked for: outside the memory budget of the default stack. */
  optIn?: boolean;
}

export interface StackContract {
  projectName: string;
  bindAddress: string;
  /** What the mem_limits of the default stack (every service but the opt-in ones) may add up to. */
  memoryBudgetBytes: number;
  services: Record<string, ServiceContract>;
}

const GIB = 1024 ** 3;

/**
 * What a service's Compose block has beyond its module (ports, profile, volume come from there): only the
 * services that differ from the plain case (no internal ports, no config mounts, a healthcheck, a 3-part tag).
 */
const COMPOSE_SPECIFICS: Readonly<Record<string, Partial<ServiceContract>>> = {
  postgres: { versionParts: 2 },
  opensearch: { internalPorts: [9300, 9600, 9650] },
  nats: {
    internalPorts: [6222],
    configMounts: [{ source: "./config/nats/nats.conf", target: "/etc/nats/nats.conf" }],
  },
  "otel-collector": {
    internalPorts: [8888, 8889, 13133, 1777, 55679],
    configMounts: [
      { source: "./config/otel-collector/config.yaml", target: "/etc/otelcol-contrib/config.yaml" },
    ],
    healthcheck: false,
  },
  prometheus: {
    configMounts: [
      { source: "./config/prometheus/prometheus.yml", target: "/etc/prometheus/prometheus.yml" },
    ],
  },
  loki: {
    internalPorts: [9095, 7946],
    configMounts: [{ source: "./config/loki/loki.yaml", target: "/etc/loki/loki.yaml" }],
  },
  tempo: {
    internalPorts: [4317, 4318, 9095],
    configMounts: [{ source: "./config/tempo/tempo.yaml", target: "/etc/tempo/tempo.yaml" }],
  },
  grafana: {
    configMounts: [
      { source: "./config/grafana/provisioning", target: "/etc/grafana/provisioning" },
      { source: "./config/grafana/dashboards", target: "/var/lib/grafana/dashboards" },
    ],
  },
};

/** A service's contract: what its module declares (the tools rely on it), plus its Compose specifics. */
export function serviceContract(module: ServiceModule): ServiceContract {
  const volume = module.data ?? module.disposable;
  return {
    profile: module.profile,
    ports: module.ports.map((p) => ({
      variable: p.variable,
      fallback: p.defaultHostPort,
      container: p.containerPort,
    })),
    internalPorts: [],
    configMounts: [],
    healthcheck: true,
    versionParts: 3,
    ...(volume && { volume: { name: volume.volume, target: volume.mountPath } }),
    ...(module.optIn && { optIn: true }),
    ...COMPOSE_SPECIFICS[module.name],
  };
}

/**
 * The interface contract every helper, script and test relies on. Its services are the tools' modules
 * (tools/src/services/modules.ts): the Compose file must run exactly what the tools talk to.
 */
export const STACK_CONTRACT: StackContract = {
  projectName: "wallpaperdb",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Compose expression, compared verbatim.
  bindAddress: "${BIND_ADDRESS:-127.0.0.1}",
  memoryBudgetBytes: 4.5 * GIB,
  services: Object.fromEntries(MODULES.map((m) => [m.name, serviceContract(m)])),
};

/** One line of .env.example: its value and whether a comment line sits right above it. */
export interface EnvExampleEntry {
  value: string;
  documented: boolean;
}

/** Reads .env.example's `NAME=value` lines; a `# comment` on the line above documents one. */
export function parseEnvExample(text: string): Map<string, EnvExampleEntry> {
  const entries = new Map<string, EnvExampleEntry>();
  let previous = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) {
      const value = (match[2] as string).replace(/^(["'])(.*)\1$/, "$2");
      entries.set(match[1] as string, { value, documented: previous.startsWith("#") });
    }
    previous = line;
  }
  return entries;
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `${NAME:-default}` as written, or undefined for anything else. */
function parseDefaulted(text: string): { name: string; fallback: string } | undefined {
  const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*):-([^}]*)\}$/.exec(text);
  return match ? { name: match[1] as string, fallback: match[2] as string } : undefined;
}

/** The value Compose sees when no variable is set: `${X:-d}` becomes d. */
function withDefaults(text: string): string {
  return text.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g, "$1");
}

interface PublishedPort {
  hostIp: string | undefined;
  host: string | undefined;
  container: number;
  raw: string;
}

const TOKEN = String.raw`(?:\$\{[^}]*\}|[^:]+)`;
const SHORT_PORT = new RegExp(String.raw`^(?:(?:(${TOKEN}):)?(${TOKEN}):)?(\d+)(?:/(?:tcp|udp))?$`);

function parsePort(entry: unknown): PublishedPort | undefined {
  if (isObj(entry)) {
    const container = Number(entry.target);
    if (!Number.isInteger(container)) return undefined;
    const host = entry.published === undefined ? undefined : String(entry.published);
    const hostIp = entry.host_ip === undefined ? undefined : String(entry.host_ip);
    return { hostIp, host, container, raw: JSON.stringify(entry) };
  }
  const raw = String(entry);
  const match = SHORT_PORT.exec(raw);
  if (!match) return undefined;
  return { hostIp: match[1], host: match[2], container: Number(match[3]), raw };
}

interface Mount {
  type: "volume" | "bind";
  source: string;
  target: string;
  readOnly: boolean;
}

function parseMount(entry: unknown): Mount | undefined {
  if (isObj(entry)) {
    const type = entry.type === "bind" ? "bind" : "volume";
    return {
      type,
      source: String(entry.source ?? ""),
      target: String(entry.target ?? ""),
      readOnly: entry.read_only === true,
    };
  }
  const parts = String(entry).split(":");
  if (parts.length < 2) return undefined;
  const source = parts[0] as string;
  const bind = source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
  return {
    type: bind ? "bind" : "volume",
    source,
    target: parts[1] as string,
    readOnly: (parts[2] ?? "").split(",").includes("ro"),
  };
}

/** Docker's size syntax (binary units): 512m, 1g, 1073741824, 256mb. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === "number") return value;
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(value.trim());
  if (!match) return undefined;
  const unit = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    (match[2] as string).toLowerCase() as "" | "b" | "k" | "m" | "g"
  ];
  return Math.round(Number(match[1]) * unit);
}

function memoryLimit(service: Obj): string | number | undefined {
  if (typeof service.mem_limit === "string" || typeof service.mem_limit === "number")
    return service.mem_limit;
  const deploy = service.deploy;
  if (isObj(deploy) && isObj(deploy.resources) && isObj(deploy.resources.limits)) {
    const memory = deploy.resources.limits.memory;
    if (typeof memory === "string" || typeof memory === "number") return memory;
  }
  return undefined;
}

function hasHealthcheck(service: Obj): boolean {
  const hc = service.healthcheck;
  if (!isObj(hc) || hc.disable === true) return false;
  return !(Array.isArray(hc.test) && hc.test[0] === "NONE");
}

const HEALTH_TIMINGS = ["interval", "timeout", "retries", "start_period", "start_interval"] as const;

function dependsOn(service: Obj): Map<string, string> {
  const deps = new Map<string, string>();
  const raw = service.depends_on;
  if (Array.isArray(raw)) {
    for (const name of raw) deps.set(String(name), "service_started");
  } else if (isObj(raw)) {
    for (const [name, spec] of Object.entries(raw)) {
      deps.set(name, isObj(spec) && typeof spec.condition === "string" ? spec.condition : "service_started");
    }
  }
  return deps;
}

/** Every string in the file (values only: Compose never interpolates keys), with its service. */
function* stringsOf(value: unknown, service: string): Generator<[string, string]> {
  if (typeof value === "string") {
    yield [service, value];
  } else if (Array.isArray(value)) {
    for (const item of value) yield* stringsOf(item, service);
  } else if (isObj(value)) {
    for (const item of Object.values(value)) yield* stringsOf(item, service);
  }
}

const VERSION_TAG = /^v?(\d+(?:\.\d+)*)/;
const MINIO_RELEASE_TAG = /^RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z/;

function imageProblem(image: unknown, versionParts: number): string | undefined {
  if (typeof image !== "string" || image === "") return "has no image";
  if (image.includes("$")) return `image "${image}" must be a literal pinned reference, not a variable`;
  const [name, digest] = image.split("@") as [string, string | undefined];
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  const tag = colon === -1 ? undefined : name.slice(colon + 1);
  if (tag === undefined) {
    return digest ? undefined : `image "${image}" has no tag (means latest); pin an exact version`;
  }
  if (tag === "latest" || /(^|-)latest$/.test(tag)) return `image "${image}" uses a latest tag`;
  if (MINIO_RELEASE_TAG.test(tag)) return undefined;
  const version = VERSION_TAG.exec(tag);
  const parts = version ? (version[1] as string).split(".").length : 0;
  if (parts < versionParts) {
    return `image "${image}" tag "${tag}" floats (bare major/minor or no version); pin an exact version (${versionParts} numeric parts)`;
  }
  return undefined;
}

/** Checks a parsed Compose file against the stack contract and .env.example. */
export function checkCompose(
  compose: unknown,
  envExample: Map<string, EnvExampleEntry>,
  contract: StackContract = STACK_CONTRACT,
): Violation[] {
  const violations: Violation[] = [];
  const report = (service: string, rule: RuleId, what: string) =>
    violations.push({ service, rule, message: `${service} [${rule}]: ${what}` });

  if (!isObj(compose)) {
    report(TOP_LEVEL, "service-set", "the file is not a YAML mapping");
    return violations;
  }
  if (compose.name !== contract.projectName) {
    report(
      TOP_LEVEL,
      "top-level-name",
      `top-level name must be "${contract.projectName}", got ${JSON.stringify(compose.name)}`,
    );
  }
  const services: Record<string, Obj> = {};
  if (isObj(compose.services)) {
    for (const [name, body] of Object.entries(compose.services)) services[name] = isObj(body) ? body : {};
  }
  for (const name of Object.keys(contract.services)) {
    if (!(name in services)) report(name, "service-set", "service of the contract is missing");
  }
  for (const name of Object.keys(services)) {
    if (!(name in contract.services)) report(name, "service-set", "service is not in the contract");
  }

  checkPorts(services, contract, report);
  checkVolumes(compose, services, contract, report);

  let totalBytes = 0;
  for (const [name, service] of Object.entries(services)) {
    const spec = contract.services[name];
    if ("container_name" in service) {
      report(
        name,
        "no-container-name",
        "container_name pins one global name; let the project name namespace it",
      );
    }
    if (spec) {
      const profiles = Array.isArray(service.profiles) ? service.profiles.map(String) : [];
      if (profiles.length !== 1 || profiles[0] !== spec.profile) {
        report(name, "profiles", `profiles must be [${spec.profile}], got [${profiles.join(", ")}]`);
      }
      const problem = imageProblem(service.image, spec.versionParts);
      if (problem) report(name, "image-pinned", problem);
      checkHealthcheck(name, service, spec, report);
    }
    const limit = memoryLimit(service);
    const bytes = limit === undefined ? undefined : parseByteSize(withDefaults(String(limit)));
    if (bytes === undefined) {
      report(name, "memory-limit", `needs mem_limit with a size like 256m (got ${JSON.stringify(limit)})`);
    } else if (!spec?.optIn) {
      totalBytes += bytes;
    }
  }
  if (totalBytes > contract.memoryBudgetBytes) {
    const mib = (n: number) => `${Math.round(n / 1024 ** 2)} MiB`;
    report(
      "(all services)",
      "memory-budget",
      `memory limits add up to ${mib(totalBytes)}, over the ${mib(contract.memoryBudgetBytes)} budget`,
    );
  }

  checkDependsOn(services, report);
  checkVariables(compose, envExample, report);
  return violations;
}

type Report = (service: string, rule: RuleId, what: string) => void;

function checkPorts(services: Record<string, Obj>, contract: StackContract, report: Report): void {
  const hostPortOwners = new Map<string, string[]>();
  for (const [name, service] of Object.entries(services)) {
    const spec = contract.services[name];
    const entries = Array.isArray(service.ports) ? service.ports : [];
    const seen = new Set<number>();
    for (const entry of entries) {
      const port = parsePort(entry);
      if (!port) {
        report(name, "host-ports", `cannot read port entry ${JSON.stringify(entry)}`);
        continue;
      }
      seen.add(port.container);
      if (port.hostIp !== contract.bindAddress) {
        report(name, "bind-address", `port ${port.raw} must bind to ${contract.bindAddress}`);
      }
      if (port.host !== undefined) {
        const hostPort = withDefaults(port.host);
        hostPortOwners.set(hostPort, [...(hostPortOwners.get(hostPort) ?? []), name]);
      }
      if (spec?.internalPorts.includes(port.container)) {
        report(
          name,
          "internal-ports",
          `container port ${port.container} must stay unpublished (internal only)`,
        );
        continue;
      }
      const expected = spec?.ports.find((p) => p.container === port.container);
      if (!expected) {
        report(
          name,
          "host-ports",
          `publishes container port ${port.container}, which the contract does not list`,
        );
        continue;
      }
      const wanted = `\${${expected.variable}:-${expected.fallback}}`;
      if (port.host !== wanted) {
        report(
          name,
          "host-ports",
          `container port ${port.container} must be published as ${wanted}, got ${port.host ?? "a random host port"}`,
        );
      }
    }
    for (const expected of spec?.ports ?? []) {
      if (!seen.has(expected.container)) {
        report(
          name,
          "host-ports",
          `must publish container port ${expected.container} from ${expected.variable}`,
        );
      }
    }
  }
  for (const [hostPort, owners] of hostPortOwners) {
    if (owners.length > 1) {
      report(
        owners[1] as string,
        "unique-host-ports",
        `host port ${hostPort} is published twice (${owners.join(", ")})`,
      );
    }
  }
}

function checkVolumes(
  compose: Obj,
  services: Record<string, Obj>,
  contract: StackContract,
  report: Report,
): void {
  const declared = new Set(isObj(compose.volumes) ? Object.keys(compose.volumes) : []);
  const planned = new Set(Object.values(contract.services).flatMap((s) => (s.volume ? [s.volume.name] : [])));
  for (const name of planned) {
    if (!declared.has(name))
      report(TOP_LEVEL, "named-volumes", `named volume ${name} is not declared under volumes:`);
  }
  for (const name of declared) {
    if (!planned.has(name)) report(TOP_LEVEL, "named-volumes", `named volume ${name} is not in the plan`);
  }
  for (const [name, service] of Object.entries(services)) {
    const spec = contract.services[name];
    const mounts = (Array.isArray(service.volumes) ? service.volumes : []).map(parseMount);
    const named = mounts.filter((m): m is Mount => m?.type === "volume");
    for (const mount of named) {
      if (mount.source !== spec?.volume?.name) {
        report(
          name,
          "named-volumes",
          `mounts named volume ${mount.source}, which belongs to no plan entry of ${name}`,
        );
      }
    }
    if (spec?.volume) {
      const { name: volume, target } = spec.volume;
      const mount = named.find((m) => m.source === volume);
      if (!mount) report(name, "named-volumes", `must mount named volume ${volume} at ${target}`);
      else if (mount.target !== target) {
        report(
          name,
          "named-volumes",
          `${volume} must be mounted at the image's data dir ${target}, not ${mount.target}`,
        );
      }
    }
    for (const expected of spec?.configMounts ?? []) {
      const mount = mounts.find((m) => m?.type === "bind" && m.target === expected.target);
      if (!mount || mount.source !== expected.source || !mount.readOnly) {
        report(name, "config-mounts", `must bind ${expected.source} read-only at ${expected.target}`);
      }
    }
  }
}

function checkHealthcheck(name: string, service: Obj, spec: ServiceContract, report: Report): void {
  const present = hasHealthcheck(service);
  if (!spec.healthcheck) {
    if (present) {
      report(
        name,
        "healthcheck",
        "the image has no shell or health command, so a healthcheck cannot run inside it",
      );
    }
    return;
  }
  if (!present) {
    report(name, "healthcheck", "needs a healthcheck that runs inside its image");
    return;
  }
  const hc = service.healthcheck as Obj;
  const missing = HEALTH_TIMINGS.filter((key) => hc[key] === undefined);
  if (missing.length > 0) report(name, "healthcheck", `healthcheck must spell out ${missing.join(", ")}`);
}

function checkDependsOn(services: Record<string, Obj>, report: Report): void {
  const graph = new Map<string, string[]>();
  for (const [name, service] of Object.entries(services)) {
    const deps = dependsOn(service);
    graph.set(
      name,
      [...deps.keys()].filter((d) => d in services),
    );
    const profile = JSON.stringify(service.profiles ?? []);
    for (const [target, condition] of deps) {
      const dependency = services[target];
      if (!dependency) {
        report(name, "depends-on-target", `depends on ${target}, which is not a service`);
        continue;
      }
      const wanted = hasHealthcheck(dependency) ? "service_healthy" : "service_started";
      if (condition !== wanted) {
        report(
          name,
          "depends-on-condition",
          `depends on ${target} with ${condition}; use condition: ${wanted}`,
        );
      }
      if (JSON.stringify(dependency.profiles ?? []) !== profile) {
        report(
          name,
          "depends-on-profile",
          `depends on ${target} from another profile; each profile must start alone`,
        );
      }
    }
  }
  const state = new Map<string, "visiting" | "done">();
  const reported = new Set<string>();
  const visit = (node: string, path: string[]): void => {
    state.set(node, "visiting");
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "visiting") {
        const cycle = [...path.slice(path.indexOf(next)), next];
        const key = [...new Set(cycle)].sort().join(",");
        if (!reported.has(key)) {
          reported.add(key);
          report(next, "depends-on-cycle", `depends_on forms a cycle: ${cycle.join(" -> ")}`);
        }
      } else if (!state.has(next)) {
        visit(next, [...path, next]);
      }
    }
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node, [node]);
}

function checkVariables(compose: Obj, envExample: Map<string, EnvExampleEntry>, report: Report): void {
  const pairs: [string, string][] = [];
  for (const [key, value] of Object.entries(compose)) {
    if (key === "services" && isObj(value)) {
      for (const [name, body] of Object.entries(value)) pairs.push(...stringsOf(body, name));
    } else {
      pairs.push(...stringsOf(value, TOP_LEVEL));
    }
  }
  const seen = new Set<string>();
  for (const [service, text] of pairs) {
    for (const match of text.matchAll(/\$\$|\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g)) {
      const expression = match[0];
      if (expression === "$$") continue;
      const key = `${service}\0${expression}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const parsed = parseDefaulted(expression);
      if (!parsed) {
        report(
          service,
          "env-default",
          `${expression} needs the form \${NAME:-default} (default from .env.example)`,
        );
        continue;
      }
      const entry = envExample.get(parsed.name);
      if (!entry) {
        report(service, "env-documented", `${parsed.name} is used but not in .env.example`);
        continue;
      }
      if (!entry.documented) {
        report(
          service,
          "env-documented",
          `${parsed.name} in .env.example needs a comment line right above it`,
        );
      }
      if (entry.value !== parsed.fallback) {
        report(
          service,
          "env-default",
          `${expression}: default "${parsed.fallback}" differs from .env.example's "${entry.value}"`,
        );
      }
    }
  }
}

/** One line per violation, for assertion messages and reports. */
export function formatViolations(violations: Violation[]): string {
  return violations.map((v) => v.message).join("\n");
}
