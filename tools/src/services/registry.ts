import type { Config } from "../config/env.ts";
import type { ServiceName } from "../config/services.ts";
import type { ReadinessProbe } from "./probe.ts";

/** A probe whose module (and client library) is loaded on first use. */
function lazy(service: ServiceName, checks: string, load: () => Promise<ReadinessProbe>): ReadinessProbe {
  return { service, checks, check: async (config: Config) => (await load()).check(config) };
}

/** The readiness probe of each of the ten services (status/doctor/verify may reuse them). */
export const PROBES: Readonly<Record<ServiceName, ReadinessProbe>> = {
  postgres: lazy("postgres", "SELECT 1", async () => (await import("./postgres.ts")).postgresProbe),
  minio: lazy("minio", "S3 ListBuckets", async () => (await import("./minio.ts")).minioProbe),
  opensearch: lazy(
    "opensearch",
    "GET /_cluster/health (yellow or green)",
    async () => (await import("./opensearch.ts")).opensearchProbe,
  ),
  "opensearch-dashboards": lazy(
    "opensearch-dashboards",
    "GET /api/status (overall green)",
    async () => (await import("./http-probes.ts")).dashboardsProbe,
  ),
  nats: lazy("nats", "connect + JetStream account info", async () => (await import("./nats.ts")).natsProbe),
  "otel-collector": lazy(
    "otel-collector",
    "POST empty OTLP export to /v1/traces",
    async () => (await import("./http-probes.ts")).collectorProbe,
  ),
  prometheus: lazy(
    "prometheus",
    "GET /-/ready",
    async () => (await import("./http-probes.ts")).prometheusProbe,
  ),
  loki: lazy("loki", "GET /ready", async () => (await import("./http-probes.ts")).lokiProbe),
  tempo: lazy("tempo", "GET /ready", async () => (await import("./http-probes.ts")).tempoProbe),
  grafana: lazy(
    "grafana",
    "GET /api/health (database ok)",
    async () => (await import("./http-probes.ts")).grafanaProbe,
  ),
};

export function probeFor(service: string): ReadinessProbe {
  const probe = PROBES[service as ServiceName];
  if (!probe) throw new Error(`no readiness probe for ${service}`);
  return probe;
}
