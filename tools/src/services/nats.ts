import { readFile } from "node:fs/promises";
import { type ConnectionOptions, connect, credsAuthenticator, type NatsConnection } from "nats";
import type { Config } from "../config/env.ts";
import { type ServiceContext, serviceError, UserError } from "../errors.ts";
import { PROBE_ATTEMPT_TIMEOUT_MS, type ReadinessProbe } from "./probe.ts";

export function natsContext(config: Config, action?: string): ServiceContext {
  return {
    service: "nats",
    endpoint: config.nats.url,
    endpointVariables: "NATS_URL (or NATS_PORT)",
    credentialVariables: "NATS_USER / NATS_PASSWORD or NATS_CREDS_FILE",
    action,
  };
}

export async function natsConnectionOptions(config: Config): Promise<ConnectionOptions> {
  const { url, user, password, credsFile } = config.nats;
  const options: ConnectionOptions = {
    servers: url,
    name: "wallpaperdb-infra",
    timeout: PROBE_ATTEMPT_TIMEOUT_MS,
    reconnect: false,
    maxReconnectAttempts: 0,
  };
  if (url.startsWith("tls://")) options.tls = {};
  if (user !== undefined) {
    options.user = user;
    if (password !== undefined) options.pass = password;
  }
  if (credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = await readFile(credsFile);
    } catch (error) {
      throw new UserError(`cannot read the NATS credentials file: ${(error as Error).message}`, {
        where: credsFile,
        fix: "set NATS_CREDS_FILE in .env to the path of a readable .creds file",
      });
    }
    options.authenticator = credsAuthenticator(creds);
  }
  return options;
}

/** Connects with the config's credentials; errors become UserErrors naming NATS and the fix. */
export async function connectNats(config: Config, action: string): Promise<NatsConnection> {
  const options = await natsConnectionOptions(config);
  try {
    return await connect(options);
  } catch (error) {
    throw serviceError(natsContext(config, action), error);
  }
}

export const natsProbe: ReadinessProbe = {
  service: "nats",
  checks: "connect + JetStream account info",
  check: async (config) => {
    const nc = await connectNats(config, "probing readiness");
    try {
      const jsm = await nc.jetstreamManager({ timeout: PROBE_ATTEMPT_TIMEOUT_MS });
      const info = await jsm.getAccountInfo();
      return `JetStream on, ${info.streams} stream(s)`;
    } catch (error) {
      throw serviceError(natsContext(config, "probing readiness (is JetStream enabled?)"), error);
    } finally {
      await nc.close().catch(() => {});
    }
  },
};
