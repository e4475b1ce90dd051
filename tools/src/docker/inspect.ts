import { run } from "./exec.ts";

/** What `docker inspect` says about a container that `docker ps` does not. */
export interface ContainerDetails {
  /** The engine's state: created, running, paused, restarting, removing, exited, dead. */
  status: string;
  exitCode: number;
  /** The kernel killed it for exceeding its memory limit. */
  oomKilled: boolean;
  /** Why the engine could not start it (a container left in state created), else "". */
  error: string;
  /** healthy, unhealthy, starting, or "" without a healthcheck (Health.Status). */
  health: string;
  /** Consecutive failed healthchecks (Health.FailingStreak); 0 when the last one passed. */
  failingStreak: number;
  /** The last healthcheck run, when the container has a healthcheck that ran. */
  lastHealthcheck: { exitCode: number; output: string } | undefined;
  /** The memory limit the engine enforces (HostConfig.Memory); 0 when none or not reported. */
  memoryLimitBytes: number;
  /** com.docker.compose.config-hash: the hash of the service config it was created from ("" if none). */
  configHash: string;
  /** com.docker.compose.project.working_dir: the checkout's infra/ folder that created it ("" if none). */
  workingDir: string;
  /** The image reference it was created from (Config.Image). */
  imageRef: string;
  /** The id of the image it runs. */
  imageId: string;
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** Parses `docker inspect` (a JSON array) into details per container name, without the engine's leading "/". */
export function parseInspect(text: string): Map<string, ContainerDetails> {
  const details = new Map<string, ContainerDetails>();
  let records: unknown;
  try {
    records = JSON.parse(text.trim() || "[]");
  } catch {
    return details;
  }
  if (!Array.isArray(records)) return details;
  for (const record of records as Record<string, unknown>[]) {
    const state = (record?.State ?? {}) as Record<string, unknown>;
    const memory = ((record?.HostConfig ?? {}) as { Memory?: unknown }).Memory;
    const containerConfig = (record?.Config ?? {}) as { Image?: unknown; Labels?: unknown };
    const labels = (containerConfig.Labels ?? {}) as Record<string, unknown>;
    const health = (state.Health ?? {}) as {
      Status?: unknown;
      FailingStreak?: unknown;
      Log?: { ExitCode?: unknown; Output?: unknown }[];
    };
    const last = Array.isArray(health.Log) ? health.Log[health.Log.length - 1] : undefined;
    details.set(str(record?.Name).replace(/^\//, ""), {
      status: str(state.Status),
      exitCode: typeof state.ExitCode === "number" ? state.ExitCode : 0,
      oomKilled: state.OOMKilled === true,
      error: str(state.Error),
      health: str(health.Status),
      failingStreak: typeof health.FailingStreak === "number" ? health.FailingStreak : 0,
      lastHealthcheck: last
        ? { exitCode: typeof last.ExitCode === "number" ? last.ExitCode : 0, output: str(last.Output) }
        : undefined,
      memoryLimitBytes: typeof memory === "number" ? memory : 0,
      configHash: str(labels["com.docker.compose.config-hash"]),
      workingDir: str(labels["com.docker.compose.project.working_dir"]),
      imageRef: str(containerConfig.Image),
      imageId: str(record?.Image),
    });
  }
  return details;
}

/**
 * The details of the named containers. `docker inspect` prints the ones it knows even when another name is
 * unknown (exit 1), so its output is read either way; an engine that does not answer yields none.
 */
export async function inspectContainers(names: readonly string[]): Promise<Map<string, ContainerDetails>> {
  if (names.length === 0) return new Map();
  const result = await run("docker", ["inspect", ...names], { timeoutMs: 15_000 });
  return parseInspect(result.stdout);
}
