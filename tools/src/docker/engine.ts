import { lastLine, run } from "./exec.ts";

/** What doctor needs from `docker info`. */
export interface EngineInfo {
  serverVersion: string;
  operatingSystem: string;
  osType: string;
  architecture: string;
  cpus: number;
  memTotalBytes: number;
  dockerRootDir: string;
  clientVersion: string | undefined;
}

export type EngineProbe =
  | { reachable: true; info: EngineInfo }
  /** hung: the engine's socket accepts, but no answer came in time (e.g. dockerd stopped with SIGSTOP). */
  | { reachable: false; reason: string; hung: boolean };

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** Parses `docker info --format '{{json .}}'`; an empty ServerVersion means no engine answered. */
export function parseDockerInfo(text: string): EngineInfo | undefined {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text.trim().split("\n")[0] ?? "") as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || str(raw.ServerVersion) === "") return undefined;
  const client = (raw.ClientInfo ?? {}) as Record<string, unknown>;
  return {
    serverVersion: str(raw.ServerVersion),
    operatingSystem: str(raw.OperatingSystem),
    osType: str(raw.OSType),
    architecture: str(raw.Architecture),
    cpus: num(raw.NCPU),
    memTotalBytes: num(raw.MemTotal),
    dockerRootDir: str(raw.DockerRootDir),
    clientVersion: str(client.Version) || undefined,
  };
}

/** One `docker info` with a deadline: a hung engine must not stall a command (doctor budget: 5 s). */
export async function probeEngine(timeoutMs = 3000): Promise<EngineProbe> {
  const result = await run("docker", ["info", "--format", "{{json .}}"], { timeoutMs });
  if (result.notFound)
    return { reachable: false, reason: "the docker CLI is not installed or not on PATH", hung: false };
  if (result.timedOut)
    return { reachable: false, reason: `no answer within ${timeoutMs / 1000} s`, hung: true };
  const info = parseDockerInfo(result.stdout);
  if (result.code === 0 && info) return { reachable: true, info };
  return {
    reachable: false,
    reason: lastLine(result.stderr) || `docker info exited with ${result.code}`,
    hung: false,
  };
}

/**
 * The engine as the lifecycle script found it moments ago (WPDB_ENGINE_INFO, from its engine check), else
 * asked now: the first question of a command, never a re-check after a failure.
 */
export function probeEngineOnce(
  timeoutMs = 3000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EngineProbe> {
  const info = env.WPDB_ENGINE_INFO ? parseDockerInfo(env.WPDB_ENGINE_INFO) : undefined;
  return info ? Promise.resolve({ reachable: true, info }) : probeEngine(timeoutMs);
}

/** The pointer every "no engine" message ends with (the scripts' lib.sh says the same). */
export const ENGINE_FIX =
  "start Docker Desktop (macOS, Windows) or the Docker Engine (Linux: sudo systemctl start docker), or work in the dev container (.devcontainer/) or devbox (devbox shell); check with: docker info";

/** A hung engine wants a restart, not a start. */
export const ENGINE_HUNG_FIX =
  "restart the engine: it accepts connections but does not answer (Docker Desktop: Troubleshoot > Restart Docker Desktop; Linux: sudo systemctl restart docker); check with: docker info";

export function engineFix(probe: EngineProbe): string {
  return !probe.reachable && probe.hung ? ENGINE_HUNG_FIX : ENGINE_FIX;
}
