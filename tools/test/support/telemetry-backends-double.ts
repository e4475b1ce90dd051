/**
 * TEST DOUBLE of the observability backends (not the real ones): one HTTP server that plays the collector's
 * OTLP/HTTP receiver and the query APIs verify uses (Tempo trace by id, Loki query_range, Prometheus instant
 * query, Grafana datasource health). It stores what is exported and answers queries by the rules written in
 * infra/config/TELEMETRY.md (Loki labels from resource attributes, Prometheus name translation). Delays
 * simulate ingestion; `make e2e` runs verify against the real stack.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readBody } from "./http-server.ts";
import { type OtlpKeyValue as Attribute, attributeMap as attrs } from "./otlp-json.ts";

export interface TelemetryBackendsDouble {
  url: string;
  /** Milliseconds after an export until it can be queried. */
  ingestDelayMs: number;
  /** Datasource uids whose health check fails. */
  brokenDatasources: Set<string>;
  /** Refuse every OTLP export with this status (0 = accept). */
  refuseExportsWith: number;
  exports: { signal: string; at: number; body: Record<string, unknown> }[];
  stop: () => Promise<void>;
}

export async function startTelemetryBackendsDouble(): Promise<TelemetryBackendsDouble> {
  const double = {
    ingestDelayMs: 1500,
    brokenDatasources: new Set<string>(),
    refuseExportsWith: 0,
    exports: [] as TelemetryBackendsDouble["exports"],
  };
  const visible = () => double.exports.filter((e) => Date.now() - e.at >= double.ingestDelayMs);
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://double");
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const body = (await readBody(req)).toString("utf8");
    const otlp = /^\/v1\/(traces|logs|metrics)$/.exec(url.pathname);
    if (req.method === "POST" && otlp) {
      if (double.refuseExportsWith) return json(double.refuseExportsWith, { message: "refused" });
      double.exports.push({ signal: otlp[1] as string, at: Date.now(), body: JSON.parse(body) });
      return json(200, {});
    }
    const trace = /^\/api\/v2\/traces\/([0-9a-f]{32})$/.exec(url.pathname);
    if (trace) {
      const spans = visible()
        .filter((e) => e.signal === "traces")
        .flatMap((e) => (e.body.resourceSpans as { scopeSpans: { spans: { traceId: string }[] }[] }[]) ?? [])
        .filter((rs) => rs.scopeSpans.some((ss) => ss.spans.some((s) => s.traceId === trace[1])));
      return spans.length > 0
        ? json(200, { trace: { resourceSpans: spans } })
        : json(404, { message: "trace not found" });
    }
    if (url.pathname === "/loki/api/v1/query_range") {
      // Index labels come from resource attributes: service.name → service_name, service.instance.id → service_instance_id.
      const selector = Object.fromEntries(
        [...(url.searchParams.get("query") ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      const values: [string, string][] = [];
      for (const e of visible().filter((x) => x.signal === "logs")) {
        for (const rl of e.body.resourceLogs as {
          resource: { attributes: Attribute[] };
          scopeLogs: { logRecords: { timeUnixNano: string; body: { stringValue: string } }[] }[];
        }[]) {
          const labels = Object.fromEntries(
            Object.entries(attrs(rl.resource.attributes)).map(([k, v]) => [k.replaceAll(".", "_"), v]),
          );
          if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue;
          for (const sl of rl.scopeLogs)
            for (const r of sl.logRecords) values.push([r.timeUnixNano, r.body.stringValue]);
        }
      }
      return json(200, {
        status: "success",
        data: { resultType: "streams", result: values.length ? [{ stream: selector, values }] : [] },
      });
    }
    if (url.pathname === "/api/v1/query") {
      const query = url.searchParams.get("query") ?? "";
      const [, name, matchers] = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\}$/.exec(query) ?? [];
      const wanted = Object.fromEntries(
        [...(matchers ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      const result: unknown[] = [];
      for (const e of visible().filter((x) => x.signal === "metrics")) {
        for (const rm of e.body.resourceMetrics as {
          scopeMetrics: {
            metrics: {
              name: string;
              gauge?: { dataPoints: { attributes: Attribute[]; asDouble: number }[] };
            }[];
          }[];
        }[]) {
          for (const sm of rm.scopeMetrics)
            for (const m of sm.metrics) {
              // Gauge without unit: dots become underscores, no suffix.
              if (m.name.replace(/[^a-zA-Z0-9_:]+/g, "_") !== name || !m.gauge) continue;
              for (const dp of m.gauge.dataPoints) {
                const labels = Object.fromEntries(
                  Object.entries(attrs(dp.attributes)).map(([k, v]) => [k.replaceAll(".", "_"), v]),
                );
                if (Object.entries(wanted).every(([k, v]) => labels[k] === v))
                  result.push({ metric: { __name__: name, ...labels }, value: [0, String(dp.asDouble)] });
              }
            }
        }
      }
      return json(200, { status: "success", data: { resultType: "vector", result } });
    }
    if (url.pathname === "/api/datasources")
      return json(
        200,
        ["prometheus", "loki", "tempo", "postgres"].map((uid) => ({ uid, name: uid, type: uid })),
      );
    const health = /^\/api\/datasources\/uid\/([\w-]+)\/health$/.exec(url.pathname);
    if (health)
      return double.brokenDatasources.has(health[1] as string)
        ? json(400, { status: "ERROR", message: "connection refused" })
        : json(200, { status: "OK", message: "Data source is working" });
    json(404, { message: "not found" });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return Object.assign(double, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  });
}
