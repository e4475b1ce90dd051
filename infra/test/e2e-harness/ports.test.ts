import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, describe, it } from "node:test";
import { E2E_PORT_RANGE, isPortFree, planPorts } from "../../e2e/lib/ports.ts";

const freeExcept =
  (taken: number[]) =>
  async (port: number): Promise<boolean> =>
    !taken.includes(port);

function listen(port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen({ port, host: "127.0.0.1" }, () => resolve(server));
  });
}

describe("port plan", () => {
  it("gives every key a distinct port, walking up from the start", async () => {
    const plan = await planPorts(
      ["A_PORT", "B_PORT", "C_PORT"],
      { range: { min: 100, max: 199 }, start: 150, reserved: new Set() },
      freeExcept([]),
    );
    assert.deepEqual(plan, { A_PORT: 150, B_PORT: 151, C_PORT: 152 });
  });

  it("skips ports the probe finds taken and the developer's reserved ports", async () => {
    const plan = await planPorts(
      ["A_PORT", "B_PORT", "C_PORT"],
      { range: { min: 100, max: 199 }, start: 150, reserved: new Set([151]) },
      freeExcept([150, 153]),
    );
    assert.deepEqual(plan, { A_PORT: 152, B_PORT: 154, C_PORT: 155 });
  });

  it("wraps around the range and fails clearly when it runs out", async () => {
    const plan = await planPorts(
      ["A_PORT", "B_PORT"],
      { range: { min: 100, max: 102 }, start: 102, reserved: new Set() },
      freeExcept([]),
    );
    assert.deepEqual(plan, { A_PORT: 102, B_PORT: 100 });
    await assert.rejects(
      planPorts(
        ["A_PORT", "B_PORT"],
        { range: { min: 100, max: 102 }, start: 100, reserved: new Set([101]) },
        freeExcept([100]),
      ),
      /no free port left in 100-102 for B_PORT/,
    );
  });

  it("stays below the ephemeral port ranges of Linux and macOS", () => {
    assert.ok(E2E_PORT_RANGE.max < 32768);
    assert.ok(E2E_PORT_RANGE.min > 10000, "above the ports developers commonly run");
  });
});

describe("port probe (real listeners)", () => {
  const servers: Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  it("reports a port held by a listener as taken, and free again once it closes", async () => {
    const server = await listen();
    const port = (server.address() as { port: number }).port;
    assert.equal(await isPortFree(port), false);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    assert.equal(await isPortFree(port), true);
  });

  it("plans around a port really in use, and every planned port can then be bound", async () => {
    const held = await listen();
    servers.push(held);
    const heldPort = (held.address() as { port: number }).port;
    const keys = ["A_PORT", "B_PORT", "C_PORT", "D_PORT"];
    const plan = await planPorts(
      keys,
      { range: { min: heldPort, max: heldPort + 200 }, start: heldPort, reserved: new Set() },
      (port) => isPortFree(port),
    );
    const ports = Object.values(plan);
    assert.ok(!ports.includes(heldPort), `planned the held port ${heldPort}`);
    assert.equal(new Set(ports).size, keys.length, "no two keys share a port");
    for (const port of ports) servers.push(await listen(port)); // throws EADDRINUSE if the plan lied
  });
});
