/**
 * The repository's contract with a newcomer and with CI: turbo tasks, the README's two commands, .ci/run,
 * the variables of .env.example and what git must never track.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot } from "../support/paths.ts";

const read = (file: string) => readFileSync(`${repoRoot}/${file}`, "utf8");

const SIDE_EFFECT_TASKS = ["start", "stop", "reset", "logs", "seed", "status", "doctor", "verify", "e2e"];
const CHECK_TASKS = ["lint", "typecheck", "test"];

const CONTRACT_VARIABLES = [
  "BIND_ADDRESS",
  "POSTGRES_PORT",
  "POSTGRES_USER",
  "POSTGRES_PASSWORD",
  "POSTGRES_DB",
  "MINIO_API_PORT",
  "MINIO_CONSOLE_PORT",
  "MINIO_ROOT_USER",
  "MINIO_ROOT_PASSWORD",
  "MINIO_BUCKET",
  "OPENSEARCH_PORT",
  "OPENSEARCH_DASHBOARDS_PORT",
  "NATS_PORT",
  "NATS_MONITOR_PORT",
  "GRAFANA_PORT",
  "GRAFANA_ADMIN_USER",
  "GRAFANA_ADMIN_PASSWORD",
  "PROMETHEUS_PORT",
  "LOKI_PORT",
  "OTEL_GRPC_PORT",
  "OTEL_HTTP_PORT",
];

interface TaskDefinition {
  cache?: boolean;
  inputs?: string[];
}

describe("turbo.json", () => {
  const tasks = (JSON.parse(read("turbo.json")) as { tasks: Record<string, TaskDefinition> }).tasks;

  it("the test task's cache key changes when a tool the tests look for is installed", () => {
    // A run that skipped tests for a missing nats-server must not be replayed once it is installed.
    const bin = mkdtempSync(join(tmpdir(), "wpdb-tools-"));
    try {
      writeFileSync(join(bin, "nats-server"), "#!/bin/sh\n");
      chmodSync(join(bin, "nats-server"), 0o755);
      const toolsSeenBy = (path: string) => {
        const dryRun = spawnSync(
          "make",
          ["--no-print-directory", "-n", "-W", "node_modules/.package-lock.json", "test"],
          {
            cwd: repoRoot,
            encoding: "utf8",
            env: { ...process.env, PATH: path, MAKEFLAGS: "" },
          },
        );
        return /WPDB_TEST_TOOLS='([^']*)'/.exec(dryRun.stdout)?.[1];
      };
      const before = toolsSeenBy(process.env.PATH ?? "");
      const after = toolsSeenBy(`${bin}:${process.env.PATH ?? ""}`);
      assert.ok(before !== undefined && after !== undefined, "make test passes no WPDB_TEST_TOOLS");
      assert.match(after, new RegExp(`nats-server=${bin}/nats-server`));
      const hashOf = (tools: string) => {
        const dry = spawnSync(
          `${repoRoot}/node_modules/.bin/turbo`,
          ["run", "test", "--dry=json", "--filter=@wallpaperdb/infra-tools"],
          {
            cwd: repoRoot,
            encoding: "utf8",
            env: { ...process.env, WPDB_TEST_TOOLS: tools, TURBO_TELEMETRY_DISABLED: "1" },
          },
        );
        const { tasks: planned } = JSON.parse(dry.stdout) as { tasks: { taskId: string; hash: string }[] };
        return planned.find((t) => t.taskId.endsWith("#test"))?.hash;
      };
      assert.notEqual(hashOf(before), hashOf(after));
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("make test runs the engine tier as a task of its own, beside the other tiers once lint and typecheck pass", () => {
    const dry = spawnSync(
      `${repoRoot}/node_modules/.bin/turbo`,
      ["run", "lint", "typecheck", "test", "test:engine", "--dry=json"],
      { cwd: repoRoot, encoding: "utf8", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } },
    );
    const { tasks: planned } = JSON.parse(dry.stdout) as {
      tasks: { taskId: string; dependencies: string[] }[];
    };
    const engine = planned.find((t) => t.taskId === "@wallpaperdb/infra#test:engine");
    assert.ok(engine, "no infra test:engine task is planned");
    assert.deepEqual(
      [...engine.dependencies].sort(),
      ["@wallpaperdb/infra#lint", "@wallpaperdb/infra#typecheck"],
      "the engine tier waits for nothing but the checks",
    );
    assert.match(read("Makefile"), /\$\(CHECK\) lint typecheck test test:engine$/m);
    assert.match(JSON.parse(read("infra/package.json")).scripts["test:engine"], /test\/engine\/run\.ts/);
  });

  it("never caches a task with side effects", () => {
    for (const task of SIDE_EFFECT_TASKS) {
      assert.ok(tasks[task], `turbo.json lacks the task ${task}`);
      assert.equal(tasks[task]?.cache, false, `${task} must not be cached: it acts on the running stack`);
    }
  });

  it("caches lint, typecheck and test with declared inputs", () => {
    for (const task of CHECK_TASKS) {
      assert.ok(tasks[task], `turbo.json lacks the task ${task}`);
      assert.notEqual(tasks[task]?.cache, false, `${task} should be cached`);
      assert.ok((tasks[task]?.inputs ?? []).length > 0, `${task} declares no inputs`);
    }
  });
});

describe("README and CI", () => {
  it("the quick start is exactly make start and make test", () => {
    // The first fenced block after the heading; its first line is the fence's language tag.
    const block = read("README.md").split("## Quick start")[1]?.split("```")[1] ?? "";
    const commands = block
      .split("\n")
      .slice(1)
      .map((line) => line.replace(/#.*/, "").trim())
      .filter(Boolean);
    assert.deepEqual(commands, ["make start", "make test"]);
  });

  it(".ci/run installs the system packages, starts the engine (stopped on exit), then runs exactly the README's test command", () => {
    const steps = read(".ci/run")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    const install = steps.findIndex((line) => line.includes("install-system-deps.sh"));
    assert.ok(install >= 0, ".ci/run does not install the system packages");
    assert.equal(steps.at(-1), "make test");
    assert.ok(install < steps.length - 1);
    const engine = steps.indexOf("bash .ci/engine.sh start");
    assert.ok(
      engine > install && engine < steps.length - 1,
      ".ci/run does not start the engine before the tests",
    );
    assert.ok(steps.includes("trap 'bash .ci/engine.sh stop' EXIT"), ".ci/run leaves the engine running");
    assert.match(read(".ci/install-system-deps.sh"), /apt-get update/);
  });
});

describe(".env.example", () => {
  const lines = read(".env.example").split("\n");

  it("has every variable of the interface contract with a value and a comment above it", () => {
    for (const name of CONTRACT_VARIABLES) {
      const index = lines.findIndex((line) => line.startsWith(`${name}=`));
      assert.ok(index > 0, `.env.example lacks ${name}`);
      assert.ok((lines[index] ?? "").length > name.length + 1, `${name} has no default value`);
      assert.match(lines[index - 1] ?? "", /^# \S/, `${name} has no one-line comment above it`);
    }
  });

  it("binds to loopback by default", () => {
    assert.ok(lines.includes("BIND_ADDRESS=127.0.0.1"));
  });
});

describe(".gitignore", () => {
  it("keeps secrets, dependencies, caches and data out of git", () => {
    const paths = [".env", "infra/.env", "node_modules/x", ".turbo/x", "tools/.turbo/x", "data/x"];
    const result = spawnSync("git", ["check-ignore", "--no-index", ...paths], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    assert.deepEqual(result.stdout.trim().split("\n").sort(), [...paths].sort());
  });
});
