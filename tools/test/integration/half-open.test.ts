import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { runCli } from "../support/run-cli.ts";

/**
 * A server that accepts TCP connections and never answers (a hung container, a port proxy whose backend is
 * gone): the CLI must give up with one clear message and exit, not hang on the open socket.
 */
const KILL_AFTER_MS = 30_000;

describe("a service that accepts connections but never answers", () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let port = 0;

  before(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    port = typeof address === "object" && address ? address.port : 0;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const env = () => ({
    NATS_URL: `nats://127.0.0.1:${port}`,
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
  });

  const assertOneClearFailure = (run: Awaited<ReturnType<typeof runCli>>, service: string) => {
    // The server never answers: ending by itself at all is the client's deadline at work (a generous kill
    // timeout, so that machine load cannot fail it).
    assert.equal(
      run.killed,
      false,
      `the CLI hung (killed after ${KILL_AFTER_MS} ms); stderr:\n${run.stderr}`,
    );
    assert.notEqual(run.code, 0);
    assert.equal(run.stderr.match(/^error:/gm)?.length, 1, run.stderr);
    assert.match(run.stderr, new RegExp(service));
    assert.match(run.stderr, /fix:/);
    assert.ok(!/\n\s+at /.test(run.stderr), "no stack trace");
  };

  for (const service of ["nats", "minio"]) {
    test(`\`wait --only ${service} --timeout 2\` gives up after about 2 s and exits`, async () => {
      const run = await runCli(["wait", "--only", service, "--timeout", "2"], env(), KILL_AFTER_MS);
      assertOneClearFailure(run, service);
      assert.match(run.stderr, /not ready after 2s/);
      assert.match(run.stderr, new RegExp(`where: ${service} at \\S+127\\.0\\.0\\.1:${port}`));
    });
  }

  test("`seed --only minio` reports that MinIO did not answer and exits", async () => {
    const run = await runCli(["seed", "--only", "minio"], env(), KILL_AFTER_MS);
    assertOneClearFailure(run, "minio");
    assert.match(run.stderr, /did not answer in time/);
  });

  test("`seed --only nats` reports that NATS did not answer and exits", async () => {
    const run = await runCli(["seed", "--only", "nats"], env(), KILL_AFTER_MS);
    assertOneClearFailure(run, "nats");
  });
});
