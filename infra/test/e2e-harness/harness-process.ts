// Runs the real e2e harness (infra/e2e/run.ts) as a child process with the fake docker first on PATH, and
// returns what a user would see plus every docker call the fake recorded.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { infraDir } from "../support/paths.ts";

export const fakeDockerDir = join(infraDir, "test/support/fake-docker");

export interface HarnessRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
  elapsedMs: number;
  logsDir: string;
}

export async function runHarness(
  env: Record<string, string>,
  options: { signal?: NodeJS.Signals; signalWhen?: RegExp; path?: string; viaNpm?: boolean } = {},
): Promise<HarnessRun> {
  const dir = mkdtempSync(join(tmpdir(), "e2e-harness-test-"));
  const log = join(dir, "docker-calls.log");
  const logsDir = join(dir, "logs");
  const inherited = { ...process.env };
  delete inherited.E2E_REQUIRED; // the tests decide
  delete inherited.HOST_WORKSPACE_FOLDER; // set inside the dev container, where the harness skips
  const started = Date.now();
  // viaNpm: the way make/turbo start it (`npm run e2e`), where npm must hand signals on to the harness.
  const [command, args] = options.viaNpm
    ? ["npm", ["run", "--silent", "e2e"]]
    : [process.execPath, ["--import", "tsx", join(infraDir, "e2e/run.ts")]];
  const child = spawn(command, args, {
    cwd: infraDir,
    env: {
      ...inherited,
      PATH: options.path ?? `${fakeDockerDir}${delimiter}${process.env.PATH ?? ""}`,
      FAKE_DOCKER_LOG: log,
      FAKE_DOCKER_STATE_DIR: join(dir, "state"),
      E2E_LOGS_DIR: logsDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let signalled = false;
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (options.signal && !signalled && options.signalWhen?.test(stdout)) {
      signalled = true;
      // Give the step's child a moment to really be running before the interrupt.
      setTimeout(() => child.kill(options.signal), 300);
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  const calls = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : [];
  const run = { exitCode, stdout, stderr, calls, elapsedMs: Date.now() - started, logsDir };
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  return run;
}

/** The project names every recorded compose call addressed (`-p NAME`). */
export function projectsAddressed(calls: readonly string[]): string[] {
  return calls.flatMap((call) => [...call.matchAll(/ -p (\S+)/g)].map((m) => m[1] as string));
}

export const isDownOfE2EProject = (call: string) =>
  /^docker compose -p wallpaperdb-e2e-[a-z0-9]+ .* down -v( |$)/.test(call);
