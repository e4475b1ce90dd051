import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ServedHttp {
  /** Where to reach it (loopback when it listens on every interface). */
  url: string;
  /** What it listens on, `host:port`. */
  listening: string;
  server: Server;
  /** Closes the listener and drops open connections. */
  stop: () => Promise<void>;
}

/** An HTTP server on `host:port` (port 0 = a random free one); resolves once it listens. */
export async function serveHttp(
  listener: RequestListener,
  address: { host: string; port: number },
): Promise<ServedHttp> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = address.host === "0.0.0.0" || address.host === "::" ? "127.0.0.1" : address.host;
  return {
    url: `http://${host}:${port}`,
    listening: `${address.host}:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP server on a random loopback port, for test doubles; stop() drops open connections. */
export async function serveOnLoopback(
  listener: RequestListener,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const { url, stop } = await serveHttp(listener, { host: "127.0.0.1", port: 0 });
  return { url, stop };
}

/** The whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
