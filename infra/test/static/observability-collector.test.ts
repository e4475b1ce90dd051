import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  bindAddressProblems,
  collectorEnvReferences,
  collectorListeners,
  collectorOutboundEndpoints,
  collectorPipelineProblems,
  composeImage,
  composeServiceEnvironment,
  endpointProblems,
  headerProblems,
  leadingComment,
  parseHostPort,
} from "../../src/observability-checks.ts";
import { loadCompose } from "../support/compose-files.ts";
import {
  loadYaml,
  observabilityFiles,
  readText,
  stackListeningPorts,
} from "../support/observability-files.ts";

type Config = Record<string, Record<string, unknown>>;

function loadCollector(): Config {
  return loadYaml(observabilityFiles.collector) as Config;
}

function pipeline(config: Config, name: string): Record<string, string[]> {
  const found = (config.service?.pipelines as Record<string, Record<string, string[]>> | undefined)?.[name];
  assert.ok(found, `the collector config has no ${name} pipeline`);
  return found;
}

describe("collector config (infra/config/otel-collector/config.yaml)", () => {
  it("every component a pipeline references is defined, and every defined one is used", () => {
    assert.deepEqual(collectorPipelineProblems(loadCollector()), []);
  });

  it("rejects a pipeline naming an undefined exporter", () => {
    const broken = loadCollector();
    pipeline(broken, "traces").exporters = ["otlp_grpc/tempo", "otlp_grpc/jaeger"];
    assert.deepEqual(collectorPipelineProblems(broken), [
      'service.pipelines.traces.exporters uses "otlp_grpc/jaeger", which exporters does not define',
    ]);
  });

  it("rejects a receiver, processor or extension that is defined but never used", () => {
    const broken = loadCollector();
    broken.receivers = { ...broken.receivers, "httpcheck/extra": { targets: [] } };
    broken.processors = { ...broken.processors, "batch/unused": {} };
    broken.extensions = { ...broken.extensions, zpages: {} };
    assert.deepEqual(collectorPipelineProblems(broken), [
      "receivers.httpcheck/extra is defined but no pipeline uses it",
      "processors.batch/unused is defined but no pipeline uses it",
      "extensions.zpages is defined but not listed in service.extensions",
    ]);
  });

  it("rejects memory_limiter anywhere but first", () => {
    const broken = loadCollector();
    pipeline(broken, "logs").processors = ["batch", "memory_limiter"];
    assert.deepEqual(collectorPipelineProblems(broken), [
      "service.pipelines.logs.processors: memory_limiter must come first",
    ]);
  });

  it("sends traces to Tempo, logs to Loki's OTLP endpoint and metrics to Prometheus's OTLP receiver", () => {
    const config = loadCollector();
    const exportersOf = (name: string) =>
      (pipeline(config, name).exporters ?? []).map(
        (id) =>
          collectorOutboundEndpoints(config).find((e) => e.where.startsWith(`exporters.${id}.`))?.address,
      );
    assert.deepEqual(exportersOf("traces"), ["tempo:4317"]);
    assert.deepEqual(exportersOf("logs"), ["http://loki:3100/otlp"]);
    assert.deepEqual(exportersOf("metrics"), ["http://prometheus:9090/api/v1/otlp/v1/metrics"]);
    // Current exporter names (collector >= 0.144); `otlp` / `otlphttp` are deprecated aliases.
    for (const id of Object.keys(config.exporters ?? {})) {
      assert.match(id, /^(otlp_grpc|otlp_http)(\/|$)/, `exporter ${id} uses a deprecated or unexpected type`);
    }
  });

  it("the postgresql and httpcheck receivers feed the metrics pipeline", () => {
    const receivers = pipeline(loadCollector(), "metrics").receivers ?? [];
    assert.ok(receivers.includes("postgresql"), "metrics pipeline lacks the postgresql receiver");
    assert.ok(receivers.includes("httpcheck"), "metrics pipeline lacks the httpcheck receiver");
  });

  it("listens on 0.0.0.0 for OTLP gRPC 4317, OTLP HTTP 4318, health 13133 and its metrics on 8888", () => {
    const listeners = collectorListeners(loadCollector());
    assert.deepEqual(bindAddressProblems(listeners), []);
    assert.deepEqual(listeners.map((listener) => listener.address).sort(), [
      "0.0.0.0:13133",
      "0.0.0.0:4317",
      "0.0.0.0:4318",
      "0.0.0.0:8888",
    ]);
  });

  it("rejects a listener on localhost (unreachable from other containers)", () => {
    const broken = loadCollector();
    broken.extensions = { health_check: { endpoint: "localhost:13133" } };
    assert.deepEqual(bindAddressProblems(collectorListeners(broken)), [
      'extensions.health_check.endpoint: listens on "localhost:13133"; inside a container it must bind 0.0.0.0:<port>',
    ]);
  });

  it("every exporter endpoint and receiver target names a Compose service and a port it listens on", () => {
    const endpoints = collectorOutboundEndpoints(loadCollector());
    assert.deepEqual(endpointProblems(endpoints, stackListeningPorts()), []);
    // Every service without a Prometheus endpoint is watched by the collector.
    const hosts = new Set(endpoints.map((endpoint) => parseHostPort(endpoint.address)?.host));
    for (const service of ["postgres", "nats", "opensearch", "opensearch-dashboards", "minio"]) {
      assert.ok(hosts.has(service), `the collector does not watch ${service}`);
    }
  });

  it("rejects an endpoint naming an unknown host or a port the service does not listen on", () => {
    const broken = loadCollector();
    broken.exporters = {
      ...broken.exporters,
      "otlp_grpc/tempo": { endpoint: "tempo:4316", tls: { insecure: true } },
      "otlp_http/loki": { endpoint: "http://lokii:3100/otlp" },
    };
    const problems = endpointProblems(collectorOutboundEndpoints(broken), stackListeningPorts());
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(
      problems[0] ?? "",
      /^exporters\.otlp_grpc\/tempo\.endpoint: .*uses port 4316, but tempo listens on .*4317/,
    );
    assert.match(
      problems[1] ?? "",
      /^exporters\.otlp_http\/loki\.endpoint: .*names host "lokii", which is not a Compose service/,
    );
  });

  it("every environment variable it reads (env:NAME) is passed to the otel-collector service by the Compose file", () => {
    const passed = composeServiceEnvironment(loadCompose(), "otel-collector");
    const referenced = collectorEnvReferences(readText(observabilityFiles.collector));
    assert.deepEqual(referenced.sort(), ["POSTGRES_DB", "POSTGRES_PASSWORD", "POSTGRES_USER"]);
    assert.deepEqual(
      referenced.filter((name) => !passed.has(name)),
      [],
    );
    assert.deepEqual(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector's own ${env:...} syntax
      collectorEnvReferences("password: ${env:PGPASSWORD}").filter((name) => !passed.has(name)),
      ["PGPASSWORD"],
    );
  });

  it("opens with a header naming the collector image the Compose file runs", () => {
    const header = leadingComment(readText(observabilityFiles.collector));
    assert.deepEqual(headerProblems(header, composeImage(loadCompose(), "otel-collector")), []);
    assert.deepEqual(headerProblems(header, "otel/opentelemetry-collector-contrib:0.999.0"), [
      "the header does not name the image the Compose file runs (otel/opentelemetry-collector-contrib:0.999.0)",
    ]);
    assert.deepEqual(headerProblems("", "x:1"), ["no header comment (purpose and targeted image version)"]);
  });
});
