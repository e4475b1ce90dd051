/** Tempo: traces; verify finds the trace it sent through the collector. */
import type { Config } from "../../config/env.ts";
import type { TelemetryProbe } from "../../telemetry/probe.ts";
import { readyEndpoint, urlSlice } from "../http-probes.ts";
import type { ServiceModule } from "../module.ts";
import { tempoHasTrace } from "../verify-rules.ts";
import { httpGet, pollUntil, TELEMETRY_DEADLINE_MS, telemetryFailure } from "../verify-support.ts";

declare module "../../config/env.ts" {
  interface Config {
    tempoUrl: string;
  }
}

async function findInTempo(config: Config, probe: TelemetryProbe): Promise<string> {
  await probe.sent;
  const attempts = await pollUntil(
    TELEMETRY_DEADLINE_MS,
    async () => {
      const { status, body } = await httpGet(`${config.tempoUrl}/api/v2/traces/${probe.traceId}`);
      return tempoHasTrace(status, body);
    },
    `trace ${probe.traceId} in Tempo`,
    telemetryFailure("tempo", config.tempoUrl, "traces", "TEMPO_URL"),
  );
  return `trace ${probe.traceId} (${attempts} ${attempts === 1 ? "query" : "queries"})`;
}

export const tempo: ServiceModule = {
  name: "tempo",
  profile: "observability",
  description: "Tempo: traces",
  ports: [{ variable: "TEMPO_PORT", defaultHostPort: 3200, containerPort: 3200, purpose: "HTTP API" }],
  humanUrl: (c) => c.tempoUrl,
  config: urlSlice("tempoUrl", "TEMPO_URL", "TEMPO_PORT"),
  probe: readyEndpoint("tempo", "/ready", (c) => c.tempoUrl),
  verify: {
    what: "a trace sent via the collector, found by id",
    run: (c, { telemetry }) => findInTempo(c, telemetry()),
  },
  disposable: { volume: "tempo-data", mountPath: "/var/tempo", holds: "observability history (traces)" },
};
