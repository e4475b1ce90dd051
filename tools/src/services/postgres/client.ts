import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import type { Config } from "../../config/env.ts";
import { type ServiceContext, serviceError, UserError } from "../../errors.ts";
import { displayPath } from "../../seed/files.ts";
import { type AppliedMigration, orderMigrations, planMigrations } from "../../seed/migrations.ts";
import type { ResourceResult } from "../../seed/result.ts";
import { PROBE_ATTEMPT_TIMEOUT_MS, type ReadinessProbe } from "../probe.ts";

/** Ledger of applied migrations (name, checksum, applied_at). */
export const LEDGER_TABLE = "public.wallpaperdb_schema_migrations";
/** Arbitrary constant key of the session advisory lock that serialises concurrent seeders. */
export const MIGRATION_LOCK_KEY = 4_281_913_517;

export function postgresContext(config: Config, action?: string): ServiceContext {
  return {
    service: "postgres",
    endpoint: config.postgres.url,
    endpointVariables: "DATABASE_URL (or POSTGRES_PORT)",
    credentialVariables: "POSTGRES_USER / POSTGRES_PASSWORD (or the user:password in DATABASE_URL)",
    action,
  };
}

export function createPostgresClient(config: Config): pg.Client {
  return new pg.Client({
    connectionString: config.postgres.url,
    connectionTimeoutMillis: PROBE_ATTEMPT_TIMEOUT_MS,
    application_name: "wallpaperdb-infra",
  });
}

async function withClient<T>(
  config: Config,
  action: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = createPostgresClient(config);
  // A connection dropped mid-seed emits 'error' on the client; the pending query rejects with it too.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    throw serviceError(postgresContext(config, action), error);
  }
  try {
    return await work(client);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw serviceError(postgresContext(config, action), error);
  } finally {
    await client.end().catch(() => {});
  }
}

export const postgresProbe: ReadinessProbe = {
  service: "postgres",
  checks: "SELECT 1",
  check: (config) =>
    withClient(config, "probing readiness", async (client) => {
      const result = await client.query<{ version: string }>(
        "SELECT current_setting('server_version') AS version",
      );
      return `PostgreSQL ${result.rows[0]?.version ?? "?"}`;
    }),
};

export const migrationsDir = (initDir: string) => join(initDir, "postgres", "migrations");

async function readMigrationFiles(dir: string) {
  let names: string[];
  try {
    // Only *.sql files are migrations: a subfolder or a note next to them is not read.
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && entry.name.endsWith(".sql"))
      .map((entry) => entry.name);
  } catch (error) {
    throw new UserError(`cannot read the migrations folder: ${(error as Error).message}`, {
      where: dir,
      fix: "create infra/init/postgres/migrations/ with NNNN_name.sql files, or set WALLPAPERDB_INIT_DIR",
    });
  }
  const files = await Promise.all(
    names.sort().map(async (name) => ({ name, sql: await readFile(join(dir, name), "utf8") })),
  );
  return orderMigrations(files, displayPath(dir));
}

/** The migrations the seeder has applied, read from its ledger (none before the first seed). */
export function readAppliedMigrations(config: Config): Promise<AppliedMigration[]> {
  return withClient(
    config,
    "reading the applied migrations",
    async (client) => (await readLedger(client)) ?? [],
  );
}

async function readLedger(client: pg.Client): Promise<AppliedMigration[] | undefined> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [LEDGER_TABLE]);
  if (exists.rows[0]?.t === null) return undefined;
  const rows = await client.query<AppliedMigration>(
    `SELECT name, checksum FROM ${LEDGER_TABLE} ORDER BY name`,
  );
  return rows.rows;
}

/** SQLSTATE classes that describe the connection or the server, not the migration's SQL. */
const SERVER_SIDE_CLASSES = /^(08|53|57|58|XX)/;

/**
 * An error raised by a migration's own SQL (syntax, constraint, its own RAISE, …) names the file;
 * connection and server failures keep their service message (`make logs`, `make start`).
 */
export function migrationSqlError(error: unknown, file: string, name: string): unknown {
  const e = error as { message?: string; code?: unknown; position?: string };
  if (!(error instanceof pg.DatabaseError) || typeof e.code !== "string" || SERVER_SIDE_CLASSES.test(e.code))
    return error;
  const hint =
    e.code === "25001"
      ? "each migration runs inside one transaction, where statements such as CREATE INDEX CONCURRENTLY are not allowed: use plain CREATE INDEX (or run it outside `make seed`)"
      : "fix the SQL of this migration";
  return new UserError(`migration ${name} failed and was rolled back: ${e.message} (SQLSTATE ${e.code})`, {
    where: `${file}${e.position ? ` (character ${e.position})` : ""}`,
    fix: `${hint}; it was not recorded, so it runs again on the next \`make seed\``,
    cause: error,
  });
}

/**
 * Applies pending migrations, one transaction each, under a session advisory lock, and records them
 * in the ledger. The no-op path reads the ledger without the lock; the lock is taken (and the plan
 * recomputed) only when something is pending, so two seeders at once apply each migration once.
 */
export async function seedPostgres(config: Config, initDir: string): Promise<ResourceResult[]> {
  const dir = migrationsDir(initDir);
  const files = await readMigrationFiles(dir);
  const display = displayPath(dir);
  return withClient(config, "applying migrations", async (client) => {
    const results = (plan: ReturnType<typeof planMigrations>, applied: Set<string>): ResourceResult[] => [
      ...files.map(
        (file): ResourceResult => ({
          service: "postgres",
          kind: "migration",
          name: file.name,
          outcome: applied.has(file.name) ? "created" : "unchanged",
          ...(applied.has(file.name) ? { detail: "applied" } : {}),
        }),
      ),
      ...plan.missingFiles.map(
        (name): ResourceResult => ({
          service: "postgres",
          kind: "migration",
          name,
          outcome: "unchanged",
          drift: [`applied, but its file is no longer in ${display}`],
        }),
      ),
    ];

    const quick = await readLedger(client);
    if (quick !== undefined) {
      const plan = planMigrations(files, quick, display);
      if (plan.pending.length === 0) return results(plan, new Set());
    }

    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
           name text PRIMARY KEY,
           checksum text NOT NULL,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const plan = planMigrations(files, (await readLedger(client)) ?? [], display);
      const applied = new Set<string>();
      for (const migration of plan.pending) {
        await client.query("BEGIN");
        try {
          await client.query(migration.sql).catch((error: unknown) => {
            throw migrationSqlError(error, `${display}/${migration.name}`, migration.name);
          });
          await client.query(`INSERT INTO ${LEDGER_TABLE} (name, checksum) VALUES ($1, $2)`, [
            migration.name,
            migration.checksum,
          ]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw error;
        }
        applied.add(migration.name);
      }
      return results(plan, applied);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  });
}

export async function verifyPostgres(config: Config, id: string): Promise<string> {
  const client = createPostgresClient(config);
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("BEGIN");
    // DDL is transactional in PostgreSQL: the table and its row vanish with the rollback.
    await client.query(
      "CREATE TABLE wallpaperdb_verify_probe (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())",
    );
    await client.query("INSERT INTO wallpaperdb_verify_probe (id) VALUES ($1)", [id]);
    const read = await client.query<{ id: string }>("SELECT id FROM wallpaperdb_verify_probe WHERE id = $1", [
      id,
    ]);
    await client.query("ROLLBACK");
    if (read.rows[0]?.id !== id) throw new Error("the row written was not read back");
    return `database ${config.postgres.database}`;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw serviceError(postgresContext(config, "verifying a write and read"), error);
  } finally {
    await client.end().catch(() => {});
  }
}
