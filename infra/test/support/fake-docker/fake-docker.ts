/**
 * Test helpers around the fake `docker` in this folder (see the header of ./docker for its interface):
 * a sandbox with its own state, call log, env file, Compose project and free ports, and a way to run
 * commands (make targets, scripts, the tools CLI) against it without a terminal.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { repoRoot } from "../paths.ts";

export const FAKE_DOCKER_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * The port variables of the Compose file (`${NAME_PORT:-default}` in its ports), in its order: the fake
 * publishes each on the value the environment gives it, and a new service's ports come without an edit here.
 */
export const PORT_VARIABLES: readonly string[] = [
  ...new Set(
    [
      ...readFileSync(join(FAKE_DOCKER_DIR, "../../../docker-compose.yml"), "utf8").matchAll(
        /\$\{([A-Z][A-Z0-9_]*_PORT):-\d+\}:\d+/g,
      ),
    ].map((m) => m[1] as string),
  ),
];

/** The host port a sandbox (or checkout) gave a variable; a name the Compose file does not publish fails the test. */
export function hostPortOf(ports: Readonly<Record<string, number>>, variable: string): number {
  const port = ports[variable];
  if (port === undefined) throw new Error(`${variable} is no port variable of infra/docker-compose.yml`);
  return port;
}

/** Ports the OS says are free right now (bound then released), so parallel tests do not collide. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    servers.push(server);
    ports.push((server.address() as { port: number }).port);
  }
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}

/** Holds real listeners on ports (like docker-proxy would, or a foreign program). */
export async function occupy(ports: readonly number[], host = "127.0.0.1"): Promise<() => Promise<void>> {
  const servers = await Promise.all(
    ports.map(
      (port) =>
        new Promise<Server>((done, fail) => {
          const server = createServer();
          server.once("error", fail);
          server.listen(port, host, () => done(server));
        }),
    ),
  );
  return async () => {
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  };
}

/**
 * Holds listeners on ports from a separate process that the OS reports under `name` (ss and lsof show the
 * executable's file name), e.g. "docker-proxy", the engine's port proxy. `dir` holds the link to node.
 */
export async function occupyAs(
  name: string,
  ports: readonly number[],
  dir: string,
  host = "127.0.0.1",
): Promise<() => Promise<void>> {
  const program = join(dir, name);
  if (!existsSync(program)) symlinkSync(process.execPath, program);
  const script = `const net = require("node:net");
Promise.all(${JSON.stringify(ports)}.map((p) => new Promise((ok) => net.createServer().listen(p, ${JSON.stringify(host)}, ok))))
  .then(() => process.stdout.write("listening\\n"));`;
  const child = spawn(program, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((ready, fail) => {
    child.once("exit", (code) => fail(new Error(`${name} exited (${code}) before listening`)));
    child.stdout.once("data", () => ready());
  });
  return async () => {
    child.removeAllListeners("exit");
    const exited = new Promise((done) => child.once("exit", done));
    child.kill();
    await exited;
  };
}

export interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
  ports: Readonly<Record<string, number>>;
  envFile: string;
  project: string;
  /** Every docker call so far, one "docker ..." line each. */
  calls(): string[];
  volumes(): string[];
  cleanup(): void;
}

let counter = 0;

/** A fresh, isolated fake engine; `extra` adds FAKE_DOCKER_* or any other variable. */
export async function sandbox(extra: NodeJS.ProcessEnv = {}): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), "fake-docker-"));
  const ports = Object.fromEntries(
    (await freePorts(PORT_VARIABLES.length)).map((port, i) => [PORT_VARIABLES[i], port]),
  ) as Sandbox["ports"];
  const project = `lc${process.pid}x${++counter}`;
  const envFile = join(dir, ".env");
  const log = join(dir, "docker.log");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH ?? ""}`,
    FAKE_DOCKER_STATE_DIR: join(dir, "state"),
    FAKE_DOCKER_LOG: log,
    WALLPAPERDB_ENV_FILE: envFile,
    // The lifecycle lock lives in the sandbox, so cleanup() removes it (default: <repo>/.turbo).
    WPDB_LOCK_DIR: dir,
    COMPOSE_PROJECT_NAME: project,
    // No collector in tests: the tools must not even try to send their traces.
    OTEL_SDK_DISABLED: "true",
    START_NO_WAIT: "1",
    START_NO_SEED: "1",
    MAKEFLAGS: "",
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    ...extra,
  };
  for (const key of [
    "CONFIRM",
    "HOST_WORKSPACE_FOLDER",
    "COMPOSE_PROFILES",
    "WPDB_COMPOSE",
    "WPDB_LIFECYCLE_LOCK_HELD",
    // Under `make test` the nested make would otherwise say "make[1]:" where a user sees "make:".
    "MAKELEVEL",
    "TRACEPARENT",
  ])
    if (!(key in extra)) delete env[key];
  return {
    dir,
    env,
    ports,
    envFile,
    project,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, "utf8")
            .split("\n")
            .filter((l) => l !== "")
        : [],
    volumes: () => {
      const file = join(dir, "state", "volumes");
      return existsSync(file)
        ? readFileSync(file, "utf8")
            .split("\n")
            .filter((l) => l !== "")
        : [];
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A PATH like `path` minus some commands (e.g. `timeout`, `flock`, to play stock macOS): a folder in `dir`
 * with a symlink to every other executable found on `path`, first match wins as in a shell lookup.
 */
export function pathWithout(hidden: readonly string[], path: string, dir: string): string {
  const bin = join(dir, `path-without-${hidden.join("-")}`);
  mkdirSync(bin, { recursive: true });
  const seen = new Set(hidden);
  for (const folder of path.split(":")) {
    if (folder === "" || !existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(folder, name), join(bin, name));
    }
  }
  return bin;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  output: string;
  ms: number;
}

/** `make <args>` at the repository root, as a user types it, in the sandbox's environment (plus `extraEnv`). */
export function makeIn(
  box: Sandbox,
  args: readonly string[],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  return runDetached("make", ["--no-print-directory", ...args], {
    cwd: repoRoot,
    env: { ...box.env, ...extraEnv },
  });
}

/**
 * Runs a command in its own session (setsid): no controlling terminal, so /dev/tty cannot be opened, as in CI.
 * stdin is closed.
 */
export function runDetached(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
      output += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d;
      output += d;
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    }, options.timeoutMs ?? 60_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : 1), stdout, stderr, output, ms: performance.now() - started });
    });
  });
}
