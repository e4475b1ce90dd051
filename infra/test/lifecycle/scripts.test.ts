/**
 * The lifecycle scripts called directly (no make): the terminal prompt of reset, the standalone
 * docker-compose fallback, the Docker-outside-of-Docker project directory, bad flags, and shellcheck.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { FAKE_DOCKER_DIR, runDetached, type Sandbox, sandbox } from "../support/fake-docker/fake-docker.ts";
import { infraDir } from "../support/paths.ts";

const script = (name: string) => join(infraDir, "scripts", name);

/** Runs a script on a pseudo-terminal (util-linux `script`), typing `input` at the prompt. */
function onTerminal(box: Sandbox, command: string, input: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      env: box.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d;
      if (output.includes('Type "yes"') && !child.stdin.writableEnded) child.stdin.end(input);
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d;
    });
    child.on("close", (code) => done({ code: code ?? 1, output }));
  });
}

const hasScript = spawnSync("sh", ["-c", "command -v script"]).status === 0;

describe("reset on a terminal", {
  skip: hasScript ? false : "needs util-linux `script` for a pseudo-terminal",
}, () => {
  it("asks, and an answer other than yes deletes nothing", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const result = await onTerminal(box, `bash ${script("reset-infra.sh")}`, "no\n");
      assert.equal(result.code, 2, result.output);
      assert.match(
        result.output,
        new RegExp(`deletes the containers and volumes of Compose project "${box.project}"`),
      );
      assert.match(result.output, /nothing was deleted/);
      assert.ok(!box.calls().some((c) => / down /.test(c)), box.calls().join("\n"));
    } finally {
      box.cleanup();
    }
  });

  it('accepts exactly "yes": "y" deletes nothing', async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const result = await onTerminal(box, `bash ${script("reset-infra.sh")}`, "y\n");
      assert.equal(result.code, 2, result.output);
      assert.match(result.output, /nothing was deleted/);
      assert.ok(!box.calls().some((c) => / down /.test(c)), box.calls().join("\n"));
    } finally {
      box.cleanup();
    }
  });

  it("proceeds on yes: down --volumes for this project, then start", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    try {
      const result = await onTerminal(box, `bash ${script("reset-infra.sh")} --profile core`, "yes\n");
      assert.equal(result.code, 0, result.output);
      const calls = box.calls();
      assert.ok(calls.some((c) => c.includes(`-p ${box.project}`) && c.endsWith("down --volumes")));
      assert.ok(
        calls.some((c) => c.endsWith("up --detach --wait --wait-timeout 300")),
        calls.join("\n"),
      );
    } finally {
      box.cleanup();
    }
  });
});

describe("compose invocation of the scripts", () => {
  it("falls back to the standalone docker-compose when the plugin is missing", async () => {
    const box = await sandbox({
      FAKE_DOCKER_SCENARIO: "ports-held-by-stack",
      FAKE_DOCKER_NO_COMPOSE_PLUGIN: "1",
    });
    const bin = join(box.dir, "bin");
    mkdirSync(bin);
    // A standalone docker-compose that records itself, then behaves like the fake plugin.
    writeFileSync(
      join(bin, "docker-compose"),
      `#!/usr/bin/env bash\necho "docker-compose $*" >>"$FAKE_DOCKER_LOG"\nFAKE_DOCKER_NO_COMPOSE_PLUGIN= FAKE_DOCKER_LOG=/dev/null exec ${FAKE_DOCKER_DIR}/docker compose "$@"\n`,
    );
    chmodSync(join(bin, "docker-compose"), 0o755);
    try {
      const env = { ...box.env, PATH: `${bin}:${box.env.PATH}` };
      const result = await runDetached("bash", [script("stop-infra.sh")], { cwd: infraDir, env });
      assert.equal(result.code, 0, result.output);
      assert.ok(
        box.calls().some((c) => c.startsWith(`docker-compose -p ${box.project} `) && c.endsWith(" stop")),
        box.calls().join("\n"),
      );
    } finally {
      box.cleanup();
    }
  });

  it("resolves bind mounts on the Docker host under Docker-outside-of-Docker", async () => {
    const box = await sandbox({
      FAKE_DOCKER_SCENARIO: "ports-held-by-stack",
      HOST_WORKSPACE_FOLDER: "/host/src/wpdb/",
    });
    try {
      const result = await runDetached("bash", [script("stop-infra.sh")], { cwd: infraDir, env: box.env });
      assert.equal(result.code, 0, result.output);
      assert.ok(
        box.calls().some((c) => c.includes("--project-directory /host/src/wpdb/infra ")),
        box.calls().join("\n"),
      );
    } finally {
      box.cleanup();
    }
  });

  it("rejects an unknown profile before touching docker", async () => {
    const box = await sandbox();
    try {
      const result = await runDetached("bash", [script("start-infra.sh"), "--profile", "everything"], {
        cwd: infraDir,
        env: box.env,
      });
      assert.equal(result.code, 2);
      assert.match(result.output, /Unknown profile "everything".*\n.*PROFILE=core or PROFILE=observability/);
      assert.ok(!box.calls().some((c) => / up /.test(c)));
    } finally {
      box.cleanup();
    }
  });
});

describe("shell quality", () => {
  const shellcheck = spawnSync("sh", ["-c", "command -v shellcheck"]).status === 0;
  const scripts = ["lib.sh", "start-infra.sh", "stop-infra.sh", "reset-infra.sh", "logs.sh"].map(script);

  it("arrays that may be empty use the guarded expansion: set -u rejects an empty array before Bash 4.4 (macOS 3.2)", () => {
    // Guarded: ${a[@]+"${a[@]}"}. Bare is safe only for arrays filled when declared (or die before use).
    const alwaysFilled = new Set(["ENGINE_HELP", "COMPOSE_CMD", "ALL_PROFILES", "ALL_PROFILE_ARGS"]);
    const bare: string[] = [];
    for (const file of scripts) {
      const code = readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => !line.trimStart().startsWith("#"))
        .join("\n")
        .replace(/\$\{(\w+)\[@\]\+"\$\{\1\[@\]\}"\}/g, "");
      for (const [expansion, name] of code.matchAll(/\$\{(\w+)\[[@*]\]\}/g))
        if (!alwaysFilled.has(name ?? "")) bare.push(`${basename(file)}: ${expansion}`);
    }
    assert.deepEqual(bare, []);
  });

  it("the scripts and the fake docker pass shellcheck", (t) => {
    if (!shellcheck) {
      assert.notEqual(process.env.CI, "true", "CI must install shellcheck (apt-get install shellcheck)");
      t.skip("shellcheck is not installed: apt-get install shellcheck (or brew install shellcheck)");
      return;
    }
    const result = spawnSync("shellcheck", ["-x", ...scripts, join(FAKE_DOCKER_DIR, "docker")], {
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
});
