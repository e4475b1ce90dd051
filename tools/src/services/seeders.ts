import type { Config } from "../config/env.ts";
import type { ResourceResult } from "../seed/result.ts";
import { seedMinio } from "./minio.ts";
import { seedNats } from "./nats.ts";
import { seedOpenSearch } from "./opensearch.ts";
import { seedPostgres } from "./postgres.ts";

export type SeedService = "postgres" | "minio" | "opensearch" | "nats";

/** One seeder per seeded service, each converging to config.initDir/<service>/. */
export const SEEDERS: Readonly<Record<SeedService, (config: Config) => Promise<ResourceResult[]>>> = {
  postgres: (c) => seedPostgres(c, c.initDir),
  minio: (c) => seedMinio(c, c.initDir),
  opensearch: (c) => seedOpenSearch(c, c.initDir),
  nats: (c) => seedNats(c, c.initDir),
};
