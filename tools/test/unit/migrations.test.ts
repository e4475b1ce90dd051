import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  migrationChecksum,
  orderMigrations,
  planMigrations,
  transactionControl,
} from "../../src/seed/migrations.ts";
import { SeedFileError } from "../../src/seed/result.ts";

const file = (name: string, sql = `-- ${name}\nSELECT 1;\n`) => ({ name, sql });

describe("migration ordering", () => {
  test("orders by numeric prefix, not by string (0010 after 0009, 10000 last)", () => {
    const ordered = orderMigrations([file("10000_late.sql"), file("0010_ten.sql"), file("0009_nine.sql")]);
    assert.deepEqual(
      ordered.map((m) => m.name),
      ["0009_nine.sql", "0010_ten.sql", "10000_late.sql"],
    );
  });

  test("gaps are allowed", () => {
    assert.equal(orderMigrations([file("0001_a.sql"), file("0005_b.sql")]).length, 2);
  });

  test("two new files with the same number are refused, naming both", () => {
    assert.throws(
      () => planMigrations(orderMigrations([file("0001_a.sql"), file("0002_b.sql"), file("0002_a.sql")]), []),
      (e: unknown) =>
        e instanceof SeedFileError &&
        /migrations\/0002_a\.sql: 0002_a\.sql and 0002_b\.sql have the same number/.test(e.message) &&
        /renumber all but one of 0002_a\.sql and 0002_b\.sql above the last migration \(0002\)/.test(e.fix),
    );
  });

  test("a new file numbered like an applied one names the new file, not the applied one", () => {
    const files = orderMigrations([file("0001_wallpapers.sql"), file("0001_albums.sql")]);
    const applied = [
      { name: "0001_wallpapers.sql", checksum: migrationChecksum("-- 0001_wallpapers.sql\nSELECT 1;\n") },
    ];
    assert.throws(
      () => planMigrations(files, applied),
      (e: unknown) =>
        e instanceof SeedFileError &&
        e.file.endsWith("/0001_albums.sql") &&
        /0001_albums\.sql has the same number as 0001_wallpapers\.sql, which is already applied/.test(
          e.reason,
        ) &&
        /^renumber 0001_albums\.sql above/.test(e.fix),
    );
  });

  test("a .sql file with a bad name is refused; other files are ignored", () => {
    assert.throws(
      () => orderMigrations([file("1_init.sql")]),
      /1_init\.sql: migration file names must look like/,
    );
    assert.throws(() => orderMigrations([file("0001_Init.sql")]), /0001_Init\.sql/);
    assert.deepEqual(orderMigrations([file("README.md"), file("0001_a.sql")]).length, 1);
  });

  test("an empty migration is refused", () => {
    assert.throws(() => orderMigrations([file("0001_a.sql", "  \n")]), /0001_a\.sql: the migration is empty/);
  });
});

describe("migration checksums", () => {
  test("sha256 hex, stable, sensitive to any content change", () => {
    const a = migrationChecksum("CREATE TABLE t (id int);\n");
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(a, migrationChecksum("CREATE TABLE t (id int);\n"));
    assert.notEqual(a, migrationChecksum("CREATE TABLE t (id bigint);\n"));
  });

  test("CRLF and LF checkouts of the same file have the same checksum", () => {
    assert.equal(migrationChecksum("A;\r\nB;\r\n"), migrationChecksum("A;\nB;\n"));
  });
});

describe("migration plan against the ledger", () => {
  const files = orderMigrations([file("0001_a.sql"), file("0002_b.sql")]);
  const applied = (name: string, sql = `-- ${name}\nSELECT 1;\n`) => ({
    name,
    checksum: migrationChecksum(sql),
  });

  test("nothing applied: everything pending, in order", () => {
    const plan = planMigrations(files, []);
    assert.deepEqual(
      plan.pending.map((m) => m.name),
      ["0001_a.sql", "0002_b.sql"],
    );
  });

  test("applied with the same checksum: unchanged; the rest pending", () => {
    const plan = planMigrations(files, [applied("0001_a.sql")]);
    assert.deepEqual(
      [plan.unchanged.map((m) => m.name), plan.pending.map((m) => m.name)],
      [["0001_a.sql"], ["0002_b.sql"]],
    );
  });

  test("an applied migration whose file was edited is an error naming the file", () => {
    assert.throws(
      () =>
        planMigrations(files, [applied("0001_a.sql", "the original text")], "infra/init/postgres/migrations"),
      /infra\/init\/postgres\/migrations\/0001_a\.sql: this migration was already applied and its file has changed/,
    );
  });

  test("a new migration numbered below an applied one is refused (it would run out of order)", () => {
    const withLate = orderMigrations([file("0001_a.sql"), file("0002_b.sql"), file("0003_c.sql")]);
    assert.throws(
      () => planMigrations(withLate, [applied("0001_a.sql"), applied("0003_c.sql")]),
      /0002_b\.sql: it is numbered below a migration already applied \(3\)/,
    );
  });

  test("an applied migration whose file is gone is reported, not an error", () => {
    const plan = planMigrations(files, [
      applied("0001_a.sql"),
      applied("0002_b.sql"),
      applied("0000_old.sql"),
    ]);
    assert.deepEqual(plan.missingFiles, ["0000_old.sql"]);
    assert.equal(plan.pending.length, 0);
  });
});

describe("each kind of migration error brings its own fix", () => {
  const fixOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      assert.ok(error instanceof SeedFileError);
      return error.fix;
    }
    return assert.fail("expected a SeedFileError");
  };
  test("bad name, empty file, duplicate number, edited after apply, numbered too low", () => {
    const fixes = [
      fixOf(() => orderMigrations([file("1_init.sql")])),
      fixOf(() => orderMigrations([file("0001_a.sql", "  \n")])),
      fixOf(() => planMigrations(orderMigrations([file("0002_b.sql"), file("0002_a.sql")]), [])),
      fixOf(() =>
        planMigrations(orderMigrations([file("0001_a.sql")]), [{ name: "0001_a.sql", checksum: "x" }]),
      ),
      fixOf(() =>
        planMigrations(orderMigrations([file("0001_a.sql"), file("0002_b.sql")]), [
          { name: "0003_c.sql", checksum: "x" },
        ]),
      ),
    ];
    assert.match(fixes[0] ?? "", /rename the file/);
    assert.match(fixes[1] ?? "", /write its SQL or delete the file/);
    assert.match(fixes[2] ?? "", /renumber/);
    assert.match(fixes[3] ?? "", /restore the file .* new migration/);
    assert.match(fixes[4] ?? "", /number above 3/);
    assert.equal(new Set(fixes).size, fixes.length, "no generic fix shared by different problems");
  });
});

describe("transaction control inside a migration", () => {
  test("BEGIN, COMMIT, ROLLBACK, START TRANSACTION, SAVEPOINT, END, in any case, are found with their line", () => {
    for (const [sql, found] of [
      ["CREATE TABLE a (id int);\nBEGIN;\nCREATE TABLE b ();\nCOMMIT;\n", "2 BEGIN"],
      ["create table a ();\ncommit;\nselect nope;\n", "2 commit"],
      ["SELECT 1;\n  Rollback;\n", "2 Rollback"],
      ["start   transaction;\n", "1 start transaction"],
      ["SELECT 1; -- note\nSAVEPOINT s1;\n", "2 SAVEPOINT"],
      ["SELECT 1;\nEND;\n", "2 END"],
    ] as const)
      assert.equal(((r) => (r ? `${r.line} ${r.statement}` : "none"))(transactionControl(sql)), found, sql);
  });

  test("the same words inside comments, strings, identifiers and function bodies are not transaction control", () => {
    for (const sql of [
      "-- BEGIN;\n/* COMMIT; /* nested */ ROLLBACK; */ SELECT 1;\n",
      "SELECT 'COMMIT;', E'it\\'s; COMMIT', 'a''b; END';\n",
      'CREATE TABLE "commit" (begin_at int);\n',
      "DO $$ BEGIN RAISE NOTICE 'x'; END $$;\nCREATE FUNCTION f() RETURNS void AS $body$ BEGIN COMMIT; END $body$ LANGUAGE plpgsql;\n",
      "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;\n",
    ])
      assert.equal(transactionControl(sql), undefined, sql);
  });

  test("a pending migration with its own COMMIT is refused before anything is applied, naming file and line", () => {
    const files = orderMigrations([
      file("0001_a.sql"),
      file("0002_b.sql", "BEGIN;\nCREATE TABLE t ();\nCOMMIT;\n"),
    ]);
    assert.throws(
      () => planMigrations(files, []),
      (e: unknown) =>
        e instanceof SeedFileError &&
        e.file === "infra/init/postgres/migrations/0002_b.sql:1" &&
        /line 1: BEGIN in a migration: the seeder runs each migration in one transaction/.test(e.reason) &&
        /nothing was applied/.test(e.fix),
    );
  });
});
