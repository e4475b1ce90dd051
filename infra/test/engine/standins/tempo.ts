/**
 * Tempo stand-in: OTLP/HTTP JSON in on the distributor's HTTP receiver (:4318), kept in a journal on
 * the tempo-data volume, and the query API on :3200 in Tempo 3's shapes: trace by id (v1 and v2; a
 * missing trace is 404 on v1 and 200 with an empty trace on v2, as Tempo 3.0.3 answers), a search
 * that knows `{}` and `{ resource.service.name = "..." }`, /ready, /api/echo and /metrics. The
 * metrics-generator part remote-writes traces_spanmetrics_calls_total; service graphs are not made.
 * `tempo -health` is the compose healthcheck's client.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { serveHttp } from "../../../../tools/test/support/http-server.ts";
import { attributeMap, type OtlpKeyValue } from "../../../../tools/test/support/otlp-json.ts";
import { Journal } from "./journal.ts";
import { MetricsRegistry, PROMETHEUS_TEXT } from "./metrics.ts";
import { remoteWrite, type Series } from "./remote-write.ts";
import {
  announce,
  configValue,
  connectTo,
  dataDir,
  errorText,
  flagValue,
  hasFlag,
  healthExitCode,
  listenAddress,
  localUrl,
  log,
  parseListen,
  readJsonRequest,
  readYamlConfig,
  sendJson,
  sendText,
  serveGrpcUnimplemented,
  stopOnSignals,
} from "./runtime.ts";

const VERSION = "3.0.3";
/** Tempo's default block retention (14 days): older traces are gone. */
const RETENTION_MS = 14 * 86_400_000;
const SPAN_KIND = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
];
const STATUS_CODE = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

interface Span {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  status?: { code?: number | string };
}

interface ScopeSpans {
  scope?: unknown;
  spans?: Span[];
}

export interface ResourceSpans {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeSpans?: ScopeSpans[];
}

/** A trace id as Tempo keys it: 32 lower-case hex digits (OTLP/JSON hex, or base64 from lenient senders). */
export function normalizeTraceId(id: string | undefined): string {
  const text = id ?? "";
  const hex = /^[0-9a-fA-F]+$/.test(text) ? text : Buffer.from(text, "base64").toString("hex");
  return hex.toLowerCase().padStart(32, "0");
}

/** Splits an export into one fragment per trace id (resource and scope kept around each trace's spans). */
export function fragmentsByTrace(resourceSpans: readonly ResourceSpans[]): Map<string, ResourceSpans[]> {
  const byTrace = new Map<string, ResourceSpans[]>();
  for (const rs of resourceSpans) {
    const perTrace = new Map<string, ScopeSpans[]>();
    for (const ss of rs.scopeSpans ?? []) {
      const grouped = new Map<string, Span[]>();
      for (const span of ss.spans ?? []) {
        const id = normalizeTraceId(span.traceId);
        grouped.set(id, [...(grouped.get(id) ?? []), span]);
      }
      for (const [id, spans] of grouped) perTrace.set(id, [...(perTrace.get(id) ?? []), { ...ss, spans }]);
    }
    for (const [id, scopeSpans] of perTrace)
      byTrace.set(id, [...(byTrace.get(id) ?? []), { ...rs, scopeSpans }]);
  }
  return byTrace;
}

const nanos = (value: string | number | undefined) => BigInt(value ?? 0);

/** The search result entry of one trace: its root span (no parent) or, lacking one, its first span. */
export function traceSummary(id: string, fragments: readonly ResourceSpans[]) {
  const spans = fragments.flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((span) => ({ span, resource: rs.resource }))),
  );
  const root = spans.find((s) => !s.span.parentSpanId) ?? spans[0];
  const starts = spans.map((s) => nanos(s.span.startTimeUnixNano)).sort((a, b) => (a < b ? -1 : 1));
  const ends = spans.map((s) => nanos(s.span.endTimeUnixNano)).sort((a, b) => (a < b ? -1 : 1));
  const start = starts[0] ?? 0n;
  const end = ends.at(-1) ?? start;
  return {
    traceID: id,
    rootServiceName:
      attributeMap(root?.resource?.attributes)["service.name"] ?? "<root span not yet received>",
    rootTraceName: root?.span.name ?? "",
    startTimeUnixNano: String(start),
    durationMs: Number((end - start) / 1_000_000n),
  };
}

/** The TraceQL the search knows: `{}` (every trace) and one resource.service.name equality. */
export function parseSearch(q: string | null): { serviceName?: string } | string {
  const text = (q ?? "{}").trim();
  if (/^\{\s*\}$/.test(text)) return {};
  const match = /^\{\s*resource\.service\.name\s*=\s*"([^"]*)"\s*\}$/.exec(text);
  if (match) return { serviceName: match[1] as string };
  return `the Tempo stand-in searches only {} and { resource.service.name = "..." }, not ${text}`;
}

/** traces_spanmetrics_calls_total per service, span name, kind and status, as the generator labels them. */
function spanMetricKeys(resourceSpans: readonly ResourceSpans[]): Record<string, string>[] {
  return resourceSpans.flatMap((rs) => {
    const service = attributeMap(rs.resource?.attributes)["service.name"] ?? "unknown_service";
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({
        service,
        span_name: span.name ?? "",
        span_kind:
          typeof span.kind === "string" ? span.kind : (SPAN_KIND[span.kind ?? 0] ?? "SPAN_KIND_UNSPECIFIED"),
        status_code:
          typeof span.status?.code === "string"
            ? span.status.code
            : (STATUS_CODE[span.status?.code ?? 0] ?? "STATUS_CODE_UNSET"),
      })),
    );
  });
}

export async function runTempo(args: readonly string[]): Promise<number | undefined> {
  if (hasFlag(args, "health"))
    return healthExitCode(flagValue(args, ["health.url"]) ?? localUrl(3200, "/ready"));
  announce("grafana/tempo", "OTLP/HTTP JSON in, traces by id and a small search out (gRPC not implemented)");
  const config = readYamlConfig(flagValue(args, ["config.file"]));
  const directory = dataDir(String(configValue(config, "storage.trace.local.path") ?? "/var/tempo/blocks"));
  const journal = new Journal<ResourceSpans>(directory, RETENTION_MS);
  const traces = new Map<string, ResourceSpans[]>();
  const index = (resourceSpans: readonly ResourceSpans[]) => {
    for (const [id, fragments] of fragmentsByTrace(resourceSpans))
      traces.set(id, [...(traces.get(id) ?? []), ...fragments]);
  };
  index(journal.load());
  const metrics = new MetricsRegistry();
  const calls = new Map<string, { labels: Record<string, string>; count: number }>();
  let callsChanged = false;

  const ingest = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || (req.url ?? "").split("?")[0] !== "/v1/traces")
      return sendJson(res, 404, { code: 5, message: "not found" });
    const read = await readJsonRequest(req, "the Tempo stand-in (OTLP/HTTP)");
    if (!read.ok) return sendJson(res, read.status, { code: 3, message: read.message });
    const body = read.body as { resourceSpans?: ResourceSpans[] };
    const resourceSpans = body.resourceSpans ?? [];
    journal.append(resourceSpans);
    index(resourceSpans);
    const keys = spanMetricKeys(resourceSpans);
    for (const labels of keys) {
      const key = JSON.stringify(labels);
      calls.set(key, { labels, count: (calls.get(key)?.count ?? 0) + 1 });
      callsChanged = true;
    }
    metrics.add(
      "tempo_distributor_spans_received_total",
      "The total number of spans received per tenant",
      keys.length,
      { tenant: "single-tenant" },
    );
    metrics.add(
      "tempo_distributor_bytes_received_total",
      "The total number of proto bytes received per tenant",
      read.bytes,
      { tenant: "single-tenant" },
    );
    sendJson(res, 200, {});
  };

  const query = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://tempo");
    const byId = /^\/api(\/v2)?\/traces\/([0-9a-zA-Z+/=]+)$/.exec(url.pathname);
    if (byId) {
      const fragments = traces.get(normalizeTraceId(byId[2]));
      if (byId[1])
        return sendJson(res, 200, { trace: fragments ? { resourceSpans: fragments } : {}, metrics: {} });
      return fragments ? sendJson(res, 200, { batches: fragments }) : sendText(res, 404, "trace not found");
    }
    switch (url.pathname) {
      case "/ready":
        return sendText(res, 200, "ready");
      case "/api/echo":
        return sendText(res, 200, "echo");
      case "/api/status/buildinfo":
        return sendJson(res, 200, { version: VERSION, revision: "standin", branch: "standin" });
      case "/metrics":
        metrics.set("tempo_build_info", "Tempo build information", 1, { version: VERSION });
        return sendText(res, 200, metrics.text(), PROMETHEUS_TEXT);
      case "/api/search": {
        const search = parseSearch(url.searchParams.get("q"));
        if (typeof search === "string") return sendText(res, 400, search);
        const limit = Number(url.searchParams.get("limit") ?? 20);
        const found = [...traces]
          .map(([id, fragments]) => ({ fragments, summary: traceSummary(id, fragments) }))
          .filter(
            ({ fragments }) =>
              search.serviceName === undefined ||
              fragments.some(
                (rs) => attributeMap(rs.resource?.attributes)["service.name"] === search.serviceName,
              ),
          )
          .map(({ summary }) => summary)
          .sort((a, b) => (BigInt(b.startTimeUnixNano) > BigInt(a.startTimeUnixNano) ? 1 : -1))
          .slice(0, limit);
        return sendJson(res, 200, { traces: found, metrics: { inspectedTraces: traces.size } });
      }
      default:
        return sendText(res, 404, "404 page not found");
    }
  };

  const closers: (() => Promise<unknown>)[] = [];
  const api = await serveHttp(
    (req, res) => query(req, res),
    listenAddress(Number(configValue(config, "server.http_listen_port") ?? 3200)),
  );
  closers.push(api.stop);
  log(`query API on ${api.listening}, ${traces.size} trace(s) in ${directory}`);
  const receivers = configValue(config, "distributor.receivers.otlp.protocols") as
    | Record<string, { endpoint?: string } | null>
    | undefined;
  if (receivers && "http" in receivers) {
    const at = parseListen(receivers.http?.endpoint ?? "localhost:4318");
    const otlp = await serveHttp((req, res) => void ingest(req, res), listenAddress(at.port, at.host));
    closers.push(otlp.stop);
    log(`OTLP/HTTP receiver on ${otlp.listening}`);
  }
  if (receivers && "grpc" in receivers) {
    const at = parseListen(receivers.grpc?.endpoint ?? "localhost:4317");
    const grpc = await serveGrpcUnimplemented(
      listenAddress(at.port, at.host),
      "OTLP gRPC is not implemented by the Tempo stand-in; send OTLP/HTTP JSON to port 4318",
    );
    closers.push(grpc.close);
    log(`OTLP gRPC port ${grpc.port} (answers UNIMPLEMENTED)`);
  }
  const remote = (
    configValue(config, "metrics_generator.storage.remote_write") as { url?: string }[] | undefined
  )?.[0]?.url;
  const external = (configValue(config, "metrics_generator.registry.external_labels") ?? {}) as Record<
    string,
    string
  >;
  if (remote) {
    // The generator's default collection interval.
    const timer = setInterval(() => {
      if (!callsChanged) return;
      callsChanged = false;
      const now = Date.now();
      const series: Series[] = [...calls.values()].map(({ labels, count }) => ({
        labels: { ...external, ...labels, __name__: "traces_spanmetrics_calls_total" },
        samples: [{ value: count, timestampMs: now }],
      }));
      remoteWrite(connectTo(remote), series).then(
        (answer) =>
          answer.status >= 300 &&
          log(`metrics-generator: remote write HTTP ${answer.status} ${answer.body.trim()}`),
        (error: unknown) => log(`metrics-generator: remote write to ${remote}: ${errorText(error)}`),
      );
    }, 15_000);
    closers.push(async () => clearInterval(timer));
    log(`metrics-generator: traces_spanmetrics_calls_total remote-written to ${remote} (no service graphs)`);
  }
  stopOnSignals(closers);
  return undefined;
}
