/**
 * Loki stand-in: native OTLP (/otlp/v1/logs, JSON) and the JSON push API in, kept in a journal on the
 * loki-data volume; log queries (query_range, query, labels) out, for the LogQL subset in logql.ts.
 * OTLP resource attributes in Loki 3.7's default list become index labels, everything else
 * structured metadata (infra/config/TELEMETRY.md), and results carry both, as Loki 3 answers without
 * the categorize-labels flag. Old lines are refused and expired by the config's limits.
 * `loki -health` is the compose healthcheck's client.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { serveHttp } from "../../../../tools/test/support/http-server.ts";
import {
  anyValueText,
  attributeMap,
  type OtlpAnyValue,
  type OtlpKeyValue,
} from "../../../../tools/test/support/otlp-json.ts";
import { Journal } from "./journal.ts";
import { LogQLError, matcherHolds, parseLogQuery, passesStages } from "./logql.ts";
import { MetricsRegistry, PROMETHEUS_TEXT } from "./metrics.ts";
import {
  announce,
  configValue,
  dataDir,
  errorText,
  flagValue,
  hasFlag,
  healthExitCode,
  listenAddress,
  localUrl,
  log,
  parseDuration,
  readJsonRequest,
  readYamlConfig,
  sendJson,
  sendText,
  stopOnSignals,
} from "./runtime.ts";

const VERSION = "3.7.7";
const WEEK_MS = 7 * 86_400_000;

/** distributor.otlp_config.default_resource_attributes_as_index_labels of Loki 3.7. */
export const DEFAULT_INDEX_LABELS = [
  "service.name",
  "service.namespace",
  "service.instance.id",
  "deployment.environment",
  "deployment.environment.name",
  "cloud.region",
  "cloud.availability_zone",
  "k8s.cluster.name",
  "k8s.namespace.name",
  "k8s.pod.name",
  "k8s.container.name",
  "container.name",
  "k8s.replicaset.name",
  "k8s.deployment.name",
  "k8s.statefulset.name",
  "k8s.daemonset.name",
  "k8s.cronjob.name",
  "k8s.job.name",
];

/** One stored line: its stream's index labels, time (ns), text and structured metadata. */
export interface Entry {
  labels: Record<string, string>;
  ts: string;
  line: string;
  metadata: Record<string, string>;
}

export const lokiName = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, "_");
const normalized = (map: Record<string, string>) =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [lokiName(k), v]));

interface LogRecord {
  timeUnixNano?: string | number;
  observedTimeUnixNano?: string | number;
  severityText?: string;
  severityNumber?: number;
  body?: OtlpAnyValue;
  attributes?: OtlpKeyValue[];
  traceId?: string;
  spanId?: string;
}

interface ResourceLogs {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeLogs?: {
    scope?: { name?: string; version?: string; attributes?: OtlpKeyValue[] };
    logRecords?: LogRecord[];
  }[];
}

const setTime = (value: string | number | undefined) =>
  value !== undefined && String(value) !== "0" ? String(value) : undefined;

/** Loki's OTLP mapping: index labels from the resource, the rest structured metadata. */
export function otlpEntries(
  resourceLogs: readonly ResourceLogs[],
  detectLevels: boolean,
  nowNs: bigint,
): Entry[] {
  return resourceLogs.flatMap((rl) => {
    const resource = attributeMap(rl.resource?.attributes);
    const labels: Record<string, string> = {};
    const resourceMetadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(resource))
      (DEFAULT_INDEX_LABELS.includes(key) ? labels : resourceMetadata)[lokiName(key)] = value;
    labels.service_name ??= "unknown_service";
    return (rl.scopeLogs ?? []).flatMap((sl) => {
      const scope: Record<string, string> = {
        ...normalized(attributeMap(sl.scope?.attributes)),
        ...(sl.scope?.name ? { scope_name: sl.scope.name } : {}),
        ...(sl.scope?.version ? { scope_version: sl.scope.version } : {}),
      };
      return (sl.logRecords ?? []).map((record): Entry => {
        const metadata: Record<string, string> = {
          ...resourceMetadata,
          ...scope,
          ...normalized(attributeMap(record.attributes)),
        };
        if (record.traceId) metadata.trace_id = record.traceId;
        if (record.spanId) metadata.span_id = record.spanId;
        if (record.severityText) metadata.severity_text = record.severityText;
        if (record.severityNumber) metadata.severity_number = String(record.severityNumber);
        if (detectLevels && record.severityText) metadata.detected_level = record.severityText.toLowerCase();
        return {
          labels,
          ts: setTime(record.timeUnixNano) ?? setTime(record.observedTimeUnixNano) ?? String(nowNs),
          line: anyValueText(record.body),
          metadata,
        };
      });
    });
  });
}

/** The JSON push API: {"streams":[{"stream":{...},"values":[["<ns>","line",{metadata}]]}]}. */
export function pushEntries(body: {
  streams?: { stream?: Record<string, string>; values?: [string, string, Record<string, string>?][] }[];
}): Entry[] {
  return (body.streams ?? []).flatMap((s) =>
    (s.values ?? []).map(([ts, line, metadata]) => ({
      labels: s.stream ?? {},
      ts: String(ts),
      line,
      metadata: metadata ?? {},
    })),
  );
}

/** Loki's timestamp parameter: a float of seconds, an integer (seconds if <= 10 digits, else ns), or RFC 3339. */
export function parseLokiTime(value: string | null, fallback: bigint): bigint {
  if (value === null || value === "") return fallback;
  if (value.includes(".") && /^\d+\.\d+$/.test(value)) {
    const [seconds = "0", fraction = ""] = value.split(".");
    return BigInt(seconds) * 1_000_000_000n + BigInt(fraction.padEnd(9, "0").slice(0, 9));
  }
  if (/^\d+$/.test(value)) return value.length <= 10 ? BigInt(value) * 1_000_000_000n : BigInt(value);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new LogQLError(`invalid timestamp ${value}`);
  return BigInt(ms) * 1_000_000n;
}

export interface QueryWindow {
  start: bigint;
  end: bigint;
  limit: number;
  forward: boolean;
}

/** The streams answer of a log query: entries grouped by labels plus metadata, newest first unless forward. */
export function selectStreams(entries: readonly Entry[], query: string, window: QueryWindow) {
  const parsed = parseLogQuery(query);
  const picked = entries
    .filter((e) => {
      const ts = BigInt(e.ts);
      return (
        ts >= window.start &&
        ts < window.end &&
        parsed.matchers.every((m) => matcherHolds(m, e.labels[m.name]))
      );
    })
    .filter((e) => passesStages(parsed.stages, e.line, { ...e.metadata, ...e.labels }))
    .sort((a, b) =>
      BigInt(a.ts) === BigInt(b.ts) ? 0 : BigInt(a.ts) < BigInt(b.ts) === window.forward ? -1 : 1,
    )
    .slice(0, window.limit);
  const streams = new Map<string, { stream: Record<string, string>; values: [string, string][] }>();
  for (const entry of picked) {
    const stream = { ...entry.metadata, ...entry.labels };
    const key = JSON.stringify(Object.entries(stream).sort());
    const found = streams.get(key) ?? { stream, values: [] };
    found.values.push([entry.ts, entry.line]);
    streams.set(key, found);
  }
  return { resultType: "streams", result: [...streams.values()], stats: {} };
}

export async function runLoki(args: readonly string[]): Promise<number | undefined> {
  if (hasFlag(args, "health"))
    return healthExitCode(flagValue(args, ["health.url"]) ?? localUrl(3100, "/ready"));
  announce("grafana/loki", "OTLP/HTTP JSON and JSON push in, log queries (a LogQL subset) out");
  const config = readYamlConfig(flagValue(args, ["config.file"]));
  const prefix = String(configValue(config, "common.path_prefix") ?? "/loki");
  const directory = dataDir(
    String(configValue(config, "common.storage.filesystem.chunks_directory") ?? `${prefix}/chunks`),
  );
  const limit = (key: string) => configValue(config, `limits_config.${key}`);
  const retentionMs =
    parseDuration(limit("retention_period") as string | undefined, 0) || Number.MAX_SAFE_INTEGER;
  const rejectOld = limit("reject_old_samples") !== false;
  const maxAgeMs = parseDuration(limit("reject_old_samples_max_age") as string | undefined, WEEK_MS);
  const structuredMetadata = limit("allow_structured_metadata") !== false;
  const detectLevels = limit("discover_log_levels") !== false;
  const journal = new Journal<Entry>(directory, retentionMs);
  const entries = journal.load();
  const metrics = new MetricsRegistry();

  const store = (res: ServerResponse, received: Entry[], bytes: number) => {
    const oldest = BigInt(Date.now() - maxAgeMs) * 1_000_000n;
    const tooOld = rejectOld ? received.find((e) => BigInt(e.ts) < oldest) : undefined;
    if (tooOld) {
      const stream = `{${Object.entries(tooOld.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(", ")}}`;
      const at = new Date(Number(BigInt(tooOld.ts) / 1_000_000n)).toISOString();
      return sendText(
        res,
        400,
        `entry for stream '${stream}' has timestamp too old: ${at}, oldest acceptable timestamp is: ${new Date(Number(oldest / 1_000_000n)).toISOString()}`,
      );
    }
    journal.append(received);
    entries.push(...received);
    metrics.add(
      "loki_distributor_lines_received_total",
      "The total number of lines received per tenant",
      received.length,
      { tenant: "fake" },
    );
    metrics.add(
      "loki_distributor_bytes_received_total",
      "The total number of uncompressed bytes received per tenant",
      bytes,
      { tenant: "fake" },
    );
    res.writeHead(204).end();
  };

  const push = async (req: IncomingMessage, res: ServerResponse, otlp: boolean) => {
    if (otlp && !structuredMetadata)
      return sendText(
        res,
        400,
        "structured metadata is disabled (limits_config.allow_structured_metadata): OTLP logs are refused",
      );
    const read = await readJsonRequest(req, "the Loki stand-in");
    if (!read.ok) return sendText(res, read.status, read.message);
    const body = read.body;
    const received = otlp
      ? otlpEntries(
          (body.resourceLogs as ResourceLogs[] | undefined) ?? [],
          detectLevels,
          BigInt(Date.now()) * 1_000_000n,
        )
      : pushEntries(body as Parameters<typeof pushEntries>[0]);
    return store(res, received, read.bytes);
  };

  const query = (res: ServerResponse, url: URL, range: boolean) => {
    const now = BigInt(Date.now()) * 1_000_000n;
    const end = parseLokiTime(url.searchParams.get(range ? "end" : "time"), now);
    const since = BigInt(parseDuration(url.searchParams.get("since") ?? undefined, 3_600_000)) * 1_000_000n;
    const window = {
      start: range ? parseLokiTime(url.searchParams.get("start"), end - since) : end - since,
      end: range ? end : end + 1n,
      limit: Number(url.searchParams.get("limit") ?? 100),
      forward: url.searchParams.get("direction") === "forward",
    };
    sendJson(res, 200, {
      status: "success",
      data: selectStreams(entries, url.searchParams.get("query") ?? "", window),
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://loki");
    const path = url.pathname;
    if (req.method === "POST" && path === "/otlp/v1/logs") return push(req, res, true);
    if (req.method === "POST" && path === "/loki/api/v1/push") return push(req, res, false);
    if (path === "/loki/api/v1/query_range") return query(res, url, true);
    if (path === "/loki/api/v1/query") return query(res, url, false);
    if (path === "/loki/api/v1/labels")
      return sendJson(res, 200, {
        status: "success",
        data: [...new Set(entries.flatMap((e) => Object.keys(e.labels)))].sort(),
      });
    const values = /^\/loki\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
    if (values) {
      const name = decodeURIComponent(values[1] as string);
      const found = entries.map((e) => e.labels[name]).filter((v): v is string => v !== undefined);
      return sendJson(res, 200, { status: "success", data: [...new Set(found)].sort() });
    }
    if (path === "/ready") return sendText(res, 200, "ready\n");
    if (path === "/loki/api/v1/status/buildinfo")
      return sendJson(res, 200, { version: VERSION, revision: "standin" });
    if (path === "/metrics") {
      metrics.set("loki_build_info", "Loki build information", 1, { version: VERSION });
      return sendText(res, 200, metrics.text(), PROMETHEUS_TEXT);
    }
    sendText(res, 404, "404 page not found\n");
  };

  const server = await serveHttp(
    (req, res) =>
      void handle(req, res).catch((error: unknown) =>
        sendText(res, error instanceof LogQLError ? 400 : 500, errorText(error)),
      ),
    listenAddress(Number(configValue(config, "server.http_listen_port") ?? 3100)),
  );
  log(`HTTP API on ${server.listening}, ${entries.length} line(s) in ${directory}`);
  stopOnSignals([server.stop]);
  return undefined;
}
