/** verify's pure decisions: what the backends' answers mean, and how to probe NATS without eating real work. */

/** Tempo `GET /api/v2/traces/<id>` (or v1 `/api/traces/<id>`): found only with at least one resource span. */
export function tempoHasTrace(status: number, body: string): boolean {
  if (status !== 200) return false;
  try {
    const parsed = JSON.parse(body) as {
      trace?: { resourceSpans?: unknown[] };
      batches?: unknown[];
      resourceSpans?: unknown[];
    };
    const spans = parsed.trace?.resourceSpans ?? parsed.resourceSpans ?? parsed.batches ?? [];
    return Array.isArray(spans) && spans.length > 0;
  } catch {
    return false;
  }
}

/** Loki `query_range`: the probe line is found when a stream holds a value containing the marker. */
export function lokiHasLine(body: string, marker: string): boolean {
  try {
    const parsed = JSON.parse(body) as { data?: { result?: { values?: [string, string][] }[] } };
    return (parsed.data?.result ?? []).some((stream) =>
      (stream.values ?? []).some(([, line]) => line.includes(marker)),
    );
  } catch {
    return false;
  }
}

/** Prometheus instant query: found when the vector is non-empty. */
export function prometheusHasSeries(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { status?: string; data?: { result?: unknown[] } };
    return parsed.status === "success" && (parsed.data?.result?.length ?? 0) > 0;
  } catch {
    return false;
  }
}

/** The Prometheus selector of the verify gauge (OTLP `wallpaperdb.verify.probe`, no unit → no suffix). */
export function probeMetricQuery(verifyId: string): string {
  return `wallpaperdb_verify_probe{verify_id="${verifyId}"}`;
}

/** The Loki stream of the verify log line: service.name and service.instance.id become index labels. */
export function probeLogQuery(verifyId: string): string {
  return `{service_name="wallpaperdb-verify", service_instance_id="${verifyId}"}`;
}

/** Grafana `GET /api/datasources/uid/<uid>/health`: {"status":"OK"} when the datasource works. */
export function grafanaHealthOk(status: number, body: string): { ok: boolean; message: string } {
  try {
    const parsed = JSON.parse(body) as { status?: string; message?: string };
    return { ok: status === 200 && parsed.status === "OK", message: parsed.message ?? `HTTP ${status}` };
  } catch {
    return { ok: false, message: `HTTP ${status}` };
  }
}

export type NatsProbePlan =
  | { kind: "durable" }
  | { kind: "ephemeral"; reason: string }
  | { kind: "missing"; reason: string };

/**
 * The durable consumer may only be used for the probe when it holds no real work: nothing pending and nothing
 * delivered but unacknowledged. Otherwise the probe goes through an ephemeral consumer on its own subject.
 */
export function planNatsProbe(
  info: { numPending: number; numAckPending: number } | undefined,
): NatsProbePlan {
  if (!info) return { kind: "missing", reason: "the durable consumer does not exist" };
  if (info.numPending > 0 || info.numAckPending > 0)
    return {
      kind: "ephemeral",
      reason: `it holds real work (${info.numPending} pending, ${info.numAckPending} unacknowledged), left untouched`,
    };
  return { kind: "durable" };
}
