/** OpenTelemetry Collector: OTLP in, Tempo/Loki/Prometheus out. Keeps no data of its own. */
import { URL_HTTP } from "../../config/schema.ts";
import { httpGetCheck } from "../http-probes.ts";
import type { ConfigSlice, ServiceModule } from "../module.ts";
import { httpCheck, joinUrl } from "../probe.ts";

declare module "../../config/env.ts" {
  interface Config {
    /** OTLP/HTTP base URL of the collector (OTEL_EXPORTER_OTLP_ENDPOINT). */
    otlpHttpEndpoint: string;
    /** Optional URL of the collector's health_check extension (reachable inside the Compose network only). */
    collectorHealthUrl: string | undefined;
  }
}

const config: ConfigSlice<{ otlpHttpEndpoint: string; collectorHealthUrl: string | undefined }> = {
  variables: { OTEL_EXPORTER_OTLP_ENDPOINT: URL_HTTP, OTEL_COLLECTOR_HEALTH_URL: URL_HTTP },
  build: ({ value, local }) => ({
    otlpHttpEndpoint: (
      value<string | undefined>("OTEL_EXPORTER_OTLP_ENDPOINT") ?? local("http", "OTEL_HTTP_PORT")
    ).replace(/\/+$/, ""),
    collectorHealthUrl: value<string | undefined>("OTEL_COLLECTOR_HEALTH_URL"),
  }),
  secrets: () => [],
};

export const otelCollector: ServiceModule = {
  name: "otel-collector",
  profile: "observability",
  description: "OpenTelemetry Collector: OTLP in, Tempo/Loki/Prometheus out",
  ports: [
    { variable: "OTEL_GRPC_PORT", defaultHostPort: 4317, containerPort: 4317, purpose: "OTLP gRPC" },
    { variable: "OTEL_HTTP_PORT", defaultHostPort: 4318, containerPort: 4318, purpose: "OTLP HTTP" },
  ],
  humanUrl: (c) => c.otlpHttpEndpoint,
  config,
  /**
   * The collector image has no shell and 13133 is not published, so from the host we send an empty
   * OTLP/HTTP export: a 2xx proves the receiver and its pipeline are up. Inside the network,
   * OTEL_COLLECTOR_HEALTH_URL (the health_check extension) can be used instead.
   */
  probe: {
    service: "otel-collector",
    checks: "POST empty OTLP export to /v1/traces",
    check: (c) =>
      c.collectorHealthUrl
        ? httpGetCheck(c.collectorHealthUrl)
        : httpCheck({
            url: joinUrl(c.otlpHttpEndpoint, "/v1/traces"),
            method: "POST",
            body: JSON.stringify({ resourceSpans: [] }),
            headers: { "content-type": "application/json" },
          }),
  },
};
