/** Readiness and the verify round trip of the cache, over the RESP client of resp.ts. */
import type { Config } from "../../config/env.ts";
import { type ServiceContext, serviceError } from "../../errors.ts";
import { NotReadyError, PROBE_ATTEMPT_TIMEOUT_MS, type ReadinessProbe } from "../probe.ts";
import { RespConnection } from "./resp.ts";

const DEFAULT_PORT = 6379;
/** A probe key left behind (the process killed between SET and DEL) expires by itself. */
const PROBE_TTL_SECONDS = 60;

function cacheContext(config: Config, action: string): ServiceContext {
  return {
    service: "cache",
    endpoint: config.cache.url,
    endpointVariables: "CACHE_URL (or CACHE_PORT)",
    credentialVariables: "CACHE_PASSWORD (or the password in CACHE_URL)",
    action,
  };
}

async function withConnection<T>(
  config: Config,
  action: string,
  work: (connection: RespConnection) => Promise<T>,
): Promise<T> {
  const url = new URL(config.cache.url);
  let connection: RespConnection | undefined;
  try {
    connection = await RespConnection.open(
      url.hostname.replace(/^\[|\]$/g, ""),
      Number(url.port || DEFAULT_PORT),
      PROBE_ATTEMPT_TIMEOUT_MS,
    );
    const { user, password } = config.cache;
    if (password) await connection.command("AUTH", ...(user ? [user, password] : [password]));
    return await work(connection);
  } catch (error) {
    throw serviceError(cacheContext(config, action), error);
  } finally {
    connection?.close();
  }
}

/** Pure: "valkey 8.1.11" (or "redis 7.0.15") from the text of INFO server. */
export function serverVersion(info: string): string {
  const field = (name: string) => new RegExp(`^${name}:(.+)$`, "m").exec(info)?.[1]?.trim();
  const name = field("server_name") ?? "redis";
  return `${name} ${field(`${name}_version`) ?? field("redis_version") ?? "?"}`;
}

export const cacheProbe: ReadinessProbe = {
  service: "cache",
  checks: "AUTH + PING",
  check: (config) =>
    withConnection(config, "probing readiness", async (connection) => {
      const pong = await connection.command("PING");
      if (pong !== "PONG") throw new NotReadyError(`PING answered ${JSON.stringify(pong)}`);
      return serverVersion(String(await connection.command("INFO", "server")));
    }),
};

export async function verifyCache(config: Config, id: string): Promise<string> {
  const key = `wallpaperdb:verify:${id}`;
  return withConnection(config, "verifying set/get/delete", async (connection) => {
    try {
      await connection.command("SET", key, id, "EX", String(PROBE_TTL_SECONDS));
      const read = await connection.command("GET", key);
      if (read !== id) throw new Error("the value read back differs from the one written");
    } finally {
      await connection.command("DEL", key).catch(() => {});
    }
    if ((await connection.command("EXISTS", key)) !== 0)
      throw new Error(`the probe key ${key} was not deleted`);
    return `key ${key}`;
  });
}
