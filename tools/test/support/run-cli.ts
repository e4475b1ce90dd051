import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = join(dirname(fileURLToPath(import.meta.url)), "../../src/cli.ts");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** True when the CLI had to be killed because it did not exit within `killAfterMs`. */
  killed: boolean;
}

/**
 * Runs the real CLI (as `make seed`/`make wait` do, minus make and turbo) with only the given environment.
 * A CLI still running after `killAfterMs` is killed and reported as such (a hang is a test failure, not a stuck suite).
 */
export function runCli(args: string[], env: Record<string, string>, killAfterMs = 60_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], {
      // A project of its own: the commands ask the real engine (when one answers) who owns their project, and
      // a developer's stack, or the engine tier's, may run as the default "wallpaperdb" meanwhile.
      env: {
        PATH: process.env.PATH ?? "",
        WALLPAPERDB_ENV_FILE: "/dev/null",
        COMPOSE_PROJECT_NAME: `wpdb-cli-test-${process.pid}`,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    let killed = false;
    const killer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, killAfterMs);
    child.stdout.on("data", (c) => {
      stdout += c;
    });
    child.stderr.on("data", (c) => {
      stderr += c;
    });
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started, killed });
    });
  });
}
