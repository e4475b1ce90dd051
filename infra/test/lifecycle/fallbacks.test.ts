/**
 * lib.sh where GNU `timeout` and `flock` are missing (stock macOS), played on Linux with a PATH that hides
 * them: the deadline of `docker info` and the mkdir lock with its stale-owner recovery. Also: where the lock
 * lives (tests keep it out of the repository).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pathWithout, runDetached, type Sandbox, sandbox } from "../support/fake-docker/fake-docker.ts";
import { infraDir, repoRoot } from "../support/paths.ts";

const script = (name: string) => join(infraDir, "scripts", name);

const hiding = (box: Sandbox, commands: string[], extra: NodeJS.ProcessEnv = {}) => ({
  ...box.env,
  PATH: pathWithout(commands, box.env.PATH ?? "", box.dir),
  ...extra,
});

/** require_engine alone, from a shell that sources lib.sh; fails loudly if `timeout` is still found. */
const requireEngine = (env: NodeJS.ProcessEnv) =>
  runDetached(
    "bash",
    ["-c", `command -v timeout && exit 99; source ${script("lib.sh")}; require_engine; echo engine-ok`],
    { cwd: infraDir, env },
  );

const ups = (box: Sandbox) => box.calls().filter((c) => / compose .* up /.test(c));

/** A pid that no process has any more. */
const deadPid = () => spawnSync("true").pid;

describe("without coreutils timeout", () => {
  it("require_engine returns as soon as docker info answers (no leftover watchdog holds the output)", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const result = await requireEngine(hiding(box, ["timeout"]));
      assert.equal(result.code, 0, result.output);
      assert.match(result.stdout, /engine-ok/);
      assert.ok(result.ms < 2000, `took ${Math.round(result.ms)} ms (the 3 s watchdog kept the pipe open)`);
    } finally {
      box.cleanup();
    }
  });

  it("still gives up on a hung engine after 3 s", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "engine-hangs" });
    try {
      const result = await requireEngine(hiding(box, ["timeout"]));
      assert.equal(result.code, 1, result.output);
      assert.match(result.output, /Cannot reach a Docker engine \(docker info: no answer within 3 s\)/);
      // At least the 3 s limit, and far below the fake engine's 60 s hang however loaded the machine is.
      assert.ok(result.ms > 2500 && result.ms < 30_000, `took ${Math.round(result.ms)} ms`);
    } finally {
      box.cleanup();
    }
  });
});

describe("without flock: the mkdir lock", () => {
  const lockDir = (box: Sandbox) => join(box.dir, `lifecycle-${box.project}.lock.d`);
  const start = (env: NodeJS.ProcessEnv) =>
    runDetached("bash", [script("start-infra.sh"), "--profile", "core"], { cwd: infraDir, env });
  const leftovers = (box: Sandbox) => readdirSync(box.dir).filter((f) => f.startsWith("lifecycle-"));

  it("two starts at once: one runs compose up, the other waits and finds the stack running", async () => {
    const box = await sandbox({ FAKE_DOCKER_UP_DELAY: "1" });
    try {
      const env = hiding(box, ["flock"]);
      const [a, b] = await Promise.all([start(env), start(env)]);
      assert.equal(a.code, 0, a.output);
      assert.equal(b.code, 0, b.output);
      assert.equal(ups(box).length, 1, box.calls().join("\n"));
      assert.match(a.output + b.output, /is running; waiting for it/);
      assert.deepEqual(leftovers(box), [], "the lock was not released");
    } finally {
      box.cleanup();
    }
  });

  it("takes over a lock whose owner died, once, even when two commands find it at the same time", async () => {
    const box = await sandbox({ FAKE_DOCKER_UP_DELAY: "1" });
    try {
      mkdirSync(lockDir(box));
      writeFileSync(join(lockDir(box), "pid"), `${deadPid()}\n`);
      const env = hiding(box, ["flock"], { LOCK_WAIT_SECONDS: "20" });
      const [a, b] = await Promise.all([start(env), start(env)]);
      assert.equal(a.code, 0, a.output);
      assert.equal(b.code, 0, b.output);
      assert.equal(ups(box).length, 1, `both took the lock:\n${box.calls().join("\n")}`);
      assert.deepEqual(leftovers(box), [], "a stale or renamed lock was left behind");
    } finally {
      box.cleanup();
    }
  });

  it("takes over a lock that never got a pid (owner killed right after mkdir) after a few seconds", async () => {
    const box = await sandbox();
    try {
      mkdirSync(lockDir(box));
      // Counted in lock polls, not wall time: without the takeover it times out after 10 and fails.
      const env = hiding(box, ["flock"], { LOCK_WAIT_SECONDS: "10", LOCK_STALE_SECONDS: "2" });
      const result = await start(env);
      assert.equal(result.code, 0, result.output);
      assert.equal(ups(box).length, 1, box.calls().join("\n"));
      assert.deepEqual(leftovers(box), []);
    } finally {
      box.cleanup();
    }
  });

  it("reset --yes, which hands its lock on to start-infra.sh, still removes the lock when it ends", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const env = hiding(box, ["flock"]);
      const result = await runDetached("bash", [script("reset-infra.sh"), "--yes", "--profile", "core"], {
        cwd: infraDir,
        env,
      });
      assert.equal(result.code, 0, result.output);
      assert.ok(
        box.calls().some((c) => c.endsWith(" down --volumes")),
        box.calls().join("\n"),
      );
      assert.deepEqual(leftovers(box), [], "the lock outlived the reset");
    } finally {
      box.cleanup();
    }
  });

  it("keeps waiting for a live owner", async () => {
    const box = await sandbox();
    try {
      mkdirSync(lockDir(box));
      writeFileSync(join(lockDir(box), "pid"), `${process.pid}\n`);
      const env = hiding(box, ["flock"], { LOCK_WAIT_SECONDS: "2", LOCK_STALE_SECONDS: "1" });
      const result = await start(env);
      assert.equal(result.code, 1, result.output);
      assert.match(result.output, /Timed out waiting for the lock/);
      assert.deepEqual(ups(box), []);
      assert.ok(existsSync(join(lockDir(box), "pid")), "a live owner's lock was removed");
    } finally {
      box.cleanup();
    }
  });
});

describe("lock location", () => {
  it("honours WPDB_LOCK_DIR: a test's lifecycle command leaves no lock file in the repository", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const result = await runDetached("bash", [script("stop-infra.sh")], { cwd: infraDir, env: box.env });
      assert.equal(result.code, 0, result.output);
      assert.ok(
        existsSync(join(box.dir, `lifecycle-${box.project}.lock`)),
        "the lock was not taken in the sandbox",
      );
      assert.ok(!existsSync(join(repoRoot, ".turbo", `lifecycle-${box.project}.lock`)));
    } finally {
      box.cleanup();
    }
  });
});
