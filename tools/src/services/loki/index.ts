/** Loki: logs; verify finds the log record it sent through the collector. */
import type { Config } from "../../config/env.ts";
import type { TelemetryProbe } from "../../telemetry/probe.ts";
import { readyEndpoint, urlSlice } from "../http-probes.ts";
import type { ServiceModule } from "../module.ts";
import { lokiHasLine, probeLogQuery } from "../verify-rules.ts";
import { httpGet, pollUntil, TELEMETRY_DEADLINE_MS, telemetryFailure } from "../verify-support.ts";

declare module "../../config/env.ts" {
  interface Config {
    lokiUrl: string;
  }
}

async function findInLoki(config: Config, probe: TelemetryProbe): Promise<string> {
  await probe.sent;
  const query = probeLogQuery(probe.verifyId);
  const start = (BigInt(Date.now()) - 600_000n) * 1_000_000n;
  await pollUntil(
    TELEMETRY_DEADLINE_MS,
    async () => {
      const url = `${config.lokiUrl}/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${start}&limit=10`;
      const { status, body } = await httpGet(url);
      return status === 200 && lokiHasLine(body, probe.verifyId);
    },
    `log line ${query} in Loki`,
    telemetryFailure("loki", config.lokiUrl, "logs", "LOKI_URL"),
  );
  return query;
}

export const loki: ServiceModule = {
  name: "loki",
  profile: "observability",
  description: "Loki: logs",
  ports: [{ variable: "LOKI_PORT", defaultHostPort: 3100, containerPort: 3100, purpose: "HTTP API" }],
  humanUrl: (c) => c.lokiUrl,
  config: urlSlice("lokiUrl", "LOKI_URL", "LOKI_PORT"),
  probe: readyEndpoint("loki", "/ready", (c) => c.lokiUrl),
  verify: {
    what: "a log record sent via the collector, found by label",
    run: (c, { telemetry }) => findInLoki(c, telemetry()),
  },
  disposable: { volume: "loki-data", mountPath: "/loki", holds: "observability history (logs)" },
};
