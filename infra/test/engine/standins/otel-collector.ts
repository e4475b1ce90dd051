/**
 * OpenTelemetry Collector stand-in: reads the mounted config (--config=...) and runs what the stack's
 * config asks for, as far as it can without the collector's code: the OTLP/HTTP receiver (JSON), the
 * httpcheck receiver, the health_check extension and its own metrics on the telemetry port, and the
 * pipelines' exporters. Where it substitutes, it says so at start:
 * - an otlp_grpc exporter (host:port) is sent OTLP/HTTP JSON to host:4318, the OTLP/HTTP port;
 * - an otlp_http exporter to Prometheus' OTLP receiver is replaced by remote write (/api/v1/write),
 *   translated like that receiver, with the `otlp:` settings Prometheus itself reports;
 * - the gRPC receiver answers every call UNIMPLEMENTED; processors pass data through unbatched;
 *   other receivers (postgresql) and exporters are not implemented.
 * Failed exports are retried with backoff for up to 5 minutes, as retry_on_failure does.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { serveHttp } from "../../../../tools/test/support/http-server.ts";
import { MetricsRegistry, PROMETHEUS_TEXT } from "./metrics.ts";
import {
  NO_PROMOTION,
  type OtlpTranslation,
  otlpTranslationFrom,
  type ResourceMetrics,
  translateMetrics,
} from "./otlp-to-prometheus.ts";
import { remoteWrite } from "./remote-write.ts";
import {
  announce,
  configValue,
  connectTo,
  errorText,
  flagValue,
  listenAddress,
  log,
  parseDuration,
  parseListen,
  readJsonRequest,
  readYamlConfig,
  refuse,
  sendJson,
  sendText,
  serveGrpcUnimplemented,
  stopOnSignals,
} from "./runtime.ts";

export type Signal = "traces" | "logs" | "metrics";
const SIGNALS: readonly Signal[] = ["traces", "logs", "metrics"];

export type ExportTarget = (
  | { exporter: string; signal: Signal; kind: "otlp-http"; url: string }
  | { exporter: string; signal: "metrics"; kind: "remote-write"; url: string; configUrl: string }
) & {
  /** What the stand-in does instead of what the config says, when it differs. */
  substitution?: string;
};

export interface HttpCheckTarget {
  method: string;
  url: string;
}

export interface CollectorPlan {
  httpReceiver?: { host: string; port: number };
  grpcReceiver?: { host: string; port: number };
  health?: { host: string; port: number };
  telemetry?: { host: string; port: number };
  targets: ExportTarget[];
  httpChecks: { intervalMs: number; targets: HttpCheckTarget[] } | undefined;
  /** What the stand-in does differently or not at all, one sentence each. */
  notes: string[];
}

type Json = Record<string, unknown>;
const OTLP_HTTP_PORT = 4318;
const PROMETHEUS_OTLP_PATH = /\/api\/v1\/otlp\/v1\/metrics\/?$/;

const typeOf = (id: string) => id.split("/")[0] ?? id;
const withScheme = (endpoint: string) => (/^[a-z]+:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`);
const asList = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);

/** Where one exporter of a pipeline sends `signal`, or a note on why it sends nothing. */
export function exportTarget(id: string, spec: Json, signal: Signal): ExportTarget | string {
  const type = typeOf(id);
  if (type === "otlp_grpc" || type === "otlp") {
    const url = new URL(withScheme(String(spec.endpoint ?? "")));
    url.protocol = "http:";
    url.port = String(OTLP_HTTP_PORT);
    url.pathname = `/v1/${signal}`;
    return {
      exporter: id,
      signal,
      kind: "otlp-http",
      url: url.toString(),
      substitution: `exporter ${id} (${String(spec.endpoint)}): gRPC not implemented, sends OTLP/HTTP JSON to ${url}`,
    };
  }
  if (type === "otlp_http" || type === "otlphttp") {
    const own = spec[`${signal}_endpoint`];
    const url =
      typeof own === "string" ? own : `${String(spec.endpoint ?? "").replace(/\/+$/, "")}/v1/${signal}`;
    if (signal === "metrics" && PROMETHEUS_OTLP_PATH.test(new URL(url).pathname)) {
      const origin = new URL(url).origin;
      return {
        exporter: id,
        signal,
        kind: "remote-write",
        url: `${origin}/api/v1/write`,
        configUrl: `${origin}/api/v1/status/config`,
        substitution: `exporter ${id}: Prometheus' OTLP receiver replaced by remote write to ${origin}/api/v1/write, translated like that receiver`,
      };
    }
    return { exporter: id, signal, kind: "otlp-http", url };
  }
  return `exporter ${id} is not implemented by the stand-in: its ${signal} are dropped`;
}

function listenOf(endpoint: unknown, fallback: string): { host: string; port: number } {
  const address = parseListen(typeof endpoint === "string" ? endpoint : fallback);
  return listenAddress(address.port, address.host);
}

/** Everything the stand-in will do with this config, decided before anything starts. */
export function collectorPlan(config: Json): CollectorPlan {
  const receivers = (config.receivers ?? {}) as Record<string, Json>;
  const exporters = (config.exporters ?? {}) as Record<string, Json>;
  const pipelines = (configValue(config, "service.pipelines") ?? {}) as Record<string, Json>;
  const plan: CollectorPlan = { targets: [], httpChecks: undefined, notes: [] };
  const otlp = Object.entries(receivers).find(([id]) => typeOf(id) === "otlp")?.[1];
  const http = configValue(otlp, "protocols.http");
  const grpc = configValue(otlp, "protocols.grpc");
  if (http !== undefined) plan.httpReceiver = listenOf((http as Json | null)?.endpoint, "localhost:4318");
  if (grpc !== undefined) {
    plan.grpcReceiver = listenOf((grpc as Json | null)?.endpoint, "localhost:4317");
    plan.notes.push("the OTLP gRPC receiver answers every call UNIMPLEMENTED: send OTLP/HTTP JSON");
  }
  const health = Object.entries((config.extensions ?? {}) as Record<string, Json>).find(
    ([id]) => typeOf(id) === "health_check",
  )?.[1];
  if (health !== undefined) plan.health = listenOf(health?.endpoint, "localhost:13133");
  const reader = (asListOfObjects(configValue(config, "service.telemetry.metrics.readers"))[0] ?? {}) as Json;
  const prometheus = configValue(reader, "pull.exporter.prometheus") as Json | undefined;
  if (prometheus)
    plan.telemetry = listenOf(`${prometheus.host ?? "localhost"}:${prometheus.port ?? 8888}`, "");

  const processors = new Set<string>();
  for (const [name, pipeline] of Object.entries(pipelines)) {
    const signal = typeOf(name) as Signal;
    if (!SIGNALS.includes(signal)) continue;
    for (const id of asList(pipeline.processors)) processors.add(id);
    for (const id of asList(pipeline.receivers)) {
      if (typeOf(id) === "otlp") continue;
      if (typeOf(id) === "httpcheck" && signal === "metrics") {
        const spec = receivers[id] ?? {};
        plan.httpChecks = {
          intervalMs: parseDuration(spec.collection_interval as string | undefined, 60_000),
          targets: asListOfObjects(spec.targets).flatMap((t) =>
            [t.endpoint, ...asList(t.endpoints)]
              .filter((u): u is string => typeof u === "string")
              .map((url) => ({ method: String(t.method ?? "GET"), url })),
          ),
        };
        continue;
      }
      plan.notes.push(`receiver ${id} is not implemented by the stand-in: no ${signal} from it`);
    }
    for (const id of asList(pipeline.exporters)) {
      const target = exportTarget(id, exporters[id] ?? {}, signal);
      if (typeof target === "string") plan.notes.push(target);
      else {
        plan.targets.push(target);
        if (target.substitution) plan.notes.push(target.substitution);
      }
    }
  }
  if (processors.size > 0)
    plan.notes.push(`processors ${[...processors].join(", ")} pass data through unchanged (no batching)`);
  return plan;
}

function asListOfObjects(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((v) => typeof v === "object" && v !== null) as Json[]) : [];
}

/** How many items an OTLP/JSON export carries (spans, log records or metric data points). */
export function itemCount(signal: Signal, body: Json): number {
  const sum = (list: unknown, inner: (item: Json) => number) =>
    (Array.isArray(list) ? (list as Json[]) : []).reduce((n, item) => n + inner(item), 0);
  if (signal === "traces")
    return sum(body.resourceSpans, (r) =>
      sum(r.scopeSpans, (s) => (s.spans as unknown[] | undefined)?.length ?? 0),
    );
  if (signal === "logs")
    return sum(body.resourceLogs, (r) =>
      sum(r.scopeLogs, (s) => (s.logRecords as unknown[] | undefined)?.length ?? 0),
    );
  return sum(body.resourceMetrics, (r) =>
    sum(r.scopeMetrics, (s) =>
      sum(s.metrics, (m) => {
        const data = (m.gauge ?? m.sum ?? m.histogram ?? m.summary ?? m.exponentialHistogram) as
          | Json
          | undefined;
        return (data?.dataPoints as unknown[] | undefined)?.length ?? 0;
      }),
    ),
  );
}

const ITEM = { traces: "spans", logs: "log_records", metrics: "metric_points" } as const;
const RETRY_FOR_MS = 300_000;
const QUEUE_LIMIT = 1000;
const retriable = (status: number) => status === 429 || status === 502 || status === 503 || status === 504;

/** One exporter's queue: sends in order, retries what may succeed later, drops what never will. */
class ExportQueue {
  private readonly queue: { body: Json; since: number }[] = [];
  private busy = false;
  private translation: { value: OtlpTranslation; at: number } | undefined;

  constructor(
    private readonly target: ExportTarget,
    private readonly metrics: MetricsRegistry,
  ) {}

  push(body: Json): void {
    if (this.queue.length >= QUEUE_LIMIT) {
      this.count("send_failed", body);
      log(`exporter ${this.target.exporter}: queue full, dropped one export`);
      return;
    }
    this.queue.push({ body, since: Date.now() });
    void this.drain();
  }

  private count(outcome: "sent" | "send_failed", body: Json): void {
    const signal = this.target.signal;
    this.metrics.add(
      `otelcol_exporter_${outcome}_${ITEM[signal]}_total`,
      `Number of ${ITEM[signal].replace("_", " ")} the exporter ${outcome === "sent" ? "sent" : "failed to send"}`,
      itemCount(signal, body),
      { exporter: this.target.exporter },
    );
  }

  /** Prometheus' own `otlp:` settings, re-read every minute (a reload may change them). */
  private async otlpTranslation(): Promise<OtlpTranslation> {
    if (this.target.kind !== "remote-write") return NO_PROMOTION;
    if (this.translation && Date.now() - this.translation.at < 60_000) return this.translation.value;
    try {
      const response = await fetch(connectTo(this.target.configUrl), { signal: AbortSignal.timeout(5000) });
      const yaml = ((await response.json()) as { data?: { yaml?: string } }).data?.yaml ?? "";
      this.translation = { value: otlpTranslationFrom(parseYaml(yaml)), at: Date.now() };
    } catch (error) {
      log(
        `exporter ${this.target.exporter}: cannot read ${this.target.configUrl} (${errorText(error)}), no promotion`,
      );
      this.translation = { value: this.translation?.value ?? NO_PROMOTION, at: Date.now() };
    }
    return this.translation.value;
  }

  private async send(body: Json): Promise<number> {
    if (this.target.kind === "remote-write") {
      const { series, dropped } = translateMetrics(
        (body.resourceMetrics as ResourceMetrics[] | undefined) ?? [],
        await this.otlpTranslation(),
      );
      for (const reason of dropped) log(`exporter ${this.target.exporter}: dropped ${reason}`);
      if (series.length === 0) return 204;
      const answer = await remoteWrite(connectTo(this.target.url), series);
      if (answer.status >= 400)
        log(`exporter ${this.target.exporter}: HTTP ${answer.status} ${answer.body.trim()}`);
      return answer.status;
    }
    const response = await fetch(connectTo(this.target.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.status >= 400)
      log(`exporter ${this.target.exporter}: HTTP ${response.status} ${text.trim()}`);
    return response.status;
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    let backoffMs = 1000;
    while (this.queue.length > 0) {
      const head = this.queue[0] as { body: Json; since: number };
      let status: number;
      try {
        status = await this.send(head.body);
      } catch (error) {
        log(`exporter ${this.target.exporter}: ${this.target.url} ${errorText(error)}`);
        status = 503;
      }
      if (status < 300 || !retriable(status) || Date.now() - head.since > RETRY_FOR_MS) {
        this.count(status < 300 ? "sent" : "send_failed", head.body);
        this.queue.shift();
        backoffMs = 1000;
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs).unref());
      backoffMs = Math.min(backoffMs * 2, 30_000);
    }
    this.busy = false;
  }
}

/** The httpcheck receiver's metrics for one round of checks (names as the receiver defines them). */
export function httpCheckMetrics(
  results: readonly { target: HttpCheckTarget; status?: number; error?: string; durationMs: number }[],
  now = Date.now(),
): Json {
  const time = String(BigInt(now) * 1_000_000n);
  const point = (value: number, attributes: Record<string, string | number>) => ({
    timeUnixNano: time,
    asInt: String(value),
    attributes: Object.entries(attributes).map(([key, v]) => ({
      key,
      value: typeof v === "number" ? { intValue: String(v) } : { stringValue: v },
    })),
  });
  const durations = results.map((r) => point(Math.round(r.durationMs), { "http.url": r.target.url }));
  const statuses = results
    .filter((r) => r.status !== undefined)
    .flatMap((r) =>
      ["1xx", "2xx", "3xx", "4xx", "5xx"].map((statusClass) =>
        point(statusClass[0] === String(r.status)[0] ? 1 : 0, {
          "http.url": r.target.url,
          "http.status_code": r.status as number,
          "http.method": r.target.method,
          "http.status_class": statusClass,
        }),
      ),
    );
  const errors = results
    .filter((r) => r.error !== undefined)
    .map((r) => point(1, { "http.url": r.target.url, "error.message": r.error as string }));
  const sum = (dataPoints: unknown[]) => ({ aggregationTemporality: 2, isMonotonic: false, dataPoints });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [] },
        scopeMetrics: [
          {
            scope: { name: "otelcol/httpcheckreceiver" },
            metrics: [
              { name: "httpcheck.duration", unit: "ms", gauge: { dataPoints: durations } },
              { name: "httpcheck.status", unit: "1", sum: sum(statuses) },
              ...(errors.length > 0 ? [{ name: "httpcheck.error", unit: "{error}", sum: sum(errors) }] : []),
            ],
          },
        ],
      },
    ],
  };
}

async function runHttpChecks(targets: readonly HttpCheckTarget[]): Promise<Json> {
  const results = await Promise.all(
    targets.map(async (target) => {
      const started = performance.now();
      try {
        const response = await fetch(connectTo(target.url), {
          method: target.method,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer();
        return { target, status: response.status, durationMs: performance.now() - started };
      } catch (error) {
        return { target, error: errorText(error), durationMs: performance.now() - started };
      }
    }),
  );
  return httpCheckMetrics(results);
}

export async function runCollector(args: readonly string[]): Promise<number | undefined> {
  announce(
    "otel/opentelemetry-collector-contrib",
    "OTLP/HTTP JSON in, forwarded as the mounted config says (gRPC, postgresql receiver not implemented)",
  );
  const file = flagValue(args, ["config"]);
  if (!file) {
    return refuse("no configuration", "pass --config=/etc/otelcol-contrib/config.yaml");
  }
  const plan = collectorPlan(readYamlConfig(file, true));
  for (const note of plan.notes) log(`stand-in: ${note}`);
  const started = new Date();
  const metrics = new MetricsRegistry();
  const queues = new Map<Signal, ExportQueue[]>(SIGNALS.map((s) => [s, []]));
  for (const target of plan.targets) queues.get(target.signal)?.push(new ExportQueue(target, metrics));
  const dispatch = (signal: Signal, body: Json) => {
    for (const queue of queues.get(signal) ?? []) queue.push(body);
  };

  const receive = async (req: IncomingMessage, res: ServerResponse) => {
    const signal = /^\/v1\/(traces|logs|metrics)$/.exec((req.url ?? "").split("?")[0] ?? "")?.[1] as
      | Signal
      | undefined;
    if (!signal || req.method !== "POST") return sendJson(res, 404, { code: 5, message: "not found" });
    const item = ITEM[signal];
    const refuse = (status: number, message: string) => {
      metrics.add(`otelcol_receiver_refused_${item}_total`, `Number of ${item} refused`, 1, {
        receiver: "otlp",
        transport: "http",
      });
      sendJson(res, status, { code: 3, message });
    };
    const read = await readJsonRequest(req, "the collector stand-in (OTLP/HTTP)");
    if (!read.ok) return refuse(read.status, read.message);
    const body = read.body;
    const count = itemCount(signal, body);
    metrics.add(`otelcol_receiver_accepted_${item}_total`, `Number of ${item} accepted`, count, {
      receiver: "otlp",
      transport: "http",
    });
    if (count > 0) dispatch(signal, body);
    sendJson(res, 200, {});
  };

  const closers: (() => Promise<unknown>)[] = [];
  if (plan.httpReceiver) {
    const server = await serveHttp((req, res) => void receive(req, res), plan.httpReceiver);
    closers.push(server.stop);
    log(`OTLP/HTTP receiver on ${server.listening}`);
  }
  if (plan.grpcReceiver) {
    const grpc = await serveGrpcUnimplemented(
      plan.grpcReceiver,
      "OTLP gRPC is not implemented by the collector stand-in; send OTLP/HTTP JSON to port 4318",
    );
    closers.push(grpc.close);
    log(`OTLP gRPC port ${grpc.port} (answers UNIMPLEMENTED)`);
  }
  if (plan.health) {
    const server = await serveHttp(
      (_req, res) =>
        sendJson(res, 200, {
          status: "Server available",
          upSince: started.toISOString(),
          uptime: `${((Date.now() - started.getTime()) / 1000).toFixed(1)}s`,
        }),
      plan.health,
    );
    closers.push(server.stop);
    log(`health_check on ${server.listening}`);
  }
  if (plan.telemetry) {
    const server = await serveHttp(
      (_req, res) => sendText(res, 200, metrics.text(), PROMETHEUS_TEXT),
      plan.telemetry,
    );
    closers.push(server.stop);
    log(`own metrics on ${server.listening}/metrics`);
  }
  const checks = plan.httpChecks;
  if (checks && checks.targets.length > 0) {
    const round = () => void runHttpChecks(checks.targets).then((body) => dispatch("metrics", body));
    // The receiver's default initial_delay is 1 s; then every collection_interval.
    const first = setTimeout(round, 1000);
    const timer = setInterval(round, checks.intervalMs);
    closers.push(async () => {
      clearTimeout(first);
      clearInterval(timer);
    });
  }
  stopOnSignals(closers);
  return undefined;
}
