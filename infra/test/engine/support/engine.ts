/**
 * The engine tier's gate and its view of the engine. The tier runs whenever a Docker engine answers and the
 * images can be built here (root with debootstrap, or every image already present); under CI=true anything
 * missing is a failure, never a skip.
 */
import { spawnSync } from "node:child_process";
import { type BuiltImage, buildEngineImages } from "../images/build.ts";

export const inCi = process.env.CI === "true" || process.env.CI === "1";

/** Why the tier cannot run here, or undefined when it can. */
function missingPrerequisite(): string | undefined {
  const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  if (info.error || info.status !== 0)
    return "no Docker engine answers (start one: bash .ci/engine.sh start)";
  const major = Number(info.stdout.trim().split(".")[0]);
  if (!(major >= 25))
    return `Docker Engine ${info.stdout.trim()} is older than 25 (healthcheck start_interval)`;
  const compose = spawnSync("docker", ["compose", "version", "--short"], { encoding: "utf8" });
  if (compose.status !== 0)
    return "the docker compose plugin is missing (.ci/install-system-deps.sh installs it)";
  const tmux = spawnSync("tmux", ["-V"], { encoding: "utf8" });
  if (tmux.error) return "tmux is missing (real terminals for the prompts)";
  return undefined;
}

/**
 * `describe(..., engineTier())`: the options that skip the suite with the reason (outside CI), or throws
 * (CI=true) so the run fails.
 */
export function engineTier(): { skip?: string } {
  const missing = missingPrerequisite();
  if (!missing) return {};
  if (inCi) throw new Error(`engine tier: ${missing} (CI=true: a missing engine is a failure, not a skip)`);
  return { skip: `engine tier: ${missing}` };
}

let built: BuiltImage[] | undefined;
/** Every pinned image present (built offline where missing or changed); once per test process. */
export function ensureImages(): BuiltImage[] {
  built ??= buildEngineImages([], () => {});
  return built;
}

export interface ContainerRow {
  service: string;
  name: string;
  /** running, exited, paused, created, restarting, dead */
  state: string;
  /** healthy, unhealthy, starting, or "" without a healthcheck */
  health: string;
  exitCode: number;
  /** "127.0.0.1:5432->5432/tcp" style published ports */
  ports: string;
}

/** The project's containers as the engine reports them (docker ps -a), sorted by service. */
export function containers(project: string): ContainerRow[] {
  const ids = docker(["ps", "-aq", "--filter", `label=com.docker.compose.project=${project}`]).trim();
  if (!ids) return [];
  const inspected = JSON.parse(docker(["inspect", ...ids.split("\n")])) as {
    Name: string;
    Config: { Labels: Record<string, string> };
    State: { Status: string; ExitCode: number; Health?: { Status: string } };
    NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> };
  }[];
  return inspected
    .map((c) => ({
      service: c.Config.Labels["com.docker.compose.service"] ?? "?",
      name: c.Name.replace(/^\//, ""),
      state: c.State.Status,
      health: c.State.Health?.Status ?? "",
      exitCode: c.State.ExitCode,
      ports: Object.entries(c.NetworkSettings.Ports ?? {})
        .flatMap(([port, bindings]) => (bindings ?? []).map((b) => `${b.HostIp}:${b.HostPort}->${port}`))
        .sort()
        .join(","),
    }))
    .sort((a, b) => a.service.localeCompare(b.service));
}

export function docker(args: readonly string[]): string {
  const result = spawnSync("docker", [...args], { encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0)
    throw new Error(`docker ${args.join(" ")} failed: ${result.stderr || result.error}`);
  return result.stdout;
}

/** The project's named volumes (docker volume ls). */
export function volumes(project: string): string[] {
  return docker(["volume", "ls", "-q", "--filter", `label=com.docker.compose.project=${project}`])
    .split("\n")
    .filter(Boolean)
    .sort();
}
