import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { notRunningError, planWait, servedByStack, stoppedTwice } from "../../src/commands/wait.ts";
import { parseConfig } from "../../src/config/env.ts";
import { SERVICE_NAMES, SERVICES, serviceByName, servicesInProfile } from "../../src/config/services.ts";
import type { ComposeContainer } from "../../src/docker/containers.ts";

const container = (service: string, state: string, exitCode = 0): ComposeContainer => ({
  service,
  name: `wallpaperdb-${service}-1`,
  state,
  health: state === "running" ? "healthy" : "",
  exitCode,
  status: state,
  image: "",
  publishers: [],
});
const definition = (name: string) => {
  const found = serviceByName(name);
  assert.ok(found, name);
  return found;
};
const CORE = servicesInProfile("core");
const OBSERVABILITY = servicesInProfile("observability");
const everyService = new Set<string>(SERVICE_NAMES);

describe("which services wait asks the engine about", () => {
  test("the stack's own endpoints: published ports on this machine, or the Compose host names inside the dev container", () => {
    const defaults = parseConfig({});
    assert.ok(SERVICES.every((s) => servedByStack(s, defaults)));
    const devContainer = parseConfig({
      DATABASE_URL: "postgres://wallpaperdb:pw@postgres:5432/wallpaperdb",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318",
    });
    assert.ok(servedByStack(definition("postgres"), devContainer));
    assert.ok(servedByStack(definition("otel-collector"), devContainer));
  });

  test("an endpoint elsewhere (another host, or another port) is waited for without asking about a container", () => {
    const elsewhere = parseConfig({
      DATABASE_URL: "postgres://u:pw@127.0.0.1:45123/db",
      NATS_URL: "nats://db.example.com:4222",
    });
    assert.equal(servedByStack(definition("postgres"), elsewhere), false);
    assert.equal(servedByStack(definition("nats"), elsewhere), false);
  });
});

describe("what wait waits for", () => {
  test("by default only the profiles the engine runs; a profile stopped by an earlier make stop is left out", () => {
    const containers = [
      ...CORE.map((s) => container(s, "running")),
      ...OBSERVABILITY.map((s) => container(s, "exited")),
    ];
    assert.deepEqual(planWait(SERVICE_NAMES, false, everyService, containers), {
      services: CORE,
      notStarted: ["observability"],
      notRunning: [],
    });
  });

  test("the opt-in cache: left out when nothing runs here, waited for once it is started", () => {
    const nothing = planWait(SERVICE_NAMES, false, everyService, []);
    assert.deepEqual(nothing.services, [...CORE, ...OBSERVABILITY]);
    const withCache = [...CORE, "cache"].map((s) => container(s, "running"));
    assert.deepEqual(planWait(SERVICE_NAMES, false, everyService, withCache), {
      services: [...CORE, "cache"],
      notStarted: ["observability"],
      notRunning: [],
    });
  });

  test("a selected service whose container does not run fails at once: exited, created, paused or absent", () => {
    const containers = [
      container("postgres", "exited", 137),
      container("minio", "created"),
      container("opensearch", "paused"),
      container("nats", "restarting"),
    ];
    const plan = planWait(CORE, true, everyService, containers);
    assert.deepEqual(plan.notRunning, [
      { service: "postgres", state: "exited", exitCode: 137 },
      { service: "minio", state: "created", exitCode: 0 },
      { service: "opensearch", state: "paused", exitCode: 0 },
      { service: "opensearch-dashboards", state: "", exitCode: 0 },
    ]);
    const error = notRunningError("wallpaperdb", plan.notRunning, true);
    assert.equal(
      error.message,
      "not running, so never ready: postgres (exited, code 137); minio (created); opensearch (paused); opensearch-dashboards (no container)",
    );
    assert.equal(
      error.fix,
      "make start PROFILE=core (why it stopped: make logs SERVICE=postgres); then docker compose -p wallpaperdb unpause opensearch",
    );
  });

  test("an explicit profile that is not started is waited for as asked, so it fails at once", () => {
    const containers = CORE.map((s) => container(s, "running"));
    const plan = planWait(OBSERVABILITY, true, everyService, containers);
    assert.deepEqual(plan.services, OBSERVABILITY);
    assert.equal(plan.notRunning.length, OBSERVABILITY.length);
    assert.match(
      notRunningError("wallpaperdb", plan.notRunning, true).fix,
      /^make start PROFILE=observability$/,
    );
  });

  test("a service served elsewhere is never blocked by the absence of a container", () => {
    const plan = planWait(["postgres", "nats"], true, new Set(["nats"]), [container("nats", "running")]);
    assert.deepEqual(plan, { services: ["postgres", "nats"], notStarted: [], notRunning: [] });
  });
});

describe("a container that stops during a wait", () => {
  const exited = (service: string) => ({ service, state: "exited", exitCode: 1 });
  test("ends the wait only when two checks in a row see it stopped (Compose may be recreating it)", () => {
    assert.deepEqual(stoppedTwice([], [exited("postgres")]), []);
    assert.deepEqual(stoppedTwice([exited("postgres")], []), []);
    assert.deepEqual(stoppedTwice([exited("postgres"), exited("nats")], [exited("nats")]), [exited("nats")]);
  });
});
