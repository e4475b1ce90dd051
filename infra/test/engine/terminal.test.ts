/**
 * Engine tier: the interactive paths through make in a REAL terminal (tmux), as a user types them: reset's
 * prompt (no, yes, a closed window), a shell variable that must not confirm, a port conflict that must
 * stop reset before it deletes, and Ctrl-C during a cold start.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { markerStores } from "../../e2e/lib/markers.ts";
import { endpointVariables } from "../../e2e/lib/plan.ts";
import { occupy } from "../support/fake-docker/fake-docker.ts";
import { type Checkout, makeCheckout } from "./support/checkout.ts";
import { containers, docker, engineTier, ensureImages, volumes } from "./support/engine.ts";
import { Terminal } from "./support/terminal.ts";

const volumeIds = (project: string) =>
  volumes(project).map(
    (name) => `${name}@${docker(["volume", "inspect", "-f", "{{.CreatedAt}}", name]).trim()}`,
  );

describe("engine tier: prompts and Ctrl-C in a real terminal", engineTier(), () => {
  let co: Checkout;
  let postgresMarker: ReturnType<typeof markerStores>[number];
  const marker = `terminal-${process.pid}`;

  before(async () => {
    ensureImages();
    co = await makeCheckout("term");
    const vars: Record<string, string> = {
      POSTGRES_PORT: String(co.ports.POSTGRES_PORT),
      POSTGRES_USER: "wallpaperdb",
      POSTGRES_PASSWORD: "wallpaperdb-dev-password",
      POSTGRES_DB: "wallpaperdb",
    };
    const [store] = markerStores({ ...vars, ...endpointVariables(vars) });
    assert.ok(store);
    postgresMarker = store;
  });
  after(async () => {
    await co?.destroy();
  });

  it("Ctrl-C during a cold make start: one line, exit 130, and the next make start succeeds", async () => {
    const term = Terminal.open(co.dir, co.env);
    try {
      term.type('make start PROFILE=core; echo "start-exit=$?"');
      await term.waitFor(/Starting|Creating|Created|Waiting/);
      term.press("C-c");
      const screen = await term.waitFor(/^start-exit=\d+/m);
      assert.match(screen, /^start-exit=130$/m, screen);
      assert.match(screen, /interrupted/i, screen);
      assert.doesNotMatch(screen, /at .*\.ts:\d+/, "a stack trace reached the terminal");
    } finally {
      term.close();
    }
    const again = await co.make(["start", "PROFILE=core"]);
    assert.equal(again.code, 0, again.output);
    await postgresMarker.write(marker);
  });

  it("make reset, typing no: nothing is deleted", async () => {
    const ids = volumeIds(co.project);
    const term = Terminal.open(co.dir, co.env);
    try {
      term.type('make reset; echo "reset-exit=$?"');
      const prompt = await term.waitFor(/Type "yes"/);
      for (const volume of volumes(co.project))
        assert.ok(prompt.includes(volume), `prompt does not list ${volume}`);
      term.type("no");
      const screen = await term.waitFor(/^reset-exit=\d+/m);
      assert.match(screen, /nothing was deleted/i);
      assert.doesNotMatch(screen, /^reset-exit=0$/m);
    } finally {
      term.close();
    }
    assert.deepEqual(volumeIds(co.project), ids);
    assert.equal(await postgresMarker.has(marker), true);
  });

  it("closing the terminal at the prompt deletes nothing and leaves no lock behind", async () => {
    const ids = volumeIds(co.project);
    const term = Terminal.open(co.dir, co.env);
    term.type("make reset");
    await term.waitFor(/Type "yes"/);
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
    const release = await occupy([co.ports.GRAFANA_PORT]);
    try {
      const result = await co.make(["reset", "CONFIRM=1"]);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, new RegExp(`${co.ports.GRAFANA_PORT}`));
      assert.match(result.output, /nothing was deleted/i);
    } finally {
      await release();
    }
    assert.deepEqual(volumeIds(co.project), ids);
  });

  it("make reset, typing yes: the volumes are new, the data is gone, the stack runs seeded again", async () => {
    const before = volumeIds(co.project);
    const term = Terminal.open(co.dir, co.env);
    try {
      term.type('make reset PROFILE=core; echo "reset-exit=$?"');
      await term.waitFor(/Type "yes"/);
      term.type("yes");
      const screen = await term.waitFor(/^reset-exit=\d+/m, 300_000);
      assert.match(screen, /^reset-exit=0$/m, screen);
      assert.match(screen, /created/);
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
