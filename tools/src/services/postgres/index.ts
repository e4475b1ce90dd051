/** PostgreSQL 16: users, ownership, wallpaper rows. The client (pg) loads on first use. */
import { isUrlWithScheme, nonEmptyRule, type Parse } from "../../config/schema.ts";
import type { ConfigSlice, ServiceModule } from "../module.ts";

export interface PostgresConfig {
  url: string;
  user: string;
  password: string;
  database: string;
}

declare module "../../config/env.ts" {
  interface Config {
    postgres: PostgresConfig;
  }
}

const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full", "no-verify"];
const postgresUrl: Parse<string> = (raw) => {
  if (!isUrlWithScheme(raw, ["postgres", "postgresql"])) return undefined;
  const mode = new URL(raw).searchParams.get("sslmode");
  return mode === null || SSL_MODES.includes(mode) ? raw : undefined;
};

const config: ConfigSlice<{ postgres: PostgresConfig }> = {
  variables: {
    POSTGRES_USER: nonEmptyRule("user name", { default: "wallpaperdb" }),
    POSTGRES_PASSWORD: nonEmptyRule("password", { default: "wallpaperdb-dev-password", secret: true }),
    POSTGRES_DB: nonEmptyRule("database name", { default: "wallpaperdb" }),
    DATABASE_URL: {
      parse: postgresUrl,
      expected: `postgres://user:password@host:port/database (special characters percent-encoded, e.g. %40 for @), optional ?sslmode=${SSL_MODES.join("|")}`,
    },
  },
  build: ({ value, ports }) => {
    const user = value("POSTGRES_USER");
    const password = value("POSTGRES_PASSWORD");
    const database = value("POSTGRES_DB");
    const url =
      value<string | undefined>("DATABASE_URL") ??
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@localhost:${ports.POSTGRES_PORT}/${encodeURIComponent(database)}`;
    const parsed = new URL(url);
    return {
      postgres: {
        url,
        user: decodeURIComponent(parsed.username) || user,
        password: decodeURIComponent(parsed.password) || password,
        database: decodeURIComponent(parsed.pathname.replace(/^\//, "")) || database,
      },
    };
  },
  secrets: (slice, { value }) => [value("POSTGRES_PASSWORD"), slice.postgres.password],
};

export const postgres: ServiceModule = {
  name: "postgres",
  profile: "core",
  description: "PostgreSQL 16: users, ownership, wallpaper rows",
  ports: [{ variable: "POSTGRES_PORT", defaultHostPort: 5432, containerPort: 5432, purpose: "SQL" }],
  humanUrl: (c) => c.postgres.url,
  credentials: (c) => ({ user: c.postgres.user, password: c.postgres.password }),
  config,
  probe: {
    service: "postgres",
    checks: "SELECT 1",
    check: async (c) => (await import("./client.ts")).postgresProbe.check(c),
  },
  seed: async (c) => (await import("./client.ts")).seedPostgres(c, c.initDir),
  verify: {
    what: "write + read in a rolled-back transaction",
    run: async (c, { id }) => (await import("./client.ts")).verifyPostgres(c, id),
  },
  data: {
    volume: "postgres-data",
    mountPath: "/var/lib/postgresql/data",
    majorBound: true,
    archiver: true,
    appliedMigrations: async (c) =>
      (await (await import("./client.ts")).readAppliedMigrations(c)).map((m) => m.name),
  },
};
