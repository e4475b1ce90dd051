import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Ajv } from "ajv";
import {
  buildStatusReport,
  conditionOf,
  expectedProfiles,
  notUpMessage,
  renderNotStarted,
  renderStatusTable,
  startedProfiles,
} from "../../src/commands/status.ts";
import { parseConfig } from "../../src/config/env.ts";
import type { ComposeContainer } from "../../src/docker/containers.ts";

const schema = JSON.parse(
  readFileSync(new URL("../../src/commands/status.schema.json", import.meta.url), "utf8"),
);
const validate = new Ajv({ allErrors: true }).compile(schema);

const container = (service: string, state = "running", health = "healthy"): ComposeContainer => ({
  service,
  name: `wallpaperdb-${service}-1`,
  state,
  health,
  exitCode: state === "exited" ? 137 : 0,
  status: state === "running" ? `Up 1 minute${health ? ` (${health})` : ""}` : "Exited (137) 5 seconds ago",
  image: "",
  publishers: [],
});

const config = parseConfig({ POSTGRES_PASSWORD: "s3cret-pw", GRAFANA_ADMIN_PASSWORD: "graf-pw-42" });
const CORE = ["postgres", "minio", "opensearch", "opensearch-dashboards", "nats"];
const OBSERVABILITY = ["otel-collector", "prometheus", "loki", "tempo", "grafana"];

describe("status", () => {
  it("counts running without a healthcheck as up, and unhealthy, exited or absent as down", () => {
    assert.equal(conditionOf(container("otel-collector", "running", "")), "up");
    assert.equal(conditionOf(container("postgres", "running", "starting")), "starting");
    assert.equal(conditionOf(container("postgres", "running", "unhealthy")), "unhealthy");
    assert.equal(conditionOf(container("postgres", "exited", "")), "stopped");
    assert.equal(conditionOf(container("postgres", "restarting", "")), "unhealthy");
    assert.equal(conditionOf(undefined), "missing");
  });

  it("reports the profiles that were started, not a stack started with PROFILE=core as broken", () => {
    assert.deepEqual(
      expectedProfiles(
        [],
        CORE.map((s) => container(s)),
      ),
      ["core"],
    );
    assert.deepEqual(expectedProfiles([], []), ["core", "observability"]);
    assert.deepEqual(
      expectedProfiles(
        ["observability"],
        CORE.map((s) => container(s)),
      ),
      ["observability"],
    );
  });

  it("a profile whose containers were all stopped by an earlier make stop is not started, not a failure", () => {
    const containers = [
      ...CORE.map((s) => container(s)),
      ...OBSERVABILITY.map((s) => container(s, "exited", "")),
    ];
    assert.deepEqual(startedProfiles(containers), ["core"]);
    const report = buildStatusReport(config, containers, []);
    assert.deepEqual([report.ok, report.profiles, report.notStarted], [true, ["core"], ["observability"]]);
    assert.equal(report.services.length, CORE.length);
    assert.equal(
      renderNotStarted(report),
      "- observability not started (otel-collector, prometheus, loki, tempo, grafana): add it with make start PROFILE=observability",
    );
    assert.ok(validate(report), JSON.stringify(validate.errors));
  });

  it("a profile partly running is a failure, and the fix restarts that profile only", () => {
    const containers = [
      ...CORE.map((s) => (s === "nats" ? container(s, "exited", "") : container(s))),
      ...OBSERVABILITY.map((s) => container(s, "exited", "")),
    ];
    const report = buildStatusReport(config, containers, []);
    assert.deepEqual([report.ok, report.notStarted], [false, ["observability"]]);
    assert.deepEqual(notUpMessage(report, true), {
      what: "not up: nats (stopped)",
      fix: "make start PROFILE=core (then make status); why: make logs SERVICE=nats",
    });
  });

  it("with no container running the project is not running; a paused one still counts as started", () => {
    const stopped = [...CORE, ...OBSERVABILITY].map((s) => container(s, "exited", ""));
    const report = buildStatusReport(config, stopped, []);
    assert.deepEqual([report.ok, report.profiles, report.notStarted], [false, ["core", "observability"], []]);
    assert.deepEqual(notUpMessage(report, startedProfiles(stopped).length > 0), {
      what: "project wallpaperdb is not running",
      fix: "make start",
    });
    assert.deepEqual(startedProfiles([container("grafana", "paused", "")]), ["observability"]);
  });

  it("is ok when every service is up and masks every password", () => {
    const report = buildStatusReport(
      config,
      CORE.map((s) => container(s)),
      [],
    );
    assert.equal(report.ok, true);
    const text = `${JSON.stringify(report)}\n${renderStatusTable(report)}`;
    assert.ok(!text.includes("s3cret-pw"), "the Postgres password leaked");
    const postgres = report.services.find((s) => s.service === "postgres");
    assert.equal(postgres?.url, "postgres://wallpaperdb:****@localhost:5432/wallpaperdb");
    assert.equal(postgres?.password, "****");
    assert.ok(validate(report), JSON.stringify(validate.errors));
  });

  it("is not ok when one service is down, and says which", () => {
    const containers = CORE.map((s) =>
      s === "opensearch" ? container(s, "running", "unhealthy") : container(s),
    );
    const report = buildStatusReport(config, containers, []);
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.services.filter((s) => !s.ok).map((s) => [s.service, s.condition]),
      [["opensearch", "unhealthy"]],
    );
    assert.match(renderStatusTable(report), /✗ opensearch/);
    assert.ok(validate(report), JSON.stringify(validate.errors));
  });

  it("the schema takes a service added later without an edit (names are Compose's syntax, not a list)", () => {
    const report = buildStatusReport(config, [], []);
    const added = structuredClone(report);
    Object.assign(added.services[0] as object, { service: "search-cache", profile: "search" });
    added.profiles = [...added.profiles, "search"];
    assert.ok(validate(added), JSON.stringify(validate.errors));
    Object.assign(added.services[0] as object, { service: "Not A Service" });
    assert.equal(validate(added), false);
  });

  it("the schema rejects a report that leaks a password or lacks a field", () => {
    const report = buildStatusReport(config, [], []);
    assert.ok(validate(report), JSON.stringify(validate.errors));
    const leaky = structuredClone(report);
    (leaky.services[0] as { url: string }).url =
      "postgres://wallpaperdb:s3cret-pw@localhost:5432/wallpaperdb";
    assert.equal(validate(leaky), false);
    const partial = structuredClone(report) as Partial<typeof report>;
    delete partial.ok;
    assert.equal(validate(partial), false);
  });
});
