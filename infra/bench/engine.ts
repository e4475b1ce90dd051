/**
 * Benchmark on the real engine (engine tier images): each everyday make target beside the bare Compose call
 * it wraps, in the same run, on a throwaway checkout with its own project and ports. Prints a table of
 * medians, the pair, the overhead, the target and whether it is met. The cold start also gets the time it
 * spends outside the `compose up --wait` it runs (the same Compose call, timed inside it). Figures, not a
 * timed test.
 * Run: make bench (or: cd infra && node --import tsx bench/engine.ts [runs] [cold-runs])
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runSeed } from "../../tools/src/commands/seed.ts";
import { parseConfig } from "../../tools/src/config/env.ts";
import { type Checkout, makeCheckout } from "../test/engine/support/checkout.ts";
import { engineTier, ensureImages } from "../test/engine/support/engine.ts";

const RUNS = Number(process.argv[2] ?? 5);
const COLD_RUNS = Number(process.argv[3] ?? 5);

interface Row {
  command: string;
  ms: number;
  pair?: { command: string; ms: number };
  /** The target: at most `total` ms, and/or at most `overhead` ms over the pair. */
  target: { total?: number; overhead?: number };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

function timeOnce(co: Checkout, argv: readonly string[], env: NodeJS.ProcessEnv = {}): number {
  const started = performance.now();
  const [command = "", ...args] = argv;
  const result = spawnSync(command, args, { cwd: co.dir, env: { ...co.env, ...env }, stdio: "pipe" });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${argv.join(" ")} failed:\n${result.stdout}${result.stderr}`);
  return ms;
}

/** Median of `runs` timings, alternating the command and its pair so both see the same machine. */
function paired(
  co: Checkout,
  runs: number,
  command: readonly string[],
  pair: readonly string[] | undefined,
  before: () => void = () => {},
): { ms: number; pairMs?: number } {
  const mine: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    before();
    mine.push(timeOnce(co, command));
    if (pair) {
      before();
      theirs.push(timeOnce(co, pair));
    }
  }
  return { ms: median(mine), ...(pair ? { pairMs: median(theirs) } : {}) };
}

/** A `date` that prints nanoseconds (%N): GNU date, or coreutils' gdate where date is BSD's (macOS). */
function nanosecondDate(): string {
  for (const candidate of ["date", "gdate"]) {
    const out = spawnSync(candidate, ["+%N"], { encoding: "utf8" }).stdout?.trim() ?? "";
    if (/^\d+$/.test(out)) return candidate;
  }
  throw new Error(
    "the benchmark times Compose with GNU date (+%N): install coreutils (macOS: brew install coreutils)",
  );
}

/**
 * A `docker` first on PATH that times every `compose … up` it passes on. A cold start's overhead is then its
 * wall time minus that of the `compose up --wait` inside it: the same call, free of the healthchecks'
 * timing, which moves a bare `up --wait` by up to a second from one run to the next.
 */
function composeUpTimer(): {
  path: (inherited: string) => string;
  lastUpMs: () => number;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "wpdb-bench-docker-"));
  const log = join(dir, "up.log");
  const real = spawnSync("sh", ["-c", "command -v docker"], { encoding: "utf8" }).stdout.trim();
  const date = nanosecondDate();
  writeFileSync(
    join(dir, "docker"),
    `#!/bin/sh\ncase " $* " in *" up "*)\n  started=$(${date} +%s%N); '${real}' "$@"; rc=$?\n  echo "$started $(${date} +%s%N)" >>'${log}'; exit $rc ;;\nesac\nexec '${real}' "$@"\n`,
  );
  chmodSync(join(dir, "docker"), 0o755);
  return {
    path: (inherited) => `${dir}:${inherited}`,
    lastUpMs: () => {
      const last = readFileSync(log, "utf8").trim().split("\n").at(-1) ?? "";
      const [started = 0, ended = 0] = last.split(" ").map(Number);
      return (ended - started) / 1e6;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function render(rows: readonly Row[]): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [["command", "median", "bare compose", "overhead", "target", "met"]];
  for (const row of rows) {
    const overhead = row.pair ? row.ms - row.pair.ms : undefined;
    const targets = [
      row.target.total !== undefined ? `≤ ${s(row.target.total)}` : "",
      row.target.overhead !== undefined ? `≤ ${s(row.target.overhead)} over` : "",
    ].filter(Boolean);
    const met =
      (row.target.total === undefined || row.ms <= row.target.total) &&
      (row.target.overhead === undefined || (overhead !== undefined && overhead <= row.target.overhead));
    lines.push([
      row.command,
      s(row.ms),
      row.pair ? `${s(row.pair.ms)} (${row.pair.command})` : "",
      overhead !== undefined ? `${s(overhead)} (${(row.ms / (row.pair?.ms ?? 1)).toFixed(1)}x)` : "",
      targets.join(", "),
      met ? "yes" : "NO",
    ]);
  }
  const widths = lines[0]?.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? "").length))) ?? [];
  return lines.map((l) => l.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const gate = engineTier();
  if (gate.skip) {
    console.log(`bench (engine): SKIPPED (${gate.skip})`);
    return;
  }
  ensureImages();
  const co = await makeCheckout("bench");
  const compose = ["docker", "compose", "-p", co.project, "-f", join(co.dir, "infra", "docker-compose.yml")];
  const composeAll = [
    ...compose,
    "--env-file",
    join(co.dir, ".env"),
    "--profile",
    "core",
    "--profile",
    "observability",
  ];
  const down = () => timeOnce(co, [...composeAll, "down", "-v", "--timeout", "5"]);
  try {
    // The tools' bundle is built once, as after a pull: every figure below is an everyday run.
    timeOnce(co, ["make", "tools/dist/cli.mjs"]);
    console.log(
      `bench (engine): project ${co.project}, ${RUNS} runs (${COLD_RUNS} cold), ${new Date().toISOString()}`,
    );
    // Seeding is work Compose does not do: left out (as in the fake-docker benchmark) to see the overhead.
    const timer = composeUpTimer();
    const cold: number[] = [];
    const bare: number[] = [];
    const outside: number[] = [];
    try {
      for (let i = 0; i < COLD_RUNS; i++) {
        down();
        const ms = timeOnce(co, ["env", "START_NO_SEED=1", "make", "start"], {
          PATH: timer.path(co.env.PATH ?? ""),
        });
        cold.push(ms);
        outside.push(ms - timer.lastUpMs());
        down();
        bare.push(timeOnce(co, [...composeAll, "up", "-d", "--wait"]));
      }
    } finally {
      timer.remove();
    }
    timeOnce(co, ["make", "start"]);
    const rows: Row[] = [
      {
        command: "make start (cold, no seed)",
        ms: median(cold),
        pair: { command: "up -d --wait", ms: median(bare) },
        target: { overhead: 500 },
      },
      {
        command: "make start (cold): outside its compose up",
        ms: median(outside),
        target: { total: 500 },
      },
    ];
    const status = paired(co, RUNS, ["make", "status"], [...compose, "ps"]);
    rows.push({
      command: "make status",
      ms: status.ms,
      pair: { command: "compose ps", ms: status.pairMs ?? 0 },
      target: { total: 1000, overhead: 600 },
    });
    const noop = paired(co, RUNS, ["make", "start"], [...composeAll, "up", "-d", "--wait"]);
    rows.push({
      command: "make start (nothing changed)",
      ms: noop.ms,
      pair: { command: "up -d --wait", ms: noop.pairMs ?? 0 },
      target: { total: 1500, overhead: 800 },
    });
    rows.push({
      command: "make doctor",
      ms: paired(co, RUNS, ["make", "doctor"], undefined).ms,
      target: { total: 1500 },
    });
    rows.push({
      command: "make seed (warm)",
      ms: paired(co, RUNS, ["make", "seed"], undefined).ms,
      target: { total: 800 },
    });
    // The seeders themselves, without a process to start: what `make seed` costs beyond node and docker.
    const seedConfig = parseConfig(co.variables());
    const inProcess: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      const outcomes = await runSeed(seedConfig, ["postgres", "minio", "opensearch", "nats"]);
      inProcess.push(performance.now() - started);
      const failed = outcomes.find((o) => o.error);
      if (failed) throw new Error(`seeding ${failed.service} in-process failed: ${failed.error?.message}`);
    }
    rows.push({
      command: "seed in-process (warm, 4 services)",
      ms: median(inProcess),
      target: { total: 100 },
    });
    // Snapshot and restore stop the four data services and start them again: that stop/start (waiting
    // healthy, as they do) is the pair, so the overhead is the archiving, the checks and the swap.
    const data = "postgres minio opensearch nats";
    const composeLine = composeAll.map((word) => `'${word}'`).join(" ");
    const stopStart = ["sh", "-c", `${composeLine} stop ${data} && ${composeLine} up -d --wait ${data}`];
    const dropSnapshot = () => rmSync(join(co.dir, ".snapshots", "bench"), { recursive: true, force: true });
    const snapshot = paired(co, RUNS, ["make", "snapshot", "NAME=bench"], stopStart, dropSnapshot);
    rows.push({
      command: "make snapshot (seeded)",
      ms: snapshot.ms,
      pair: { command: "stop + up --wait, 4 data services", ms: snapshot.pairMs ?? 0 },
      target: { overhead: 5000 },
    });
    // paired() dropped the last one before the last pair ran.
    timeOnce(co, ["make", "snapshot", "NAME=bench"]);
    const restore = paired(co, RUNS, ["make", "restore", "NAME=bench", "CONFIRM=1"], stopStart);
    rows.push({
      command: "make restore (seeded)",
      ms: restore.ms,
      pair: { command: "stop + up --wait, 4 data services", ms: restore.pairMs ?? 0 },
      target: { overhead: 8000 },
    });
    console.log(render(rows));
  } finally {
    await co.destroy();
  }
}

await main();
