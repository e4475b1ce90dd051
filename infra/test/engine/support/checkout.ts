/**
 * A throwaway checkout of this repository for the engine tier: the tracked and untracked (not ignored)
 * files copied with their times (so make sees the npm install as current), node_modules shared by a link,
 * and a `.env` of its own (project name, a free block of host ports), the way a developer's second clone
 * would look. Every make target then runs exactly as a user types it, against the real engine, and never
 * touches the developer's own stack.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { readEnvFile } from "../../../../tools/src/config/env.ts";
import { endpointVariables } from "../../../e2e/lib/plan.ts";
import { isPortFree, planPorts } from "../../../e2e/lib/ports.ts";
import { PORT_VARIABLES, type RunResult, runDetached } from "../../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../../support/paths.ts";
import { docker } from "./engine.ts";

/** Below Linux's ephemeral range and apart from the e2e run's (20000-29999). */
const ENGINE_PORT_RANGE = { min: 10000, max: 19999 };
/** The variables a developer's shell may carry that would point the checkout elsewhere. */
const FOREIGN_VARIABLES = [
  /^COMPOSE_/,
  /^DOCKER_HOST$/,
  /^CONFIRM$/,
  /^PROFILE$/,
  /^WALLPAPERDB_/,
  /^WPDB_/,
  /^MAKE/,
  /^MFLAGS$/,
  /_PORT$/,
  /_URL$/,
  /^S3_ENDPOINT$/,
  /^OTEL_/,
  /^TRACEPARENT$/,
  /^HOST_WORKSPACE_FOLDER$/,
  /^START_NO_/,
  /^E2E_/,
];

export interface Checkout {
  dir: string;
  project: string;
  ports: Readonly<Record<string, number>>;
  /** The environment every command of the checkout runs with. */
  env: NodeJS.ProcessEnv;
  make(
    args: readonly string[],
    options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): Promise<RunResult>;
  /**
   * Runs make with `args` in a process group of its own and calls `act` with the group's id once the output
   * (colour codes aside) matches `when`, once: the moment to press Ctrl-C, or to change the engine under it.
   */
  makeActingWhen(
    args: readonly string[],
    when: RegExp,
    act: (group: number) => void,
    options?: { env?: NodeJS.ProcessEnv },
  ): Promise<{ code: number; output: string }>;
  /** `docker compose` on this checkout's project (both profiles). */
  compose(args: readonly string[]): Promise<RunResult>;
  /** The checkout's `.env` as the tools read it, plus the endpoint URLs on its ports (for the e2e markers). */
  variables(): Record<string, string>;
  /** Rewrites `.env` lines (VAR=value), adding the ones it lacks. */
  setEnv(values: Record<string, string>): void;
  /** Removes the project (containers, networks, volumes) and the folder. */
  destroy(): Promise<void>;
}

/** The hard open-files limit containers can be given here (root without CAP_SYS_RESOURCE cannot raise it). */
export function grantableOpenFiles(): number {
  const limit = Number(spawnSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).stdout.trim());
  return Number.isFinite(limit) ? limit : 65536;
}

/** The environment without the variables a developer's shell may carry that would point a checkout elsewhere. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!FOREIGN_VARIABLES.some((pattern) => pattern.test(key))) env[key] = value;
  return { ...env, ...extra };
}

/**
 * `linkNodeModules: false` leaves node_modules out, for a checkout that installs its own (the dev
 * container mounts a volume there).
 */
export async function makeCheckout(
  name: string,
  options: { linkNodeModules?: boolean } = {},
): Promise<Checkout> {
  const dir = mkdtempSync(join(tmpdir(), `wpdb-engine-${name}-`));
  const files = spawnSync("git", ["ls-files", "-z", "-co", "--exclude-standard"], {
    cwd: repoRoot,
    encoding: "buffer",
  });
  const tar = spawnSync("sh", ["-c", `tar --null -T - -c | tar -x -C '${dir}'`], {
    cwd: repoRoot,
    input: files.stdout,
  });
  if (tar.status !== 0) throw new Error(`copying the checkout failed: ${tar.stderr}`);
  if (options.linkNodeModules !== false)
    symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  const project = `wpdb-et-${name}-${process.pid}`;
  const start = ENGINE_PORT_RANGE.min + Math.floor(Math.random() * 9000);
  const ports = (await planPorts(
    PORT_VARIABLES,
    { range: ENGINE_PORT_RANGE, start, reserved: new Set() },
    isPortFree,
  )) as Checkout["ports"];
  const envFile = join(dir, ".env");
  const setEnv = (values: Record<string, string>) => {
    let text = readFileSync(envFile, "utf8");
    for (const [key, value] of Object.entries(values)) {
      const line = new RegExp(`^${key}=.*$`, "m");
      text = line.test(text) ? text.replace(line, `${key}=${value}`) : `${text.trimEnd()}\n${key}=${value}\n`;
    }
    writeFileSync(envFile, text);
  };
  writeFileSync(envFile, readFileSync(join(dir, ".env.example"), "utf8"));
  setEnv({
    COMPOSE_PROJECT_NAME: project,
    STACK_START_TIMEOUT: "180",
    OPENSEARCH_NOFILE: String(Math.min(65536, grantableOpenFiles())),
    ...Object.fromEntries(Object.entries(ports).map(([key, port]) => [key, String(port)])),
  });
  const env = cleanEnv({ OTEL_SDK_DISABLED: "true" });
  const composeBase = [
    "compose",
    "-p",
    project,
    "-f",
    join(dir, "infra", "docker-compose.yml"),
    "--env-file",
    envFile,
    "--profile",
    "core",
    "--profile",
    "observability",
  ];
  return {
    dir,
    project,
    ports,
    env,
    setEnv,
    variables: () => {
      const values = readEnvFile(envFile, {}).values as Record<string, string>;
      return { ...values, ...endpointVariables(values) };
    },
    make: (args, options = {}) =>
      runDetached("make", ["--no-print-directory", ...args], {
        cwd: dir,
        env: { ...env, ...options.env },
        timeoutMs: options.timeoutMs ?? 240_000,
      }),
    makeActingWhen: (args, when, act, options = {}) => {
      const child = spawn("make", ["--no-print-directory", ...args], {
        cwd: dir,
        env: { ...env, ...options.env },
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      let acted = false;
      const collect = (d: Buffer) => {
        output += d;
        if (!acted && when.test(stripVTControlCharacters(output))) {
          acted = true;
          act(child.pid as number);
        }
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      return new Promise((done) =>
        child.on("close", (exit, signal) => done({ code: exit ?? (signal ? 130 : 1), output })),
      );
    },
    compose: (args) =>
      runDetached("docker", [...composeBase, ...args], { cwd: dir, env, timeoutMs: 240_000 }),
    destroy: async () => {
      await new Promise<void>((done) => {
        const down = spawn("docker", [...composeBase, "down", "-v", "--remove-orphans", "--timeout", "5"], {
          stdio: "ignore",
        });
        down.on("close", () => done());
      });
      // What the Compose file alone does not know (the dev container's workspace and its volume).
      const byLabel = ["--filter", `label=com.docker.compose.project=${project}`];
      const leftovers = docker(["ps", "-aq", ...byLabel]).trim();
      if (leftovers) docker(["rm", "-f", ...leftovers.split("\n")]);
      const volumes = docker(["volume", "ls", "-q", ...byLabel]).trim();
      if (volumes) docker(["volume", "rm", "-f", ...volumes.split("\n")]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
