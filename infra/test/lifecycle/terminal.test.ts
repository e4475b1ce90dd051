/**
 * make's interactive paths under a real terminal (tmux), typed as a user types, against the fake docker:
 * reset's prompt (yes, no, Ctrl-C, closing the window) and Ctrl-C during start and wait. Each ends with one
 * message, the right exit code, the lifecycle lock released and nothing half-done.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { requireTool } from "../support/compose-files.ts";
import { type Sandbox, sandbox } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";
import { assertInterrupted, openTerminal, type Terminal } from "../support/terminal.ts";

const PROMPT = /Type "yes" to continue:/;
const DELETING = / (down|volume rm|volume prune|system prune)\b/;
const hasFlock = spawnSync("sh", ["-c", "command -v flock"]).status === 0;

/** True once no process holds the project's lifecycle lock (flock file, or the mkdir lock without flock). */
function lockFree(box: Sandbox): boolean {
  const file = join(box.dir, `lifecycle-${box.project}.lock`);
  if (existsSync(`${file}.d`)) return false;
  return !hasFlock || spawnSync("flock", ["-n", file, "true"]).status === 0;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen`);
    await sleep(100);
  }
}

/** A sandbox and a terminal in the repository, or null when tmux is missing. */
async function setUp(t: TestContext, extra: NodeJS.ProcessEnv = {}) {
  if (!requireTool(t, "tmux", "apt-get install tmux (or brew install tmux)")) return null;
  const box = await sandbox(extra);
  const terminal = await openTerminal(box.dir, { ...box.env, TERM: "xterm" });
  const setup = { box, terminal };
  await prepared(setup, async () => assert.equal(await terminal.run(`cd ${repoRoot}`), 0));
  return setup;
}

/** Runs a test's preparation; if it fails, the terminal and the sandbox go before the error is reported. */
async function prepared(setup: Setup, steps: () => Promise<void>): Promise<Setup> {
  try {
    await steps();
    return setup;
  } catch (error) {
    tearDown(setup);
    throw error;
  }
}

/** A running core stack and `make reset` (with `args`) waiting at its prompt. */
async function atResetPrompt(t: TestContext, args = "") {
  const setup = await setUp(t);
  if (!setup) return null;
  const { terminal } = setup;
  return prepared(setup, async () => {
    assert.equal(await terminal.run("make start PROFILE=core"), 0, terminal.screen());
    terminal.start(`make reset ${args}`);
    await terminal.waitFor(PROMPT, 'the "Type yes" prompt');
  });
}

function assertNothingDeleted(box: Sandbox): void {
  assert.deepEqual(
    box.calls().filter((c) => DELETING.test(c)),
    [],
    "a deletion reached docker",
  );
  assert.ok(box.volumes().includes(`${box.project}_postgres-data`), "a volume was deleted");
}

type Setup = { box: Sandbox; terminal: Terminal };

function tearDown(setup: Setup | null): void {
  setup?.terminal.close();
  setup?.box.cleanup();
}

const interruptLines = (screen: string) => screen.split("\n").filter((l) => l.startsWith("✗"));

describe("make reset on a terminal", () => {
  it("shows the prompt; typing no cancels with exit 2 and deletes nothing", async (t) => {
    const setup = await atResetPrompt(t);
    if (!setup) return;
    const { box, terminal } = setup;
    try {
      assert.match(terminal.screen(), new RegExp(`  ${box.project}_postgres-data`), "the volumes are listed");
      terminal.answer("no");
      assert.equal(await terminal.exitCode(), 2, terminal.screen());
      assert.match(terminal.screen(), /Reset cancelled; nothing was deleted\./);
      assertNothingDeleted(box);
    } finally {
      tearDown(setup);
    }
  });

  it("typing yes deletes this project's volumes and starts again", async (t) => {
    const setup = await atResetPrompt(t, "PROFILE=core");
    if (!setup) return;
    const { box, terminal } = setup;
    try {
      terminal.answer("yes");
      assert.equal(await terminal.exitCode(), 0, terminal.screen());
      const calls = box.calls();
      const down = calls.findIndex((c) => c.includes(`-p ${box.project}`) && c.endsWith(" down --volumes"));
      assert.ok(down >= 0, calls.join("\n"));
      assert.ok(
        calls.slice(down).some((c) => c.endsWith("--profile core up --detach --wait --wait-timeout 300")),
        "reset did not start again",
      );
      assert.match(terminal.screen(), /✓ Deleted the containers and volumes of project/);
    } finally {
      tearDown(setup);
    }
  });

  it("Ctrl-C at the prompt: one message, exit 130, nothing deleted, the lock released", async (t) => {
    const setup = await atResetPrompt(t);
    if (!setup) return;
    const { box, terminal } = setup;
    try {
      terminal.ctrlC();
      assertInterrupted(await terminal.exitCode(), terminal.screen());
      assert.deepEqual(interruptLines(terminal.screen()), [
        "✗ make reset was interrupted (Ctrl-C); nothing was deleted.",
      ]);
      assert.doesNotMatch(terminal.screen(), /make: \*\*\*/, "make added its own error line");
      assertNothingDeleted(box);
      assert.ok(lockFree(box), "the lifecycle lock is still held");
    } finally {
      tearDown(setup);
    }
  });

  it("closing the terminal at the prompt ends the reset: nothing deleted, the lock released", async (t) => {
    const setup = await atResetPrompt(t);
    if (!setup) return;
    const { box, terminal } = setup;
    try {
      terminal.close();
      await eventually(() => lockFree(box), "releasing the lifecycle lock after the terminal closed");
      assertNothingDeleted(box);
    } finally {
      tearDown(setup);
    }
  });
});

describe("Ctrl-C under a terminal", () => {
  it("during make start (compose up hangs): one message, exit 130, lock released; the next start works", async (t) => {
    const setup = await setUp(t, { FAKE_DOCKER_UP_DELAY: "600" });
    if (!setup) return;
    const { box, terminal } = setup;
    try {
      terminal.start("make start PROFILE=core");
      await terminal.waitFor(/Starting core \(project/, "compose up");
      terminal.ctrlC();
      assertInterrupted(await terminal.exitCode(), terminal.screen());
      assert.deepEqual(interruptLines(terminal.screen()), [
        "✗ make start was interrupted (Ctrl-C); services it already started keep running.",
      ]);
      assert.match(terminal.screen(), /fix: make start again continues from there; make stop stops them/);
      assert.doesNotMatch(terminal.screen(), /make: \*\*\*/, "make added its own error line");
      await eventually(() => lockFree(box), "releasing the lifecycle lock");

      assert.equal(
        await terminal.run("FAKE_DOCKER_UP_DELAY=0 make start PROFILE=core"),
        0,
        terminal.screen(),
      );
      assert.match(terminal.screen(), /✓ postgres +│ running │ healthy/);
    } finally {
      tearDown(setup);
    }
  });

  it("during make wait (no service answers yet): one message with the fix, exit 130", async (t) => {
    const setup = await setUp(t, { FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    if (!setup) return;
    const { box, terminal } = setup;
    try {
      copyFileSync(join(repoRoot, ".env.example"), box.envFile);
      terminal.start("make wait PROFILE=core");
      await terminal.waitFor(/waiting .*connection refused/, "the first probes");
      terminal.ctrlC();
      assertInterrupted(await terminal.exitCode(), terminal.screen());
      assert.deepEqual(interruptLines(terminal.screen()), ["✗ make wait was interrupted (Ctrl-C)."]);
      assert.match(terminal.screen(), /fix: make wait again; it only probes so nothing changed/);
      assert.doesNotMatch(terminal.screen(), /make: \*\*\*/, "make added its own error line");
    } finally {
      tearDown(setup);
    }
  });
});
