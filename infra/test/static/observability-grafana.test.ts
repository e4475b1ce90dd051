import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  composeImage,
  composeServiceEnvironment,
  dashboardDatasourceReferences,
  datasourceCrossLinks,
  endpointProblems,
  grafanaInterpolationProblems,
  headerProblems,
  leadingComment,
  provisionedDatasources,
  UP_DOWN_PANEL_TITLE,
  unknownUidProblems,
  upDownPanelProblems,
} from "../../src/observability-checks.ts";
import { loadCompose } from "../support/compose-files.ts";
import {
  defaultStackServices,
  loadDashboard,
  loadYaml,
  observabilityFiles,
  readText,
  stackListeningPorts,
} from "../support/observability-files.ts";

const CONTRACT_UIDS = ["loki", "postgres", "prometheus", "tempo"];

function provisionedUids(): string[] {
  return provisionedDatasources(loadYaml(observabilityFiles.grafanaDatasources)).map((ds) => ds.uid);
}

type Panel = { title?: string; datasource?: unknown; targets?: Record<string, unknown>[]; panels?: Panel[] };

function panels(dashboard: Record<string, unknown>): Panel[] {
  return dashboard.panels as Panel[];
}

describe("Grafana provisioning (infra/config/grafana/)", () => {
  it("provisions exactly the contract's datasource uids, Prometheus as the default", () => {
    const file = loadYaml(observabilityFiles.grafanaDatasources);
    assert.deepEqual(provisionedUids().sort(), CONTRACT_UIDS);
    const defaults = (file.datasources as { uid: string; isDefault?: boolean }[]).filter(
      (ds) => ds.isDefault,
    );
    assert.deepEqual(
      defaults.map((ds) => ds.uid),
      ["prometheus"],
    );
  });

  it("datasources point at real Compose services and ports", () => {
    const datasources = provisionedDatasources(loadYaml(observabilityFiles.grafanaDatasources));
    const endpoints = datasources.map((ds) => ({ where: `datasource "${ds.name}" url`, address: ds.url }));
    assert.deepEqual(endpointProblems(endpoints, stackListeningPorts()), []);
  });

  it("every datasource a jsonData cross-link names (trace->logs, trace->metrics, exemplars, ...) is provisioned", () => {
    const links = datasourceCrossLinks(loadYaml(observabilityFiles.grafanaDatasources));
    assert.deepEqual(unknownUidProblems(links, provisionedUids()), []);
    // Tempo links to logs, metrics and the service map; Loki and Prometheus link to Tempo.
    const linked = new Set(links.map((link) => `${link.where.split(" jsonData")[0]} -> ${link.uid}`));
    for (const expected of [
      'datasource "Tempo" -> loki',
      'datasource "Tempo" -> prometheus',
      'datasource "Loki" -> tempo',
      'datasource "Prometheus" -> tempo',
    ]) {
      assert.ok(linked.has(expected), `missing link ${expected}`);
    }
  });

  it("rejects a cross-link to a uid that is not provisioned", () => {
    const file = loadYaml(observabilityFiles.grafanaDatasources);
    const tempo = (
      file.datasources as { uid: string; jsonData: Record<string, Record<string, unknown>> }[]
    ).find((ds) => ds.uid === "tempo");
    assert.ok(tempo?.jsonData.tracesToLogsV2);
    tempo.jsonData.tracesToLogsV2.datasourceUid = "loki-old";
    assert.deepEqual(unknownUidProblems(datasourceCrossLinks(file), provisionedUids()), [
      'datasource "Tempo" jsonData.tracesToLogsV2.datasourceUid: datasource uid loki-old is not provisioned ' +
        "(provisioned: loki, postgres, prometheus, tempo)",
    ]);
  });

  it("every $ in datasources.yaml is escaped or names a variable the grafana service receives", () => {
    const environment = composeServiceEnvironment(loadCompose(), "grafana");
    const text = readText(observabilityFiles.grafanaDatasources);
    assert.deepEqual(grafanaInterpolationProblems(text, environment), []);
    // The file does use both forms, so the rule is exercised on the real file.
    assert.match(text, /\$\$\{__value\.raw\}/);
    // Trace -> logs filters on the trace_id field (OTLP logs do not carry it in the line text).
    assert.match(text, /\| trace_id="\$\$\{__span\.traceId\}"/);
    assert.match(text, /\$\{POSTGRES_PASSWORD\}/);
  });

  it("rejects an unescaped Grafana variable and an env variable Grafana does not get", () => {
    const environment = composeServiceEnvironment(loadCompose(), "grafana");
    const broken = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own ${...} syntax, unescaped on purpose
      '          url: "${__value.raw}"',
      "    user: $PGUSER",
      "    ok: $${x} and $$__tags",
    ].join("\n");
    assert.deepEqual(
      grafanaInterpolationProblems(broken, environment).map((problem) => problem.split(":")[0]),
      ["line 1", "line 2"],
    );
  });

  it("the dashboard provider reads the directory the Compose file mounts the dashboards at", () => {
    const provider = loadYaml(observabilityFiles.grafanaDashboardProvider) as {
      providers: { type: string; options: { path: string } }[];
    };
    assert.deepEqual(
      provider.providers.map((p) => [p.type, p.options.path]),
      [["file", "/var/lib/grafana/dashboards"]],
    );
  });

  it("the dashboard parses, is titled 'WallpaperDB local infra' and keeps a stable uid", () => {
    const dashboard = loadDashboard();
    assert.equal(dashboard.title, "WallpaperDB local infra");
    assert.equal(dashboard.uid, "wallpaperdb-local-infra");
    // JSON has no comments: the description carries the purpose and the targeted Grafana image.
    assert.deepEqual(
      headerProblems(String(dashboard.description ?? ""), composeImage(loadCompose(), "grafana")),
      [],
    );
  });

  it("every datasource uid the dashboard uses (panels and targets) is provisioned", () => {
    const references = dashboardDatasourceReferences(loadDashboard());
    const panelCount = panels(loadDashboard()).filter((panel) => panel.targets).length;
    assert.ok(references.length > panelCount, "expected datasource references on panels and targets");
    assert.deepEqual(unknownUidProblems(references, provisionedUids()), []);
  });

  it("rejects a dashboard target on an unknown uid and a legacy datasource name", () => {
    const dashboard = loadDashboard();
    const [first, second] = panels(dashboard).filter((panel) => panel.targets);
    assert.ok(first?.targets?.[0] && second);
    first.targets[0].datasource = { type: "prometheus", uid: "PBFA97CFB590B2093" };
    second.datasource = "Prometheus";
    const problems = unknownUidProblems(dashboardDatasourceReferences(dashboard), provisionedUids());
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems[0] ?? "", /datasource uid PBFA97CFB590B2093 is not provisioned/);
    assert.match(problems[1] ?? "", /name "Prometheus", not a uid reference/);
  });

  // The opt-in cache has no HTTP endpoint for the collector's httpcheck: not on this panel (yet).
  it(`"${UP_DOWN_PANEL_TITLE}" has a query for every Compose service of the default stack`, () => {
    const services = defaultStackServices();
    assert.equal(
      services.length,
      10,
      `expected the ten services of the default stack, got ${services.join(", ")}`,
    );
    assert.deepEqual(upDownPanelProblems(loadDashboard(), services), []);
  });

  it("rejects an up/down panel that misses a service or queries the wrong one", () => {
    const dashboard = loadDashboard();
    const panel = panels(dashboard).find((candidate) => candidate.title === UP_DOWN_PANEL_TITLE);
    assert.ok(panel?.targets);
    panel.targets = panel.targets.filter((target) => target.legendFormat !== "nats");
    const tempo = panel.targets.find((target) => target.legendFormat === "tempo");
    assert.ok(tempo);
    tempo.expr = 'max(up{job="loki"}) or vector(0)';
    assert.deepEqual(upDownPanelProblems(dashboard, defaultStackServices()), [
      `"${UP_DOWN_PANEL_TITLE}": no query with legend "nats"`,
      `"${UP_DOWN_PANEL_TITLE}": the "tempo" query does not mention tempo: max(up{job="loki"}) or vector(0)`,
    ]);
  });

  it("the datasources file opens with a header naming the Grafana image the Compose file runs", () => {
    const image = composeImage(loadCompose(), "grafana");
    for (const file of [observabilityFiles.grafanaDatasources, observabilityFiles.grafanaDashboardProvider]) {
      assert.deepEqual(headerProblems(leadingComment(readText(file)), image), [], file);
    }
  });
});
