/**
 * A small OTLP/HTTP JSON encoder and sender (OTLP 1.x JSON: hex ids, int64 as strings).
 * Why not the OpenTelemetry SDK: the exporters that still run on Node 20 (exporter-trace-otlp-http
 * <= 0.223, sdk-trace 2.x) add ~100 ms of module loading to EVERY command, a real share of the
 * `make start` overhead budget, and `verify` also needs one log record and one gauge, which would pull in
 * two more SDKs with their own export timers. Three fixed message shapes fit in this file.
 */
import { randomBytes } from "node:crypto";

export type AttributeValue = string | number | boolean;
export type Attributes = Readonly<Record<string, AttributeValue>>;

export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startNs: bigint;
  endNs: bigint;
  ok: boolean;
  errorMessage?: string;
  attributes?: Attributes;
  /** 1 internal, 3 client. */
  kind?: 1 | 3;
}

export interface LogRecord {
  timeNs: bigint;
  body: string;
  severity: "INFO" | "WARN" | "ERROR";
  attributes?: Attributes;
  traceId?: string;
  spanId?: string;
}

export const newTraceId = (): string => randomBytes(16).toString("hex");
export const newSpanId = (): string => randomBytes(8).toString("hex");

const wallClockBaseNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
/** Wall-clock time in nanoseconds with monotonic resolution. */
export const nowNs = (): bigint => wallClockBaseNs + process.hrtime.bigint();

function anyValue(value: AttributeValue): Record<string, unknown> {
  if (typeof value === "boolean") return { boolValue: value };
  if (typeof value === "number")
    return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: value };
}

export function encodeAttributes(
  attributes: Attributes = {},
): { key: string; value: Record<string, unknown> }[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

const SCOPE = { name: "@wallpaperdb/infra-tools", version: "0.1.0" };

/** ExportTraceServiceRequest. */
export function encodeTraces(resource: Attributes, spans: readonly SpanRecord[]): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: encodeAttributes(resource) },
        scopeSpans: [
          {
            scope: SCOPE,
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: String(s.startNs),
              endTimeUnixNano: String(s.endNs),
              attributes: encodeAttributes(s.attributes),
              status: s.ok ? { code: 1 } : { code: 2, message: s.errorMessage ?? "failed" },
            })),
          },
        ],
      },
    ],
  };
}

const SEVERITY_NUMBER = { INFO: 9, WARN: 13, ERROR: 17 } as const;

/** ExportLogsServiceRequest. */
export function encodeLogs(resource: Attributes, records: readonly LogRecord[]): unknown {
  return {
    resourceLogs: [
      {
        resource: { attributes: encodeAttributes(resource) },
        scopeLogs: [
          {
            scope: SCOPE,
            logRecords: records.map((r) => ({
              timeUnixNano: String(r.timeNs),
              observedTimeUnixNano: String(r.timeNs),
              severityNumber: SEVERITY_NUMBER[r.severity],
              severityText: r.severity,
              body: { stringValue: r.body },
              attributes: encodeAttributes(r.attributes),
              ...(r.traceId ? { traceId: r.traceId } : {}),
              ...(r.spanId ? { spanId: r.spanId } : {}),
            })),
          },
        ],
      },
    ],
  };
}

/** ExportMetricsServiceRequest with one gauge data point. */
export function encodeGauge(
  resource: Attributes,
  gauge: { name: string; description: string; value: number; timeNs: bigint; attributes?: Attributes },
): unknown {
  return {
    resourceMetrics: [
      {
        resource: { attributes: encodeAttributes(resource) },
        scopeMetrics: [
          {
            scope: SCOPE,
            metrics: [
              {
                name: gauge.name,
                description: gauge.description,
                gauge: {
                  dataPoints: [
                    {
                      timeUnixNano: String(gauge.timeNs),
                      asDouble: gauge.value,
                      attributes: encodeAttributes(gauge.attributes),
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

export type Signal = "traces" | "logs" | "metrics";

/** POSTs one OTLP/JSON request to `<endpoint>/v1/<signal>`; never throws. */
export async function postOtlp(
  endpoint: string,
  signal: Signal,
  body: unknown,
  timeoutMs: number,
): Promise<{ ok: boolean; status: number; error?: string }> {
  try {
    const response = await fetch(`${endpoint.replace(/\/+$/, "")}/v1/${signal}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { ok: response.ok, status: response.status };
  } catch (error) {
    return { ok: false, status: 0, error: error instanceof Error ? error.message : String(error) };
  }
}
