/**
 * Cross-checks for the telemetry configs in infra/config/ (collector, Prometheus, Loki, Tempo,
 * Grafana) against each other and against the Compose file.
 *
 * Pure: every function takes already parsed YAML/JSON (or a file's text) and returns a list of
 * problems, each a sentence naming the file part at fault and what is expected. Empty = fine.
 */

type Json = unknown;
type JsonObject = Record<string, unknown>;

function isObject(value: Json): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: Json): JsonObject {
  return isObject(value) ? value : {};
}

function asList(value: Json): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asStringList(value: Json): string[] {
  return asList(value).filter((item): item is string => typeof item === "string");
}

/** Every value in a JSON/YAML tree with its path (`a.b[2].c`), depth first. */
export function* walk(value: Json, path = ""): Generator<{ path: string; key: string; value: Json }> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const itemPath = `${path}[${index}]`;
      yield { path: itemPath, key: String(index), value: item };
      yield* walk(item, itemPath);
    }
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const itemPath = path === "" ? key : `${path}.${key}`;
      yield { path: itemPath, key, value: item };
      yield* walk(item, itemPath);
    }
  }
}

// ---------------------------------------------------------------- addresses and ports -----

export interface HostPort {
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/** `http://tempo:3200/x`, `tempo:4317` or `0.0.0.0:4317` -> host and port; undefined if neither. */
export function parseHostPort(address: string): HostPort | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) {
    try {
      const url = new URL(address);
      const port = url.port === "" ? DEFAULT_PORTS[url.protocol] : Number(url.port);
      return port === undefined ? undefined : { host: url.hostname, port };
    } catch {
      return undefined;
    }
  }
  const match = /^([^:/\s]*):(\d+)$/.exec(address);
  if (!match) return undefined;
  return { host: match[1] ?? "", port: Number(match[2]) };
}

/** Ports each service listens on inside the Compose network, by service name. */
export type ListeningPorts = Map<string, Set<number>>;

function addPort(ports: ListeningPorts, service: string, port: number): void {
  const set = ports.get(service) ?? new Set<number>();
  set.add(port);
  ports.set(service, set);
}

/** Container-side ports from each service's `ports` (short or long syntax) and `expose`. */
export function composeListeningPorts(compose: Json): ListeningPorts {
  const ports: ListeningPorts = new Map();
  for (const [service, definition] of Object.entries(asObject(asObject(compose).services))) {
    ports.set(service, new Set());
    const spec = asObject(definition);
    const entries = [...asList(spec.ports), ...asList(spec.expose)];
    for (const entry of entries) {
      const text = isObject(entry) ? String(entry.target ?? "") : String(entry);
      // "${BIND}:${HOST_PORT:-5432}:5432/tcp" -> "5432": the container port comes last.
      const containerPort = Number(
        text
          .split(":")
          .at(-1)
          ?.replace(/\/(tcp|udp)$/, ""),
      );
      if (Number.isInteger(containerPort) && containerPort > 0) addPort(ports, service, containerPort);
    }
  }
  return ports;
}

/** The variable names a Compose service passes in `environment` (map or list form). */
export function composeServiceEnvironment(compose: Json, service: string): Set<string> {
  const environment = asObject(asObject(asObject(compose).services)[service]).environment;
  if (Array.isArray(environment)) {
    return new Set(environment.map((entry) => String(entry).split("=")[0] ?? ""));
  }
  return new Set(Object.keys(asObject(environment)));
}

/** The `image:` of a Compose service, or undefined. */
export function composeImage(compose: Json, service: string): string | undefined {
  const image = asObject(asObject(asObject(compose).services)[service]).image;
  return typeof image === "string" ? image : undefined;
}

/** Checks that each address names a Compose service and a port that service listens on. */
export function endpointProblems(
  endpoints: { where: string; address: string }[],
  listening: ListeningPorts,
): string[] {
  const problems: string[] = [];
  for (const { where, address } of endpoints) {
    const target = parseHostPort(address);
    if (!target) {
      problems.push(`${where}: "${address}" is not a host:port or URL`);
      continue;
    }
    const ports = listening.get(target.host);
    if (!ports) {
      problems.push(
        `${where}: "${address}" names host "${target.host}", which is not a Compose service ` +
          `(known: ${[...listening.keys()].sort().join(", ")})`,
      );
    } else if (!ports.has(target.port)) {
      problems.push(
        `${where}: "${address}" uses port ${target.port}, but ${target.host} listens on ` +
          `${[...ports].sort((a, b) => a - b).join(", ") || "no known port"}`,
      );
    }
  }
  return problems;
}

/** Listen addresses inside a container must be 0.0.0.0: localhost is unreachable from outside. */
export function bindAddressProblems(listeners: { where: string; address: string }[]): string[] {
  return listeners.flatMap(({ where, address }) => {
    const parsed = parseHostPort(address);
    if (parsed?.host === "0.0.0.0") return [];
    return [`${where}: listens on "${address}"; inside a container it must bind 0.0.0.0:<port>`];
  });
}

// ---------------------------------------------------------------------- collector -----

const PIPELINE_SECTIONS = ["receivers", "processors", "exporters"] as const;

/** Every component a pipeline (or service.extensions) names is defined, and every defined one is used. */
export function collectorPipelineProblems(config: Json): string[] {
  const root = asObject(config);
  const service = asObject(root.service);
  const pipelines = asObject(service.pipelines);
  const connectors = new Set(Object.keys(asObject(root.connectors)));
  const problems: string[] = [];
  const used: Record<string, Set<string>> = {
    receivers: new Set(),
    processors: new Set(),
    exporters: new Set(),
    connectors: new Set(),
  };

  if (Object.keys(pipelines).length === 0) problems.push("service.pipelines: no pipeline defined");

  for (const [pipeline, definition] of Object.entries(pipelines)) {
    const spec = asObject(definition);
    for (const section of PIPELINE_SECTIONS) {
      const defined = new Set(Object.keys(asObject(root[section])));
      for (const id of asStringList(spec[section])) {
        // A connector is both an exporter of one pipeline and a receiver of another.
        if (section !== "processors" && connectors.has(id)) {
          used.connectors?.add(id);
        } else if (defined.has(id)) {
          used[section]?.add(id);
        } else {
          problems.push(
            `service.pipelines.${pipeline}.${section} uses "${id}", which ${section} does not define`,
          );
        }
      }
    }
    const processors = asStringList(spec.processors);
    // The memory limiter only protects the process when it sees data before anything else.
    if (
      processors.some((id) => id.split("/")[0] === "memory_limiter") &&
      processors[0]?.split("/")[0] !== "memory_limiter"
    ) {
      problems.push(`service.pipelines.${pipeline}.processors: memory_limiter must come first`);
    }
    if (asStringList(spec.receivers).length === 0)
      problems.push(`service.pipelines.${pipeline}: no receivers`);
    if (asStringList(spec.exporters).length === 0)
      problems.push(`service.pipelines.${pipeline}: no exporters`);
  }

  for (const section of [...PIPELINE_SECTIONS, "connectors"] as const) {
    for (const id of Object.keys(asObject(root[section]))) {
      if (!used[section]?.has(id)) problems.push(`${section}.${id} is defined but no pipeline uses it`);
    }
  }

  const definedExtensions = new Set(Object.keys(asObject(root.extensions)));
  const enabledExtensions = asStringList(service.extensions);
  for (const id of enabledExtensions) {
    if (!definedExtensions.has(id))
      problems.push(`service.extensions uses "${id}", which extensions does not define`);
  }
  for (const id of definedExtensions) {
    if (!enabledExtensions.includes(id))
      problems.push(`extensions.${id} is defined but not listed in service.extensions`);
  }
  return problems;
}

/** Where the collector listens: receiver protocols, extensions, its own metrics reader. */
export function collectorListeners(config: Json): { where: string; address: string }[] {
  const root = asObject(config);
  const listeners: { where: string; address: string }[] = [];
  for (const [id, receiver] of Object.entries(asObject(root.receivers))) {
    for (const [protocol, spec] of Object.entries(asObject(asObject(receiver).protocols))) {
      const endpoint = asObject(spec).endpoint;
      if (typeof endpoint === "string") {
        listeners.push({ where: `receivers.${id}.protocols.${protocol}.endpoint`, address: endpoint });
      }
    }
  }
  for (const [id, extension] of Object.entries(asObject(root.extensions))) {
    const endpoint = asObject(extension).endpoint;
    if (typeof endpoint === "string")
      listeners.push({ where: `extensions.${id}.endpoint`, address: endpoint });
  }
  const readers = asObject(asObject(asObject(root.service).telemetry).metrics).readers;
  for (const [index, reader] of asList(readers).entries()) {
    const prometheus = asObject(asObject(asObject(reader).pull).exporter).prometheus;
    if (isObject(prometheus)) {
      listeners.push({
        where: `service.telemetry.metrics.readers[${index}].pull.exporter.prometheus`,
        address: `${String(prometheus.host ?? "localhost")}:${String(prometheus.port ?? "")}`,
      });
    }
  }
  return listeners;
}

/**
 * The collector's own Prometheus endpoint must pin how it names metrics (the defaults changed in
 * v0.119 and v0.152): counters with `_total`, no unit in the name. Dashboards rely on it.
 */
export function collectorSelfMetricsNamingProblems(config: Json): string[] {
  const readers = asObject(asObject(asObject(asObject(config).service).telemetry).metrics).readers;
  const problems: string[] = [];
  let pullReaders = 0;
  for (const [index, reader] of asList(readers).entries()) {
    const prometheus = asObject(asObject(asObject(reader).pull).exporter).prometheus;
    if (!isObject(prometheus)) continue;
    pullReaders += 1;
    const where = `service.telemetry.metrics.readers[${index}].pull.exporter.prometheus`;
    if (prometheus.without_type_suffix !== false)
      problems.push(`${where}: set without_type_suffix: false (counters end in _total)`);
    if (prometheus.without_units !== true)
      problems.push(`${where}: set without_units: true (no unit in metric names)`);
  }
  if (pullReaders === 0)
    problems.push("service.telemetry.metrics.readers: no Prometheus pull reader for Prometheus to scrape");
  return problems;
}

const EXPORTER_ENDPOINT_KEYS = ["endpoint", "traces_endpoint", "metrics_endpoint", "logs_endpoint"];

/** Where the collector connects to: exporter endpoints and the targets of scraping receivers. */
export function collectorOutboundEndpoints(config: Json): { where: string; address: string }[] {
  const root = asObject(config);
  const endpoints: { where: string; address: string }[] = [];
  for (const [id, exporter] of Object.entries(asObject(root.exporters))) {
    for (const key of EXPORTER_ENDPOINT_KEYS) {
      const value = asObject(exporter)[key];
      if (typeof value === "string") endpoints.push({ where: `exporters.${id}.${key}`, address: value });
    }
  }
  for (const [id, receiver] of Object.entries(asObject(root.receivers))) {
    const spec = asObject(receiver);
    // A receiver with `protocols` listens; a plain `endpoint` (postgresql, ...) is a server it polls.
    if (typeof spec.endpoint === "string" && !isObject(spec.protocols)) {
      endpoints.push({ where: `receivers.${id}.endpoint`, address: spec.endpoint });
    }
    for (const [index, target] of asList(spec.targets).entries()) {
      const targetSpec = asObject(target);
      const addresses = [
        ...(typeof targetSpec.endpoint === "string" ? [targetSpec.endpoint] : []),
        ...asStringList(targetSpec.endpoints),
      ];
      for (const address of addresses)
        endpoints.push({ where: `receivers.${id}.targets[${index}]`, address });
    }
  }
  return endpoints;
}

/** `${env:NAME}` references in the collector config text. */
export function collectorEnvReferences(text: string): string[] {
  return [...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)].map((match) => match[1] ?? "");
}

// ---------------------------------------------------------------------- Prometheus -----

/**
 * Top-level keys Prometheus 3.x accepts but promtool 2.53 (Debian trixie, our CI) rejects as
 * unknown. The static test hands promtool the file without them and checks them itself.
 */
export const PROMETHEUS_3_ONLY_KEYS = ["otlp"] as const;

export function withoutPrometheus3OnlyKeys(config: Json): JsonObject {
  const copy: JsonObject = { ...asObject(config) };
  for (const key of PROMETHEUS_3_ONLY_KEYS) delete copy[key];
  return copy;
}

/** Keys of the `otlp:` block in Prometheus v3.14.0 (config/config.go, OTLPConfig). */
const PROMETHEUS_OTLP_KEYS = new Set([
  "promote_all_resource_attributes",
  "promote_resource_attributes",
  "ignore_resource_attributes",
  "translation_strategy",
  "keep_identifying_resource_attributes",
  "convert_histograms_to_nhcb",
  "promote_scope_metadata",
  "label_name_underscore_sanitization",
  "label_name_preserve_multiple_underscores",
]);

const PROMETHEUS_TRANSLATION_STRATEGIES = new Set([
  "UnderscoreEscapingWithSuffixes",
  "UnderscoreEscapingWithoutSuffixes",
  "NoUTF8EscapingWithSuffixes",
  "NoTranslation",
]);

/** The rules Prometheus 3.14 applies when it loads the `otlp:` block. */
export function prometheusOtlpProblems(config: Json): string[] {
  const otlp = asObject(config).otlp;
  if (otlp === undefined) return [];
  if (!isObject(otlp)) return ["otlp: must be a mapping"];
  const problems: string[] = [];
  for (const key of Object.keys(otlp)) {
    if (!PROMETHEUS_OTLP_KEYS.has(key)) problems.push(`otlp.${key}: unknown key in Prometheus 3.14`);
  }
  const promoted = otlp.promote_resource_attributes;
  if (promoted !== undefined) {
    const list = asList(promoted);
    if (!Array.isArray(promoted)) problems.push("otlp.promote_resource_attributes: must be a list");
    const seen = new Set<string>();
    for (const attribute of list) {
      if (typeof attribute !== "string" || attribute.trim() === "") {
        problems.push("otlp.promote_resource_attributes: empty entry");
      } else if (seen.has(attribute.trim())) {
        problems.push(`otlp.promote_resource_attributes: "${attribute}" listed twice`);
      } else {
        seen.add(attribute.trim());
      }
    }
    if (otlp.promote_all_resource_attributes === true && list.length > 0) {
      problems.push(
        "otlp: promote_all_resource_attributes and promote_resource_attributes exclude each other",
      );
    }
  }
  if (otlp.ignore_resource_attributes !== undefined && otlp.promote_all_resource_attributes !== true) {
    problems.push("otlp.ignore_resource_attributes: only allowed with promote_all_resource_attributes: true");
  }
  const strategy = otlp.translation_strategy;
  if (strategy !== undefined && !PROMETHEUS_TRANSLATION_STRATEGIES.has(String(strategy))) {
    problems.push(`otlp.translation_strategy: "${String(strategy)}" is not a known strategy`);
  }
  return problems;
}

export interface ScrapeTarget {
  job: string;
  address: string;
  metricsPath: string;
}

export function prometheusScrapeTargets(config: Json): ScrapeTarget[] {
  const jobs = asObject(config).scrape_configs;
  return asList(jobs).flatMap((job) => {
    const spec = asObject(job);
    const staticConfigs = asList(spec.static_configs);
    return staticConfigs.flatMap((group) =>
      asStringList(asObject(group).targets).map((address) => ({
        job: String(spec.job_name ?? ""),
        address,
        metricsPath: typeof spec.metrics_path === "string" ? spec.metrics_path : "/metrics",
      })),
    );
  });
}

/** Each required job is scraped, and each target names a real service and port. */
export function prometheusScrapeProblems(
  config: Json,
  listening: ListeningPorts,
  requiredJobs: readonly string[],
): string[] {
  const targets = prometheusScrapeTargets(config);
  const jobs = new Set(targets.map((target) => target.job));
  return [
    ...requiredJobs
      .filter((job) => !jobs.has(job))
      .map((job) => `scrape_configs: no job "${job}" with a static target`),
    ...endpointProblems(
      targets.map((target) => ({ where: `scrape_configs job "${target.job}"`, address: target.address })),
      listening,
    ),
  ];
}

// ---------------------------------------------------------------------- Loki, Tempo -----

/** Ports Loki listens on (server block, with Loki's defaults). */
export function lokiListeningPorts(config: Json): number[] {
  const server = asObject(asObject(config).server);
  return [Number(server.http_listen_port ?? 3100), Number(server.grpc_listen_port ?? 9095)];
}

/** What Loki 3.x needs for native OTLP ingestion on one node with the data on /loki. */
export function lokiProblems(config: Json): string[] {
  const root = asObject(config);
  const problems: string[] = [];
  if (root.auth_enabled !== false)
    problems.push("auth_enabled: must be false (single tenant, no X-Scope-OrgID)");
  const schemas = asObject(root.schema_config).configs;
  const current = asObject(Array.isArray(schemas) ? schemas.at(-1) : undefined);
  if (current.schema !== "v13" || current.store !== "tsdb") {
    problems.push(
      `schema_config.configs: the newest period uses schema ${String(current.schema)} with store ` +
        `${String(current.store)}; OTLP (structured metadata) needs schema v13 with store tsdb`,
    );
  }
  if (asObject(root.limits_config).allow_structured_metadata !== true) {
    problems.push("limits_config.allow_structured_metadata: must be true, or Loki rejects OTLP logs");
  }
  for (const { path, value } of walk(root)) {
    if (
      typeof value === "string" &&
      value.startsWith("/") &&
      value !== "/loki" &&
      !value.startsWith("/loki/")
    ) {
      problems.push(`${path}: "${value}" is outside /loki, the loki-data volume`);
    }
  }
  return problems;
}

/** Top-level blocks Tempo 3.0 removed (the 2.x ingester architecture). */
export const TEMPO_2X_ONLY_KEYS = [
  "ingester",
  "ingester_client",
  "compactor",
  "metrics_generator_client",
] as const;

/** Where Tempo's distributor listens for OTLP. */
export function tempoReceiverListeners(config: Json): { where: string; address: string }[] {
  const receivers = asObject(asObject(asObject(config).distributor).receivers);
  const listeners: { where: string; address: string }[] = [];
  for (const [id, receiver] of Object.entries(receivers)) {
    for (const [protocol, spec] of Object.entries(asObject(asObject(receiver).protocols))) {
      const endpoint = asObject(spec).endpoint;
      listeners.push({
        where: `distributor.receivers.${id}.protocols.${protocol}.endpoint`,
        // Unset means Tempo's default, which binds localhost since 2.7.
        address: typeof endpoint === "string" ? endpoint : "(unset: localhost)",
      });
    }
  }
  return listeners;
}

export function tempoListeningPorts(config: Json): number[] {
  const server = asObject(asObject(config).server);
  const receiverPorts = tempoReceiverListeners(config)
    .map((listener) => parseHostPort(listener.address)?.port)
    .filter((port): port is number => port !== undefined);
  return [Number(server.http_listen_port ?? 3200), Number(server.grpc_listen_port ?? 9095), ...receiverPorts];
}

/** Tempo 3.x single binary: OTLP on 0.0.0.0, no 2.x blocks, span metrics remote-written to Prometheus. */
export function tempoProblems(config: Json): string[] {
  const root = asObject(config);
  const problems: string[] = [];
  for (const key of TEMPO_2X_ONLY_KEYS) {
    if (key in root)
      problems.push(`${key}: a Tempo 2.x block; Tempo 3.0 removed it (and refuses the config)`);
  }
  const listeners = tempoReceiverListeners(root);
  if (listeners.length === 0)
    problems.push("distributor.receivers: no OTLP receiver, so Tempo receives no traces");
  problems.push(...bindAddressProblems(listeners));

  const generator = asObject(root.metrics_generator);
  const remoteWrite = asObject(generator.storage).remote_write;
  const urls = asList(remoteWrite).map((entry) => String(asObject(entry).url ?? ""));
  if (!urls.some((url) => url === "http://prometheus:9090/api/v1/write")) {
    problems.push(
      "metrics_generator.storage.remote_write: no url http://prometheus:9090/api/v1/write, so span " +
        "metrics and service graphs never reach Prometheus",
    );
  }
  const processors = asStringList(
    asObject(asObject(asObject(root.overrides).defaults).metrics_generator).processors,
  );
  for (const processor of ["service-graphs", "span-metrics"]) {
    if (!processors.includes(processor)) {
      problems.push(`overrides.defaults.metrics_generator.processors: "${processor}" is not enabled`);
    }
  }
  for (const { path, value } of walk(root)) {
    if (typeof value === "string" && value.startsWith("/") && !value.startsWith("/var/tempo/")) {
      problems.push(`${path}: "${value}" is outside /var/tempo, the tempo-data volume`);
    }
  }
  return problems;
}

// -------------------------------------------------------------------------- Grafana -----

export interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  url: string;
}

export function provisionedDatasources(file: Json): ProvisionedDatasource[] {
  const datasources = asObject(file).datasources;
  return asList(datasources).map((entry) => {
    const spec = asObject(entry);
    return {
      name: String(spec.name ?? ""),
      uid: String(spec.uid ?? ""),
      type: String(spec.type ?? ""),
      url: String(spec.url ?? ""),
    };
  });
}

export interface UidReference {
  where: string;
  uid: string;
}

/** Links from one datasource to another (`datasourceUid` anywhere under jsonData). */
export function datasourceCrossLinks(file: Json): UidReference[] {
  const datasources = asObject(file).datasources;
  return asList(datasources).flatMap((entry) => {
    const spec = asObject(entry);
    return [...walk(spec.jsonData, `datasource "${String(spec.name)}" jsonData`)]
      .filter(({ key, value }) => key === "datasourceUid" && typeof value === "string")
      .map(({ path, value }) => ({ where: path, uid: String(value) }));
  });
}

/** Every datasource a dashboard names, in panels and in targets (and templating, annotations). */
export function dashboardDatasourceReferences(dashboard: Json): UidReference[] {
  const references: UidReference[] = [];
  for (const { path, key, value } of walk(dashboard)) {
    if (key !== "datasource") continue;
    if (isObject(value)) {
      references.push({ where: path, uid: String(value.uid ?? "(no uid)") });
    } else if (typeof value === "string") {
      // A bare string is a datasource NAME (legacy): it breaks when the name changes.
      references.push({ where: path, uid: `(name "${value}", not a uid reference)` });
    }
  }
  return references;
}

export function unknownUidProblems(references: UidReference[], provisionedUids: Iterable<string>): string[] {
  const known = new Set(provisionedUids);
  return references
    .filter((reference) => !known.has(reference.uid))
    .map(
      (reference) =>
        `${reference.where}: datasource uid ${reference.uid} is not provisioned ` +
        `(provisioned: ${[...known].sort().join(", ")})`,
    );
}

/**
 * Grafana expands `$NAME` and `${NAME}` in provisioning files from its environment, and `$$` is a
 * literal `$`. Any other `$` either expands to nothing or to an unintended variable.
 */
export function grafanaInterpolationProblems(text: string, environment: Set<string>): string[] {
  const problems: string[] = [];
  for (const [lineIndex, line] of text.split("\n").entries()) {
    if (line.trimStart().startsWith("#")) continue;
    const pattern = /\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|\$/g;
    for (const match of line.matchAll(pattern)) {
      if (match[0] === "$$") continue;
      const name = match[1] ?? match[2];
      if (name !== undefined && environment.has(name)) continue;
      problems.push(
        `line ${lineIndex + 1}: "${match[0]}" would be expanded by Grafana from its environment ` +
          `(it has ${[...environment].sort().join(", ") || "nothing"}); write "$${match[0]}" for a literal $`,
      );
    }
  }
  return problems;
}

/** The dashboard panel that shows one up/down tile per Compose service. */
export const UP_DOWN_PANEL_TITLE = "Service up / down";

interface DashboardTarget {
  expr: string;
  legendFormat: string;
}

function dashboardPanels(dashboard: Json): JsonObject[] {
  const panels: JsonObject[] = [];
  const visit = (list: Json) => {
    for (const panel of asList(list)) {
      if (!isObject(panel)) continue;
      panels.push(panel);
      visit(panel.panels);
    }
  };
  visit(asObject(dashboard).panels);
  return panels;
}

/** The up/down panel has, for every service, a target labelled with its name that queries it. */
export function upDownPanelProblems(dashboard: Json, services: readonly string[]): string[] {
  const panel = dashboardPanels(dashboard).find((candidate) => candidate.title === UP_DOWN_PANEL_TITLE);
  if (!panel) return [`no panel titled "${UP_DOWN_PANEL_TITLE}"`];
  const targets: DashboardTarget[] = asList(panel.targets).map((target) => ({
    expr: String(asObject(target).expr ?? ""),
    legendFormat: String(asObject(target).legendFormat ?? ""),
  }));
  return services.flatMap((service) => {
    const target = targets.find((candidate) => candidate.legendFormat === service);
    if (!target) return [`"${UP_DOWN_PANEL_TITLE}": no query with legend "${service}"`];
    if (!target.expr.includes(service)) {
      return [`"${UP_DOWN_PANEL_TITLE}": the "${service}" query does not mention ${service}: ${target.expr}`];
    }
    return [];
  });
}

// -------------------------------------------------------------------------- headers -----

/** The comment block a YAML config file opens with (without the `#`). */
export function leadingComment(text: string): string {
  const lines: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("#")) break;
    lines.push(line.replace(/^#\s?/, ""));
  }
  return lines.join("\n");
}

/** The header must exist and name the exact image the Compose file runs. */
export function headerProblems(header: string, image: string | undefined): string[] {
  if (header.trim() === "") return ["no header comment (purpose and targeted image version)"];
  if (image === undefined) return ["the Compose file runs no image for this config"];
  return header.includes(image)
    ? []
    : [`the header does not name the image the Compose file runs (${image})`];
}

// ------------------------------------------------------- OTLP -> Prometheus metric names -----

export type OtlpMetricKind = "counter" | "updowncounter" | "gauge" | "histogram";

/** UCUM units to Prometheus base-unit words (prometheus/otlptranslator, metric_namer.go). */
const UNIT_WORDS: Record<string, string> = {
  d: "days",
  h: "hours",
  min: "minutes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  GiBy: "gibibytes",
  KBy: "kilobytes",
  MBy: "megabytes",
  GBy: "gigabytes",
  "%": "percent",
  "1": "",
};
const PER_UNIT_WORDS: Record<string, string> = { s: "second", m: "minute", h: "hour", d: "day", w: "week" };

/**
 * The series name Prometheus 3.x gives an OTLP metric under its default translation strategy
 * (UnderscoreEscapingWithSuffixes): invalid characters become `_`, the unit is appended,
 * counters get `_total`, gauges with unit "1" get `_ratio`. Histograms add _bucket/_sum/_count.
 */
export function prometheusNameForOtlpMetric(name: string, unit: string, kind: OtlpMetricKind): string {
  const tokens = name.split(/[^a-zA-Z0-9:]+/).filter((token) => token !== "");
  // Curly-brace annotations ({request}) carry no unit.
  const [main = "", per = ""] = unit.replace(/\{[^}]*\}/g, "").split("/");
  const mainWord = UNIT_WORDS[main] ?? main.replace(/[^a-zA-Z0-9]+/g, "_");
  const perWord = PER_UNIT_WORDS[per] ?? per.replace(/[^a-zA-Z0-9]+/g, "_");
  if (mainWord !== "" && !tokens.includes(mainWord)) tokens.push(mainWord);
  if (perWord !== "" && !tokens.includes(perWord)) tokens.push("per", perWord);
  const withoutSuffix = (suffix: string) => tokens.filter((token) => token !== suffix);
  if (kind === "counter") return [...withoutSuffix("total"), "total"].join("_");
  if (kind === "gauge" && unit === "1") return [...withoutSuffix("ratio"), "ratio"].join("_");
  return tokens.join("_");
}

/** Every PromQL expression of a dashboard (panel targets), with where it sits. */
export function dashboardExpressions(dashboard: Json): { where: string; expr: string }[] {
  return [...walk(dashboard)]
    .filter(({ key, value }) => key === "expr" && typeof value === "string")
    .map(({ path, value }) => ({ where: path, expr: String(value) }));
}

/** Metric names in a PromQL expression that start with one of the prefixes (`httpcheck_`, ...). */
export function metricNamesWithPrefix(expr: string, prefixes: readonly string[]): string[] {
  const names = expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return names.filter((name) => prefixes.some((prefix) => name.startsWith(prefix)));
}
