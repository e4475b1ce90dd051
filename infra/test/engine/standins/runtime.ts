/**
 * What every stand-in shares: its banner, where it listens and connects (the container's ports and the
 * Compose service names by default; overridable so tests run the same code on random loopback ports),
 * where it keeps its data, its configuration file, and a prompt stop on SIGTERM/SIGINT.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttp2Server } from "node:http2";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";
import { readBody } from "../../../../tools/test/support/http-server.ts";

type Env = NodeJS.ProcessEnv;

export function announce(image: string, what: string): void {
  console.log(`STAND-IN for ${image}: ${what}`);
}

export type JsonRequest =
  | { ok: true; body: Record<string, unknown>; bytes: number }
  | { ok: false; status: number; message: string };

/**
 * A pushed body (OTLP/HTTP, Loki push) as JSON, gzip undone as the real receivers do: 415 for any
 * other encoding (the stand-ins decode no protobuf), 400 for JSON that does not parse.
 */
export async function readJsonRequest(req: IncomingMessage, who: string): Promise<JsonRequest> {
  if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
    return { ok: false, status: 415, message: `${who} accepts JSON only (Content-Type: application/json)` };
  try {
    const raw = await readBody(req);
    const text = (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
    return { ok: true, body: JSON.parse(text || "{}") as Record<string, unknown>, bytes: raw.length };
  } catch (error) {
    return { ok: false, status: 400, message: `invalid JSON body: ${errorText(error)}` };
  }
}

/** Says why the stand-in cannot start, in the project's one-message form; the exit code to return. */
export function refuse(what: string, fix: string): number {
  console.error(`✗ ${what}\n  fix: ${fix}`);
  return 1;
}

export function log(message: string): void {
  console.log(`${new Date().toISOString()} ${message}`);
}

/**
 * Where a container port is served: STANDIN_HOST replaces the host (the configs say 0.0.0.0),
 * STANDIN_PORT_<container port> the port, so a test can run several stand-ins on one host.
 */
export function listenAddress(containerPort: number, host = "0.0.0.0", env: Env = process.env) {
  const port = env[`STANDIN_PORT_${containerPort}`];
  return { host: env.STANDIN_HOST ?? host, port: port === undefined ? containerPort : Number(port) };
}

/** `0.0.0.0:4318`, `:9001` or `localhost:3100` -> host and port (empty host = every interface). */
export function parseListen(address: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(address.trim());
  if (!match) throw new Error(`"${address}" is not a host:port listen address`);
  return { host: match[1] === "" ? "0.0.0.0" : (match[1] as string), port: Number(match[2]) };
}

/** The local URL of a container port, for a health client running inside the same container. */
export function localUrl(containerPort: number, path: string, env: Env = process.env): string {
  return `http://127.0.0.1:${listenAddress(containerPort, "0.0.0.0", env).port}${path}`;
}

/** STANDIN_CONNECT_TO="tempo:4318=127.0.0.1:41234,loki:3100=..." parsed (like curl's --connect-to). */
export function parseConnectTo(text: string | undefined): Map<string, string> {
  const routes = new Map<string, string>();
  for (const entry of (text ?? "").split(",")) {
    const [from, to] = entry.split("=").map((s) => s.trim());
    if (from && to) routes.set(from, to);
  }
  return routes;
}

/**
 * The URL to really call for `url`: a Compose service name (tempo:4318) resolves only on the Compose
 * network, so on a host the test routes it to a loopback port instead.
 */
export function connectTo(url: string, env: Env = process.env): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
  const target = parseConnectTo(env.STANDIN_CONNECT_TO).get(`${parsed.hostname}:${port}`);
  if (!target) return url;
  const [host = "", targetPort = ""] = target.split(":");
  parsed.hostname = host;
  parsed.port = targetPort;
  return parsed.toString();
}

/** The folder the service keeps its data in: the image's volume path, or STANDIN_DATA_DIR. */
export function dataDir(imagePath: string, env: Env = process.env): string {
  return env.STANDIN_DATA_DIR ?? imagePath;
}

/** The value of a Go-style flag (`-config.file=x`, `--config x`), or undefined. */
export function flagValue(args: readonly string[], names: readonly string[]): string | undefined {
  for (const [i, arg] of args.entries()) {
    const match = /^--?([^=]+)(?:=(.*))?$/.exec(arg);
    if (!match || !names.includes(match[1] as string)) continue;
    return match[2] ?? args[i + 1];
  }
  return undefined;
}

export const hasFlag = (args: readonly string[], name: string) =>
  args.some((arg) => arg === `-${name}` || arg === `--${name}`);

type Json = Record<string, unknown>;

/** A YAML config file as an object, with `${env:NAME}` / `${NAME}` replaced when `expandEnv`. */
export function readYamlConfig(file: string | undefined, expandEnv = false, env: Env = process.env): Json {
  if (!file) return {};
  let text = readFileSync(file, "utf8");
  if (expandEnv) text = text.replace(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, n) => env[n] ?? "");
  return (parseYaml(text) as Json | null) ?? {};
}

/** A nested config value by path (`server.http_listen_port`), or undefined. */
export function configValue(config: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key] ?? undefined, config);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function sendText(res: ServerResponse, status: number, text: string, type = "text/plain"): void {
  res.writeHead(status, { "content-type": `${type}; charset=utf-8` });
  res.end(text);
}

/**
 * Exits 0 once SIGTERM or SIGINT arrives, after closing everything (capped: a client holding a
 * connection open must not delay the stop the engine waits for).
 */
export function stopOnSignals(closers: ReadonlyArray<() => Promise<unknown>>): void {
  const stop = (signal: string) => {
    log(`${signal} received, stopping`);
    setTimeout(() => process.exit(0), 2000).unref();
    void Promise.allSettled(closers.map((close) => close())).then(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

/**
 * A gRPC port whose every call fails with UNIMPLEMENTED and a message saying why: the stand-ins
 * speak OTLP over HTTP only, and a gRPC client then reports that instead of a connection error.
 */
export async function serveGrpcUnimplemented(
  address: { host: string; port: number },
  message: string,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createHttp2Server();
  server.on("stream", (stream) => {
    stream.respond(
      { ":status": 200, "content-type": "application/grpc", "grpc-status": "12", "grpc-message": message },
      { endStream: true },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A Go duration as configs write it (`15s`, `1m30s`, `168h`, `500ms`) in milliseconds. */
export function parseDuration(text: string | number | undefined, fallbackMs: number): number {
  if (typeof text === "number") return text;
  if (!text) return fallbackMs;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g))
    total += Number(amount) * (units[unit as string] ?? 0);
  return total > 0 ? total : fallbackMs;
}

/** The cause of a failed fetch in a few words (`ECONNREFUSED`, `HTTP 503`, ...). */
export function errorText(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

/** A health client (`loki -health`, `mc ready`): exit code 0 when `url` answers 2xx, else 1 with why. */
export async function healthExitCode(url: string): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (response.ok) return 0;
    console.error(`${url}: HTTP ${response.status} ${(await response.text()).slice(0, 200)}`);
  } catch (error) {
    console.error(`${url}: ${errorText(error)}`);
  }
  return 1;
}
