// Runs the commands of the e2e run and remembers the ones still running, so an interrupt can stop them
// before the teardown. Children get their own process group: a signal to the harness reaches them only
// through abortAll(), in order, instead of racing the teardown.
import { spawn } from "node:child_process";

export interface CommandResult {
  exitCode: number | null;
  /** stdout and stderr interleaved, as a user would have seen them. */
  output: string;
  stdout: string;
  timedOut: boolean;
  spawnError?: string;
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs: number;
  /** Copy the command's output to ours while it runs. */
  echo?: boolean;
}

const running = new Set<number>();
/** Set by abortAll(): what the stopped commands still print (their own interrupt messages) is not echoed. */
let aborted = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    let output = "";
    let stdout = "";
    let timedOut = false;
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) running.add(pid);
    const onData = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (stream === process.stdout) stdout += chunk.toString("utf8");
      if (options.echo && !aborted) stream.write(chunk);
    };
    child.stdout?.on("data", onData(process.stdout));
    child.stderr?.on("data", onData(process.stderr));
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid, "SIGTERM");
      setTimeout(() => pid !== undefined && killGroup(pid, "SIGKILL"), 5000).unref();
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      resolve({ exitCode: null, output, stdout, timedOut, spawnError: error.message });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (pid !== undefined) running.delete(pid);
      resolve({ exitCode: code, output, stdout, timedOut });
    });
  });
}

/** Stops every command still running (their whole process groups). */
export function abortAll(): void {
  aborted = true;
  for (const pid of running) killGroup(pid, "SIGTERM");
}
