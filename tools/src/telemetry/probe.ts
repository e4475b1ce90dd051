/**
 * The telemetry round trip of `verify`: one trace, one log record and one gauge sent through the collector,
 * all marked with the verify id, for the backends' modules to find.
 */
import type { Config } from "../config/env.ts";
import { UserError } from "../errors.ts";
import { encodeGauge, encodeLogs, encodeTraces, newSpanId, newTraceId, nowNs, postOtlp } from "./otlp.ts";

export interface TelemetryProbe {
  verifyId: string;
  traceId: string;
  sent: Promise<void>;
}

/** Sends one trace, one log record and one gauge through the collector, all marked with the verify id. */
export function sendTelemetry(config: Config, verifyId: string): TelemetryProbe {
  const traceId = newTraceId();
  const spanId = newSpanId();
  const resource = {
    "service.name": "wallpaperdb-verify",
    "service.namespace": "wallpaperdb",
    "service.instance.id": verifyId,
  };
  const start = nowNs();
  const sent = (async () => {
    const results = await Promise.all([
      postOtlp(
        config.otlpHttpEndpoint,
        "traces",
        encodeTraces(resource, [
          {
            traceId,
            spanId,
            name: "verify probe",
            startNs: start,
            endNs: nowNs(),
            ok: true,
            attributes: { "verify.id": verifyId },
          },
        ]),
        5000,
      ),
      postOtlp(
        config.otlpHttpEndpoint,
        "logs",
        encodeLogs(resource, [
          {
            timeNs: nowNs(),
            body: `wallpaperdb verify probe ${verifyId}`,
            severity: "INFO",
            attributes: { "verify.id": verifyId },
            traceId,
            spanId,
          },
        ]),
        5000,
      ),
      postOtlp(
        config.otlpHttpEndpoint,
        "metrics",
        encodeGauge(resource, {
          name: "wallpaperdb.verify.probe",
          description: "1 for each make verify run",
          value: 1,
          timeNs: nowNs(),
          attributes: { "verify.id": verifyId },
        }),
        5000,
      ),
    ]);
    const failed = results.find((r) => !r.ok);
    if (failed)
      throw new UserError(
        `the collector refused or did not answer an OTLP export (${failed.error ?? `HTTP ${failed.status}`})`,
        {
          where: `otel-collector at ${config.otlpHttpEndpoint}`,
          fix: "make status (is otel-collector up?); make logs SERVICE=otel-collector; OTEL_EXPORTER_OTLP_ENDPOINT in .env",
        },
      );
  })();
  sent.catch(() => {});
  return { verifyId, traceId, sent };
}
