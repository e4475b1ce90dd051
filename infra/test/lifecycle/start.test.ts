/**
 * `make start` end to end (make → turbo → infra/scripts/start-infra.sh → tools CLI) against the fake docker.
 * Each test has its own fake engine, project, env file and free ports; wait and seed are left out
 * (START_NO_WAIT/START_NO_SEED) because no real service answers.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { hostPortOf, makeIn, occupy, type Sandbox, sandbox } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";

/** ss (Linux) or lsof (macOS) lets doctor name the process that holds a port. */
const osNamesListeners = ["ss", "lsof"].some(
  (tool) => spawnSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" }).status === 0,
);

const ups = (box: Sandbox) => box.calls().filter((c) => / compose .* up /.test(c));

describe("make start", () => {
  it("starts every profile healthy, creates .env, and prints the status table with URLs and masked users", async () => {
    const box = await sandbox();
    try {
      const result = await makeIn(box, ["start"]);
      assert.equal(result.code, 0, result.output);
      assert.ok(existsSync(box.envFile), ".env was not created");
      assert.match(result.output, /Created \.env from \.env\.example/);
      const [up] = ups(box);
      assert.ok(up, `no compose up reached docker:\n${box.calls().join("\n")}`);
      for (const part of [
        `-p ${box.project}`,
        "-f /",
        `--env-file ${box.envFile}`,
        "--project-directory ",
        "--profile core --profile observability",
        "up --detach --wait --wait-timeout 300",
      ])
        assert.ok(up.includes(part), `compose up lacks "${part}": ${up}`);
      assert.match(
        result.output,
        new RegExp(
          `✓ postgres .*postgres://wallpaperdb:\\*\\*\\*\\*@localhost:${hostPortOf(box.ports, "POSTGRES_PORT")}/`,
        ),
      );
      assert.match(
        result.output,
        new RegExp(
          `✓ grafana .*http://localhost:${hostPortOf(box.ports, "GRAFANA_PORT")} .*admin / \\*\\*\\*\\*`,
        ),
      );
      assert.doesNotMatch(result.output, /wallpaperdb-dev-password/);
      // The scripts (lib.sh) and the tools (docker/compose.ts) address the same project the same way.
      const prefixes = new Set(
        box
          .calls()
          .filter((c) => c.startsWith("docker compose -p"))
          .map((c) => c.slice(0, c.indexOf(" --profile"))),
      );
      assert.equal(prefixes.size, 1, [...prefixes].join("\n"));
    } finally {
      box.cleanup();
    }
  });

  it("runs one tools process after the shell's checks: the preflight, compose up and the status table in it", async () => {
    const box = await sandbox();
    try {
      // A node first on PATH that notes each command line before it runs the real one.
      const bin = join(box.dir, "logged-node");
      const log = join(box.dir, "node.log");
      mkdirSync(bin);
      writeFileSync(
        join(bin, "node"),
        `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${process.execPath}' "$@"\n`,
        { mode: 0o755 },
      );
      const result = await makeIn(box, ["start", "PROFILE=core"], { PATH: `${bin}:${box.env.PATH}` });
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /✓ postgres /);
      const tools = readFileSync(log, "utf8")
        .split("\n")
        .filter((line) => /\bcli\.(mjs|ts)\b/.test(line));
      assert.equal(tools.length, 1, tools.join("\n"));
    } finally {
      box.cleanup();
    }
  });

  it("treats empty STACK_START_TIMEOUT= and COMPOSE_PROFILES= in .env as unset: the defaults apply", async () => {
    const box = await sandbox();
    try {
      const example = readFileSync(join(repoRoot, ".env.example"), "utf8");
      writeFileSync(box.envFile, `${example}\nSTACK_START_TIMEOUT=\nCOMPOSE_PROFILES=\n`);
      const result = await makeIn(box, ["start"]);
      assert.equal(result.code, 0, result.output);
      const [up] = ups(box);
      assert.ok(
        up?.endsWith("--profile core --profile observability up --detach --wait --wait-timeout 300"),
        `${up}`,
      );
    } finally {
      box.cleanup();
    }
  });

  it("two starts at once both succeed and only one reaches compose up; the other finds the stack running", async () => {
    const box = await sandbox({ FAKE_DOCKER_UP_DELAY: "1" });
    try {
      const [a, b] = await Promise.all([
        makeIn(box, ["start", "PROFILE=core"]),
        makeIn(box, ["start", "PROFILE=core"]),
      ]);
      assert.equal(a.code, 0, a.output);
      assert.equal(b.code, 0, b.output);
      assert.equal(ups(box).length, 1, box.calls().join("\n"));
      assert.match(a.output + b.output, /already runs and is healthy/);
      assert.ok(ups(box)[0]?.includes("--profile core up"), "PROFILE=core must select only the core profile");
    } finally {
      box.cleanup();
    }
  });

  it("names a service that never becomes healthy, shows its last 30 log lines and fails", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "never-healthy", FAKE_DOCKER_UNHEALTHY: "opensearch" });
    try {
      const result = await makeIn(box, ["start"]);
      assert.notEqual(result.code, 0);
      assert.match(result.output, /✗ opensearch is unhealthy/);
      assert.match(result.output, /fake log line 21 of opensearch/);
      assert.match(result.output, /fake log line 50 of opensearch/);
      assert.doesNotMatch(result.output, /fake log line 20 of opensearch/, "more than 30 lines shown");
      assert.doesNotMatch(result.output, /✗ postgres/, "a healthy service was blamed");
      assert.match(result.output, /make logs SERVICE=opensearch/);
      assert.ok(box.calls().some((c) => / logs --no-color --no-log-prefix --tail 30 opensearch$/.test(c)));
    } finally {
      box.cleanup();
    }
  });

  it("fails within 5 seconds without an engine, pointing to Docker, the dev container and devbox, after making .env", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "no-engine" });
    try {
      const result = await makeIn(box, ["start"]);
      assert.notEqual(result.code, 0);
      assert.ok(result.ms < 5000, `took ${Math.round(result.ms)} ms`);
      assert.match(result.output, /Cannot reach a Docker engine/);
      assert.match(result.output, /Docker Desktop/);
      assert.match(result.output, /dev container/);
      assert.match(result.output, /devbox/);
      assert.deepEqual(ups(box), []);
      assert.ok(
        existsSync(box.envFile),
        ".env is made even without an engine, so ports can be adjusted first",
      );
      assert.doesNotMatch(result.output, /at .*\.ts:\d+/, "stack trace shown");
    } finally {
      box.cleanup();
    }
  });

  it("passes preflight when the ports are held by this stack, and is a quick no-op", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    // The stack's own containers hold the ports, as docker-proxy would.
    const release = await occupy(Object.values(box.ports));
    try {
      const result = await makeIn(box, ["start"]);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /already runs and is healthy/);
      assert.doesNotMatch(result.output, /PORT_TAKEN|is taken by/);
      assert.deepEqual(ups(box), []);
    } finally {
      await release();
      box.cleanup();
    }
  });

  it("refuses to start when another program holds a port, naming port, service and variable; nothing starts", async () => {
    const box = await sandbox();
    const release = await occupy([hostPortOf(box.ports, "NATS_PORT")]);
    try {
      const result = await makeIn(box, ["start"]);
      assert.notEqual(result.code, 0);
      const taken = `port ${hostPortOf(box.ports, "NATS_PORT")} \\(nats clients, NATS_PORT\\) is taken by`;
      if (osNamesListeners) assert.match(result.output, new RegExp(`${taken} node \\(pid ${process.pid}\\)`));
      else {
        assert.notEqual(
          process.env.CI,
          "true",
          "CI needs ss (iproute2) or lsof so doctor can name port owners",
        );
        assert.match(result.output, new RegExp(`${taken} another program`));
      }
      assert.match(result.output, /set NATS_PORT=\d+ in \.env/);
      assert.deepEqual(ups(box), []);
    } finally {
      await release();
      box.cleanup();
    }
  });
});
