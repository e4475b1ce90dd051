/**
 * The .env as the lifecycle scripts read it (through tools/bin/dotenv-values.mjs, Compose's own rules),
 * against the fake docker: what reaches Compose, and one clear refusal for a file nobody can use.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { makeIn, runDetached, type Sandbox, sandbox } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";

const composeCalls = (box: Sandbox) => box.calls().filter((c) => c.startsWith("docker compose"));
const example = readFileSync(join(repoRoot, ".env.example"), "utf8");

describe("the .env file as the lifecycle scripts read it", () => {
  it("a .env with Windows line endings starts the project it names, without a trailing \\r", async () => {
    const box = await sandbox();
    // The project comes from the file here, not from the sandbox's shell.
    delete box.env.COMPOSE_PROJECT_NAME;
    const text = example
      .replace(/^COMPOSE_PROJECT_NAME=.*$/m, `COMPOSE_PROJECT_NAME=${box.project}`)
      .replace(/^STACK_START_TIMEOUT=.*$/m, "STACK_START_TIMEOUT='120' # quoted, with a comment");
    writeFileSync(box.envFile, text.replaceAll("\n", "\r\n"));
    try {
      const result = await makeIn(box, ["start", "PROFILE=core"]);
      assert.equal(result.code, 0, result.output);
      const up = composeCalls(box).find((c) => / up /.test(c)) ?? "";
      assert.ok(up.startsWith(`docker compose -p ${box.project} -f `), up);
      assert.ok(up.endsWith("up --detach --wait --wait-timeout 120"), up);
      assert.doesNotMatch(box.calls().join("\n"), /\r/);
      const stop = await makeIn(box, ["stop"]);
      assert.equal(stop.code, 0, stop.output);
      assert.match(stop.output, new RegExp(`Stopped project ${box.project};`));
    } finally {
      box.cleanup();
    }
  });

  it("a .env that is a directory stops make start with one message; nothing is created or started", async () => {
    const box = await sandbox();
    mkdirSync(box.envFile);
    try {
      const result = await makeIn(box, ["start"]);
      assert.notEqual(result.code, 0, result.output);
      assert.match(result.output, /✗ \S+\.env is a directory, not an env file\n {2}fix: move it away/);
      assert.doesNotMatch(result.output, /Created/);
      assert.doesNotMatch(result.output, /unexpected error|EISDIR|\n\s+at /);
      assert.deepEqual(composeCalls(box), []);
    } finally {
      box.cleanup();
    }
  });

  it("a password Compose would cut at its `$` is refused before anything starts, naming the line", async () => {
    const box = await sandbox();
    writeFileSync(box.envFile, example.replace(/^POSTGRES_PASSWORD=.*$/m, "POSTGRES_PASSWORD=pa$word1"));
    const line = example.split("\n").findIndex((l) => l.startsWith("POSTGRES_PASSWORD=")) + 1;
    try {
      const result = await makeIn(box, ["start"]);
      assert.notEqual(result.code, 0, result.output);
      assert.match(
        result.output,
        new RegExp(
          `✗ \\.env line ${line}: POSTGRES_PASSWORD contains a \\$ that Compose reads as a reference`,
        ),
      );
      assert.match(result.output, /fix: write a literal \$ as \$\$, or put the whole value in single quotes/);
      assert.doesNotMatch(result.output, /word1/);
      assert.equal(composeCalls(box).filter((c) => / up /.test(c)).length, 0);
    } finally {
      box.cleanup();
    }
  });

  it("DEBUG=1 traces the scripts without printing a password read from .env", async () => {
    const box = await sandbox();
    writeFileSync(
      box.envFile,
      example.replace(/^POSTGRES_PASSWORD=.*$/m, "POSTGRES_PASSWORD=never-shown-4711"),
    );
    try {
      const result = await runDetached("bash", ["infra/scripts/stop-infra.sh"], {
        cwd: repoRoot,
        env: { ...box.env, DEBUG: "1" },
      });
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /^\+ /m, "DEBUG=1 traces the script");
      assert.doesNotMatch(result.output, /never-shown-4711/);
    } finally {
      box.cleanup();
    }
  });
});
