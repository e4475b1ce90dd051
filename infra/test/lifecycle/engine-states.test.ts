/**
 * status, verify and wait in the states a user meets after the lifecycle commands: one profile started while
 * the other's containers are stopped, a stopped or paused container, no engine. Through the tools CLI against
 * the fake docker.
 */
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { describe, it } from "node:test";
import { runDetached, type Sandbox, sandbox } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";

// A generous safety net only: a `wait` that probed until its 300 s deadline would be killed here, and fail.
const cli = (box: Sandbox, args: string[]) =>
  runDetached("node", ["--import", "tsx", "src/cli.ts", ...args], {
    cwd: `${repoRoot}/tools`,
    env: box.env,
    timeoutMs: 60_000,
  });
const compose = (box: Sandbox, args: string[]) =>
  runDetached("docker", ["compose", "-p", box.project, ...args], { cwd: repoRoot, env: box.env });

/** A sandbox with an .env, where `steps` of compose calls have set the engine's state. */
async function stack(steps: string[][], extra: NodeJS.ProcessEnv = {}): Promise<Sandbox> {
  const box = await sandbox(extra);
  copyFileSync(`${repoRoot}/.env.example`, box.envFile);
  for (const step of steps) assert.equal((await compose(box, step)).code, 0, step.join(" "));
  return box;
}
const ALL = ["--profile", "core", "--profile", "observability"];
/** make start, make stop, then make start PROFILE=<profile>, as the engine sees it. */
const onlyStarted = (profile: string) => [
  [...ALL, "up", "--detach", "--wait"],
  [...ALL, "stop"],
  ["--profile", profile, "up", "--detach", "--wait"],
];

describe("one profile started, the other's containers stopped by an earlier make stop", () => {
  it("status reports the started profile healthy (exit 0) and the other as not started, with the command that adds it", async () => {
    const box = await stack(onlyStarted("core"));
    try {
      const human = await cli(box, ["status"]);
      assert.equal(human.code, 0, human.output);
      assert.match(human.stdout, /^Project \S+ \(core\):/);
      assert.match(
        human.stdout,
        /- observability not started \(otel-collector, prometheus, loki, tempo, grafana\): add it with make start PROFILE=observability/,
      );
      assert.doesNotMatch(human.output, /✗/);

      const json = JSON.parse((await cli(box, ["status", "--json"])).stdout) as {
        ok: boolean;
        profiles: string[];
        notStarted: string[];
      };
      assert.deepEqual([json.ok, json.profiles, json.notStarted], [true, ["core"], ["observability"]]);
    } finally {
      box.cleanup();
    }
  });

  it("status fails for a started profile with a member down, and its fix starts that profile only", async () => {
    const box = await stack([...onlyStarted("core"), ["pause", "nats"]]);
    try {
      const result = await cli(box, ["status"]);
      assert.equal(result.code, 1, result.output);
      assert.match(result.stderr, /✗ not up: nats \(stopped\)\n {2}fix: make start PROFILE=core /);
    } finally {
      box.cleanup();
    }
  });

  it("verify checks only the profile that runs and says which it skipped", async () => {
    const box = await stack(onlyStarted("observability"));
    try {
      const result = await cli(box, ["verify"]);
      assert.match(
        result.stdout,
        /^- skipped core \(postgres, minio, opensearch, nats\): not started; make start PROFILE=core adds it$/m,
      );
      assert.match(result.stdout, /^Verifying observability \(4 checks\)/m);
      assert.doesNotMatch(result.stdout, /[✓✗] (postgres|minio|opensearch|nats) /);
    } finally {
      box.cleanup();
    }
  });

  it("wait leaves the profile that is not started out instead of waiting for it", async () => {
    // Every container of core is paused: wait must fail at once for them, and not even look at observability.
    const box = await stack([...onlyStarted("core"), ["pause"]]);
    try {
      const result = await cli(box, ["wait"]);
      assert.equal(result.code, 1, result.output);
      assert.match(result.stderr, /- observability not started, not waited for/);
      assert.match(
        result.stderr,
        /error: not running, so never ready: postgres, minio, opensearch, opensearch-dashboards, nats \(paused\)/,
      );
      assert.match(result.stderr, /fix: +docker compose -p \S+ unpause postgres minio/);
    } finally {
      box.cleanup();
    }
  });
});

describe("wait fails at once instead of probing until its deadline", () => {
  it("without an engine: the engine's message and the fix", async () => {
    const box = await stack([], { FAKE_DOCKER_SCENARIO: "no-engine" });
    try {
      const result = await cli(box, ["wait"]);
      assert.equal(result.code, 1, result.output);
      assert.match(
        result.stderr,
        /error: cannot reach a Docker engine \(Cannot connect to the Docker daemon/,
      );
      assert.match(result.stderr, /fix: +start Docker Desktop/);
    } finally {
      box.cleanup();
    }
  });

  it("for a selected service whose container exited: its name, state, exit code and the fix", async () => {
    const box = await stack([["--profile", "core", "up", "--detach"]], { FAKE_DOCKER_EXITED: "postgres" });
    try {
      const result = await cli(box, ["wait", "--profile", "core"]);
      assert.equal(result.code, 1, result.output);
      assert.match(result.stderr, /error: not running, so never ready: postgres \(exited, code 137\)/);
      assert.match(
        result.stderr,
        /fix: +make start PROFILE=core \(why it stopped: make logs SERVICE=postgres\)/,
      );
    } finally {
      box.cleanup();
    }
  });

  it("for a container that stops while it is waited for: its state, long before the deadline", async () => {
    const box = await stack([["--profile", "core", "up", "--detach"]]);
    try {
      // Nothing listens on the sandbox's postgres port: the probe keeps failing until the container stops.
      const waiting = cli(box, ["wait", "--only", "postgres", "--timeout", "45"]);
      // The wait's own container list, then its watcher's first look: the container is stopped after both.
      const listings = () =>
        box.calls().filter((call) => call.includes("ps --all --filter label=com.docker.compose.project"))
          .length;
      const watching = Date.now() + 30_000;
      while (listings() < 2 && Date.now() < watching)
        await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(listings() >= 2, "the wait never looked at the containers again");
      assert.equal((await compose(box, ["stop"])).code, 0);
      const result = await waiting;
      assert.equal(result.code, 1, result.output);
      assert.match(result.stderr, /error: project \S+ is not running: postgres \(exited, code 0\)/);
      assert.doesNotMatch(result.stderr, /not ready after/);
    } finally {
      box.cleanup();
    }
  });

  it("for a project with no container at all", async () => {
    const box = await stack([]);
    try {
      const result = await cli(box, ["wait", "--only", "nats"]);
      assert.equal(result.code, 1, result.output);
      assert.match(
        result.stderr,
        /error: project \S+ is not running: nats \(no container\)\n.*\n {2}fix: +make start PROFILE=core/,
      );
    } finally {
      box.cleanup();
    }
  });
});
