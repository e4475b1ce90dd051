/**
 * doctor with a hung engine (dockerd stopped with SIGSTOP: the socket accepts, nothing answers) while
 * docker-proxy, the engine's port proxy, still holds the stack's ports. Through the tools CLI against the fake
 * docker, with a real process named docker-proxy holding the ports.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { describe, it } from "node:test";
import { occupyAs, runDetached, sandbox } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";

/** ss (Linux) or lsof (macOS) lets doctor name the process that holds a port. */
const osNamesListeners = ["ss", "lsof"].some(
  (tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0,
);

describe("doctor with a hung engine while docker-proxy still holds the stack's ports", () => {
  it("says once that the engine does not answer and that the ports are the engine proxy's: nothing to move", async (t) => {
    if (!osNamesListeners) {
      assert.notEqual(
        process.env.CI,
        "true",
        "CI needs ss (iproute2) or lsof so doctor can name port owners",
      );
      t.skip("neither ss nor lsof: the OS does not name the listener");
      return;
    }
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "engine-hangs" });
    copyFileSync(`${repoRoot}/.env.example`, box.envFile);
    const doctor = (args: string[]) =>
      runDetached("node", ["--import", "tsx", "src/cli.ts", "doctor", ...args], {
        cwd: `${repoRoot}/tools`,
        env: box.env,
      });
    const release = await occupyAs("docker-proxy", Object.values(box.ports), box.dir);
    try {
      const human = await doctor([]);
      assert.equal(human.code, 1, human.output);
      assert.match(
        human.stdout,
        /✗ cannot reach a Docker engine \(no answer within 3 s\)\n {4}fix: restart the engine/,
      );
      assert.match(
        human.stdout,
        /- 13 host port\(s\) not checked: .* held by docker-proxy, the engine's port proxy/,
      );
      assert.doesNotMatch(human.stdout, /is taken by|move this stack's port/);

      const report = JSON.parse((await doctor(["--json"])).stdout) as {
        findings: { code: string; blocking: boolean }[];
      };
      const codes = report.findings.map((f) => f.code);
      assert.ok(codes.includes("ENGINE_UNREACHABLE"), codes.join(", "));
      assert.equal(report.findings.find((f) => f.code === "PORTS_HELD_BY_ENGINE")?.blocking, false);
      assert.ok(!codes.includes("PORT_TAKEN"), codes.join(", "));
    } finally {
      await release();
      box.cleanup();
    }
  });
});
