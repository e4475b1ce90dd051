import { type HttpCheck, httpCheck, joinUrl, NotReadyError, type ReadinessProbe } from "./probe.ts";

const get = (url: string, accept?: HttpCheck["accept"]) => httpCheck({ url, accept });

/** A service whose readiness is a 2xx answer of one GET endpoint. */
function readyEndpoint(
  service: ReadinessProbe["service"],
  path: string,
  baseUrl: (c: Parameters<ReadinessProbe["check"]>[0]) => string,
): ReadinessProbe {
  return { service, checks: `GET ${path}`, check: (c) => get(joinUrl(baseUrl(c), path)) };
}

export const prometheusProbe = readyEndpoint("prometheus", "/-/ready", (c) => c.prometheusUrl);
export const lokiProbe = readyEndpoint("loki", "/ready", (c) => c.lokiUrl);
export const tempoProbe = readyEndpoint("tempo", "/ready", (c) => c.tempoUrl);

export const grafanaProbe: ReadinessProbe = {
  service: "grafana",
  checks: "GET /api/health (database ok)",
  check: (c) =>
    get(joinUrl(c.grafana.url, "/api/health"), (status, body) => {
      if (status !== 200) throw new NotReadyError(`HTTP ${status}`);
      const database = (JSON.parse(body) as { database?: string }).database;
      if (database !== "ok") throw new NotReadyError(`database: ${database ?? "unknown"}`);
      return "database ok";
    }),
};

/** Dashboards answers 503 while it starts; its overall state must be green (yellow = plugins still loading). */
export function dashboardsState(status: number, body: string): string {
  if (status !== 200) throw new NotReadyError(`HTTP ${status}`);
  const parsed = JSON.parse(body) as { status?: { overall?: { state?: string } } };
  const state = parsed.status?.overall?.state;
  if (state !== "green") throw new NotReadyError(`overall state ${state ?? "unknown"}`);
  return "state green";
}

export const dashboardsProbe: ReadinessProbe = {
  service: "opensearch-dashboards",
  checks: "GET /api/status (overall green)",
  check: (c) => get(joinUrl(c.opensearch.dashboardsUrl, "/api/status"), dashboardsState),
};

/**
 * The collector image has no shell and 13133 is not published, so from the host we send an empty
 * OTLP/HTTP export: a 2xx proves the receiver and its pipeline are up. Inside the network,
 * OTEL_COLLECTOR_HEALTH_URL (the health_check extension) can be used instead.
 */
export const collectorProbe: ReadinessProbe = {
  service: "otel-collector",
  checks: "POST empty OTLP export to /v1/traces",
  check: (c) =>
    c.collectorHealthUrl
      ? get(c.collectorHealthUrl)
      : httpCheck({
          url: joinUrl(c.otlpHttpEndpoint, "/v1/traces"),
          method: "POST",
          body: JSON.stringify({ resourceSpans: [] }),
          headers: { "content-type": "application/json" },
        }),
};
