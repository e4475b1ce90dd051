import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  engineSkipReason,
  environmentSkipReason,
  firstLine,
  isRequired,
  pullSkipReason,
  skipOutcome,
} from "../../e2e/lib/skip.ts";

const DAEMON_DOWN =
  "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

describe("skip detection", () => {
  it("an engine that answers docker info is not a skip", () => {
    assert.equal(engineSkipReason({ exitCode: 0, output: "28.2.2\n" }), null);
  });

  it("no daemon, no CLI and a hanging daemon are each a no-engine skip naming the cause", () => {
    assert.match(
      engineSkipReason({ exitCode: 1, output: `${DAEMON_DOWN}\n` })?.detail ?? "",
      /Cannot connect/,
    );
    assert.match(
      engineSkipReason({ exitCode: null, output: "", spawnError: "spawn docker ENOENT" })?.detail ?? "",
      /not installed/,
    );
    assert.match(engineSkipReason({ exitCode: null, output: "" })?.detail ?? "", /did not answer/);
    assert.equal(
      engineSkipReason({ exitCode: 0, output: "" })?.code,
      "no-engine",
      "an empty answer is no engine",
    );
  });

  it("tells an unreachable registry from a missing image in pull output", () => {
    const offline =
      'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 127.0.0.53:53: no such host';
    assert.match(
      pullSkipReason(` postgres Pulling\n${offline}\n`).detail,
      /^no registry reachable \(Error response/,
    );
    const gone =
      "Error response from daemon: pull access denied for minio/minio, repository does not exist or may require 'docker login'";
    assert.match(pullSkipReason(gone).detail, /a pinned image cannot be pulled .*check-images/);
    assert.match(pullSkipReason("").detail, /images cannot be pulled \(no output\)/);
  });

  it("prints one line and exits 0 when skipping; E2E_REQUIRED=1 turns the same line into a failure", () => {
    const reason = engineSkipReason({ exitCode: 1, output: DAEMON_DOWN });
    assert.ok(reason);
    const skipped = skipOutcome(reason, false);
    assert.equal(skipped.exitCode, 0);
    assert.match(skipped.line, /^e2e: SKIPPED: no Docker engine reachable .*start Docker/);
    assert.ok(!skipped.line.includes("\n"));
    const failed = skipOutcome(reason, true);
    assert.equal(failed.exitCode, 1);
    assert.match(failed.line, /^e2e: FAILED \(E2E_REQUIRED=1/);
  });

  it("skips inside the dev container (HOST_WORKSPACE_FOLDER set), not on a host", () => {
    assert.equal(environmentSkipReason({}), null);
    assert.equal(environmentSkipReason({ HOST_WORKSPACE_FOLDER: "" }), null);
    assert.equal(
      environmentSkipReason({ HOST_WORKSPACE_FOLDER: "/Users/dev/wallpaperdb" })?.code,
      "in-dev-container",
    );
  });

  it("reads E2E_REQUIRED as 1/true/yes only", () => {
    assert.ok(
      isRequired({ E2E_REQUIRED: "1" }) &&
        isRequired({ E2E_REQUIRED: "true" }) &&
        isRequired({ E2E_REQUIRED: "YES" }),
    );
    assert.ok(!isRequired({}) && !isRequired({ E2E_REQUIRED: "0" }) && !isRequired({ E2E_REQUIRED: "" }));
  });

  it("firstLine skips blank and warning lines and collapses whitespace", () => {
    assert.equal(firstLine('\nWARN[0000] The "X" variable is not set\n  real   error  \n'), "real error");
  });
});
