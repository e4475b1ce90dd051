/**
 * Engine tier: a git clone and a git worktree of it, started side by side with NO edits, as a developer
 * who keeps a second working copy does. The first start writes each `.env`: the clone gets the plan's
 * defaults (or its own identity, when another checkout on this engine holds them), the worktree a name and
 * a port block of its own; both run at once, and stopping one leaves the other running.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readEnvFile } from "../../../tools/src/config/env.ts";
import { type RunResult, runDetached } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";
import { cleanEnv, grantableOpenFiles } from "./support/checkout.ts";
import { containers, docker, engineTier, ensureImages } from "./support/engine.ts";

const git = (args: readonly string[], cwd: string) => {
  const result = spawnSync("git", [...args], { cwd, encoding: "utf8" });
  assert.equal(result.status, 0, `git ${args.join(" ")}: ${result.stderr}`);
};

/** A working copy that shares this checkout's node_modules, its npm inputs dated before their install. */
function prepare(dir: string): void {
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  const longAgo = new Date("2000-01-01T00:00:00Z");
  for (const file of ["package-lock.json", "package.json", "infra/package.json", "tools/package.json"])
    utimesSync(join(dir, file), longAgo, longAgo);
}

const identity = (dir: string) => readEnvFile(join(dir, ".env"), {}).values as Record<string, string>;

describe("engine tier: a clone and a git worktree, no edits", engineTier(), () => {
  const root = mkdtempSync(join(tmpdir(), "wpdb-engine-clones-"));
  const clone = join(root, "wallpaperdb");
  const worktree = join(root, "wallpaperdb-review");
  // Only what this engine cannot grant is set, in the environment (it beats .env): nothing is edited.
  const env = cleanEnv({ OTEL_SDK_DISABLED: "true", OPENSEARCH_NOFILE: String(grantableOpenFiles()) });
  const make = (dir: string, args: string[]): Promise<RunResult> =>
    runDetached("make", ["--no-print-directory", ...args], { cwd: dir, env, timeoutMs: 240_000 });

  before(() => {
    ensureImages();
    git(["clone", "-q", repoRoot, clone], root);
    git(["worktree", "add", "-q", worktree], clone);
    prepare(clone);
    prepare(worktree);
  });
  after(() => {
    for (const dir of [clone, worktree]) {
      const project = (() => {
        try {
          return identity(dir).COMPOSE_PROJECT_NAME;
        } catch {
          return undefined;
        }
      })();
      if (!project) continue;
      const filter = ["--filter", `label=com.docker.compose.project=${project}`];
      const ids = docker(["ps", "-aq", ...filter]).trim();
      if (ids) docker(["rm", "-f", ...ids.split("\n")]);
      const volumes = docker(["volume", "ls", "-q", ...filter]).trim();
      if (volumes) docker(["volume", "rm", "-f", ...volumes.split("\n")]);
      spawnSync("docker", ["network", "rm", `${project}_default`], { stdio: "ignore" });
    }
    rmSync(root, { recursive: true, force: true });
  });

  it("each first make start writes its own identity, and both stacks run at once", async () => {
    const first = await make(clone, ["start", "PROFILE=core"]);
    assert.equal(first.code, 0, first.output);
    const second = await make(worktree, ["start", "PROFILE=core"]);
    assert.equal(second.code, 0, second.output);
    const a = identity(clone);
    const b = identity(worktree);
    assert.notEqual(a.COMPOSE_PROJECT_NAME, b.COMPOSE_PROJECT_NAME);
    assert.notEqual(a.POSTGRES_PORT, b.POSTGRES_PORT);
    assert.match(readFileSync(join(worktree, ".env"), "utf8"), /^COMPOSE_PROJECT_NAME=.*review/m);
    for (const values of [a, b]) {
      const project = values.COMPOSE_PROJECT_NAME as string;
      const postgres = containers(project).find((c) => c.service === "postgres");
      assert.equal(postgres?.state, "running", project);
      assert.ok(postgres?.ports.includes(`127.0.0.1:${values.POSTGRES_PORT}->`), postgres?.ports);
    }
  });

  it("status in each shows its own stack; stopping the worktree's leaves the clone's running", async () => {
    const a = identity(clone);
    const b = identity(worktree);
    const status = await make(clone, ["status"]);
    assert.equal(status.code, 0, status.output);
    assert.match(status.output, new RegExp(`localhost:${a.POSTGRES_PORT}/`));
    assert.doesNotMatch(status.output, new RegExp(`localhost:${b.POSTGRES_PORT}/`));
    const stop = await make(worktree, ["stop"]);
    assert.equal(stop.code, 0, stop.output);
    assert.ok(containers(b.COMPOSE_PROJECT_NAME as string).every((c) => c.state !== "running"));
    assert.ok(
      containers(a.COMPOSE_PROJECT_NAME as string).every((c) => c.state === "running"),
      "the clone's stack was stopped by the worktree's make stop",
    );
  });
});
