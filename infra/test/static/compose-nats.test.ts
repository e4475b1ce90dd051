import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { STACK_CONTRACT } from "../../src/compose-rules.ts";
import { composeFile, isolatedEnv, natsConfigFile, requireTool } from "../support/compose-files.ts";

// infra/config/nats/nats.conf against the real nats-server (2.10 here; the image runs 2.14).

const INSTALL = "install nats-server 2.10+ (Debian: apt-get install nats-server)";
const COMPOSE_INSTALL = "install Docker Compose v2 (Debian: apt-get install docker-compose)";
const configText = readFileSync(natsConfigFile, "utf8");
const NO_AUTH = { NATS_USER: "", NATS_PASSWORD: "" };
const WITH_AUTH = { NATS_USER: "wallpaperdb", NATS_PASSWORD: "dev-secret" };

/** The nats container's arguments as real Compose builds them from `env` (the .env variables). */
function composeNatsArgs(env: Record<string, string>): string[] {
  const run = spawnSync(
    "docker-compose",
    ["-f", composeFile, "--profile", "core", "config", "--format", "json"],
    {
      env: isolatedEnv(env),
      encoding: "utf8",
    },
  );
  assert.equal(run.status, 0, run.stderr);
  const services = (JSON.parse(run.stdout) as { services: Record<string, { command?: string[] }> }).services;
  return services.nats?.command ?? [];
}

function testConfig(env: NodeJS.ProcessEnv, file = natsConfigFile) {
  return spawnSync("nats-server", ["-t", "-c", file], {
    env: isolatedEnv(env as Record<string, string>),
    encoding: "utf8",
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The INFO line a NATS server sends first to every client, parsed. */
async function readInfo(port: number, deadlineMs = 5000): Promise<Record<string, unknown>> {
  const started = Date.now();
  for (;;) {
    try {
      return await new Promise((resolve, reject) => {
        const socket = connect(port, "127.0.0.1");
        socket.setTimeout(1000, () => socket.destroy(new Error("timeout")));
        socket.once("error", reject);
        socket.once("data", (data) => {
          socket.destroy();
          const line = String(data).split("\r\n")[0] ?? "";
          resolve(JSON.parse(line.replace(/^INFO /, "")) as Record<string, unknown>);
        });
      });
    } catch (error) {
      if (Date.now() - started > deadlineMs) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe("infra/config/nats/nats.conf", () => {
  let workDir = "";
  before(() => {
    workDir = mkdtempSync(join(tmpdir(), "wpdb-nats-"));
  });
  after(() => rmSync(workDir, { recursive: true, force: true }));

  it("passes nats-server -t with NATS_USER and NATS_PASSWORD unset, as outside Compose", (t) => {
    if (!requireTool(t, "nats-server", INSTALL)) return;
    const result = testConfig({});
    assert.equal(result.status, 0, result.stderr);
  });

  it("passes nats-server -t with the auth variables empty (as Compose passes them when unset)", (t) => {
    if (!requireTool(t, "nats-server", INSTALL)) return;
    const result = testConfig(NO_AUTH);
    assert.equal(result.status, 0, result.stderr);
  });

  it("passes nats-server -t with NATS_USER and NATS_PASSWORD set", (t) => {
    if (!requireTool(t, "nats-server", INSTALL)) return;
    const result = testConfig(WITH_AUTH);
    assert.equal(result.status, 0, result.stderr);
  });

  it("the validator is live: a config with a syntax error is rejected", (t) => {
    if (!requireTool(t, "nats-server", INSTALL)) return;
    const broken = join(workDir, "broken.conf");
    writeFileSync(broken, `${configText}\njetstream {\n`);
    assert.notEqual(testConfig(NO_AUTH, broken).status, 0);
  });

  it("Compose hands NATS_USER and NATS_PASSWORD to nats-server as --user and --pass", (t) => {
    if (!requireTool(t, "docker-compose", COMPOSE_INSTALL)) return;
    assert.deepEqual(composeNatsArgs(WITH_AUTH).slice(2), ["--user", "wallpaperdb", "--pass", "dev-secret"]);
    assert.deepEqual(composeNatsArgs({}).slice(2), ["--user", "", "--pass", ""]);
    assert.doesNotMatch(configText, /\$NATS_(USER|PASSWORD)/, "nats.conf must load without the variables");
  });

  it("has no cluster block (it breaks JetStream on a single node) and keeps JetStream on the volume", () => {
    assert.doesNotMatch(configText, /^\s*cluster\s*[{:]/m);
    const storeDir = /^\s*store_dir\s*[:=]\s*"?([^"\s]+)"?/m.exec(configText)?.[1];
    assert.equal(
      storeDir,
      STACK_CONTRACT.services.nats?.volume?.target,
      "store_dir must be the nats-data mount",
    );
    assert.match(configText, /^\s*max_memory_store\s*[:=]/m);
    assert.match(configText, /^\s*max_file_store\s*[:=]/m);
    assert.match(configText, /^\s*http_port\s*[:=]\s*8222\b/m);
  });

  for (const [label, env, authRequired] of [
    ["stays open when the auth variables are empty", NO_AUTH, false],
    ["requires the user when NATS_USER and NATS_PASSWORD are set", WITH_AUTH, true],
  ] as const) {
    it(`runs with JetStream and monitoring, and ${label}`, async (t) => {
      if (!requireTool(t, "nats-server", INSTALL)) return;
      if (!requireTool(t, "docker-compose", COMPOSE_INSTALL)) return;
      // What the container runs: Compose's arguments, with --config pointing at the relocated copy.
      const [, , ...authArgs] = composeNatsArgs(env);
      // Same config, but JetStream in a temp dir and the ports on free loopback ports.
      const storeDir = mkdtempSync(join(workDir, "js-"));
      const config = join(storeDir, "nats.conf");
      const relocated = configText.replace(/store_dir:\s*"\/data"/, `store_dir: "${storeDir}"`);
      assert.notEqual(relocated, configText, 'test setup: store_dir: "/data" not found in nats.conf');
      writeFileSync(config, relocated);
      const [port, monitor] = [await freePort(), await freePort()];
      let server: ChildProcess | undefined;
      try {
        server = spawn(
          "nats-server",
          // -a binds both the client and the monitoring listener to loopback.
          ["-c", config, ...authArgs, "-a", "127.0.0.1", "-p", String(port), "-m", String(monitor)],
          { env: isolatedEnv(), stdio: ["ignore", "ignore", "pipe"] },
        );
        let log = "";
        server.stderr?.on("data", (chunk) => {
          log += String(chunk);
        });
        const info = await readInfo(port).catch((error: Error) => {
          throw new Error(`nats-server did not answer on ${port}: ${error.message}\n${log}`);
        });
        assert.equal(info.server_name, "wallpaperdb-nats");
        assert.equal(info.jetstream, true);
        assert.equal(info.auth_required === true, authRequired, JSON.stringify(info));
        // The healthcheck URL of docker-compose.yml answers ok without credentials.
        const health = await fetch(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`);
        assert.equal(health.status, 200);
        const jsz = (await (await fetch(`http://127.0.0.1:${monitor}/jsz`)).json()) as {
          config: { store_dir: string; max_memory: number };
        };
        assert.ok(jsz.config.store_dir.startsWith(storeDir), jsz.config.store_dir);
        assert.ok(jsz.config.max_memory <= 64 * 1024 ** 2, "max_memory_store must fit the 64m mem_limit");
      } finally {
        server?.kill("SIGTERM");
      }
    });
  }
});
