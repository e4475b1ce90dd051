/**
 * Engine tier: a start that fails, the ways the real engine makes it fail. Each failure is reported from the
 * engine's own state (exit code, OOM kill, State.Error, the healthcheck's output, the log), with a fix that
 * fits it: only a real timeout talks about STACK_START_TIMEOUT. Core profile only (the failures are there).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { type Checkout, makeCheckout } from "./support/checkout.ts";
import { containers, docker, engineTier, ensureImages } from "./support/engine.ts";

/** The open-files limit the engine can grant, when it is below what OpenSearch asks for (root without CAP_SYS_RESOURCE). */
function engineOpenFilesCeiling(): number | undefined {
  const pid = spawnSync("pgrep", ["-xo", "dockerd"], { encoding: "utf8" }).stdout.trim();
  if (!pid) return undefined;
  const limits = spawnSync("cat", [`/proc/${pid}/limits`], { encoding: "utf8" }).stdout;
  const hard = Number(/^Max open files\s+\d+\s+(\d+)/m.exec(limits)?.[1]);
  return Number.isFinite(hard) && hard < 65536 ? hard : undefined;
}

describe("engine tier: a start that fails, as the engine says", engineTier(), () => {
  let co: Checkout;
  before(async () => {
    ensureImages();
    co = await makeCheckout("fail");
  });
  after(async () => {
    await co?.destroy();
  });

  it("killed for memory: names the service, exit 137, and the .env variable to raise", async () => {
    co.setEnv({ OPENSEARCH_MEM_LIMIT: "12m" });
    const result = await co.make(["start", "PROFILE=core"]);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /opensearch/);
    assert.match(result.output, /memory/);
    assert.match(result.output, /OPENSEARCH_MEM_LIMIT/);
    assert.doesNotMatch(result.output, /raise STACK_START_TIMEOUT/);
    // The readiness probes begun beside Compose are dropped without a word when it fails.
    assert.doesNotMatch(result.output, /ready after|waiting \d|services ready/);
    const engine = containers(co.project).find((c) => c.service === "opensearch");
    assert.equal(engine?.exitCode, 137);
    co.setEnv({ OPENSEARCH_MEM_LIMIT: "1536m" });
  });

  it("a broken data folder: the crash's exit code and last log lines, not a timeout", async () => {
    const ok = await co.make(["start", "PROFILE=core"]);
    assert.equal(ok.code, 0, ok.output);
    assert.equal((await co.make(["stop"])).code, 0);
    // A PGDATA whose version file is garbage: the real server refuses to start.
    docker([
      "run",
      "--rm",
      "-v",
      `${co.project}_postgres-data:/data`,
      "wpdb-engine-base:bookworm",
      "sh",
      "-c",
      "echo garbage > /data/PG_VERSION",
    ]);
    const result = await co.make(["start", "PROFILE=core"]);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /postgres/);
    assert.match(result.output, /exit(ed)?( with)?( code)? 1|exit 1/);
    assert.match(result.output, /PG_VERSION|invalid|FATAL/);
    assert.doesNotMatch(result.output, /raise STACK_START_TIMEOUT/);
    // Back to a working stack for the next case: a fresh volume (this data folder is lost on purpose).
    docker(["rm", "-f", `${co.project}-postgres-1`]);
    docker(["volume", "rm", `${co.project}_postgres-data`]);
  });

  it("a container the engine cannot start: its State.Error and the fix, not an empty log", async (t) => {
    const ceiling = engineOpenFilesCeiling();
    if (ceiling === undefined) {
      t.skip("this engine grants 65536 open files: the never-started case needs an engine that cannot");
      return;
    }
    co.setEnv({ OPENSEARCH_NOFILE: "65536" });
    try {
      const result = await co.make(["start", "PROFILE=core"]);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, /opensearch/);
      assert.match(result.output, /rlimit/);
      assert.match(result.output, /OPENSEARCH_NOFILE/);
      assert.doesNotMatch(result.output, /raise STACK_START_TIMEOUT/);
      assert.equal(containers(co.project).find((c) => c.service === "opensearch")?.state, "created");
    } finally {
      co.setEnv({ OPENSEARCH_NOFILE: String(ceiling) });
    }
    const again = await co.make(["start", "PROFILE=core"]);
    assert.equal(again.code, 0, again.output);
  });
});
