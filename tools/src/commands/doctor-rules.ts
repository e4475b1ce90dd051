/**
 * doctor's decisions, as pure functions of what the probes found (doctor.ts does the I/O).
 * Every finding carries a stable code (documented in doctor.schema.json) and, unless it passes, the fix.
 */
import type { PortVariable } from "../config/env.ts";
import { hostPort, type Profile, type ServiceDefinition } from "../config/services.ts";
import { atLeast } from "../docker/version.ts";

export type FindingStatus = "pass" | "warn" | "fail" | "skip";

export interface Finding {
  /** Stable identifier, e.g. PORT_TAKEN; scripts and CI may match on it. */
  code: string;
  status: FindingStatus;
  /** One line: what was found. */
  title: string;
  /** What to do about it (absent when the check passes). */
  fix?: string;
  /** A "fail" stops `make start`. */
  blocking: boolean;
  data?: Record<string, unknown>;
}

const finding = (
  code: string,
  status: FindingStatus,
  title: string,
  fix?: string,
  data?: Record<string, unknown>,
): Finding => ({
  code,
  status,
  title,
  ...(fix ? { fix } : {}),
  blocking: status === "fail",
  ...(data ? { data } : {}),
});

export const MIN_ENGINE_VERSION = "25.0.0";
export const MIN_COMPOSE_VERSION = "2.24.0";

// ------------------------------------------------------------------ engine and compose --

export function engineVersionFinding(serverVersion: string): Finding {
  if (atLeast(serverVersion, MIN_ENGINE_VERSION))
    return finding(
      "ENGINE_VERSION_OK",
      "pass",
      `Docker Engine ${serverVersion} (>= 25 for healthcheck start_interval)`,
    );
  return finding(
    "ENGINE_TOO_OLD",
    "fail",
    `Docker Engine ${serverVersion} is older than 25.0: it rejects the healthchecks' start_interval`,
    "update Docker Desktop or Docker Engine to 25 or newer (https://docs.docker.com/engine/install/)",
    { found: serverVersion, minimum: MIN_ENGINE_VERSION },
  );
}

export function composeVersionFinding(
  command: readonly string[] | undefined,
  version: string | undefined,
): Finding {
  if (!command)
    return finding(
      "COMPOSE_MISSING",
      "fail",
      "Docker Compose v2 is not installed (neither 'docker compose' nor 'docker-compose')",
      "install the Compose plugin (https://docs.docker.com/compose/install/) or use the dev container",
    );
  const name = command.join(" ");
  if (version === undefined)
    return finding(
      "COMPOSE_MISSING",
      "fail",
      `could not read the version of ${name}`,
      "reinstall Docker Compose v2",
    );
  if (atLeast(version, MIN_COMPOSE_VERSION))
    return finding("COMPOSE_OK", "pass", `Compose ${version} (${name})`, undefined, {
      command: name,
      version,
    });
  return finding(
    "COMPOSE_TOO_OLD",
    "fail",
    `Compose ${version} (${name}) is older than ${MIN_COMPOSE_VERSION}`,
    "update Docker Desktop, or the docker-compose-plugin package, to Compose 2.24 or newer",
    { command: name, version, minimum: MIN_COMPOSE_VERSION },
  );
}

// ------------------------------------------------------------------------------- ports --

export interface PortPlanEntry {
  variable: PortVariable;
  port: number;
  service: string;
  purpose: string;
}

/** The host ports the chosen profiles publish, from the catalog and the configured values. */
export function portPlan(
  catalog: readonly ServiceDefinition[],
  ports: Readonly<Record<PortVariable, number>>,
  profiles: readonly Profile[],
): PortPlanEntry[] {
  return catalog
    .filter((s) => profiles.includes(s.profile))
    .flatMap((s) =>
      s.ports.map((p) => ({
        variable: p.variable,
        port: hostPort(ports, p),
        service: s.name,
        purpose: p.purpose,
      })),
    );
}

/** Two variables set to the same host port: Compose would fail half-way through `up`. */
export function duplicatePortFindings(plan: readonly PortPlanEntry[]): Finding[] {
  const byPort = new Map<number, PortPlanEntry[]>();
  for (const entry of plan) byPort.set(entry.port, [...(byPort.get(entry.port) ?? []), entry]);
  return [...byPort.entries()]
    .filter(([, entries]) => entries.length > 1)
    .map(([port, entries]) =>
      finding(
        "PORT_DUPLICATE",
        "fail",
        `host port ${port} is configured twice: ${entries.map((e) => `${e.variable} (${e.service})`).join(", ")}`,
        `give each a different value in .env, e.g. ${entries[1]?.variable}=${port + 1}`,
        { port, variables: entries.map((e) => e.variable) },
      ),
    );
}

/** Who holds a port, as far as the OS or Docker can tell. */
export interface PortOwner {
  /** Process name and pid from ss/lsof, or a container of another Compose project. */
  description: string;
}

export type PortProbe =
  | { kind: "free" }
  | { kind: "held-by-stack"; container: string }
  | { kind: "taken"; owner: PortOwner | undefined }
  /** Held by the engine's port proxy while the engine does not answer: whose container it is cannot be asked. */
  | { kind: "engine-proxy"; listener: string }
  | { kind: "no-permission" }
  | { kind: "bad-address"; message: string };

/** docker-proxy is the engine's userland proxy: it holds the published ports of running containers. */
const ENGINE_PROXY = /^docker-proxy\b/;

/**
 * Pure: what a taken port means. A container of another project is named; a port held by docker-proxy while
 * the engine does not answer is not a conflict to move (no container list to tell whose it is).
 */
export function takenPortProbe(
  listener: string | undefined,
  container: string | undefined,
  engineReachable: boolean,
): PortProbe {
  if (container) return { kind: "taken", owner: { description: container } };
  if (!engineReachable && listener && ENGINE_PROXY.test(listener)) return { kind: "engine-proxy", listener };
  return { kind: "taken", owner: listener ? { description: listener } : undefined };
}

export function portFindings(
  plan: readonly PortPlanEntry[],
  probes: ReadonlyMap<number, PortProbe>,
  suggest: (port: number) => number,
): Finding[] {
  const findings: Finding[] = [];
  const proxied: PortPlanEntry[] = [];
  let free = 0;
  let ours = 0;
  for (const entry of plan) {
    const probe = probes.get(entry.port) ?? { kind: "free" };
    const label = `port ${entry.port} (${entry.service} ${entry.purpose}, ${entry.variable})`;
    const data = { port: entry.port, variable: entry.variable, service: entry.service };
    switch (probe.kind) {
      case "free":
        free++;
        break;
      case "held-by-stack":
        ours++;
        break;
      case "engine-proxy":
        proxied.push(entry);
        break;
      case "taken":
        findings.push(
          finding(
            "PORT_TAKEN",
            "fail",
            `${label} is taken by ${probe.owner?.description ?? "another program (the OS did not say which; try: sudo ss -ltnp or lsof -i)"}`,
            `stop that program, or move this stack's port: set ${entry.variable}=${suggest(entry.port)} in .env`,
            { ...data, owner: probe.owner?.description ?? null },
          ),
        );
        break;
      case "no-permission":
        findings.push(
          finding(
            "PORT_PRIVILEGED",
            "warn",
            `${label}: this user may not bind ports below 1024 (checked as a normal user)`,
            `pick a port of 1024 or above: set ${entry.variable}=${suggest(entry.port)} in .env`,
            data,
          ),
        );
        break;
      case "bad-address":
        findings.push(
          finding(
            "BIND_ADDRESS_INVALID",
            "fail",
            `${label}: cannot bind the configured BIND_ADDRESS (${probe.message})`,
            "set BIND_ADDRESS=127.0.0.1 in .env (or an address this machine really has)",
            data,
          ),
        );
        break;
    }
  }
  if (proxied.length > 0)
    findings.push(
      finding(
        "PORTS_HELD_BY_ENGINE",
        "skip",
        `${proxied.length} host port(s) not checked: ${proxied.map((e) => e.port).join(", ")} are held by docker-proxy, the engine's port proxy, and the engine does not answer to say whose containers publish them (most likely this stack's); nothing to move`,
        "once the engine answers again (see the engine finding above), run make doctor again",
        { ports: proxied.map((e) => e.port), variables: proxied.map((e) => e.variable) },
      ),
    );
  if (
    proxied.length === 0 &&
    findings.every((f) => f.code !== "PORT_TAKEN" && f.code !== "BIND_ADDRESS_INVALID")
  )
    findings.unshift(
      finding(
        "PORTS_OK",
        "pass",
        `${plan.length} host ports free or held by this stack (${free} free, ${ours} held by this stack)`,
        undefined,
        { free, heldByStack: ours },
      ),
    );
  return findings;
}

/** True for 127.0.0.0/8 and ::1 (also IPv4-mapped): only this machine can reach such a port. */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.replace(/^::ffff:/i, "");
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || /^(0{0,4}:){7}0{0,3}1$|^::1$/i.test(address);
}

/**
 * A non-loopback BIND_ADDRESS publishes every port (databases with dev passwords) to the network:
 * allowed (a deliberate choice, e.g. a phone testing the app), but never silently.
 */
export function bindAddressFinding(address: string): Finding | undefined {
  if (isLoopbackAddress(address)) return undefined;
  return finding(
    "BIND_ADDRESS_EXPOSED",
    "warn",
    `BIND_ADDRESS=${address} is not a loopback address: every port of the stack (with its dev passwords) is reachable from ${address === "0.0.0.0" || address === "::" ? "any network this machine is on" : `the network of ${address}`}`,
    "unless you need that, set BIND_ADDRESS=127.0.0.1 in .env (and use real passwords when you do)",
    { bindAddress: address },
  );
}

/** A replacement port to suggest: the same digits moved up by 10000 where that stays valid (5432 → 15432). */
export function suggestPort(
  port: number,
  isTaken: (p: number) => boolean = () => false,
  avoid: ReadonlySet<number> = new Set(),
): number {
  const candidates = [port + 10000, port + 20000, port + 1, port + 2, port + 3].filter(
    (p) => p > 1023 && p <= 65535,
  );
  return candidates.find((p) => !isTaken(p) && !avoid.has(p)) ?? port + 1;
}

/** `ss -ltnpH` lines → owner per port ("postgres (pid 812)"). Without root, ss omits the process. */
export function parseSsListeners(text: string): Map<number, string> {
  const owners = new Map<number, string>();
  for (const line of text.split("\n")) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 4) continue;
    const local = columns.find((c, i) => i >= 3 && /:\d+$/.test(c));
    const port = Number(local?.slice(local.lastIndexOf(":") + 1));
    if (!Number.isInteger(port) || port <= 0) continue;
    const users = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    const description = users
      ? `${users[1]} (pid ${users[2]})`
      : "a process of another user (run: sudo ss -ltnp)";
    if (!owners.has(port) || users) owners.set(port, description);
  }
  return owners;
}

/** `lsof -nP -iTCP -sTCP:LISTEN -Fpcn` field output (macOS) → owner per port. */
export function parseLsofListeners(text: string): Map<number, string> {
  const owners = new Map<number, string>();
  let pid = "";
  let command = "";
  for (const line of text.split("\n")) {
    const field = line[0];
    const value = line.slice(1);
    if (field === "p") pid = value;
    else if (field === "c") command = value;
    else if (field === "n") {
      const port = Number(value.slice(value.lastIndexOf(":") + 1));
      if (Number.isInteger(port) && port > 0 && !owners.has(port))
        owners.set(port, `${command || "unknown"} (pid ${pid})`);
    }
  }
  return owners;
}

// ----------------------------------------------------------------------- memory, disk --

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
};

/** Compose byte values: "512m", "1g", "1.5G", "268435456". */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === "number") return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?b?)\s*$/i.exec(value);
  if (!match) return undefined;
  const factor = UNITS[(match[2] ?? "").toLowerCase()];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

export const GiB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;

/** Memory Docker can give containers against the sum of the chosen services' mem_limit. */
export function memoryFinding(
  memTotalBytes: number,
  budgetBytes: number,
  profiles: readonly Profile[],
): Finding {
  const data = { memTotalBytes, budgetBytes };
  // Headroom for the engine, the page cache and the services' short peaks above their steady state.
  const wanted = budgetBytes + GiB / 2;
  if (memTotalBytes <= 0)
    return finding("MEMORY_UNKNOWN", "skip", "Docker did not report its memory", undefined, data);
  if (memTotalBytes >= wanted)
    return finding(
      "MEMORY_OK",
      "pass",
      `${gib(memTotalBytes)} memory for Docker; the ${profiles.join(" + ")} budget is ${gib(budgetBytes)}`,
      undefined,
      data,
    );
  return finding(
    "MEMORY_LOW",
    "warn",
    `Docker has ${gib(memTotalBytes)} of memory; the ${profiles.join(" + ")} services may use up to ${gib(budgetBytes)} (+0.5 GiB headroom): expect exit code 137 (OOM)`,
    `give Docker at least ${gib(wanted)} (Docker Desktop: Settings > Resources > Memory), start less (make start PROFILE=core), or lower OPENSEARCH_HEAP and OPENSEARCH_MEM_LIMIT in .env`,
    data,
  );
}

export function diskFinding(
  freeBytes: number | undefined,
  totalBytes: number | undefined,
  where: string,
): Finding {
  if (freeBytes === undefined || totalBytes === undefined || totalBytes <= 0)
    return finding(
      "DISK_UNKNOWN",
      "skip",
      `free disk for Docker not measurable from here (${where})`,
      "check it yourself: docker system df, and Docker Desktop: Settings > Resources > Disk",
    );
  const usedRatio = 1 - freeBytes / totalBytes;
  const data = { freeBytes, totalBytes, path: where };
  if (freeBytes < 2 * GiB)
    return finding(
      "DISK_FULL",
      "fail",
      `only ${gib(freeBytes)} free for Docker at ${where}`,
      "free disk space (docker system prune, docker volume prune for OTHER projects), then retry",
      data,
    );
  if (freeBytes < 10 * GiB || usedRatio > 0.85)
    return finding(
      "DISK_LOW",
      "warn",
      `${gib(freeBytes)} free for Docker at ${where} (${Math.round(usedRatio * 100)}% used): images take ~3 GiB, and a nearly full disk makes OpenSearch and Prometheus fail`,
      "free disk space: docker system prune (removes unused images and stopped containers)",
      data,
    );
  return finding("DISK_OK", "pass", `${gib(freeBytes)} free for Docker at ${where}`, undefined, data);
}

export const MIN_MAX_MAP_COUNT = 262144;

export function maxMapCountFinding(value: number | undefined, applicable: boolean): Finding {
  if (!applicable)
    return finding(
      "MAX_MAP_COUNT_SKIPPED",
      "skip",
      "vm.max_map_count: not a Linux engine host (Docker Desktop sets it in its VM)",
    );
  if (value === undefined)
    return finding("MAX_MAP_COUNT_SKIPPED", "skip", "vm.max_map_count could not be read");
  if (value >= MIN_MAX_MAP_COUNT) return finding("MAX_MAP_COUNT_OK", "pass", `vm.max_map_count ${value}`);
  return finding(
    "MAX_MAP_COUNT_LOW",
    "warn",
    `vm.max_map_count is ${value} (OpenSearch recommends ${MIN_MAX_MAP_COUNT}); it runs single-node so it starts, but may fail under load`,
    `sudo sysctl -w vm.max_map_count=${MIN_MAX_MAP_COUNT} (persist: echo vm.max_map_count=${MIN_MAX_MAP_COUNT} | sudo tee /etc/sysctl.d/99-opensearch.conf)`,
    { value, minimum: MIN_MAX_MAP_COUNT },
  );
}

/** Every pinned image publishes linux/amd64 and linux/arm64. */
export function architectureFinding(architecture: string, operatingSystem: string): Finding {
  const arch = architecture.toLowerCase();
  if (["x86_64", "amd64"].includes(arch))
    return finding("ARCH_OK", "pass", `CPU architecture ${architecture} (every image has linux/amd64)`);
  if (["aarch64", "arm64"].includes(arch)) {
    const mac = /docker desktop/i.test(operatingSystem);
    return finding(
      "ARCH_OK",
      "pass",
      `CPU architecture ${architecture} (every image has linux/arm64)${mac ? "; on Apple M4 with macOS 15.2+ set OPENSEARCH_EXTRA_JAVA_OPTS=-XX:UseSVE=0 if OpenSearch exits with SIGILL" : ""}`,
    );
  }
  return finding(
    "ARCH_UNSUPPORTED",
    "warn",
    `CPU architecture ${architecture}: the pinned images are published for amd64 and arm64 only`,
    "use an amd64 or arm64 machine, or a remote Docker engine (DOCKER_HOST) on one",
    { architecture },
  );
}

// ------------------------------------------------------------------------- .env drift --

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = current;
    }
  }
  return row[b.length] as number;
}

export interface EnvDrift {
  missing: string[];
  unknown: { key: string; didYouMean: string | undefined }[];
}

/** Keys of .env.example absent from .env, and keys of .env that .env.example does not know (typos). */
export function envDrift(exampleKeys: readonly string[], envKeys: readonly string[]): EnvDrift {
  const example = new Set(exampleKeys);
  const env = new Set(envKeys);
  return {
    missing: exampleKeys.filter((k) => !env.has(k)),
    unknown: envKeys
      .filter((k) => !example.has(k))
      .map((key) => {
        const closest = exampleKeys
          .map((candidate) => ({ candidate, d: distance(key, candidate) }))
          .sort((x, y) => x.d - y.d)[0];
        return { key, didYouMean: closest && closest.d <= 2 ? closest.candidate : undefined };
      }),
  };
}

export function envDriftFindings(envFileExists: boolean, drift: EnvDrift): Finding[] {
  if (!envFileExists)
    return [
      finding(
        "ENV_FILE_MISSING",
        "warn",
        ".env does not exist: defaults from .env.example apply",
        "make start creates it (or: cp .env.example .env)",
      ),
    ];
  const findings: Finding[] = [];
  if (drift.missing.length > 0)
    findings.push(
      finding(
        "ENV_MISSING_KEYS",
        "warn",
        `.env lacks ${drift.missing.length} variable(s) of .env.example: ${drift.missing.join(", ")} (their defaults apply)`,
        "copy those lines from .env.example into .env",
        { keys: drift.missing },
      ),
    );
  // Variables the shell sets for other tools (DATABASE_URL, ...) are not in .env.example; only flag likely typos.
  if (drift.unknown.length > 0)
    findings.push(
      finding(
        "ENV_UNKNOWN_KEYS",
        "warn",
        `.env has variable(s) .env.example does not know: ${drift.unknown.map((u) => (u.didYouMean ? `${u.key} (did you mean ${u.didYouMean}?)` : u.key)).join(", ")}`,
        "fix typos; remove what is no longer used (endpoint overrides such as DATABASE_URL are fine)",
        { keys: drift.unknown.map((u) => u.key) },
      ),
    );
  if (findings.length === 0)
    findings.push(finding("ENV_OK", "pass", ".env has every variable of .env.example"));
  return findings;
}

/**
 * The .env file as Compose reads it: unreadable, a line Compose refuses or a misread `$` stop the start
 * (the tools refuse such a file too); a variable set twice is a warning naming every line.
 */
export function envFileFindings(reading: {
  file: string;
  problems: readonly { what: string; fix: string }[];
  duplicates: readonly { key: string; lines: readonly number[] }[];
}): Finding[] {
  const findings: Finding[] = [];
  if (reading.problems.length > 0)
    findings.push(
      finding(
        "ENV_FILE_UNUSABLE",
        "fail",
        reading.problems.map((p) => p.what).join("; "),
        [...new Set(reading.problems.map((p) => p.fix))].join("; "),
      ),
    );
  for (const { key, lines } of reading.duplicates) {
    const last = lines[lines.length - 1];
    findings.push(
      finding(
        "ENV_DUPLICATE_KEY",
        "warn",
        `${key} is set on lines ${lines.slice(0, -1).join(", ")} and ${last} of ${reading.file}: line ${last} wins (in Compose too)`,
        `delete the line${lines.length > 2 ? "s" : ""} you do not mean`,
        { key, lines: [...lines] },
      ),
    );
  }
  return findings;
}

/**
 * Who this checkout is on the engine (project, checkout, host ports) and the other stacks of this repository
 * there; a project of the same name from another checkout blocks, since start would take over its containers.
 */
export function identityFindings(
  identity: { project: string; checkout: string; ports: Readonly<Record<string, number>> },
  others: readonly { project: string; checkout: string }[],
  renameTo: string,
): Finding[] {
  const ports = Object.entries(identity.ports)
    .map(([variable, port]) => `${variable.replace(/_PORT$/, "").toLowerCase()} ${port}`)
    .join(", ");
  const findings = [
    finding(
      "CHECKOUT_IDENTITY",
      "pass",
      `project ${identity.project} of checkout ${identity.checkout}; ports: ${ports}`,
      undefined,
      {
        ...identity,
      },
    ),
  ];
  const clash = others.find((o) => o.project === identity.project);
  if (clash)
    findings.push(
      finding(
        "PROJECT_OF_ANOTHER_CHECKOUT",
        "fail",
        `project ${identity.project} belongs to another checkout: ${clash.checkout}`,
        `give this checkout a project of its own: set COMPOSE_PROJECT_NAME=${renameTo} and free ports in .env, or run make in ${clash.checkout}`,
        { ...clash },
      ),
    );
  findings.push(
    finding(
      "OTHER_STACKS",
      "pass",
      others.length === 0
        ? "no other checkout's stack on this engine"
        : `other stacks of this repository on this engine: ${others.map((o) => `${o.project} (${o.checkout})`).join(", ")}`,
      undefined,
      { stacks: others },
    ),
  );
  return findings;
}

/** One warning per service whose container runs with what .env, the Compose file or its image no longer say. */
export function driftFindings(drift: readonly { service: string; differences: string[] }[]): Finding[] {
  return drift.map((d) =>
    finding(
      "STACK_DRIFT",
      "warn",
      `${d.service} differs from what runs: ${d.differences.join("; ")}`,
      `make start applies it (recreates only ${d.service})`,
      { service: d.service, differences: d.differences },
    ),
  );
}

export function envInvalidFinding(
  problems: readonly { variable: string; shownValue: string; expected: string }[],
): Finding {
  return finding(
    "ENV_INVALID",
    "fail",
    `invalid value(s): ${problems.map((p) => `${p.variable}=${p.shownValue} (expected ${p.expected})`).join("; ")}`,
    "correct them in .env (or your shell); .env.example shows a working value for each",
    { variables: problems.map((p) => p.variable) },
  );
}

// ---------------------------------------------------------------------------- summary --

export interface DoctorReport {
  schemaVersion: 1;
  ok: boolean;
  project: string;
  profiles: Profile[];
  blocking: number;
  warnings: number;
  /** Every service of the chosen profiles already runs healthy (start is then a no-op). */
  stackRunning: boolean;
  findings: Finding[];
}

export function summarize(
  project: string,
  profiles: Profile[],
  findings: Finding[],
  stackRunning: boolean,
): DoctorReport {
  const blocking = findings.filter((f) => f.blocking).length;
  return {
    schemaVersion: 1,
    ok: blocking === 0,
    project,
    profiles,
    blocking,
    warnings: findings.filter((f) => f.status === "warn").length,
    stackRunning,
    findings,
  };
}

const MARKS: Record<FindingStatus, string> = { pass: "✓", warn: "!", fail: "✗", skip: "-" };

export function renderFindings(findings: readonly Finding[]): string {
  return findings
    .map((f) => `${MARKS[f.status]} ${f.title}${f.fix && f.status !== "pass" ? `\n    fix: ${f.fix}` : ""}`)
    .join("\n");
}
