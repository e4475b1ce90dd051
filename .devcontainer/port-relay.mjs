// @ts-check
// Port relay for the dev container (Node 20+, no dependencies): listens on 127.0.0.1:<port> (and
// [::1]:<port> where IPv6 exists) INSIDE the workspace container and pipes every connection to
// <host>:<port> on the Compose network.
//
// Why: GitHub Codespaces forwards only ports that listen inside the dev container itself; it
// cannot forward "service:port" entries or ports published by sibling containers
// (devcontainers/spec#112, microsoft/vscode-remote-release#4645). With this relay, the plain port
// numbers in devcontainer.json's forwardPorts work in Codespaces and in local VS Code alike.
// Loopback only: nothing here is reachable from outside the container except through the editor's
// own (authenticated) port forwarding.
//
// Usage: node port-relay.mjs <listenPort>=<host>:<port> [...]
//   e.g. node port-relay.mjs 3000=grafana:3000 9001=minio:9001
// Exit codes: 0 on SIGTERM/SIGINT, 1 when no route could listen, 2 on invalid arguments.
import net from "node:net";

const ROUTE = /^(\d{1,5})=([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/;

/**
 * Parses "3000=grafana:3000" arguments into routes.
 * @param {string[]} args
 * @returns {{ listenPort: number, host: string, port: number }[]}
 */
function parseRoutes(args) {
  if (args.length === 0) throw new Error("no routes given; expected <listenPort>=<host>:<port> ...");
  const seen = new Set();
  return args.map((arg) => {
    const match = ROUTE.exec(arg);
    const listenPort = Number(match?.[1]);
    const port = Number(match?.[3]);
    if (!match || !isPort(listenPort) || !isPort(port)) {
      throw new Error(`invalid route "${arg}"; expected <listenPort>=<host>:<port>, e.g. 3000=grafana:3000`);
    }
    if (seen.has(listenPort)) throw new Error(`port ${listenPort} is listed twice`);
    seen.add(listenPort);
    return { listenPort, host: String(match[2]).replace(/^\[|\]$/g, ""), port };
  });
}

/** @param {number} n */
function isPort(n) {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

/**
 * Starts one listener per loopback address for a route. Resolves to the number of addresses bound.
 * @param {{ listenPort: number, host: string, port: number }} route
 */
async function listen(route) {
  const target = `${route.host}:${route.port}`;
  // One message per failure kind until a connection succeeds again: a stopped service must not
  // flood the log while an editor retries.
  let lastFailure = "";
  const onConnection = (/** @type {net.Socket} */ client) => {
    const upstream = net.connect({ host: route.host, port: route.port });
    upstream.on("connect", () => {
      lastFailure = "";
    });
    upstream.on("error", (error) => {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code ?? error.message;
      if (code !== lastFailure) {
        lastFailure = code;
        console.error(`port-relay: ${route.listenPort} -> ${target}: ${code} (is the service running?)`);
      }
      client.destroy();
    });
    client.on("error", () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  };
  let bound = 0;
  for (const address of ["127.0.0.1", "::1"]) {
    const server = net.createServer(onConnection);
    const ok = await new Promise((resolve) => {
      server.once("error", (error) => {
        const code = /** @type {NodeJS.ErrnoException} */ (error).code;
        // No IPv6 loopback in this container: IPv4 alone is enough.
        if (address === "::1" && (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT")) resolve(false);
        else {
          console.error(
            `port-relay: cannot listen on ${address}:${route.listenPort}: ${code ?? error.message}`,
          );
          resolve(false);
        }
      });
      server.listen({ host: address, port: route.listenPort }, () => resolve(true));
    });
    if (ok) bound += 1;
  }
  if (bound > 0) console.log(`port-relay: localhost:${route.listenPort} -> ${target}`);
  return bound;
}

async function main() {
  /** @type {ReturnType<typeof parseRoutes>} */
  let routes;
  try {
    routes = parseRoutes(process.argv.slice(2));
  } catch (error) {
    console.error(`port-relay: ${/** @type {Error} */ (error).message}`);
    process.exit(2);
  }
  const bound = await Promise.all(routes.map(listen));
  if (bound.every((n) => n === 0)) {
    console.error("port-relay: no route could listen; nothing to relay");
    process.exit(1);
  }
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
}

await main();
