import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { stringify } from "yaml";
import {
  composeImage,
  headerProblems,
  leadingComment,
  PROMETHEUS_3_ONLY_KEYS,
  prometheusOtlpProblems,
  prometheusScrapeProblems,
  prometheusScrapeTargets,
  withoutPrometheus3OnlyKeys,
} from "../../src/observability-checks.ts";
import { loadCompose, requireTool } from "../support/compose-files.ts";
import {
  loadYaml,
  observabilityFiles,
  readText,
  stackListeningPorts,
} from "../support/observability-files.ts";

const REQUIRED_JOBS = ["prometheus", "otel-collector", "minio", "grafana", "loki", "tempo"] as const;

/** Runs `promtool check config` on `config` written to a temporary file. */
function promtoolCheck(config: Record<string, unknown>): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "wpdb-promtool-"));
  try {
    const file = join(dir, "prometheus.yml");
    writeFileSync(file, stringify(config));
    const result = spawnSync("promtool", ["check", "config", file], { encoding: "utf8" });
    return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function requirePromtool(t: TestContext): boolean {
  return requireTool(
    t,
    "promtool",
    "install Debian trixie's `promtool` package (2.53), as .ci/install-system-deps.sh does",
  );
}

describe("Prometheus config (infra/config/prometheus/prometheus.yml)", () => {
  it("promtool check config passes on the file minus its Prometheus-3-only `otlp` block", (t) => {
    if (!requirePromtool(t)) return;
    const config = loadYaml(observabilityFiles.prometheus);
    // promtool 2.53 rejects Prometheus 3.x keys it does not know ("field otlp not found"): it checks
    // everything else, and the next test checks the `otlp` block against Prometheus 3.14's rules.
    assert.deepEqual(
      Object.keys(config).filter((key) => (PROMETHEUS_3_ONLY_KEYS as readonly string[]).includes(key)),
      ["otlp"],
    );
    const result = promtoolCheck(withoutPrometheus3OnlyKeys(config));
    assert.ok(result.ok, result.output);
  });

  it("promtool rejects a broken copy (so the check above can fail)", (t) => {
    if (!requirePromtool(t)) return;
    const broken = withoutPrometheus3OnlyKeys(loadYaml(observabilityFiles.prometheus));
    broken.global = { scrape_interval: "15s", scrape_timeout: "30s" };
    const result = promtoolCheck(broken);
    assert.equal(result.ok, false);
    assert.match(result.output, /scrape timeout greater than scrape interval/);
  });

  it("the otlp block follows Prometheus 3.14's rules and promotes service.name", () => {
    const config = loadYaml(observabilityFiles.prometheus);
    assert.deepEqual(prometheusOtlpProblems(config), []);
    const promoted = (config.otlp as { promote_resource_attributes: string[] }).promote_resource_attributes;
    assert.ok(promoted.includes("service.name"));
  });

  it("rejects an otlp block Prometheus 3.14 would refuse", () => {
    const config = loadYaml(observabilityFiles.prometheus);
    config.otlp = {
      promote_all_resource_attributes: true,
      promote_resource_attributes: ["service.name", "service.name"],
      promote_resource_attribute: ["typo"],
    };
    assert.deepEqual(prometheusOtlpProblems(config), [
      "otlp.promote_resource_attribute: unknown key in Prometheus 3.14",
      'otlp.promote_resource_attributes: "service.name" listed twice',
      "otlp: promote_all_resource_attributes and promote_resource_attributes exclude each other",
    ]);
  });

  it("keeps an out-of-order window for late OTLP samples", () => {
    const storage = loadYaml(observabilityFiles.prometheus).storage as {
      tsdb?: { out_of_order_time_window?: string };
    };
    assert.match(storage.tsdb?.out_of_order_time_window ?? "", /^\d+[smh]$/);
  });

  it("scrapes itself, the collector, MinIO, Grafana, Loki and Tempo at real services and ports", () => {
    const config = loadYaml(observabilityFiles.prometheus);
    assert.deepEqual(prometheusScrapeProblems(config, stackListeningPorts(), REQUIRED_JOBS), []);
    const minio = prometheusScrapeTargets(config).find((target) => target.job === "minio");
    assert.equal(minio?.metricsPath, "/minio/v2/metrics/cluster");
  });

  it("rejects a missing job and a target on a wrong host or port", () => {
    const config = loadYaml(observabilityFiles.prometheus);
    config.scrape_configs = [
      { job_name: "prometheus", static_configs: [{ targets: ["prometheus:9090"] }] },
      { job_name: "otel-collector", static_configs: [{ targets: ["otel-collector:8889"] }] },
      { job_name: "minio", static_configs: [{ targets: ["minio-server:9000"] }] },
      { job_name: "grafana", static_configs: [{ targets: ["grafana:3000"] }] },
      { job_name: "loki", static_configs: [{ targets: ["loki:3100"] }] },
    ];
    const problems = prometheusScrapeProblems(config, stackListeningPorts(), REQUIRED_JOBS);
    assert.equal(problems.length, 3, problems.join("\n"));
    assert.equal(problems[0], 'scrape_configs: no job "tempo" with a static target');
    assert.match(
      problems[1] ?? "",
      /^scrape_configs job "otel-collector": .*port 8889, but otel-collector listens on/,
    );
    assert.match(
      problems[2] ?? "",
      /^scrape_configs job "minio": .*host "minio-server", which is not a Compose service/,
    );
  });

  it("opens with a header naming the Prometheus image the Compose file runs", () => {
    const header = leadingComment(readText(observabilityFiles.prometheus));
    assert.deepEqual(headerProblems(header, composeImage(loadCompose(), "prometheus")), []);
  });
});
