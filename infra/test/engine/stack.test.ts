/**
 * Engine tier: one checkout's stack through the states a user meets, every make target as typed, against
 * the real Docker engine with the locally built images (real PostgreSQL, nats-server, Prometheus and, for the
 * opt-in cache, redis-server; named
 * stand-ins for the rest). Steps run in order: each starts from the state the previous one left.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { markerStores } from "../../e2e/lib/markers.ts";
import { hostPortOf, type RunResult } from "../support/fake-docker/fake-docker.ts";
import { type Checkout, makeCheckout } from "./support/checkout.ts";
import { containers, docker, engineTier, ensureImages, volumes } from "./support/engine.ts";

const CORE = ["minio", "nats", "opensearch", "opensearch-dashboards", "postgres"];
const OBSERVABILITY = ["grafana", "loki", "otel-collector", "prometheus", "tempo"];
const ALL = [...CORE, ...OBSERVABILITY].sort();

interface StatusJson {
  ok: boolean;
  services: {
    service: string;
    condition: string;
    state: string;
    health: string;
    url: string;
    ports: { hostPort: number }[];
  }[];
}

/** A Docker socket that accepts connections and never answers: what a hung (SIGSTOPped) dockerd looks like. */
async function hungEngine(): Promise<{ host: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "wpdb-hung-engine-"));
  const held: Socket[] = [];
  const server: Server = createServer((socket) => held.push(socket));
  const path = join(dir, "docker.sock");
  await new Promise<void>((done) => server.listen(path, done));
  return {
    host: `unix://${path}`,
    close: async () => {
      for (const socket of held) socket.destroy();
      await new Promise((done) => server.close(done));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ENGINE_MESSAGE = /Docker engine/;
const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

const ok = (result: RunResult) => assert.equal(result.code, 0, result.output);
const failed = (result: RunResult) =>
  assert.notEqual(result.code, 0, `expected a failure:\n${result.output}`);

describe("engine tier: one stack through its states", engineTier(), () => {
  let co: Checkout;
  let vars: Record<string, string>;
  const marker = `engine-${process.pid}-${Date.now()}`;

  /** status --json without turbo's lines, so it parses. */
  const statusJson = async (): Promise<{ code: number; report: StatusJson; output: string }> => {
    const result = await co.make(["status", "JSON=1"]);
    const json = result.stdout.slice(result.stdout.indexOf("{"), result.stdout.lastIndexOf("}") + 1);
    return { code: result.code, report: JSON.parse(json) as StatusJson, output: result.output };
  };
  /** Each status row says what the engine says (state, health, published port). */
  const assertStatusMatchesEngine = async () => {
    const { report, output } = await statusJson();
    const engine = containers(co.project);
    for (const row of report.services) {
      const container = engine.find((c) => c.service === row.service);
      if (!container) {
        assert.equal(
          row.state,
          "",
          `${row.service}: status shows a container the engine does not have\n${output}`,
        );
        continue;
      }
      assert.equal(row.state, container.state, `${row.service}: state\n${output}`);
      if (container.state === "running")
        for (const port of row.ports)
          assert.ok(
            container.ports.includes(`127.0.0.1:${port.hostPort}->`),
            `${row.service}: status port ${port.hostPort} not published by the engine (${container.ports})`,
          );
    }
  };
  const markersPresent = async () => {
    const presence: Record<string, boolean> = {};
    for (const store of markerStores(vars)) presence[store.service] = await store.has(marker);
    return presence;
  };

  before(async () => {
    ensureImages();
    co = await makeCheckout("stack");
    vars = co.variables();
  });
  after(async () => {
    await co?.destroy();
  });

  it("never started: status names every service as not created and says make start", async () => {
    const result = await co.make(["status"]);
    failed(result);
    assert.match(result.output, /make start/);
    assert.deepEqual(containers(co.project), []);
  });

  it("never started: wait fails at once naming the missing containers, not after its deadline", async () => {
    const result = await co.make(["wait"], { timeoutMs: 60_000 });
    failed(result);
    assert.match(result.output, /postgres/);
    assert.match(result.output, /make start/);
  });

  it("make start (cold): every service healthy, seeded, URLs on the checkout's ports, loopback only", async () => {
    const result = await co.make(["start"]);
    ok(result);
    const engine = containers(co.project);
    assert.deepEqual(
      engine.map((c) => c.service),
      ALL,
    );
    for (const c of engine) {
      assert.equal(c.state, "running", `${c.service} ${c.state}`);
      if (c.service !== "otel-collector") assert.equal(c.health, "healthy", `${c.service} ${c.health}`);
      for (const binding of c.ports.split(",").filter(Boolean))
        assert.match(binding, /^127\.0\.0\.1:/, `${c.service} publishes beyond loopback: ${binding}`);
    }
    assert.match(result.output, new RegExp(`localhost:${hostPortOf(co.ports, "GRAFANA_PORT")}`));
    assert.match(result.output, /created/);
    assert.doesNotMatch(result.output, /wallpaperdb-dev-password/);
    // The readiness probes ran beside Compose but speak after it: every service's line once Compose's last
    // "Healthy", none between Compose's lines.
    const shown = stripVTControlCharacters(result.output);
    const lines = shown.split("\n");
    const lastCompose = lines.findLastIndex((l) => /^\s*Container \S+\s+Healthy/.test(l));
    const firstReady = lines.findIndex((l) => /ready after \d/.test(l));
    assert.ok(lastCompose >= 0 && firstReady > lastCompose, shown);
    for (const service of ALL)
      assert.match(shown, new RegExp(`✔ ${service}\\s+ready after`), `no ready line for ${service}`);
    assert.match(shown, new RegExp(`all ${ALL.length} services ready`));
    await assertStatusMatchesEngine();
  });

  it("data written through every service", async () => {
    for (const store of markerStores(vars)) await store.write(marker);
    assert.deepEqual(await markersPresent(), { postgres: true, minio: true, opensearch: true, nats: true });
  });

  it("make start again: a no-op that recreates nothing", async () => {
    const before = containers(co.project).map((c) => c.name + c.state);
    const ids = docker(["ps", "-q", "--filter", `label=com.docker.compose.project=${co.project}`]);
    const result = await co.make(["start"]);
    ok(result);
    assert.deepEqual(
      containers(co.project).map((c) => c.name + c.state),
      before,
    );
    assert.equal(docker(["ps", "-q", "--filter", `label=com.docker.compose.project=${co.project}`]), ids);
  });

  it("make seed twice: the second run changes nothing", async () => {
    ok(await co.make(["seed"]));
    const again = await co.make(["seed"]);
    ok(again);
    assert.match(again.output, /unchanged/);
    assert.doesNotMatch(again.output, /[1-9]\d* (created|updated)/);
  });

  it("make verify: writes and reads through every service and the telemetry pipeline", async () => {
    const result = await co.make(["verify"]);
    ok(result);
    assert.doesNotMatch(result.output, /✗/);
  });

  it("make doctor on a running stack: the stack's own ports are not conflicts", async () => {
    const result = await co.make(["doctor"]);
    ok(result);
    assert.doesNotMatch(result.output, /move the port/);
  });

  it("engine stopped: every lifecycle target says so at once, with the fix, and deletes nothing", async () => {
    const gone = { DOCKER_HOST: `unix://${join(tmpdir(), `wpdb-no-engine-${process.pid}.sock`)}` };
    const volumesBefore = volumes(co.project);
    for (const target of [
      ["start"],
      ["stop"],
      ["status"],
      ["doctor"],
      ["wait"],
      ["logs"],
      ["reset", "CONFIRM=1"],
    ]) {
      const result = await co.make(target, { env: gone, timeoutMs: 90_000 });
      failed(result);
      assert.match(result.output, ENGINE_MESSAGE, `make ${target.join(" ")}:\n${result.output}`);
      assert.match(result.output, /fix:/, `make ${target.join(" ")} gives no fix`);
      assert.doesNotMatch(result.output, STACK_TRACE, `make ${target.join(" ")} printed a stack trace`);
    }
    assert.deepEqual(volumes(co.project), volumesBefore);
    assert.ok(containers(co.project).every((c) => c.state === "running"));
  });

  it("engine hung: doctor, status, wait and start say the engine does not answer; the stack's ports are not conflicts", async () => {
    const hung = await hungEngine();
    try {
      for (const target of ["doctor", "status", "wait", "start"]) {
        const result = await co.make([target], { env: { DOCKER_HOST: hung.host }, timeoutMs: 90_000 });
        failed(result);
        assert.match(result.output, ENGINE_MESSAGE, `make ${target}:\n${result.output}`);
        assert.doesNotMatch(
          result.output,
          /move the port/,
          `make ${target} calls the stack's own ports conflicts`,
        );
        assert.doesNotMatch(result.output, STACK_TRACE);
      }
    } finally {
      await hung.close();
    }
  });

  it("make logs SERVICE=nats follows that service's own log", async () => {
    // logs follows until interrupted: the deadline ends it, what it printed by then is the point.
    const result = await co.make(["logs", "SERVICE=nats", "SINCE=1h"], { timeoutMs: 15_000 });
    assert.match(result.output, /Server is ready/);
    assert.doesNotMatch(result.output, /postgres|database system/);
  });

  it("a paused service: status, wait and verify name it and give the fix", async () => {
    docker(["pause", `${co.project}-nats-1`]);
    try {
      const status = await co.make(["status"]);
      failed(status);
      assert.match(status.output, /nats.*paused/);
      const wait = await co.make(["wait"], { timeoutMs: 90_000 });
      failed(wait);
      assert.match(wait.output, /nats.*paused/);
      const verify = await co.make(["verify"]);
      failed(verify);
      assert.match(verify.output, /nats/);
      assert.match(verify.output, /unpause|paused/);
      await assertStatusMatchesEngine();
    } finally {
      docker(["unpause", `${co.project}-nats-1`]);
    }
  });

  it("a killed container: status shows it exited, make start brings it back with its data", async () => {
    docker(["kill", `${co.project}-postgres-1`]);
    const status = await co.make(["status"]);
    failed(status);
    assert.match(status.output, /postgres/);
    await assertStatusMatchesEngine();
    ok(await co.make(["start"]));
    assert.equal((await markersPresent()).postgres, true);
    await assertStatusMatchesEngine();
  });

  it("a container stopped while make wait waits for it: the wait ends with its state, not at its deadline", async () => {
    // GRAFANA_PORT=1 for the wait only: grafana's probe cannot pass, so the wait is still on when it stops.
    const { code, output } = await co.makeActingWhen(
      ["wait", "PROFILE=observability"],
      /grafana.*waiting/,
      () => docker(["stop", `${co.project}-grafana-1`]),
      { env: { GRAFANA_PORT: "1", STACK_START_TIMEOUT: "90" } },
    );
    const shown = stripVTControlCharacters(output);
    assert.notEqual(code, 0, shown);
    assert.match(shown, /not running, so never ready: grafana \(exited, code \d+\)/);
    assert.doesNotMatch(shown, /not ready after/);
    ok(await co.make(["start"]));
  });

  it("an unhealthy service (Grafana's database unreadable): status and start show the healthcheck's answer", async () => {
    const grafana = `${co.project}-grafana-1`;
    const database = "/var/lib/grafana/grafana-standin.json";
    docker(["exec", grafana, "sh", "-c", `cp ${database} ${database}.bak && echo damaged > ${database}`]);
    try {
      // The compose healthcheck needs its retries (6 x 10 s) to call it unhealthy: wait for the engine to.
      const deadline = Date.now() + 150_000;
      while (containers(co.project).find((c) => c.service === "grafana")?.health !== "unhealthy") {
        assert.ok(Date.now() < deadline, "grafana never turned unhealthy");
        await new Promise((done) => setTimeout(done, 2000));
      }
      const status = await co.make(["status"]);
      failed(status);
      assert.match(status.output, /grafana.*unhealthy/);
      await assertStatusMatchesEngine();
      const start = await co.make(["start"]);
      failed(start);
      assert.match(start.output, /grafana/);
      assert.match(start.output, /healthcheck/);
      assert.doesNotMatch(start.output, /raise STACK_START_TIMEOUT/);
    } finally {
      docker(["exec", grafana, "sh", "-c", `mv ${database}.bak ${database}`]);
    }
    ok(await co.make(["start"]));
  });

  it("make stop: everything stopped, data kept; status and verify say so with the fix", async () => {
    ok(await co.make(["stop"]));
    for (const c of containers(co.project)) assert.notEqual(c.state, "running", c.service);
    assert.ok(volumes(co.project).length >= 8, volumes(co.project).join(","));
    const status = await co.make(["status"]);
    failed(status);
    assert.match(status.output, /make start/);
    await assertStatusMatchesEngine();
    const verify = await co.make(["verify"]);
    failed(verify);
    assert.match(verify.output, /make start/);
    const wait = await co.make(["wait"], { timeoutMs: 90_000 });
    failed(wait);
    assert.match(wait.output, /exited|stopped/);
    assert.match(wait.output, /make start/);
  });

  it("make start PROFILE=core after a stop: core healthy, observability reported as not started, not broken", async () => {
    ok(await co.make(["start", "PROFILE=core"]));
    const { code, report, output } = await statusJson();
    assert.equal(code, 0, output);
    for (const row of report.services.filter((r) => CORE.includes(r.service)))
      assert.equal(row.condition, "up");
    const status = await co.make(["status"]);
    ok(status);
    assert.match(status.output, /PROFILE=observability/);
    assert.doesNotMatch(status.output, /fix: make start\s*$/m);
    assert.deepEqual(await markersPresent(), { postgres: true, minio: true, opensearch: true, nats: true });
    const verify = await co.make(["verify"]);
    ok(verify);
    assert.match(verify.output, /observability/);
  });

  it("make start PROFILE=core,cache adds the opt-in cache: healthy on loopback; status, doctor and verify cover it", async () => {
    ok(await co.make(["start", "PROFILE=core,cache"]));
    const cache = containers(co.project).find((c) => c.service === "cache");
    assert.equal(cache?.state, "running", JSON.stringify(cache));
    assert.equal(cache?.health, "healthy", JSON.stringify(cache));
    assert.match(
      cache?.ports ?? "",
      new RegExp(`^127\\.0\\.0\\.1:${hostPortOf(co.ports, "CACHE_PORT")}->6379/tcp$`),
    );
    const { report, output } = await statusJson();
    assert.equal(report.services.find((r) => r.service === "cache")?.condition, "up", output);
    await assertStatusMatchesEngine();
    const doctor = await co.make(["doctor", "PROFILE=core,cache"]);
    ok(doctor);
    assert.doesNotMatch(doctor.output, /move the port/);
    const verify = await co.make(["verify"]);
    ok(verify);
    assert.match(verify.output, /✓ cache +set \/ get \/ delete of a probe key/);
    assert.doesNotMatch(verify.output, /wallpaperdb-dev-password/);
  });

  it("make start adds the other profile; make stop again", async () => {
    ok(await co.make(["start"]));
    await assertStatusMatchesEngine();
    ok(await co.make(["stop"]));
    // stop covers every profile, the opt-in cache too.
    for (const c of containers(co.project)) assert.notEqual(c.state, "running", c.service);
    ok(await co.make(["stop"]));
  });
});
