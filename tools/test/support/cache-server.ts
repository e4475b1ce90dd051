import { findOnPath, locate } from "./binaries.ts";
import { freePort, tcpOpen } from "./ports.ts";
import { startProcess, waitUntil } from "./processes.ts";

export interface CacheServer {
  url: string;
  password: string;
  stop: () => Promise<void>;
}

const serverBinary = () => findOnPath("valkey-server") ?? findOnPath("redis-server");

export function cacheServerAvailability() {
  return locate(
    serverBinary(),
    "valkey-server or redis-server",
    "valkey-server (Debian trixie) or redis-server (Debian bookworm: apt-get install redis-server)",
  );
}

/** A real Valkey/Redis server on a random loopback port, requiring `password`, keeping nothing on disk. */
export async function startCacheServer(password: string): Promise<CacheServer> {
  const bin = serverBinary();
  if (!bin) throw new Error("valkey-server / redis-server not found");
  const port = await freePort();
  const server = startProcess(bin, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--requirepass",
    password,
  ]);
  try {
    await waitUntil("cache server", server, () => tcpOpen(port));
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, password, stop: () => server.stop() };
}
