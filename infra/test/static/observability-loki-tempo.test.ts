import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  composeImage,
  headerProblems,
  leadingComment,
  lokiProblems,
  tempoProblems,
} from "../../src/observability-checks.ts";
import { loadCompose } from "../support/compose-files.ts";
import { loadYaml, observabilityFiles, readText } from "../support/observability-files.ts";

type Config = Record<string, Record<string, unknown>>;

const loadLoki = () => loadYaml(observabilityFiles.loki) as Config;
const loadTempo = () => loadYaml(observabilityFiles.tempo) as Config;

describe("Loki config (infra/config/loki/loki.yaml)", () => {
  it("is ready for OTLP: schema v13 on tsdb, structured metadata allowed, auth off, data under /loki", () => {
    assert.deepEqual(lokiProblems(loadLoki()), []);
  });

  it("rejects an older schema, structured metadata off and a path outside the volume", () => {
    const broken = loadLoki();
    broken.schema_config = {
      configs: [{ from: "2024-01-01", store: "boltdb-shipper", object_store: "filesystem", schema: "v12" }],
    };
    broken.limits_config = { ...broken.limits_config, allow_structured_metadata: false };
    broken.compactor = { ...broken.compactor, working_directory: "/var/loki/compactor" };
    assert.deepEqual(lokiProblems(broken), [
      "schema_config.configs: the newest period uses schema v12 with store boltdb-shipper; OTLP (structured metadata) needs schema v13 with store tsdb",
      "limits_config.allow_structured_metadata: must be true, or Loki rejects OTLP logs",
      'compactor.working_directory: "/var/loki/compactor" is outside /loki, the loki-data volume',
    ]);
  });

  it("turns on the volume endpoint and the pattern ingester, and never reports usage", () => {
    const config = loadLoki();
    assert.equal(config.limits_config?.volume_enabled, true);
    assert.equal(config.pattern_ingester?.enabled, true);
    assert.equal(config.analytics?.reporting_enabled, false);
  });

  it("opens with a header naming the Loki image the Compose file runs", () => {
    const header = leadingComment(readText(observabilityFiles.loki));
    assert.deepEqual(headerProblems(header, composeImage(loadCompose(), "loki")), []);
  });
});

describe("Tempo config (infra/config/tempo/tempo.yaml)", () => {
  it("is a Tempo 3.x single binary: OTLP on 0.0.0.0, no 2.x blocks, span metrics to Prometheus", () => {
    assert.deepEqual(tempoProblems(loadTempo()), []);
  });

  it("rejects 2.x ingester blocks, localhost receivers, a missing remote write and a disabled processor", () => {
    const broken = loadTempo();
    broken.ingester = { max_block_duration: "5m" };
    broken.compactor = { compaction: { block_retention: "24h" } };
    broken.distributor = {
      receivers: { otlp: { protocols: { grpc: { endpoint: "localhost:4317" }, http: {} } } },
    };
    broken.metrics_generator = { storage: { path: "/var/tempo/generator/wal", remote_write: [] } };
    broken.overrides = { defaults: { metrics_generator: { processors: ["span-metrics"] } } };
    assert.deepEqual(tempoProblems(broken), [
      "ingester: a Tempo 2.x block; Tempo 3.0 removed it (and refuses the config)",
      "compactor: a Tempo 2.x block; Tempo 3.0 removed it (and refuses the config)",
      'distributor.receivers.otlp.protocols.grpc.endpoint: listens on "localhost:4317"; inside a container it must bind 0.0.0.0:<port>',
      'distributor.receivers.otlp.protocols.http.endpoint: listens on "(unset: localhost)"; inside a container it must bind 0.0.0.0:<port>',
      "metrics_generator.storage.remote_write: no url http://prometheus:9090/api/v1/write, so span metrics and service graphs never reach Prometheus",
      'overrides.defaults.metrics_generator.processors: "service-graphs" is not enabled',
    ]);
  });

  it("rejects storage outside the tempo-data volume", () => {
    const broken = loadTempo();
    broken.storage = {
      trace: { backend: "local", wal: { path: "/tmp/tempo/wal" }, local: { path: "/var/tempo/blocks" } },
    };
    assert.deepEqual(tempoProblems(broken), [
      'storage.trace.wal.path: "/tmp/tempo/wal" is outside /var/tempo, the tempo-data volume',
    ]);
  });

  it("opens with a header naming the Tempo image the Compose file runs", () => {
    const header = leadingComment(readText(observabilityFiles.tempo));
    assert.deepEqual(headerProblems(header, composeImage(loadCompose(), "tempo")), []);
  });
});
