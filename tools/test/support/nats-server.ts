import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findOnPath, locate } from "./binaries.ts";
import { freePort, tcpOpen } from "./ports.ts";
import { startProcess, waitUntil } from "./processes.ts";

export interface NatsServer {
  port: number;
  url: string;
  user: string | undefined;
  password: string | undefined;
  stop: () => Promise<void>;
}

export function natsAvailability() {
  return locate(
    findOnPath("nats-server"),
    "nats-server",
    "nats-server 2.10+ (https://github.com/nats-io/nats-server/releases)",
  );
}

/**
 * nats-server with JetStream (unless `jetstream: false`) on a random loopback port and a temp store dir;
 * optional user/password.
 */
export async function startNats(
  auth?: { user: string; password: string },
  { jetstream = true } = {},
): Promise<NatsServer> {
  const bin = findOnPath("nats-server");
  if (!bin) throw new Error("nats-server not found");
  const store = mkdtempSync(join(tmpdir(), "wpdb-nats-"));
  const port = await freePort();
  const args = [...(jetstream ? ["-js"] : []), "-a", "127.0.0.1", "-p", String(port), "-sd", store];
  if (auth) args.push("--user", auth.user, "--pass", auth.password);
  const server = startProcess(bin, args);
  const stop = async () => {
    await server.stop();
    rmSync(store, { recursive: true, force: true });
  };
  try {
    await waitUntil("nats-server", server, () => tcpOpen(port));
    return { port, url: `nats://127.0.0.1:${port}`, user: auth?.user, password: auth?.password, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
