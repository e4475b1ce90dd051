import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { repoRoot } from "../support/paths.ts";

// The port relay makes forwardPorts work in Codespaces: it must pipe bytes both ways, survive a
// stopped service, and refuse bad routes with a clear message.

const relayScript = resolve(repoRoot, ".devcontainer/port-relay.mjs");

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/** Sends `text`, returns what comes back before the peer closes or resets (then often ""). */
async function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let received = "";
    const socket = net.connect(port, "127.0.0.1", () => socket.write(text));
    socket.on("data", (chunk) => {
      received += String(chunk);
      if (received.length >= text.length) socket.end();
    });
    // A refused upstream makes the relay drop the client, possibly with a reset: both mean "closed".
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET") reject(error);
    });
    socket.on("close", () => resolvePromise(received));
  });
}

describe(".devcontainer/port-relay.mjs", () => {
  let echo: net.Server;
  let relay: ChildProcess;
  let relayLog = "";
  let echoPort = 0;
  let livePort = 0;
  let deadPort = 0;

  before(async () => {
    echo = net.createServer((socket) => socket.pipe(socket)).listen(0, "127.0.0.1");
    await once(echo, "listening");
    echoPort = (echo.address() as net.AddressInfo).port;
    livePort = await freePort();
    deadPort = await freePort();
    const nothingListens = await freePort();
    relay = spawn(
      process.execPath,
      [relayScript, `${livePort}=127.0.0.1:${echoPort}`, `${deadPort}=localhost:${nothingListens}`],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    relay.stderr?.on("data", (chunk) => {
      relayLog += String(chunk);
    });
    // Ready once both routes announced themselves.
    let out = "";
    for await (const chunk of relay.stdout ?? []) {
      out += String(chunk);
      if ((out.match(/port-relay: localhost:/g) ?? []).length === 2) break;
    }
  });
  after(() => {
    relay.kill("SIGTERM");
    echo.close();
  });

  it("pipes a connection to its target and back", async () => {
    assert.equal(await roundTrip(livePort, "ping through the relay"), "ping through the relay");
  });

  it("closes the client when the target is down, says which service, and keeps running", async () => {
    assert.equal(await roundTrip(deadPort, "anyone?"), "");
    // stderr travels separately from the socket's close: give it a moment.
    for (let i = 0; i < 40 && !relayLog.includes("ECONNREFUSED"); i++) await delay(50);
    assert.match(relayLog, new RegExp(`${deadPort} -> localhost:\\d+: ECONNREFUSED`));
    assert.equal(relay.exitCode, null, "the relay exited");
    assert.equal(await roundTrip(livePort, "still here"), "still here");
  });

  it("refuses an invalid route with exit code 2 and the expected form", () => {
    for (const bad of ["3000", "3000=grafana", "70000=grafana:3000", "x=grafana:3000"]) {
      const result = spawnSync(process.execPath, [relayScript, bad], { encoding: "utf8" });
      assert.equal(result.status, 2, bad);
      assert.match(result.stderr, /expected <listenPort>=<host>:<port>/);
    }
    const duplicate = spawnSync(process.execPath, [relayScript, "1=a:1", "1=b:2"], { encoding: "utf8" });
    assert.equal(duplicate.status, 2);
    assert.match(duplicate.stderr, /port 1 is listed twice/);
  });

  it("exits 1 when no route can listen", () => {
    // The live port is taken by the running relay.
    const result = spawnSync(process.execPath, [relayScript, `${livePort}=127.0.0.1:1`], {
      encoding: "utf8",
      timeout: 10_000,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /no route could listen/);
  });
});
