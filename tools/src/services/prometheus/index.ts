/** Prometheus: metrics; verify finds the gauge it sent through the collector. */
import type { Config } from "../../config/env.ts";
import type { TelemetryProbe } from "../../telemetry/probe.ts";
import { readyEndpoint, urlSlice } from "../http-probes.ts";
import type { ServiceModule } from "../module.ts";
import { probeMetricQuery, prometheusHasSeries } from "../verify-rules.ts";
import { httpGet, pollUntil, TELEMETRY_DEADLINE_MS, telemetryFailure } from "../verify-support.ts";

declare module "../../config/env.ts" {
  interface Config {
    prometheusUrl: string;
  }
}

async function findInPrometheus(config: Config, probe: TelemetryProbe): Promise<string> {
  await probe.sent;
  const query = probeMetricQuery(probe.verifyId);
  await pollUntil(
    TELEMETRY_DEADLINE_MS,
    async () => {
      const { status, body } = await httpGet(
        `${config.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
      );
      return status === 200 && prometheusHasSeries(body);
    },
    `series ${query} in Prometheus`,
    telemetryFailure("prometheus", config.prometheusUrl, "metrics", "PROMETHEUS_URL"),
  );
  return query;
}

export const prometheus: ServiceModule = {
  name: "prometheus",
  profile: "observability",
  description: "Prometheus: metrics",
  ports: [
    { variable: "PROMETHEUS_PORT", defaultHostPort: 9090, containerPort: 9090, purpose: "web UI and API" },
  ],
  humanUrl: (c) => c.prometheusUrl,
  config: urlSlice("prometheusUrl", "PROMETHEUS_URL", "PROMETHEUS_PORT"),
  probe: readyEndpoint("prometheus", "/-/ready", (c) => c.prometheusUrl),
  verify: {
    what: "a metric sent via the collector, found by name",
    run: (c, { telemetry }) => findInPrometheus(c, telemetry()),
  },
  disposable: {
    volume: "prometheus-data",
    mountPath: "/prometheus",
    holds: "observability history (metrics)",
  },
};
