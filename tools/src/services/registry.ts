import type { ServiceName } from "../config/services.ts";
import {
  collectorProbe,
  dashboardsProbe,
  grafanaProbe,
  lokiProbe,
  prometheusProbe,
  tempoProbe,
} from "./http-probes.ts";
import { minioProbe } from "./minio.ts";
import { natsProbe } from "./nats.ts";
import { opensearchProbe } from "./opensearch.ts";
import { postgresProbe } from "./postgres.ts";
import type { ReadinessProbe } from "./probe.ts";

/** The readiness probe of each of the ten services (doctor/status/verify may reuse them). */
export const PROBES: Readonly<Record<ServiceName, ReadinessProbe>> = {
  postgres: postgresProbe,
  minio: minioProbe,
  opensearch: opensearchProbe,
  "opensearch-dashboards": dashboardsProbe,
  nats: natsProbe,
  "otel-collector": collectorProbe,
  prometheus: prometheusProbe,
  loki: lokiProbe,
  tempo: tempoProbe,
  grafana: grafanaProbe,
};

export function probeFor(service: string): ReadinessProbe {
  const probe = PROBES[service as ServiceName];
  if (!probe) throw new Error(`no readiness probe for ${service}`);
  return probe;
}
