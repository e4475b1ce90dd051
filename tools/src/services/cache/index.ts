/**
 * The cache: Valkey 8 (Redis-compatible), opt-in profile `cache`. The tools speak RESP themselves
 * (resp.ts), so no client library is added; client.ts loads on first use like the other services' clients.
 */
import { nonEmptyRule, urlWithScheme } from "../../config/schema.ts";
import type { ConfigSlice, ServiceModule } from "../module.ts";

export interface CacheConfig {
  /** redis://[user:password@]host:port, the form every Redis/Valkey client takes. */
  url: string;
  user: string | undefined;
  password: string | undefined;
}

declare module "../../config/env.ts" {
  interface Config {
    cache: CacheConfig;
  }
}

const config: ConfigSlice<{ cache: CacheConfig }> = {
  variables: {
    CACHE_URL: {
      parse: urlWithScheme(["redis", "valkey"]),
      expected: "redis://host:port (or redis://:password@host:port; special characters percent-encoded)",
    },
    CACHE_PASSWORD: nonEmptyRule("password", { default: "wallpaperdb-dev-password", secret: true }),
  },
  build: ({ value, local }) => {
    const url = value<string | undefined>("CACHE_URL") ?? local("redis", "CACHE_PORT");
    const parsed = new URL(url);
    return {
      cache: {
        url,
        user: decodeURIComponent(parsed.username) || undefined,
        password: decodeURIComponent(parsed.password) || value("CACHE_PASSWORD"),
      },
    };
  },
  secrets: (slice, { value }) => [value("CACHE_PASSWORD"), slice.cache.password],
};

export const cache: ServiceModule = {
  name: "cache",
  profile: "cache",
  optIn: true,
  description: "Valkey 8 (Redis-compatible): cache",
  ports: [
    { variable: "CACHE_PORT", defaultHostPort: 6379, containerPort: 6379, purpose: "RESP (Redis protocol)" },
  ],
  humanUrl: (c) => c.cache.url,
  credentials: (c) => ({ user: c.cache.user ?? "default", password: c.cache.password ?? "" }),
  config,
  probe: {
    service: "cache",
    checks: "AUTH + PING",
    check: async (c) => (await import("./client.ts")).cacheProbe.check(c),
  },
  verify: {
    what: "set / get / delete of a probe key",
    run: async (c, { id }) => (await import("./client.ts")).verifyCache(c, id),
  },
  disposable: {
    volume: "cache-data",
    mountPath: "/data",
    holds: "cached values (rebuilt by the application)",
  },
};
