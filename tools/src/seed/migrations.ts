import { createHash } from "node:crypto";
import { SeedFileError } from "./result.ts";

/** A migration file on disk. */
export interface MigrationFile {
  /** File name, e.g. 0001_wallpapers.sql; also the ledger key. */
  name: string;
  version: number;
  sql: string;
  checksum: string;
}

/** A row of the ledger table. */
export interface AppliedMigration {
  name: string;
  checksum: string;
}

export const MIGRATION_FILE_PATTERN = /^(\d{4,})_([a-z0-9][a-z0-9_-]*)\.sql$/;

/**
 * sha256 of the SQL with line endings normalised, so a checkout with CRLF (git autocrlf on
 * Windows) does not look like an edited migration.
 */
export function migrationChecksum(sql: string): string {
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n"), "utf8").digest("hex");
}

/**
 * Orders migration files by numeric prefix. Rules: every .sql file must match NNNN_name.sql;
 * two files with the same number are an error; gaps are allowed (branches merge out of order
 * in numbering, not in time). Other files (README.md) are ignored.
 */
export function orderMigrations(
  files: ReadonlyArray<{ name: string; sql: string }>,
  directory = "infra/init/postgres/migrations",
): MigrationFile[] {
  const migrations: MigrationFile[] = [];
  for (const file of files) {
    if (!file.name.endsWith(".sql")) continue;
    const match = MIGRATION_FILE_PATTERN.exec(file.name);
    if (!match) {
      throw new SeedFileError(
        `${directory}/${file.name}`,
        "migration file names must look like 0001_short_name.sql (4+ digits, lowercase name)",
        "rename the file to NNNN_short_name.sql, numbered above the last migration",
      );
    }
    if (file.sql.trim() === "")
      throw new SeedFileError(
        `${directory}/${file.name}`,
        "the migration is empty",
        "write its SQL or delete the file, then run `make seed` again",
      );
    migrations.push({
      name: file.name,
      version: Number(match[1]),
      sql: file.sql,
      checksum: migrationChecksum(file.sql),
    });
  }
  migrations.sort((a, b) => a.version - b.version || a.name.localeCompare(b.name));
  for (let i = 1; i < migrations.length; i++) {
    const previous = migrations[i - 1];
    const current = migrations[i];
    if (previous && current && previous.version === current.version) {
      throw new SeedFileError(
        `${directory}/${current.name}`,
        `it has the same number as ${previous.name}`,
        "renumber the one not applied yet above the last migration, then run `make seed` again",
      );
    }
  }
  return migrations;
}

export interface MigrationPlan {
  pending: MigrationFile[];
  unchanged: MigrationFile[];
  /** Applied migrations whose file is gone: reported, never reverted. */
  missingFiles: string[];
}

/**
 * Compares the files with the ledger. An applied migration whose checksum changed is an error
 * (never re-run); so is a new migration numbered below one already applied (it would run out of order).
 */
export function planMigrations(
  files: readonly MigrationFile[],
  applied: readonly AppliedMigration[],
  directory = "infra/init/postgres/migrations",
): MigrationPlan {
  const appliedByName = new Map(applied.map((a) => [a.name, a]));
  const pending: MigrationFile[] = [];
  const unchanged: MigrationFile[] = [];
  for (const file of files) {
    const ledger = appliedByName.get(file.name);
    if (!ledger) pending.push(file);
    else if (ledger.checksum !== file.checksum) {
      throw new SeedFileError(
        `${directory}/${file.name}`,
        "this migration was already applied and its file has changed since (checksum differs); applied migrations are never re-run",
        "restore the file (`git checkout -- <file>`) and put the change in a new migration, then run `make seed` again",
      );
    } else unchanged.push(file);
  }
  const highestApplied = Math.max(
    -1,
    ...applied.map((a) => Number(MIGRATION_FILE_PATTERN.exec(a.name)?.[1] ?? -1)),
  );
  const outOfOrder = pending.find((p) => p.version < highestApplied);
  if (outOfOrder) {
    throw new SeedFileError(
      `${directory}/${outOfOrder.name}`,
      `it is numbered below a migration already applied (${highestApplied})`,
      `give it a number above ${highestApplied}, then run \`make seed\` again`,
    );
  }
  const fileNames = new Set(files.map((f) => f.name));
  const missingFiles = applied.map((a) => a.name).filter((name) => !fileNames.has(name));
  return { pending, unchanged, missingFiles };
}
