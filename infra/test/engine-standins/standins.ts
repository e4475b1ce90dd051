/**
 * Runs the engine tier's stand-ins as the images do (the ONE bundle under plain node), each on random
 * loopback ports instead of its container ports, with Compose service names routed to those ports
 * (STANDIN_CONNECT_TO), so the project's own tools can be pointed at them.
 */

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { findOnPath, locate } from "../../../tools/test/support/binaries.ts";
import { freePort, tcpOpen } from "../../../tools/test/support/ports.ts";
import { type Started, startProcess, waitUntil } from "../../../tools/test/support/processes.ts";
import type { MarkerStore } from "../../e2e/lib/markers.ts";
import { bundleStandins } from "../engine/standins/bundle.ts";
import { infraDir } from "../support/paths.ts";

/** A safety net only: a stand-in listens well within a second, Prometheus within a few. */
const START_DEADLINE_MS = 60_000;

export const configFile = (path: string) => join(infraDir, "config", path);

let bundle: Promise<string> | undefined;
/** The bundle, built once per test process into a temp folder (removed on exit). */
export function standinBundle(): Promise<string> {
  bundle ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "wpdb-standin-bundle-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "standin.mjs");
    await bundleStandins(file);
    return file;
  })();
  return bundle;
}

/** Loopback ports for `service:containerPort` addresses, and the routes the stand-ins use to reach them. */
export class PortPlan {
  readonly ports = new Map<string, number>();

  async add(...addresses: string[]): Promise<void> {
    for (const address of addresses) if (!this.ports.has(address)) this.ports.set(address, await freePort());
  }

  port(address: string): number {
    const port = this.ports.get(address);
    if (port === undefined) throw new Error(`no port planned for ${address}`);
    return port;
  }

  url(address: string, path = ""): string {
    return `http://127.0.0.1:${this.port(address)}${path}`;
  }

  /** Routes every planned address to its loopback port (plus already running servers in `extra`). */
  connectTo(extra: Record<string, number> = {}): string {
    return [...this.ports, ...Object.entries(extra)]
      .map(([from, port]) => `${from}=127.0.0.1:${port}`)
      .join(",");
  }

  /** STANDIN_PORT_<container port> for one service's container ports. */
  listenEnv(service: string): Record<string, string> {
    return Object.fromEntries(
      [...this.ports]
        .filter(([address]) => address.startsWith(`${service}:`))
        .map(([address, port]) => [`STANDIN_PORT_${address.split(":")[1]}`, String(port)]),
    );
  }
}

export interface Standin {
  service: string;
  dataDir: string;
  output: () => string;
  /** Stops it (SIGTERM by default) and resolves with its exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  /** Starts it again on the same ports with the same data folder (and optional extra environment). */
  restart: (how: "SIGTERM" | "SIGKILL", env?: Record<string, string>) => Promise<void>;
}

export interface StandinOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Container ports that must accept connections before it counts as started. */
  ports: number[];
  plan: PortPlan;
  /** Reuse this data folder (default: a new temp folder, removed by stop()). */
  dataDir?: string;
}

/** Starts `node standin.mjs <service> ...args` and waits until its ports accept connections. */
export async function startStandin(service: string, options: StandinOptions): Promise<Standin> {
  const file = await standinBundle();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `wpdb-standin-${service}-`));
  const program = service === "otel-collector" ? "otelcol-contrib" : service;
  const baseEnv = {
    PATH: process.env.PATH ?? "",
    STANDIN_HOST: "127.0.0.1",
    STANDIN_DATA_DIR: dataDir,
    ...options.plan.listenEnv(service),
  };
  let current: Started;
  const launch = async (env: Record<string, string>) => {
    current = startProcess(process.execPath, [file, program, ...(options.args ?? [])], {
      env: { ...baseEnv, ...env },
    });
    const listening = async () => {
      for (const port of options.ports)
        if (!(await tcpOpen(options.plan.port(`${service}:${port}`)))) return false;
      return true;
    };
    await waitUntil(`${service} stand-in`, current, listening, START_DEADLINE_MS);
  };
  let env = options.env ?? {};
  await launch(env);
  const exitCode = async (signal: NodeJS.Signals) => {
    const exited = new Promise<number | null>((resolve) =>
      current.child.once("exit", (code) => resolve(code)),
    );
    if (current.child.exitCode !== null || current.child.signalCode !== null) return current.child.exitCode;
    await current.stop(signal);
    return exited;
  };
  return {
    service,
    dataDir,
    output: () => current.output(),
    stop: async (signal = "SIGTERM") => {
      const code = await exitCode(signal);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
    restart: async (how, extra = {}) => {
      await exitCode(how);
      env = { ...env, ...extra };
      await launch(env);
    },
  };
}

/** Runs one command of the bundle to its end (a health client such as `loki -health`). */
export async function runStandinCommand(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const file = await standinBundle();
  return runToEnd(process.execPath, [file, ...args], env);
}

export function runToEnd(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH ?? "", ...env } });
    let output = "";
    child.stdout.on("data", (c) => {
      output += c;
    });
    child.stderr.on("data", (c) => {
      output += c;
    });
    child.on("close", (code) => resolve({ code, output }));
  });
}

export function prometheusAvailability() {
  return locate(
    findOnPath("prometheus"),
    "prometheus",
    "Prometheus 3.x (Debian sid: apt-get download prometheus)",
  );
}

/** The real Prometheus with the repository's prometheus.yml, remote-write receiver on, on a loopback port. */
export async function startPrometheus(port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = findOnPath("prometheus");
  if (!bin) throw new Error("prometheus not found");
  const storage = mkdtempSync(join(tmpdir(), "wpdb-prometheus-"));
  const server = startProcess(bin, [
    `--config.file=${configFile("prometheus/prometheus.yml")}`,
    `--storage.tsdb.path=${storage}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--web.enable-remote-write-receiver",
    "--web.enable-lifecycle",
  ]);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await server.stop();
    rmSync(storage, { recursive: true, force: true });
  };
  try {
    await waitUntil("prometheus", server, async () => (await fetch(`${url}/-/ready`)).ok, START_DEADLINE_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** Binaries of the compose healthchecks that the stand-in bundle provides, by the name the image links. */
const STANDIN_BINARIES: Record<string, string> = { mc: "mc", "/usr/bin/loki": "loki", "/tempo": "tempo" };

/**
 * The compose file's own healthcheck of `service`, run on this host against the stand-in: container
 * addresses (localhost:<port>) become its loopback port, stand-in binaries run from the bundle.
 */
export async function runComposeHealthcheck(
  service: string,
  plan: PortPlan,
): Promise<{ code: number | null; output: string }> {
  const compose = parseYaml(readFileSync(join(infraDir, "docker-compose.yml"), "utf8")) as {
    services: Record<string, { healthcheck?: { test?: string[] } }>;
  };
  const [form, ...test] = compose.services[service]?.healthcheck?.test ?? [];
  const local = (text: string) =>
    text.replace(
      /(?:localhost|127\.0\.0\.1):(\d+)/g,
      (_, port) => `127.0.0.1:${plan.port(`${service}:${port}`)}`,
    );
  if (form === "CMD-SHELL") return runToEnd("sh", ["-c", local(test.join(" "))]);
  const [binary = "", ...args] = test;
  const standin = STANDIN_BINARIES[binary];
  if (standin) return runStandinCommand([standin, ...args], plan.listenEnv(service));
  return runToEnd(binary, args.map(local));
}

/** The e2e harness's persistence check: a marker written before a stop/start and one before a SIGKILL are both kept. */
export async function assertKeepsMarkers(store: MarkerStore, standin: Standin): Promise<void> {
  for (const how of ["SIGTERM", "SIGKILL"] as const) {
    const marker = `${standin.service}-before-${how}`;
    await store.write(marker);
    await standin.restart(how);
    assert.equal(await store.has(marker), true, `${marker} lost:\n${standin.output()}`);
  }
}
