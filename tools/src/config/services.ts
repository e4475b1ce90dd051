import type { Config, PortVariable } from "./env.ts";

/** The ten Compose services (also their hostnames inside the network). */
export const SERVICE_NAMES = [
  "postgres",
  "minio",
  "opensearch",
  "opensearch-dashboards",
  "nats",
  "otel-collector",
  "prometheus",
  "loki",
  "tempo",
  "grafana",
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const PROFILES = ["core", "observability"] as const;
export type Profile = (typeof PROFILES)[number];

export interface PublishedPort {
  /** The .env variable that moves it. */
  variable: PortVariable;
  defaultHostPort: number;
  containerPort: number;
  purpose: string;
}

export interface ServiceDefinition {
  name: ServiceName;
  profile: Profile;
  description: string;
  ports: readonly PublishedPort[];
  /** What a human opens or connects to (status table). Pure: derived from Config only. */
  humanUrl: (config: Config) => string;
  /** The endpoint the readiness probe talks to, when it is not humanUrl (MinIO: S3 API, not the console). */
  probedUrl?: (config: Config) => string;
  /** The user/password to show (the password masked) in the status table, if the service has one. */
  credentials?: (config: Config) => { user: string; password: string };
  /** Services whose data the `seed` command converges (infra/init/<name>/). */
  seeded: boolean;
}

const p = (variable: PortVariable, defaultHostPort: number, containerPort: number, purpose: string) => ({
  variable,
  defaultHostPort,
  containerPort,
  purpose,
});

/** The single catalog of services: doctor's port checks, status's table, wait's probes and seed use it. */
export const SERVICES: readonly ServiceDefinition[] = [
  {
    name: "postgres",
    profile: "core",
    description: "PostgreSQL 16: users, ownership, wallpaper rows",
    ports: [p("POSTGRES_PORT", 5432, 5432, "SQL")],
    humanUrl: (c) => c.postgres.url,
    credentials: (c) => ({ user: c.postgres.user, password: c.postgres.password }),
    seeded: true,
  },
  {
    name: "minio",
    profile: "core",
    description: "MinIO: S3 object storage for wallpaper files",
    ports: [p("MINIO_API_PORT", 9000, 9000, "S3 API"), p("MINIO_CONSOLE_PORT", 9001, 9001, "console")],
    humanUrl: (c) => c.minioConsoleUrl,
    probedUrl: (c) => c.s3.endpoint,
    credentials: (c) => ({ user: c.s3.accessKey, password: c.s3.secretKey }),
    seeded: true,
  },
  {
    name: "opensearch",
    profile: "core",
    description: "OpenSearch: wallpaper search and filters",
    ports: [p("OPENSEARCH_PORT", 9200, 9200, "REST API")],
    humanUrl: (c) => c.opensearch.url,
    seeded: true,
  },
  {
    name: "opensearch-dashboards",
    profile: "core",
    description: "OpenSearch Dashboards: explore the search indices",
    ports: [p("OPENSEARCH_DASHBOARDS_PORT", 5601, 5601, "web UI")],
    humanUrl: (c) => c.opensearch.dashboardsUrl,
    seeded: false,
  },
  {
    name: "nats",
    profile: "core",
    description: "NATS with JetStream: enrichment work queue",
    ports: [p("NATS_PORT", 4222, 4222, "clients"), p("NATS_MONITOR_PORT", 8222, 8222, "monitoring")],
    humanUrl: (c) => c.nats.url,
    seeded: true,
  },
  {
    name: "otel-collector",
    profile: "observability",
    description: "OpenTelemetry Collector: OTLP in, Tempo/Loki/Prometheus out",
    ports: [p("OTEL_GRPC_PORT", 4317, 4317, "OTLP gRPC"), p("OTEL_HTTP_PORT", 4318, 4318, "OTLP HTTP")],
    humanUrl: (c) => c.otlpHttpEndpoint,
    seeded: false,
  },
  {
    name: "prometheus",
    profile: "observability",
    description: "Prometheus: metrics",
    ports: [p("PROMETHEUS_PORT", 9090, 9090, "web UI and API")],
    humanUrl: (c) => c.prometheusUrl,
    seeded: false,
  },
  {
    name: "loki",
    profile: "observability",
    description: "Loki: logs",
    ports: [p("LOKI_PORT", 3100, 3100, "HTTP API")],
    humanUrl: (c) => c.lokiUrl,
    seeded: false,
  },
  {
    name: "tempo",
    profile: "observability",
    description: "Tempo: traces",
    ports: [p("TEMPO_PORT", 3200, 3200, "HTTP API")],
    humanUrl: (c) => c.tempoUrl,
    seeded: false,
  },
  {
    name: "grafana",
    profile: "observability",
    description: "Grafana: dashboards over metrics, logs, traces and PostgreSQL",
    ports: [p("GRAFANA_PORT", 3000, 3000, "web UI")],
    humanUrl: (c) => c.grafana.url,
    credentials: (c) => ({ user: c.grafana.user, password: c.grafana.password }),
    seeded: false,
  },
];

export const SEEDED_SERVICES = SERVICES.filter((s) => s.seeded).map((s) => s.name);

export function serviceByName(name: string): ServiceDefinition | undefined {
  return SERVICES.find((s) => s.name === name);
}

export function servicesInProfile(profile: Profile): ServiceName[] {
  return SERVICES.filter((s) => s.profile === profile).map((s) => s.name);
}
