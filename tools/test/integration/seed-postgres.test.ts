import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { type Config, repoRoot } from "../../src/config/env.ts";
import { formatUserError, toUserError, UserError } from "../../src/errors.ts";
import { LEDGER_TABLE, postgresProbe, seedPostgres } from "../../src/services/postgres/client.ts";
import { testConfig } from "../support/config.ts";
import { freePort } from "../support/ports.ts";
import {
  createDatabase,
  type PostgresServer,
  postgresAvailability,
  startPostgres,
} from "../support/postgres-server.ts";

const availability = postgresAvailability();
const skip = "skip" in availability ? availability.skip : false;
const realInitDir = join(repoRoot, "infra/init");

describe("postgres seeding against a real PostgreSQL", { skip }, () => {
  let server: PostgresServer;
  let databases = 0;
  /** A fresh database per test (one cluster per file keeps the file fast). */
  const freshConfig = async (initDir = realInitDir) => {
    const url = await createDatabase(server, `seed_test_${++databases}`);
    return testConfig({ DATABASE_URL: url, WALLPAPERDB_INIT_DIR: initDir });
  };
  const query = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  /** Runs `body` on a copy of infra/init (so it can add or edit migrations) and a fresh database. */
  const withInitCopy = async (body: (initDir: string, config: Config) => Promise<void>) => {
    const initDir = mkdtempSync(join(tmpdir(), "wpdb-init-"));
    try {
      cpSync(realInitDir, initDir, { recursive: true });
      await body(initDir, await freshConfig(initDir));
    } finally {
      rmSync(initDir, { recursive: true, force: true });
    }
  };

  before(async () => {
    server = await startPostgres();
  });
  after(async () => {
    await server?.stop();
  });

  test("a fresh seed applies 0001 and creates the wallpapers schema", async () => {
    const config = await freshConfig();
    const results = await seedPostgres(config, config.initDir);
    assert.deepEqual(
      results.map((r) => [r.name, r.outcome]),
      [["0001_wallpapers.sql", "created"]],
    );
    const tables = await query(
      config.postgres.url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    assert.deepEqual(tables.map((t) => t.table_name).sort(), [
      "users",
      "wallpaperdb_schema_migrations",
      "wallpapers",
    ]);
    // The schema works as described: defaults, checks and the updated_at trigger.
    const [user] = await query(
      config.postgres.url,
      "INSERT INTO users (email, display_name) VALUES ('a@b.c', 'A') RETURNING id",
    );
    const [row] = await query(
      config.postgres.url,
      `INSERT INTO wallpapers (title, width, height, object_key, owner_id, tags, dominant_colors)
       VALUES ('Dunes', 3840, 2160, 'originals/1.jpg', '${user?.id}', '{desert}', '{#aabbcc}') RETURNING *`,
    );
    assert.deepEqual(row?.metadata, {});
    await assert.rejects(
      query(
        config.postgres.url,
        `INSERT INTO wallpapers (title, width, height, object_key, owner_id, dominant_colors)
         VALUES ('Bad', 1, 1, 'k2', '${user?.id}', '{red}')`,
      ),
      /check constraint/,
    );
  });

  test("a second seed reports every migration unchanged and changes nothing", async () => {
    const config = await freshConfig();
    await seedPostgres(config, config.initDir);
    const before = await query(config.postgres.url, `SELECT name, applied_at FROM ${LEDGER_TABLE}`);
    const second = await seedPostgres(config, config.initDir);
    assert.deepEqual(
      second.map((r) => r.outcome),
      ["unchanged"],
    );
    assert.deepEqual(
      await query(config.postgres.url, `SELECT name, applied_at FROM ${LEDGER_TABLE}`),
      before,
    );
  });

  test("two seeds at once both succeed and apply each migration exactly once", async () => {
    const config = await freshConfig();
    const [a, b] = await Promise.all([
      seedPostgres(config, config.initDir),
      seedPostgres(config, config.initDir),
    ]);
    const outcomes = [...(a ?? []), ...(b ?? [])].map((r) => r.outcome).sort();
    assert.deepEqual(outcomes, ["created", "unchanged"]);
    const ledger = await query(config.postgres.url, `SELECT name FROM ${LEDGER_TABLE}`);
    assert.equal(ledger.length, 1);
  });

  test("an applied migration whose file was edited is refused, naming the file", () =>
    withInitCopy(async (initDir, config) => {
      await seedPostgres(config, initDir);
      const file = join(initDir, "postgres/migrations/0001_wallpapers.sql");
      writeFileSync(file, "CREATE TABLE sneaky (id int);\n");
      const error = await seedPostgres(config, initDir).then(
        () => assert.fail("an edited migration must be refused"),
        (e: unknown) => toUserError(e),
      );
      assert.match(error.message, /already applied and its file has changed/);
      assert.equal(error.exitCode, 2);
      // A folder outside the repository is shown absolute (not ../../tmp/…), once.
      assert.equal(error.where, join(initDir, "postgres/migrations/0001_wallpapers.sql"));
      assert.ok(!formatUserError(error).includes(".."), formatUserError(error));
      assert.equal(formatUserError(error).split("0001_wallpapers.sql").length - 1, 1, formatUserError(error));
      assert.match(error.fix, /restore the file .* new migration/);
      assert.doesNotMatch(error.fix, /correct the file/);
      const tables = await query(config.postgres.url, "SELECT to_regclass('public.sneaky') AS t");
      assert.equal(tables[0]?.t, null, "the edited SQL must not run");
    }));

  test("a new migration is applied after the existing ones; a failing one is rolled back and named", () =>
    withInitCopy(async (initDir, config) => {
      await seedPostgres(config, initDir);
      writeFileSync(
        join(initDir, "postgres/migrations/0002_bad.sql"),
        "CREATE TABLE half (id int);\nSELECT nope FROM nowhere;\n",
      );
      const error = await seedPostgres(config, initDir).then(
        () => assert.fail("a failing migration must fail the seed"),
        (e: unknown) => e as UserError,
      );
      assert.ok(error instanceof UserError);
      assert.match(error.message, /0002_bad\.sql failed and was rolled back/);
      assert.equal((await query(config.postgres.url, "SELECT to_regclass('public.half') AS t"))[0]?.t, null);
      writeFileSync(join(initDir, "postgres/migrations/0002_bad.sql"), "CREATE TABLE half (id int);\n");
      const results = await seedPostgres(config, initDir);
      assert.deepEqual(
        results.map((r) => [r.name, r.outcome]),
        [
          ["0001_wallpapers.sql", "unchanged"],
          ["0002_bad.sql", "created"],
        ],
      );
    }));

  test("a migration with its own BEGIN … COMMIT is refused before anything runs, naming the file and line", () =>
    withInitCopy(async (initDir, config) => {
      await seedPostgres(config, initDir);
      const file = join(initDir, "postgres/migrations/0002_nickname.sql");
      const ownTransaction =
        "-- adds a nickname\nbegin;\nALTER TABLE users ADD COLUMN nickname text;\ncommit;\n";
      writeFileSync(file, `${ownTransaction}SELECT nope FROM nowhere;\n`);
      const error = await seedPostgres(config, initDir).then(
        () => assert.fail("a migration with its own COMMIT must be refused"),
        (e: unknown) => toUserError(e),
      );
      assert.equal(error.where, `${file}:2`);
      assert.match(error.message, /line 2: BEGIN in a migration/);
      assert.match(error.fix, /delete the transaction statements .*nothing was applied/);
      const columns = await query(
        config.postgres.url,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'",
      );
      assert.deepEqual(columns, [], "the part before COMMIT must not have been applied");
      // Without its own transaction statements the same migration applies cleanly (no "already exists").
      writeFileSync(file, "ALTER TABLE users ADD COLUMN nickname text;\n");
      const results = await seedPostgres(config, initDir);
      assert.equal(results.find((r) => r.name === "0002_nickname.sql")?.outcome, "created");
    }));

  test("a new migration numbered like the applied 0001 is refused, naming the new file", () =>
    withInitCopy(async (initDir, config) => {
      await seedPostgres(config, initDir);
      writeFileSync(join(initDir, "postgres/migrations/0001_albums.sql"), "CREATE TABLE albums (id int);\n");
      const error = await seedPostgres(config, initDir).then(
        () => assert.fail("a duplicate number must be refused"),
        (e: unknown) => toUserError(e),
      );
      assert.equal(error.where, join(initDir, "postgres/migrations/0001_albums.sql"));
      assert.match(
        error.message,
        /0001_albums\.sql has the same number as 0001_wallpapers\.sql, which is already applied/,
      );
      assert.match(error.fix, /^renumber 0001_albums\.sql above the last migration \(0001\)/);
      assert.equal(
        (await query(config.postgres.url, "SELECT to_regclass('public.albums') AS t"))[0]?.t,
        null,
      );
    }));

  test("only *.sql files in the migrations folder are read: a subfolder or a note is ignored", () =>
    withInitCopy(async (initDir, config) => {
      mkdirSync(join(initDir, "postgres/migrations/old"));
      writeFileSync(join(initDir, "postgres/migrations/NOTES.md"), "not a migration\n");
      const results = await seedPostgres(config, initDir);
      assert.deepEqual(
        results.map((r) => [r.name, r.outcome]),
        [["0001_wallpapers.sql", "created"]],
      );
    }));

  for (const [label, sql, expected] of [
    [
      "CREATE INDEX CONCURRENTLY (25001)",
      "CREATE INDEX CONCURRENTLY users_created_idx ON users (created_at);\n",
      /transaction.*CREATE INDEX CONCURRENTLY are not allowed/,
    ],
    ["its own RAISE (P0001)", "DO $$ BEGIN RAISE EXCEPTION 'stop here'; END $$;\n", /fix the SQL/],
  ] as const) {
    test(`a migration failing with ${label} names the file and says what to do`, () =>
      withInitCopy(async (initDir, config) => {
        await seedPostgres(config, initDir);
        writeFileSync(join(initDir, "postgres/migrations/0002_next.sql"), sql);
        const error = await seedPostgres(config, initDir).then(
          () => assert.fail("the migration must fail the seed"),
          (e: unknown) => toUserError(e),
        );
        assert.match(error.message, /migration 0002_next\.sql failed and was rolled back/);
        assert.match(error.where ?? "", /0002_next\.sql/);
        assert.match(error.fix, expected);
        assert.doesNotMatch(error.fix, /make logs/);
      }));
  }

  test("the readiness probe answers with the server version", async () => {
    const config = await freshConfig();
    assert.match(await postgresProbe.check(config), /^PostgreSQL \d+/);
  });

  test("a wrong password ends in one message naming postgres and the variables to check, password masked", async () => {
    const url = `postgres://${server.user}:wrong-password-123@127.0.0.1:${server.port}/${server.database}`;
    const config = testConfig({ DATABASE_URL: url, WALLPAPERDB_INIT_DIR: realInitDir });
    const error = await seedPostgres(config, config.initDir).then(
      () => assert.fail("must fail"),
      (e: unknown) => e as UserError,
    );
    assert.ok(error instanceof UserError);
    assert.match(error.message, /postgres rejected the credentials/);
    assert.match(error.fix, /POSTGRES_PASSWORD/);
    assert.ok(!`${error.message}${error.where}${error.fix}`.includes("wrong-password-123"));
  });

  test("a server that is down ends in one message with `make start`", async () => {
    const port = await freePort();
    const config = testConfig({ DATABASE_URL: `postgres://u:secret-pw@127.0.0.1:${port}/db` });
    const error = await seedPostgres(config, realInitDir).then(
      () => assert.fail("must fail"),
      (e: unknown) => e as UserError,
    );
    assert.match(error.message, /postgres is not reachable/);
    assert.match(error.fix, /make start/);
    assert.equal(error.where, `postgres at postgres://u:****@127.0.0.1:${port}/db`);
  });
});
