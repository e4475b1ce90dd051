/**
 * The .env as the lifecycle scripts read it (through tools/bin/dotenv-values.mjs, Compose's own rules),
 * against the fake docker: what reaches Compose, and one clear refusal for a file nobody can use.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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

/**
 * The WPDB_DOTENV_* variables set for `text`: by lib.sh with `node` on PATH, by lib.sh with a `node` that
 * fails, or by node's reader alone (Compose's rules).
 */
function scriptsRead(
  text: string,
  reader: "scripts" | "scripts-without-node" | "node",
): { code: number; values: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "wpdb-env-read-"));
  try {
    writeFileSync(join(dir, ".env"), text);
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "node"), "#!/bin/sh\necho 'node was started' >&2\nexit 97\n");
    chmodSync(join(dir, "bin", "node"), 0o755);
    const result = spawnSync(
      "bash",
      [
        "-c",
        `${reader === "node" ? 'eval "$(node tools/bin/dotenv-values.mjs "$WALLPAPERDB_ENV_FILE")"' : "source infra/scripts/lib.sh"} && declare -p $(compgen -v WPDB_DOTENV_) 2>/dev/null; true`,
      ],
      {
        cwd: repoRoot,
        encoding: "utf8",
        env: {
          PATH:
            reader === "scripts-without-node"
              ? `${join(dir, "bin")}:${process.env.PATH ?? ""}`
              : (process.env.PATH ?? ""),
          HOME: dir,
          WALLPAPERDB_ENV_FILE: join(dir, ".env"),
        },
      },
    );
    return { code: result.status ?? -1, values: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the scripts read a plain .env without starting node", () => {
  const plain = [
    example,
    "# comment\n\nPOSTGRES_PASSWORD=a=b,c:d@e/f.g%h+i-j_k\nPOSTGRES_PASSWORD=last-wins\nCOMPOSE_PROJECT_NAME=wpdb\n",
    "NO_NEWLINE_AT_END=1",
  ];
  it("plain KEY=value files: the same values as Compose's rules give (node's reader), node never started", () => {
    for (const text of plain) {
      const fast = scriptsRead(text, "scripts-without-node");
      assert.equal(fast.code, 0, fast.stderr);
      assert.doesNotMatch(fast.stderr, /node was started/);
      assert.equal(fast.values, scriptsRead(text, "node").values);
      assert.match(fast.values, /WPDB_DOTENV_/);
    }
  });

  const special = [
    "POSTGRES_PASSWORD='quoted value'\n",
    'POSTGRES_PASSWORD="double $$ quoted"\n',
    "export COMPOSE_PROJECT_NAME=exported\n",
    "COMPOSE_PROJECT_NAME=wpdb # a comment\n",
    "COMPOSE_PROJECT_NAME=wpdb\r\n",
    "  COMPOSE_PROJECT_NAME=indented\n",
    "GRAFANA_PASSWORD=$POSTGRES_PASSWORD\n",
  ];
  it("any other line goes to node's reader, with Compose's rules", () => {
    for (const text of special) {
      const withoutNode = scriptsRead(text, "scripts-without-node");
      assert.match(withoutNode.stderr, /node was started/, `read without node: ${JSON.stringify(text)}`);
      const read = scriptsRead(text, "scripts");
      assert.equal(read.code, 0, read.stderr);
      assert.match(read.values, /WPDB_DOTENV_/, JSON.stringify(text));
      assert.equal(read.values, scriptsRead(text, "node").values);
    }
    assert.match(scriptsRead("COMPOSE_PROJECT_NAME=wpdb # a comment\n", "scripts").values, /="wpdb"/);
    assert.match(scriptsRead("COMPOSE_PROJECT_NAME=wpdb\r\n", "scripts").values, /="wpdb"/);
  });
});
