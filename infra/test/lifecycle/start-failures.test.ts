/**
 * `make start` when `compose up --wait` fails, against the fake docker playing the engine's answers (exit codes,
 * State.OOMKilled, State.Error, State.Health.Log as Docker Engine 26.1 reports them): the report says what the
 * engine says went wrong, and only a real timeout suggests raising STACK_START_TIMEOUT.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeIn, type Sandbox, sandbox } from "../support/fake-docker/fake-docker.ts";

const start = (box: Sandbox) => makeIn(box, ["start"]);

async function startWith(extra: NodeJS.ProcessEnv): Promise<string> {
  const box = await sandbox({ FAKE_DOCKER_LOG_LINES: "3", ...extra });
  try {
    const result = await start(box);
    assert.notEqual(result.code, 0, result.output);
    return result.output;
  } finally {
    box.cleanup();
  }
}

describe("make start, when a container fails at once", () => {
  it("killed for memory: the exit code and the memory limit variable to raise, no start-limit advice", async () => {
    const output = await startWith({ FAKE_DOCKER_OOM_KILLED: "opensearch" });
    assert.match(output, /✗ opensearch was killed for memory \(exit code 137, OOM killer\)/);
    assert.match(output, /fix: raise OPENSEARCH_MEM_LIMIT in \.env \(now 1536m\)/);
    assert.match(output, /fake log line 3 of opensearch/, "its last log lines are shown");
    assert.ok(!output.includes("\u001b[2K"), "Compose's erase-line codes are left in the log lines");
    assert.doesNotMatch(output, /STACK_START_TIMEOUT|start limit/);
  });

  it("a service with a fixed mem_limit: the Compose file's value to raise", async () => {
    const output = await startWith({ FAKE_DOCKER_OOM_KILLED: "postgres" });
    assert.match(output, /fix: raise its mem_limit \(512m\) in infra\/docker-compose\.yml/);
  });

  it("never started: the engine's State.Error instead of an empty log, and the fix for it", async () => {
    const output = await startWith({ FAKE_DOCKER_NEVER_STARTED: "minio" });
    assert.match(
      output,
      /✗ minio was created but never started: driver failed programming external connectivity .*port is already allocated/,
    );
    assert.match(output, /fix: a port it publishes is taken: make doctor names who holds it/);
    assert.doesNotMatch(output, /log lines of minio/);
    assert.doesNotMatch(output, /STACK_START_TIMEOUT/);
  });

  it("unhealthy: the failing healthcheck's last output", async () => {
    const output = await startWith({
      FAKE_DOCKER_SCENARIO: "never-healthy",
      FAKE_DOCKER_UNHEALTHY: "nats",
      FAKE_DOCKER_HEALTH_OUTPUT: "nats-server: JetStream not enabled",
    });
    assert.match(
      output,
      /✗ nats is unhealthy: its healthcheck fails\n {2}last healthcheck \(exit 1\): nats-server: JetStream not enabled/,
    );
    assert.match(output, /✗ The start failed: nats unhealthy/);
    assert.doesNotMatch(output, /STACK_START_TIMEOUT/);
  });

  it("a crash exit code: the code and the log lines, with the service caught still starting not blamed", async () => {
    const output = await startWith({
      FAKE_DOCKER_EXITED: "tempo",
      FAKE_DOCKER_EXIT_CODE: "1",
      FAKE_DOCKER_STARTING: "opensearch",
    });
    assert.match(output, /✗ tempo exited with code 1/);
    assert.match(output, /… opensearch was still starting when the start stopped \(not the cause\)/);
    assert.match(output, /✗ The start failed: tempo exited \(code 1\)\n/);
    assert.doesNotMatch(output, /STACK_START_TIMEOUT/);
  });
});

describe("make start, when the start limit runs out", () => {
  it("says so with the limit, and suggests raising STACK_START_TIMEOUT", async () => {
    const output = await startWith({
      FAKE_DOCKER_STARTING: "opensearch",
      STACK_START_TIMEOUT: "120",
      FAKE_DOCKER_HEALTH_OUTPUT: "cluster health is red",
    });
    assert.match(output, /✗ opensearch did not become healthy within the start limit \(120s\)/);
    assert.match(output, /last healthcheck \(exit 1\): cluster health is red/);
    assert.match(
      output,
      /✗ The stack did not become healthy within 120s \(STACK_START_TIMEOUT\): opensearch/,
    );
    assert.match(output, /fix: on a slow machine raise STACK_START_TIMEOUT in \.env \(now 120\)/);
  });
});
