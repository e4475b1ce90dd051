import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  collectorSelfMetricsNamingProblems,
  dashboardExpressions,
  metricNamesWithPrefix,
  type OtlpMetricKind,
  prometheusNameForOtlpMetric,
} from "../../src/observability-checks.ts";
import { loadDashboard, loadYaml, observabilityFiles } from "../support/observability-files.ts";

/**
 * What the collector's receivers emit (name, unit, instrument), from each receiver's generated
 * documentation.md in opentelemetry-collector-contrib. The dashboard may only query their
 * Prometheus translations.
 */
const RECEIVER_METRICS: [string, string, OtlpMetricKind][] = [
  ["httpcheck.status", "1", "updowncounter"],
  ["httpcheck.duration", "ms", "gauge"],
  ["httpcheck.error", "{error}", "updowncounter"],
  ["postgresql.backends", "1", "updowncounter"],
  ["postgresql.db_size", "By", "updowncounter"],
  ["postgresql.connection.max", "{connections}", "gauge"],
  ["postgresql.commits", "1", "counter"],
];
const RECEIVER_PREFIXES = ["httpcheck_", "postgresql_"] as const;

describe("OTLP metric names as Prometheus 3 stores them", () => {
  it("follows Prometheus's default translation (UnderscoreEscapingWithSuffixes)", () => {
    const cases: [string, string, OtlpMetricKind, string][] = [
      ["wallpaperdb.verify.probe", "", "counter", "wallpaperdb_verify_probe_total"],
      ["wallpaperdb.verify.probe", "", "gauge", "wallpaperdb_verify_probe"],
      ["wallpaperdb.verify.probe", "1", "gauge", "wallpaperdb_verify_probe_ratio"],
      ["wallpaperdb.verify.probe", "1", "updowncounter", "wallpaperdb_verify_probe"],
      ["wallpaperdb.verify.probe", "ms", "histogram", "wallpaperdb_verify_probe_milliseconds"],
      ["requests.count", "1", "counter", "requests_count_total"],
      ["memory.usage", "By", "gauge", "memory_usage_bytes"],
      ["http.server.duration", "s", "histogram", "http_server_duration_seconds"],
      ["network.io", "By/s", "gauge", "network_io_bytes_per_second"],
      ["http.server.requests", "{request}", "counter", "http_server_requests_total"],
      ["jobs.total", "", "counter", "jobs_total"],
    ];
    for (const [name, unit, kind, expected] of cases) {
      assert.equal(
        prometheusNameForOtlpMetric(name, unit, kind),
        expected,
        `${name} (${unit || "no unit"}, ${kind})`,
      );
    }
  });

  it("the dashboard queries only names the collector's receivers really produce", () => {
    const known = new Set(
      RECEIVER_METRICS.map(([name, unit, kind]) => prometheusNameForOtlpMetric(name, unit, kind)),
    );
    const used = dashboardExpressions(loadDashboard()).flatMap(({ expr }) =>
      metricNamesWithPrefix(expr, RECEIVER_PREFIXES),
    );
    assert.ok(
      used.length >= 5,
      `expected the dashboard to use the receivers' metrics, found ${used.join(", ")}`,
    );
    assert.deepEqual(
      used.filter((name) => !known.has(name)),
      [],
    );
  });

  it("rejects a dashboard query on an untranslated or mistranslated name", () => {
    const known = new Set(
      RECEIVER_METRICS.map(([name, unit, kind]) => prometheusNameForOtlpMetric(name, unit, kind)),
    );
    const exprs = ['max(httpcheck_status_ratio{http_url=~"http://nats:8222/.*"})', "sum(postgresql_db_size)"];
    const unknown = exprs
      .flatMap((expr) => metricNamesWithPrefix(expr, RECEIVER_PREFIXES))
      .filter((name) => !known.has(name));
    assert.deepEqual(unknown, ["httpcheck_status_ratio", "postgresql_db_size"]);
  });

  it("the collector pins its own metric names, so the dashboard's otelcol_*_total queries match", () => {
    const collector = loadYaml(observabilityFiles.collector);
    assert.deepEqual(collectorSelfMetricsNamingProblems(collector), []);
    const selfMetrics = dashboardExpressions(loadDashboard()).flatMap(({ expr }) =>
      metricNamesWithPrefix(expr, ["otelcol_"]),
    );
    assert.ok(selfMetrics.length > 0);
    // Every collector metric the dashboard uses is a counter: with the pinned flags they end in _total.
    assert.deepEqual(
      selfMetrics.filter((name) => !name.endsWith("_total")),
      [],
    );
  });

  it("rejects a collector metrics reader that leaves the naming to changing defaults", () => {
    const collector = loadYaml(observabilityFiles.collector);
    const telemetry = (collector.service as { telemetry: { metrics: { readers: unknown[] } } }).telemetry;
    telemetry.metrics.readers = [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }];
    assert.deepEqual(collectorSelfMetricsNamingProblems(collector), [
      "service.telemetry.metrics.readers[0].pull.exporter.prometheus: set without_type_suffix: false (counters end in _total)",
      "service.telemetry.metrics.readers[0].pull.exporter.prometheus: set without_units: true (no unit in metric names)",
    ]);
    telemetry.metrics.readers = [];
    assert.deepEqual(collectorSelfMetricsNamingProblems(collector), [
      "service.telemetry.metrics.readers: no Prometheus pull reader for Prometheus to scrape",
    ]);
  });
});
