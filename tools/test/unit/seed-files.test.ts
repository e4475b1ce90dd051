import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { repoRoot } from "../../src/config/env.ts";
import { toUserError } from "../../src/errors.ts";
import { readSeedFile } from "../../src/seed/files.ts";
import { orderMigrations } from "../../src/seed/migrations.ts";
import { streamsFileSchema } from "../../src/seed/nats-spec.ts";
import { parseDurationMs, parseSizeBytes } from "../../src/seed/units.ts";
import { readBucketSpecs } from "../../src/services/minio/client.ts";
import { readOpenSearchDefinitions } from "../../src/services/opensearch/client.ts";

const initDir = join(repoRoot, "infra/init");
const scratch = mkdtempSync(join(tmpdir(), "wpdb-seedfiles-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
let n = 0;
const write = (name: string, text: string) => {
  const dir = join(scratch, String(++n));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const messageOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail("expected the file to be refused"),
    (e: unknown) => {
      const error = toUserError(e);
      return `${error.message}\n  where: ${error.where}`;
    },
  );

describe("the shipped seed definitions are valid", () => {
  test("buckets.yaml: the MINIO_BUCKET bucket, private", async () => {
    const buckets = await readBucketSpecs(join(initDir, "minio/buckets.yaml"), {
      MINIO_BUCKET: "wallpapers",
    });
    assert.deepEqual(buckets, [{ name: "wallpapers", policy: "private" }]);
  });

  test("streams.yaml: WALLPAPERS on wallpapers.> with file storage and the durable pull consumer enrichment", async () => {
    const { streams } = await readSeedFile(join(initDir, "nats/streams.yaml"), streamsFileSchema);
    const [stream] = streams;
    assert.equal(stream?.name, "WALLPAPERS");
    assert.deepEqual(stream?.subjects, ["wallpapers.>"]);
    assert.equal(stream?.storage, "file");
    assert.equal(stream?.retention, "limits");
    assert.ok(stream?.max_bytes && stream.max_age, "limits are declared");
    assert.equal(stream?.consumers[0]?.durable_name, "enrichment");
    assert.equal(stream?.consumers[0]?.ack_policy, "explicit");
  });

  test("opensearch: template wallpapers for wallpapers-* and index wallpapers-v1 aliased wallpapers", async () => {
    const defs = await readOpenSearchDefinitions(initDir);
    assert.deepEqual(
      defs.templates.map((t) => [t.name, t.body.index_patterns]),
      [["wallpapers", ["wallpapers-*"]]],
    );
    const props = defs.templates[0]?.body.template?.mappings?.properties ?? {};
    assert.deepEqual(
      ["title", "tags", "dominant_colors", "width", "height", "created_at"].map(
        (f) => (props[f] as { type?: string })?.type,
      ),
      ["text", "keyword", "keyword", "integer", "integer", "date"],
    );
    assert.deepEqual(
      defs.indices.map((i) => [i.name, Object.keys(i.body.aliases ?? {})]),
      [["wallpapers-v1", ["wallpapers"]]],
    );
  });

  test("postgres migrations are well named and ordered", () => {
    const dir = join(initDir, "postgres/migrations");
    const files = readdirSync(dir).map((name) => ({ name, sql: readFileSync(join(dir, name), "utf8") }));
    assert.equal(orderMigrations(files)[0]?.name, "0001_wallpapers.sql");
  });
});

describe("a malformed seed file ends in one message naming the file and the reason", () => {
  test("YAML syntax error", async () => {
    const file = write("streams.yaml", "streams:\n  - name: [unclosed\n");
    assert.match(
      await messageOf(readSeedFile(file, streamsFileSchema)),
      /not valid YAML[\s\S]*where: .*streams\.yaml$/,
    );
  });

  test("a wrong value, with its path", async () => {
    const file = write("streams.yaml", "streams:\n  - name: S\n    subjects: [s.>]\n    storage: disk\n");
    assert.match(
      await messageOf(readSeedFile(file, streamsFileSchema)),
      /invalid seed file: at streams\[0\]\.storage: /,
    );
  });

  test("a misspelt bucket policy names the choices and what was written, not zod's bare 'Invalid input'", async () => {
    const file = write("buckets.yaml", "buckets:\n  - name: wallpapers\n    policy: privat\n");
    const message = await messageOf(readBucketSpecs(file, { MINIO_BUCKET: "w" }));
    assert.match(
      message,
      /at buckets\[0\]\.policy: expected "private", "public-read" or a bucket policy document \(\{ Version, Statement \}\) \(got "privat"\)/,
    );
    const broken = write(
      "buckets.yaml",
      "buckets:\n  - name: wallpapers\n    policy: { Version: '2012-10-17' }\n",
    );
    assert.match(
      await messageOf(readBucketSpecs(broken, { MINIO_BUCKET: "w" })),
      /at buckets\[0\]\.policy\.Statement: /,
    );
  });

  test("a missing required field", async () => {
    const file = write("streams.yaml", "streams:\n  - name: S\n");
    assert.match(await messageOf(readSeedFile(file, streamsFileSchema)), /at streams\[0\]\.subjects/);
  });

  test("an unknown placeholder in buckets.yaml", async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the input under test
    const file = write("buckets.yaml", "buckets:\n  - name: ${NOPE}\n");
    assert.match(
      await messageOf(readBucketSpecs(file, { MINIO_BUCKET: "w" })),
      /unknown placeholder \$\{NOPE\}/,
    );
  });

  test("invalid JSON in an OpenSearch file, and a file name that is not an index name", async () => {
    const dir = join(scratch, "os1");
    mkdirSync(join(dir, "opensearch/indices"), { recursive: true });
    writeFileSync(join(dir, "opensearch/indices/wallpapers-v1.json"), "{ aliases: }");
    assert.match(
      await messageOf(readOpenSearchDefinitions(dir)),
      /not valid JSON[\s\S]*where: .*wallpapers-v1\.json$/,
    );
    writeFileSync(join(dir, "opensearch/indices/wallpapers-v1.json"), "{}");
    writeFileSync(join(dir, "opensearch/indices/Bad Name.json"), "{}");
    assert.match(
      await messageOf(readOpenSearchDefinitions(dir)),
      /the file name must be[\s\S]*where: .*Bad Name\.json$/,
    );
  });

  test("an index file with an unknown top-level key", async () => {
    const dir = join(scratch, "os2");
    mkdirSync(join(dir, "opensearch/indices"), { recursive: true });
    writeFileSync(join(dir, "opensearch/indices/x.json"), '{ "alias": {} }');
    assert.match(await messageOf(readOpenSearchDefinitions(dir)), /alias[\s\S]*where: .*x\.json$/);
  });
});

describe("units", () => {
  test("durations", () => {
    assert.deepEqual(
      ["500ms", "30s", "2m", "12h", "7d"].map(parseDurationMs),
      [500, 30_000, 120_000, 43_200_000, 604_800_000],
    );
    assert.equal(parseDurationMs("7 days"), undefined);
    assert.equal(parseDurationMs("-1s"), undefined);
  });
  test("sizes", () => {
    assert.deepEqual(
      ["1GiB", "512MiB", "100KB", "10"].map((s) => parseSizeBytes(s)),
      [1024 ** 3, 512 * 1024 ** 2, 100_000, 10],
    );
    assert.equal(parseSizeBytes(1048576), 1048576);
    assert.equal(parseSizeBytes("1 gigabyte"), undefined);
    assert.equal(parseSizeBytes(1.5), undefined);
  });
});
