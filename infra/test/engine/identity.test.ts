/**
 * Engine tier: what runs is the truth. A port edited in .env while the stack runs is shown as the port that
 * answers (not the edited one) and named as a difference; `make start` then recreates exactly that service,
 * which answers on the new port; a start without changes recreates nothing. Status rows match `docker ps`.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { isPortFree } from "../../e2e/lib/ports.ts";
import { hostPortOf, type RunResult } from "../support/fake-docker/fake-docker.ts";
import { type Checkout, makeCheckout } from "./support/checkout.ts";
import { containers, docker, engineTier, ensureImages } from "./support/engine.ts";

interface StatusJson {
  services: { service: string; state: string; url: string; ports: { hostPort: number }[] }[];
  drift: { service: string; differences: string[] }[];
}

const ok = (result: RunResult) => assert.equal(result.code, 0, result.output);

/** Container id per service, as the engine reports it. */
function containerIds(project: string): Record<string, string> {
  const lines = docker([
    "ps",
    "-a",
    "--filter",
    `label=com.docker.compose.project=${project}`,
    "--format",
    '{{.Label "com.docker.compose.service"}} {{.ID}}',
  ]);
  return Object.fromEntries(
    lines
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(" ") as [string, string]),
  );
}

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      done(true);
    });
    socket.on("error", () => done(false));
  });
}

async function freePortNear(port: number): Promise<number> {
  for (let candidate = port + 500; candidate < port + 1500; candidate++)
    if (await isPortFree(candidate)) return candidate;
  throw new Error(`no free port near ${port}`);
}

describe("engine tier: status and start follow what runs", engineTier(), () => {
  let co: Checkout;

  const statusJson = async (): Promise<StatusJson> => {
    const result = await co.make(["status", "JSON=1"]);
    return JSON.parse(result.stdout.slice(result.stdout.indexOf("{"), result.stdout.lastIndexOf("}") + 1));
  };
  /** Every status row's state and host ports are what `docker ps` shows. */
  const assertStatusMatchesEngine = async (report: StatusJson) => {
    const engine = containers(co.project);
    for (const row of report.services) {
      const container = engine.find((c) => c.service === row.service);
      assert.equal(row.state, container?.state ?? "", `${row.service}: state`);
      if (container?.state === "running")
        for (const port of row.ports)
          assert.ok(
            container.ports.includes(`127.0.0.1:${port.hostPort}->`),
            `${row.service}: status port ${port.hostPort}, engine ${container.ports}`,
          );
    }
  };

  before(async () => {
    ensureImages();
    co = await makeCheckout("identity");
  });
  after(async () => {
    await co?.destroy();
  });

  it("make start, then status: rows match docker ps and nothing differs", async () => {
    ok(await co.make(["start", "PROFILE=observability"]));
    const report = await statusJson();
    assert.deepEqual(report.drift, []);
    await assertStatusMatchesEngine(report);
  });

  let newPort: number;
  it("a port edited in .env: status shows the port that answers and names the difference", async () => {
    const oldPort = hostPortOf(co.ports, "GRAFANA_PORT");
    newPort = await freePortNear(oldPort);
    co.setEnv({ GRAFANA_PORT: String(newPort) });
    const result = await co.make(["status"]);
    assert.match(result.output, new RegExp(`grafana[ │]+running[^\n]*localhost:${oldPort}`));
    assert.match(
      result.output,
      new RegExp(`grafana differs from what runs: GRAFANA_PORT ${oldPort} -> ${newPort}`),
    );
    assert.match(result.output, /make start applies it \(recreates only grafana\)/);
    const report = await statusJson();
    assert.deepEqual(
      report.drift.map((d) => d.service),
      ["grafana"],
    );
    await assertStatusMatchesEngine(report);
    assert.match((await co.make(["doctor"])).output, /grafana differs from what runs/);
  });

  it("make start applies it: only grafana is recreated, and it answers on the new port", async () => {
    const before = containerIds(co.project);
    const result = await co.make(["start", "PROFILE=observability"]);
    ok(result);
    assert.match(result.output, /recreates only these:\n {2}grafana: GRAFANA_PORT/);
    const afterIds = containerIds(co.project);
    for (const service of Object.keys(before))
      if (service === "grafana")
        assert.notEqual(afterIds[service], before[service], "grafana was not recreated");
      else assert.equal(afterIds[service], before[service], `${service} was recreated`);
    assert.ok(await answers(newPort), `nothing answers on ${newPort}`);
    const report = await statusJson();
    assert.deepEqual(report.drift, []);
    assert.match(report.services.find((s) => s.service === "grafana")?.url ?? "", new RegExp(`:${newPort}$`));
    await assertStatusMatchesEngine(report);
  });

  it("make start without changes recreates nothing", async () => {
    const before = containerIds(co.project);
    const result = await co.make(["start", "PROFILE=observability"]);
    ok(result);
    assert.match(result.output, /already runs and is healthy/);
    assert.deepEqual(containerIds(co.project), before);
  });
});

describe("engine tier: two checkouts side by side", engineTier(), () => {
  let a: Checkout;
  let b: Checkout;
  const running = (co: Checkout) =>
    containers(co.project)
      .filter((c) => c.state === "running")
      .map((c) => c.service);

  before(async () => {
    ensureImages();
    a = await makeCheckout("side-a");
    b = await makeCheckout("side-b");
  });
  after(async () => {
    await a?.destroy();
    await b?.destroy();
  });

  it("both start and seed on their own ports, and verify passes in each", async () => {
    ok(await a.make(["start", "PROFILE=core"]));
    ok(await b.make(["start", "PROFILE=core"]));
    ok(await a.make(["verify", "PROFILE=core"]));
    ok(await b.make(["verify", "PROFILE=core"]));
    assert.equal(running(a).length, 5);
    assert.equal(running(b).length, 5);
  });

  it("doctor in one names the other's stack", async () => {
    const result = await a.make(["doctor"]);
    assert.match(result.output, new RegExp(`project ${a.project} of checkout ${a.dir}`));
    assert.match(
      result.output,
      new RegExp(`other stacks of this repository on this engine: .*${b.project} \\(${b.dir}\\)`),
    );
  });

  it("a checkout naming the other's project refuses to act on it, and the other's stack stays up", async () => {
    const own = b.project;
    b.setEnv({ COMPOSE_PROJECT_NAME: a.project });
    try {
      for (const target of [["status"], ["stop"], ["reset", "CONFIRM=1"], ["seed"]]) {
        const result = await b.make(target);
        assert.notEqual(result.code, 0, result.output);
        assert.match(
          result.output,
          new RegExp(`project ${a.project} belongs to another checkout: ${a.dir}`, "i"),
        );
      }
      assert.equal(running(a).length, 5, "the other checkout's stack was touched");
    } finally {
      b.setEnv({ COMPOSE_PROJECT_NAME: own });
    }
  });

  it("stop and reset in one leave the other running with its data", async () => {
    const volumesOfA = docker([
      "volume",
      "ls",
      "-q",
      "--filter",
      `label=com.docker.compose.project=${a.project}`,
    ]);
    ok(await b.make(["stop"]));
    assert.deepEqual(running(b), []);
    ok(await b.make(["reset", "CONFIRM=1", "PROFILE=core"]));
    assert.equal(running(a).length, 5);
    assert.equal(
      docker(["volume", "ls", "-q", "--filter", `label=com.docker.compose.project=${a.project}`]),
      volumesOfA,
    );
    const report = await a.make(["status", "JSON=1"]);
    ok(report);
  });
});
