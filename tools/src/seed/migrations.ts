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
 * Orders migration files by numeric prefix. Rules: every .sql file must match NNNN_name.sql; gaps are
 * allowed (branches merge out of order in numbering, not in time); two files with the same number are
 * refused by planMigrations, which knows which one is new. Other files (README.md) are ignored.
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
  return migrations.sort((a, b) => a.version - b.version || a.name.localeCompare(b.name));
}

/**
 * Two files with the same number would run in an order nobody chose. Only the ledger knows which of them
 * is new, and the new ones are the files to renumber; both already applied is history, left alone.
 */
function refuseSameNumber(
  files: readonly MigrationFile[],
  applied: ReadonlySet<string>,
  highest: number,
  directory: string,
): void {
  const byVersion = new Map<number, MigrationFile[]>();
  for (const file of files) byVersion.set(file.version, [...(byVersion.get(file.version) ?? []), file]);
  for (const group of byVersion.values()) {
    const fresh = group.filter((f) => !applied.has(f.name)).map((f) => f.name);
    const [first] = fresh;
    if (group.length < 2 || first === undefined) continue;
    const old = group.filter((f) => applied.has(f.name)).map((f) => f.name);
    throw new SeedFileError(
      `${directory}/${first}`,
      old.length > 0
        ? `${fresh.join(" and ")} ${fresh.length > 1 ? "have" : "has"} the same number as ${old.join(", ")}, which is already applied`
        : `${fresh.join(" and ")} have the same number`,
      `renumber ${old.length > 0 ? fresh.join(" and ") : `all but one of ${fresh.join(" and ")}`} above the last migration (${String(Math.max(highest, ...files.map((f) => f.version))).padStart(4, "0")}), then run \`make seed\` again`,
    );
  }
}

const TRANSACTION_CONTROL = /^(begin|commit|rollback|end|abort|savepoint|release)$/;
/** `-- …`, "identifier", E'…' (backslash escapes) and '…': text no statement starts in. */
const QUOTED_OR_LINE_COMMENT = /^(?:--[^\n]*|"(?:[^"]|"")*"?|[eE]'(?:[^'\\]|''|\\.)*'?|'(?:[^']|'')*'?)/;
const DOLLAR_QUOTE = /^\$(?:[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/;
const WORD = /^[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/;

/** Where a (nested) /* comment *\/ that starts at `from` ends. */
function blockCommentEnd(sql: string, from: number): number {
  let depth = 0;
  let i = from;
  do {
    if (sql.startsWith("/*", i)) depth++;
    else if (sql.startsWith("*/", i)) depth--;
    i += sql.startsWith("/*", i) || sql.startsWith("*/", i) ? 2 : 1;
  } while (depth > 0 && i < sql.length);
  return i;
}

/** Where the token at `i` ends, for the tokens no statement starts in; undefined for any other. */
function opaqueTokenEnd(sql: string, i: number): number | undefined {
  const rest = sql.slice(i);
  const quoted = QUOTED_OR_LINE_COMMENT.exec(rest)?.[0];
  if (quoted) return i + quoted.length;
  if (rest.startsWith("/*")) return blockCommentEnd(sql, i);
  // $1 is a parameter and a$b an identifier, not the start of a dollar-quoted body.
  const tag = /[\w$]/.test(sql.charAt(i - 1)) ? undefined : DOLLAR_QUOTE.exec(rest)?.[0];
  if (!tag) return undefined;
  const close = sql.indexOf(tag, i + tag.length);
  return close === -1 ? sql.length : close + tag.length;
}

/**
 * The first statement of `sql` that controls the transaction (BEGIN, COMMIT, ROLLBACK, END, ABORT,
 * SAVEPOINT, RELEASE, START/PREPARE TRANSACTION), with its 1-based line. Comments, quoted strings and
 * identifiers, dollar-quoted bodies and BEGIN ATOMIC … END function bodies are skipped. The seeder runs
 * each migration in its own transaction: a COMMIT inside would keep everything before it when a later
 * statement fails.
 */
export function transactionControl(sql: string): { line: number; statement: string } | undefined {
  let line = 1;
  let atStart = true;
  /** Inside a BEGIN ATOMIC body: how many CASE … END are open; -1 outside one. */
  let atomic = -1;
  for (let i = 0; i < sql.length; ) {
    const opaque = opaqueTokenEnd(sql, i);
    const word = opaque === undefined ? WORD.exec(sql.slice(i))?.[0] : undefined;
    const end = opaque ?? i + (word?.length || 1);
    const comment = sql.startsWith("--", i) || sql.startsWith("/*", i);
    if (word) {
      const keyword = word.toLowerCase();
      const next = /^\s+([A-Za-z_]+)/.exec(sql.slice(end))?.[1]?.toLowerCase();
      if (atomic >= 0) atomic += keyword === "case" ? 1 : keyword === "end" ? -1 : 0;
      else if (keyword === "begin" && next === "atomic") atomic = 0;
      else if (atStart && TRANSACTION_CONTROL.test(keyword)) return { line, statement: word };
      else if (atStart && /^(start|prepare)$/.test(keyword) && next === "transaction")
        return { line, statement: `${word} ${next}` };
    }
    const c = sql.charAt(i);
    if (c === ";" && opaque === undefined) atStart = atomic < 0;
    else if (!comment && !/\s/.test(c)) atStart = false;
    for (; i < end; i++) if (sql[i] === "\n") line++;
  }
  return undefined;
}

export interface MigrationPlan {
  pending: MigrationFile[];
  unchanged: MigrationFile[];
  /** Applied migrations whose file is gone: reported, never reverted. */
  missingFiles: string[];
}

/**
 * Compares the files with the ledger, before anything is applied. Refused: an applied migration whose
 * checksum changed (never re-run), two files with one number, a pending migration with its own
 * transaction control, and a new migration numbered below one already applied (it would run out of order).
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
  refuseSameNumber(files, new Set(appliedByName.keys()), highestApplied, directory);
  for (const file of pending) {
    const control = transactionControl(file.sql);
    if (control)
      throw new SeedFileError(
        `${directory}/${file.name}:${control.line}`,
        `line ${control.line}: ${control.statement.toUpperCase()} in a migration: the seeder runs each migration in one transaction of its own, and a COMMIT inside would keep the statements before it when a later one fails`,
        "delete the transaction statements (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) from the file, then run `make seed` again; nothing was applied",
      );
  }
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
