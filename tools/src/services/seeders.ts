import type { Config } from "../config/env.ts";
import type { ResourceResult } from "../seed/result.ts";

export type SeedService = "postgres" | "minio" | "opensearch" | "nats";

/**
 * One seeder per seeded service, each converging to config.initDir/<service>/. Service modules are
 * imported on demand so `seed --only postgres` does not load the S3, NATS and OpenSearch clients
 * (start-up time is most of a warm `make seed`).
 */
export const SEEDERS: Readonly<Record<SeedService, (config: Config) => Promise<ResourceResult[]>>> = {
  postgres: async (c) => (await import("./postgres.ts")).seedPostgres(c, c.initDir),
  minio: async (c) => (await import("./minio.ts")).seedMinio(c, c.initDir),
  opensearch: async (c) => (await import("./opensearch.ts")).seedOpenSearch(c, c.initDir),
  nats: async (c) => (await import("./nats.ts")).seedNats(c, c.initDir),
};
