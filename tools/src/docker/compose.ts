import { resolve } from "node:path";
import { repoRoot } from "../config/env.ts";
import { PROFILES } from "../config/services.ts";
import { lastLine, run } from "./exec.ts";
import { parseVersion, type Version } from "./version.ts";

/** Everything that identifies this stack to Compose; the same inputs as infra/scripts/lib.sh. */
export interface ComposeTarget {
  /** ["docker", "compose"] or ["docker-compose"]. */
  command: readonly string[];
  projectName: string;
  composeFile: string;
  envFile: string | undefined;
  projectDirectory: string;
}

export const INFRA_DIR = resolve(repoRoot, "infra");
export const COMPOSE_FILE = resolve(INFRA_DIR, "docker-compose.yml");

/**
 * Relative bind mounts resolve against the project directory. Under Docker-outside-of-Docker the engine
 * resolves them on ITS host, so the directory must be the host's path of infra/ (HOST_WORKSPACE_FOLDER).
 */
export function projectDirectory(hostWorkspaceFolder: string | undefined): string {
  const host = hostWorkspaceFolder?.trim();
  return host ? `${host.replace(/\/+$/, "")}/infra` : INFRA_DIR;
}

/** The target of this checkout: project from config, env file only if it exists, DooD-aware directory. */
export function composeTarget(
  command: readonly string[],
  config: { composeProjectName: string; envFile: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): ComposeTarget {
  return {
    command,
    projectName: config.composeProjectName,
    composeFile: COMPOSE_FILE,
    envFile: config.envFile,
    projectDirectory: projectDirectory(env.HOST_WORKSPACE_FOLDER),
  };
}

/** The global arguments every compose call of this stack carries (pure; mirrors lib.sh's `compose`). */
export function composeBaseArgs(target: ComposeTarget): string[] {
  return [
    ...target.command.slice(1),
    "-p",
    target.projectName,
    "-f",
    target.composeFile,
    ...(target.envFile ? ["--env-file", target.envFile] : []),
    "--project-directory",
    target.projectDirectory,
  ];
}

/** `--profile x` for each profile; every profile when none is given (stop, ps and logs see the whole stack). */
export function profileArgs(profiles: readonly string[] = PROFILES): string[] {
  return (profiles.length > 0 ? profiles : PROFILES).flatMap((p) => ["--profile", p]);
}

/** The Compose v2 command and what its `version` printed (the version check reads it: no second call). */
export interface DetectedCompose {
  command: readonly string[];
  versionText: string;
}

let detected: Promise<DetectedCompose | undefined> | undefined;
/**
 * WPDB_COMPOSE and WPDB_COMPOSE_VERSION (set by the scripts, which asked already), else the plugin, else
 * standalone docker-compose; asked once per process.
 */
export function detectCompose(env: NodeJS.ProcessEnv = process.env): Promise<DetectedCompose | undefined> {
  const fromScripts = env.WPDB_COMPOSE?.trim();
  if (fromScripts && env.WPDB_COMPOSE_VERSION?.trim())
    return Promise.resolve({ command: fromScripts.split(/\s+/), versionText: env.WPDB_COMPOSE_VERSION });
  const version = (command: readonly string[]) =>
    run(command[0] as string, [...command.slice(1), "version"], { timeoutMs: 5000 });
  detected ??= (async () => {
    // The scripts' choice stands even when its version cannot be read (doctor then says so).
    if (fromScripts) {
      const command = fromScripts.split(/\s+/);
      const result = await version(command);
      return { command, versionText: result.code === 0 ? result.stdout : "" };
    }
    for (const command of [["docker", "compose"], ["docker-compose"]]) {
      const result = await version(command);
      if (result.code === 0) return { command, versionText: result.stdout };
    }
    return undefined;
  })();
  return detected;
}

/** The Compose v2 command: WPDB_COMPOSE (set by the scripts), else the plugin, else standalone docker-compose. */
export async function composeCommand(
  env: NodeJS.ProcessEnv = process.env,
): Promise<readonly string[] | undefined> {
  const fromScripts = env.WPDB_COMPOSE?.trim();
  if (fromScripts) return fromScripts.split(/\s+/);
  return (await detectCompose(env))?.command;
}

/** "Docker Compose version v2.29.7", "2.26.1-4" (--short) or {"version":"v2.29.7"} → version. */
export function parseComposeVersion(text: string): Version | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    try {
      return parseVersion(String((JSON.parse(trimmed) as { version?: unknown }).version ?? ""));
    } catch {
      return undefined;
    }
  }
  return parseVersion(trimmed);
}

export class ComposeError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "ComposeError";
  }
}

export async function composeRun(
  target: ComposeTarget,
  args: readonly string[],
  timeoutMs = 15_000,
): Promise<{ stdout: string; stderr: string }> {
  const result = await run(target.command[0] ?? "docker", [...composeBaseArgs(target), ...args], {
    timeoutMs,
  });
  if (result.code !== 0) {
    const reason = result.timedOut ? `no answer within ${timeoutMs / 1000} s` : lastLine(result.stderr);
    throw new ComposeError(`${target.command.join(" ")} ${args[0] ?? ""} failed: ${reason}`, result.stderr);
  }
  return { stdout: result.stdout, stderr: result.stderr };
}

/** The last `lines` log lines of one service, without colours or the service prefix. */
export async function composeLogsTail(
  target: ComposeTarget,
  service: string,
  lines: number,
): Promise<string> {
  const { stdout, stderr } = await composeRun(target, [
    ...profileArgs(),
    "logs",
    "--no-color",
    "--no-log-prefix",
    "--tail",
    String(lines),
    service,
  ]);
  return stdout || stderr;
}
