/**
 * `make e2e` under a real terminal (tmux), interrupted with Ctrl-C as a user would, against the fake
 * docker: the run says so once, exits 130, and still removes its project and its lock.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { requireTool } from "../support/compose-files.ts";
import { sandbox } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";
import { assertInterrupted, openTerminal } from "../support/terminal.ts";
import { isDownOfE2EProject } from "./harness-process.ts";

describe("make e2e on a terminal", () => {
  it("Ctrl-C while the stack starts: one line, exit 130, the e2e project torn down and its lock gone", async (t) => {
    if (!requireTool(t, "tmux", "apt-get install tmux (or brew install tmux)")) return;
    // compose up hangs, so the Ctrl-C lands in the middle of the start step.
    const box = await sandbox({ FAKE_DOCKER_UP_DELAY: "600" });
    const terminal = await openTerminal(box.dir, { ...box.env, TERM: "xterm" });
    try {
      assert.equal(await terminal.run(`cd ${repoRoot}`), 0);
      terminal.start("make e2e");
      await terminal.waitFor(/Starting core observability \(project wallpaperdb-e2e-/, "the start step");
      terminal.ctrlC();
      assertInterrupted(await terminal.exitCode(), terminal.screen());
      const screen = terminal.screen();
      assert.equal(screen.match(/SIGINT received/g)?.length, 1, screen);
      assert.match(screen, /e2e: tearing down project wallpaperdb-e2e-/);
      assert.doesNotMatch(
        screen,
        /✗ make start was interrupted/,
        "the aborted step's own message was echoed",
      );

      const deadline = Date.now() + 60_000;
      const e2eLocks = () => readdirSync(box.dir).filter((f) => f.startsWith("lifecycle-wallpaperdb-e2e-"));
      while (!box.calls().some(isDownOfE2EProject) || e2eLocks().length > 0) {
        assert.ok(Date.now() < deadline, `no teardown, or its lock stayed: ${e2eLocks().join(", ")}`);
        await sleep(100);
      }
    } finally {
      terminal.close();
      box.cleanup();
    }
  });
});
