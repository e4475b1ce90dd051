/**
 * make stop / reset / logs end to end against the fake docker. reset's safety rules: without a terminal and
 * without CONFIRM=1 (--yes) it refuses, bad arguments are refused before anything is deleted, and then no
 * deletion ever reaches docker.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hostPortOf, makeIn, occupy, runDetached, sandbox } from "../support/fake-docker/fake-docker.ts";
import { infraDir } from "../support/paths.ts";

const DELETING = / (down|rm|volume rm|volume prune|system prune)\b/;

describe("make stop, reset and logs", () => {
  it("reset without confirmation and without a terminal refuses (exit 2) and deletes nothing", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const result = await makeIn(box, ["reset"]);
      assert.match(result.output, /make: \*\*\* \[Makefile:\d+: reset\] Error 2/);
      assert.match(result.output, /needs a confirmation; there is no terminal to ask/);
      assert.match(result.output, /make reset CONFIRM=1/);
      const deleting = box.calls().filter((c) => DELETING.test(c));
      assert.deepEqual(deleting, [], "a deletion reached docker");
    } finally {
      box.cleanup();
    }
  });

  it("export CONFIRM=1; make reset: without a terminal it still refuses (exit 2); the data stays", async () => {
    const box = await sandbox({ CONFIRM: "1" });
    try {
      const start = await makeIn(box, ["start", "PROFILE=core"]);
      assert.equal(start.code, 0, start.output);
      const result = await makeIn(box, ["reset"]);
      assert.deepEqual(
        box.calls().filter((c) => DELETING.test(c)),
        [],
        "a CONFIRM from the environment deleted the volumes",
      );
      assert.ok(box.volumes().includes(`${box.project}_postgres-data`), "a volume was deleted");
      assert.match(result.output, /make: \*\*\* \[Makefile:\d+: reset\] Error 2/);
      assert.match(result.output, /needs a confirmation; there is no terminal to ask/);
      assert.match(result.output, /an exported CONFIRM does not count/);
    } finally {
      box.cleanup();
    }
  });

  it("make reset CONFIRM=1 with a port taken by another program stops before deleting anything", async () => {
    const box = await sandbox();
    try {
      const start = await makeIn(box, ["start", "PROFILE=core"]);
      assert.equal(start.code, 0, start.output);
      // Another program took Grafana's port meanwhile: the full start's preflight fails, before the deletion.
      const release = await occupy([hostPortOf(box.ports, "GRAFANA_PORT")]);
      try {
        const result = await makeIn(box, ["reset", "CONFIRM=1"]);
        assert.deepEqual(
          box.calls().filter((c) => DELETING.test(c)),
          [],
          "reset deleted before its checks",
        );
        assert.ok(box.volumes().includes(`${box.project}_postgres-data`), "a volume was deleted");
        assert.notEqual(result.code, 0, result.output);
        assert.match(
          result.output,
          new RegExp(`port ${hostPortOf(box.ports, "GRAFANA_PORT")} \\(grafana.*GRAFANA_PORT\\) is taken by`),
        );
        assert.match(result.output, /Nothing was deleted; run make reset again once that is fixed\./);
      } finally {
        await release();
      }
    } finally {
      box.cleanup();
    }
  });

  it("make reset CONFIRM=1 PROFILE=cor refuses the unknown profile before touching docker: the data stays", async () => {
    const box = await sandbox();
    try {
      const start = await makeIn(box, ["start", "PROFILE=core"]);
      assert.equal(start.code, 0, start.output);
      const before = box.calls().length;
      const result = await makeIn(box, ["reset", "CONFIRM=1", "PROFILE=cor"]);
      assert.notEqual(result.code, 0);
      assert.match(
        result.output,
        /✗ Unknown profile "cor"\.\n {2}fix: use PROFILE=core or PROFILE=observability/,
      );
      assert.deepEqual(box.calls().slice(before), [], "reset reached docker before checking its arguments");
      assert.ok(box.volumes().includes(`${box.project}_postgres-data`), "a volume was deleted");
    } finally {
      box.cleanup();
    }
  });

  for (const args of [["--bogus"], ["--profile"], ["--profile", "--no-wait"], ["--profile=core,everything"]])
    it(`reset-infra.sh --yes ${args.join(" ")}: exit 2 with one message, nothing reaches docker`, async () => {
      const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
      try {
        const result = await runDetached(
          "bash",
          [join(infraDir, "scripts", "reset-infra.sh"), "--yes", ...args],
          {
            cwd: infraDir,
            env: box.env,
          },
        );
        assert.equal(result.code, 2, result.output);
        assert.match(
          result.output,
          /^✗ (Unknown option "--bogus"|--profile needs a value|Unknown profile "everything")/,
        );
        assert.equal(result.output.match(/✗/g)?.length, 1, result.output);
        assert.deepEqual(box.calls(), [], "reset reached docker before checking its arguments");
      } finally {
        box.cleanup();
      }
    });

  it("stop-infra.sh with an unknown option: exit 2 with one message, nothing reaches docker", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const result = await runDetached("bash", [join(infraDir, "scripts", "stop-infra.sh"), "--volumes"], {
        cwd: infraDir,
        env: box.env,
      });
      assert.equal(result.code, 2, result.output);
      assert.match(result.output, /^✗ Unknown option "--volumes"/);
      assert.deepEqual(box.calls(), [], "stop reached docker despite a bad option");
    } finally {
      box.cleanup();
    }
  });

  it("a CONFIRM exported in the shell does not confirm a direct reset-infra.sh: only --yes does", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack", CONFIRM: "1" });
    try {
      const result = await runDetached("bash", [join(infraDir, "scripts", "reset-infra.sh")], {
        cwd: infraDir,
        env: box.env,
      });
      assert.notEqual(result.code, 0);
      assert.match(result.output, /needs a confirmation; there is no terminal to ask/);
      assert.deepEqual(
        box.calls().filter((c) => DELETING.test(c)),
        [],
        "a deletion reached docker",
      );
    } finally {
      box.cleanup();
    }
  });

  it("stop keeps the volumes; reset CONFIRM=1 deletes only this project's volumes and starts again", async () => {
    const box = await sandbox({ FAKE_DOCKER_EXTRA_VOLUMES: "otherproject_postgres-data" });
    try {
      const start = await makeIn(box, ["start", "PROFILE=core"]);
      assert.equal(start.code, 0, start.output);
      const ours = `${box.project}_postgres-data`;
      assert.ok(box.volumes().includes(ours));

      const stop = await makeIn(box, ["stop"]);
      assert.equal(stop.code, 0, stop.output);
      assert.match(stop.output, /data is kept/);
      const stopCall = box.calls().find((c) => / stop$/.test(c));
      assert.ok(
        stopCall?.includes(`-p ${box.project}`) &&
          stopCall.includes("--profile core --profile observability"),
      );
      assert.ok(box.volumes().includes(ours), "stop deleted a volume");
      assert.deepEqual(
        box.calls().filter((c) => DELETING.test(c)),
        [],
      );

      const reset = await makeIn(box, ["reset", "CONFIRM=1", "PROFILE=core"]);
      assert.equal(reset.code, 0, reset.output);
      const calls = box.calls();
      const down = calls.findIndex((c) => / down --volumes$/.test(c));
      assert.ok(down >= 0, calls.join("\n"));
      assert.ok(calls[down]?.includes(`-p ${box.project}`), "down must be scoped to this project");
      assert.ok(
        calls.slice(down).some((c) => / up --detach --wait/.test(c)),
        "reset did not start again",
      );
      assert.ok(box.volumes().includes("otherproject_postgres-data"), "another project's volume was deleted");
    } finally {
      box.cleanup();
    }
  });

  it("logs follows one service since a time, through make SERVICE=... SINCE=...", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const result = await makeIn(box, ["logs", "SERVICE=nats", "SINCE=10m"]);
      assert.equal(result.code, 0, result.output);
      assert.ok(
        box.calls().some((c) => c.endsWith(" logs --follow --since 10m nats")),
        box.calls().join("\n"),
      );
      assert.match(result.output, /fake log line 50 of nats/);
    } finally {
      box.cleanup();
    }
  });
});
