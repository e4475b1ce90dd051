/**
 * Benchmark: the tooling overhead of `make start` over a bare `docker compose up -d --wait`, both against the
 * fake docker (infra/test/support/fake-docker) from a clean state, with wait and seed left out
 * (START_NO_WAIT=1 START_NO_SEED=1): what remains is make + the script + preflight + status (the tools
 * bundle; the script alone runs the sources under tsx). Prints figures (median of 5 runs); not a timed test.
 * Target (issue 13): at most 0.5 s of overhead.
 * Run: npm run bench -w tools (or: cd tools && tsx bench/start-overhead.ts [runs])
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { repoRoot } from "../src/config/env.ts";

const RUNS = Number(process.argv[2] ?? 5);
const fakeDocker = resolve(repoRoot, "infra/test/support/fake-docker");
const dir = mkdtempSync(join(tmpdir(), "wpdb-bench-"));
const envFile = join(dir, ".env");
spawnSync("cp", [resolve(repoRoot, ".env.example"), envFile]);

// Under `make bench` this runs inside a turbo task: drop turbo's per-run variables so the nested
// `make start` is an ordinary, independent turbo run.
const inherited = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^TURBO_(HASH|INVOCATION_DIR|IS_TUI|RUN_ID|TASK)/.test(key)),
);
const env: NodeJS.ProcessEnv = {
  ...inherited,
  PATH: `${fakeDocker}:${process.env.PATH ?? ""}`,
  WALLPAPERDB_ENV_FILE: envFile,
  COMPOSE_PROJECT_NAME: "wpdbbench",
  FAKE_DOCKER_STATE_DIR: join(dir, "state"),
  START_NO_WAIT: "1",
  START_NO_SEED: "1",
  OTEL_SDK_DISABLED: "true",
  MAKEFLAGS: "",
};

function timed(command: string, args: string[], extra: NodeJS.ProcessEnv = {}): number {
  // Every run starts from an engine with nothing running (the fake keeps its state in this folder).
  rmSync(join(dir, "state"), { recursive: true, force: true });
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: repoRoot, env: { ...env, ...extra }, stdio: "pipe" });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  return ms;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** The bench project with every profile, as `make start` selects by default. */
const bareCompose = ["compose", "-p", "wpdbbench", "--profile", "core", "--profile", "observability"];

function measure(label: string, run: () => number): number {
  run(); // warm-up: tsx transform cache, the bundle built if stale, file cache
  const samples = Array.from({ length: RUNS }, run);
  const m = median(samples);
  console.log(
    `${label.padEnd(46)} median ${m.toFixed(0).padStart(5)} ms  (runs: ${samples.map((s) => s.toFixed(0)).join(", ")})`,
  );
  return m;
}

try {
  console.log(`start overhead, fake docker, median of ${RUNS} (${new Date().toISOString()})`);
  const bare = measure("bare: docker compose up -d --wait", () =>
    timed("docker", [
      ...bareCompose,
      "-f",
      resolve(repoRoot, "infra/docker-compose.yml"),
      "--env-file",
      envFile,
      "up",
      "-d",
      "--wait",
    ]),
  );
  const script = measure("script: infra/scripts/start-infra.sh", () =>
    timed("bash", ["infra/scripts/start-infra.sh"]),
  );
  const make = measure("make start (make → script → tools bundle)", () =>
    timed("make", ["--no-print-directory", "start"]),
  );
  const warm = measure("make start, stack already running (no-op)", () => {
    timed("docker", [...bareCompose, "up", "-d"]);
    const started = performance.now();
    const result = spawnSync("make", ["--no-print-directory", "start"], {
      cwd: repoRoot,
      env,
      stdio: "pipe",
    });
    if (result.status !== 0) throw new Error(`${result.stdout}${result.stderr}`);
    return performance.now() - started;
  });
  const overhead = make - bare;
  console.log("");
  console.log(
    `overhead of make start over bare compose up: ${overhead.toFixed(0)} ms (ratio ${(make / bare).toFixed(1)}x)`,
  );
  console.log(
    `  script under tsx: ${(script - bare).toFixed(0)} ms over bare; make with the bundle: ${(make - script).toFixed(0)} ms against it`,
  );
  console.log(`  no-op start on a running stack: ${warm.toFixed(0)} ms`);
  console.log(`target ≤ 500 ms overhead: ${overhead <= 500 ? "met" : "NOT met"}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
