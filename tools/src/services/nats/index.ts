/** NATS with JetStream: enrichment work queue. The client (nats) loads on first use. */
import { nonEmptyRule, URL_HTTP, urlWithScheme } from "../../config/schema.ts";
import type { ConfigSlice, ServiceModule } from "../module.ts";

export interface NatsConfig {
  url: string;
  monitorUrl: string;
  user: string | undefined;
  password: string | undefined;
  credsFile: string | undefined;
}

declare module "../../config/env.ts" {
  interface Config {
    nats: NatsConfig;
  }
}

/** The JetStream stream and durable consumer seeded from infra/init/nats/streams.yaml. */
export const NATS_STREAM = "WALLPAPERS";
export const NATS_DURABLE = "enrichment";
/** Header that marks a probe message; workers on the stream must ignore messages that carry it. */
export const PROBE_HEADER = "Wallpaperdb-Probe";

const config: ConfigSlice<{ nats: NatsConfig }> = {
  variables: {
    NATS_URL: {
      parse: urlWithScheme(["nats", "tls", "ws", "wss"]),
      expected: "nats://host:port (or tls://host:port)",
    },
    NATS_MONITOR_URL: URL_HTTP,
    NATS_USER: nonEmptyRule("user name"),
    NATS_PASSWORD: nonEmptyRule("password", { secret: true }),
    NATS_CREDS_FILE: nonEmptyRule("path of a NATS .creds file"),
  },
  conflicts: (raw) => {
    const problems: { variable: string; expected: string }[] = [];
    if (raw("NATS_CREDS_FILE") !== undefined && raw("NATS_USER") !== undefined)
      problems.push({
        variable: "NATS_CREDS_FILE",
        expected: "either NATS_CREDS_FILE or NATS_USER/NATS_PASSWORD, not both",
      });
    if ((raw("NATS_USER") === undefined) !== (raw("NATS_PASSWORD") === undefined))
      // Name the one that is missing: a user without a password would fail later as "authorization violation".
      problems.push({
        variable: raw("NATS_USER") === undefined ? "NATS_USER" : "NATS_PASSWORD",
        expected: "NATS_USER and NATS_PASSWORD set together (or neither)",
      });
    return problems;
  },
  build: ({ value, raw, local }) => ({
    nats: {
      url: value<string | undefined>("NATS_URL") ?? local("nats", "NATS_PORT"),
      monitorUrl: value<string | undefined>("NATS_MONITOR_URL") ?? local("http", "NATS_MONITOR_PORT"),
      user: value<string | undefined>("NATS_USER"),
      password: value<string | undefined>("NATS_PASSWORD"),
      credsFile: raw("NATS_CREDS_FILE"),
    },
  }),
  secrets: (slice) => [slice.nats.password],
};

export const nats: ServiceModule = {
  name: "nats",
  profile: "core",
  description: "NATS with JetStream: enrichment work queue",
  ports: [
    { variable: "NATS_PORT", defaultHostPort: 4222, containerPort: 4222, purpose: "clients" },
    { variable: "NATS_MONITOR_PORT", defaultHostPort: 8222, containerPort: 8222, purpose: "monitoring" },
  ],
  humanUrl: (c) => c.nats.url,
  config,
  probe: {
    service: "nats",
    checks: "connect + JetStream account info",
    check: async (c) => (await import("./client.ts")).natsProbe.check(c),
  },
  seed: async (c) => (await import("./client.ts")).seedNats(c, c.initDir),
  verify: {
    what: `publish to ${NATS_STREAM}, fetch + ack with ${NATS_DURABLE}`,
    run: async (c, { id }) => (await import("./client.ts")).verifyNats(c, id),
  },
  data: { volume: "nats-data", mountPath: "/data" },
};
