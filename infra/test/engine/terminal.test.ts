/**
 * Engine tier: the interactive paths through make in a REAL terminal (tmux), as a user types them: reset's
 * prompt (no, yes, a closed window), a shell variable that must not confirm, a port conflict that must
 * stop reset before it deletes, and Ctrl-C during a cold start.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type MarkerStore, postgresMarker as postgresStore } from "../../e2e/lib/markers.ts";
import { hostPortOf, occupy } from "../support/fake-docker/fake-docker.ts";
import { assertInterrupted, openTerminal, type Terminal } from "../support/terminal.ts";
import { type Checkout, makeCheckout } from "./support/checkout.ts";
import { containers, docker, engineTier, ensureImages, volumes } from "./support/engine.ts";

/** A terminal in the checkout; engine-tier commands start real containers, so the safety net is longer. */
async function terminalIn(co: Checkout): Promise<Terminal> {
  const terminal = await openTerminal(co.dir, { ...co.env, TERM: "xterm" }, 300_000);
  assert.equal(await terminal.run(`cd ${co.dir}`), 0);
  return terminal;
}

const volumeIds = (project: string) =>
  volumes(project).map(
    (name) => `${name}@${docker(["volume", "inspect", "-f", "{{.CreatedAt}}", name]).trim()}`,
  );

describe("engine tier: prompts and Ctrl-C in a real terminal", engineTier(), () => {
  let co: Checkout;
  let postgresMarker: MarkerStore;
  const marker = `terminal-${process.pid}`;

  before(async () => {
    ensureImages();
    co = await makeCheckout("term");
    postgresMarker = postgresStore(co.variables());
  });
  after(async () => {
    await co?.destroy();
  });

  it("Ctrl-C during a cold make start: one line, exit 130, and the next make start succeeds", async () => {
    const term = await terminalIn(co);
    try {
      term.start("make start PROFILE=core");
      await term.waitFor(/Container .*(Creat|Start|Wait)/, "compose up under way");
      term.ctrlC();
      assertInterrupted(await term.exitCode(), term.screen());
      assert.match(term.screen(), /interrupted/i);
      assert.doesNotMatch(term.screen(), /^\s+at .+:\d+:\d+\)?$/m, "a stack trace reached the terminal");
    } finally {
      term.close();
    }
    const again = await co.make(["start", "PROFILE=core"]);
    assert.equal(again.code, 0, again.output);
    await postgresMarker.write(marker);
  });

  it("make reset, typing no: nothing is deleted", async () => {
    const ids = volumeIds(co.project);
    const term = await terminalIn(co);
    try {
      term.start("make reset");
      await term.waitFor(/Type "yes"/, "the reset prompt");
      for (const volume of volumes(co.project))
        assert.ok(term.screen().includes(volume), `prompt does not list ${volume}`);
      term.answer("no");
      assert.notEqual(await term.exitCode(), 0);
      assert.match(term.screen(), /nothing was deleted/i);
    } finally {
      term.close();
    }
    assert.deepEqual(volumeIds(co.project), ids);
    assert.equal(await postgresMarker.has(marker), true);
  });

  it("closing the terminal at the prompt deletes nothing and leaves no lock behind", async () => {
    const ids = volumeIds(co.project);
    const term = await terminalIn(co);
    term.start("make reset");
    await term.waitFor(/Type "yes"/, "the reset prompt");
    term.close();
    const status = await co.make(["stop"], { timeoutMs: 120_000 });
    assert.equal(status.code, 0, status.output);
    assert.doesNotMatch(status.output, /Another start\/stop\/reset/);
    assert.deepEqual(volumeIds(co.project), ids);
    assert.equal((await co.make(["start", "PROFILE=core"])).code, 0);
    assert.equal(await postgresMarker.has(marker), true);
  });

  it("export CONFIRM=1; make reset without a terminal refuses and deletes nothing", async () => {
    const ids = volumeIds(co.project);
    const result = await co.make(["reset"], { env: { CONFIRM: "1" } });
    assert.equal(result.code, 2, result.output);
    assert.match(result.output, /CONFIRM=1/);
    assert.deepEqual(volumeIds(co.project), ids);
  });

  it("make reset CONFIRM=1 with a port taken by another program: refused before anything is deleted", async () => {
    const ids = volumeIds(co.project);
    ok(await co.make(["stop"]));
    const release = await occupy([hostPortOf(co.ports, "GRAFANA_PORT")]);
    try {
      const result = await co.make(["reset", "CONFIRM=1"]);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, new RegExp(`${hostPortOf(co.ports, "GRAFANA_PORT")}`));
      assert.match(result.output, /nothing was deleted/i);
    } finally {
      await release();
    }
    assert.deepEqual(volumeIds(co.project), ids);
  });

  it("make reset, typing yes: the volumes are new, the data is gone, the stack runs seeded again", async () => {
    const before = volumeIds(co.project);
    const term = await terminalIn(co);
    try {
      term.start("make reset PROFILE=core");
      await term.waitFor(/Type "yes"/, "the reset prompt");
      term.answer("yes");
      assert.equal(await term.exitCode(), 0, term.screen());
      assert.match(term.screen(), /created/);
    } finally {
      term.close();
    }
    const after = volumeIds(co.project);
    assert.ok(after.length > 0);
    for (const volume of after) assert.ok(!before.includes(volume), `${volume} survived the reset`);
    assert.equal(await postgresMarker.has(marker), false);
    for (const c of containers(co.project).filter((c) => c.service === "postgres"))
      assert.equal(c.state, "running");
  });
});

function ok(result: { code: number; output: string }): void {
  assert.equal(result.code, 0, result.output);
}
