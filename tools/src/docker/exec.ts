import { execFile } from "node:child_process";

/** The outcome of one external command; never throws for a non-zero exit or a timeout. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The program itself was not found on PATH. */
  notFound: boolean;
}

export interface ExecOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Runs a program without a shell and collects its output. */
export function run(
  program: string,
  args: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      program,
      [...args],
      {
        timeout: options.timeoutMs ?? 30_000,
        killSignal: "SIGKILL",
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
        cwd: options.cwd,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        const failure = error as
          | (NodeJS.ErrnoException & { killed?: boolean; signal?: string; code?: unknown })
          | null;
        const notFound = failure?.code === "ENOENT";
        const timedOut = Boolean(failure?.killed) && failure?.signal === "SIGKILL";
        const code =
          failure === null ? 0 : typeof failure.code === "number" ? failure.code : notFound ? 127 : 1;
        resolve({ code, stdout: String(stdout ?? ""), stderr: String(stderr ?? ""), timedOut, notFound });
      },
    );
  });
}

/** The last non-empty line of a command's error output: what docker says went wrong. */
export function lastLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines[lines.length - 1] ?? "";
}
