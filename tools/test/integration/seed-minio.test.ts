import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { repoRoot } from "../../src/config/env.ts";
import { classifyError, toUserError, UserError } from "../../src/errors.ts";
import { createS3Client, seedMinio } from "../../src/services/minio/client.ts";
import { minio } from "../../src/services/minio/index.ts";
import { testConfig } from "../support/config.ts";
import { freePort } from "../support/ports.ts";
import { type S3Server, startS3 } from "../support/s3-server.ts";

const realInitDir = join(repoRoot, "infra/init");

// s3rver implements buckets and CORS but neither bucket policies nor versioning: those paths are
// covered in test/unit/minio-converge.test.ts against a recorded fake.
describe("minio seeding against s3rver (S3 API; no policy/versioning support)", () => {
  let server: S3Server;
  let bucketCount = 0;
  const config = (bucket = `wallpapers-${++bucketCount}`, secret = server.secretKey) =>
    testConfig({
      S3_ENDPOINT: server.endpoint,
      S3_ACCESS_KEY: server.accessKey,
      S3_SECRET_KEY: secret,
      MINIO_BUCKET: bucket,
      WALLPAPERDB_INIT_DIR: realInitDir,
    });

  before(async () => {
    server = await startS3();
  });
  after(async () => {
    await server?.stop();
  });

  test("a fresh seed creates the bucket named by MINIO_BUCKET; private needs no policy call to succeed", async () => {
    const c = config("wallpapers");
    const results = await seedMinio(c, c.initDir);
    assert.deepEqual(
      results.map((r) => [r.kind, r.name, r.outcome]),
      [["bucket", "wallpapers", "created"]],
    );
    assert.ok(await createS3Client(c).bucketExists("wallpapers"));
    assert.equal(results[0]?.drift, undefined);
  });

  test("a second seed reports the bucket unchanged", async () => {
    const c = config();
    await seedMinio(c, c.initDir);
    const again = await seedMinio(c, c.initDir);
    assert.deepEqual(
      again.map((r) => r.outcome),
      ["unchanged"],
    );
  });

  test("two seeds at once both succeed; exactly one creates the bucket", async () => {
    const c = config();
    const [a, b] = await Promise.all([seedMinio(c, c.initDir), seedMinio(c, c.initDir)]);
    const outcomes = [a?.[0]?.outcome, b?.[0]?.outcome].sort();
    assert.ok(outcomes.includes("created"));
    assert.ok(
      outcomes.every((o) => o === "created" || o === "unchanged"),
      String(outcomes),
    );
  });

  test("declared CORS rules are applied once, then unchanged (s3rver implements bucket CORS)", async () => {
    const initDir = mkdtempSync(join(tmpdir(), "wpdb-init-"));
    try {
      cpSync(realInitDir, initDir, { recursive: true });
      const file = join(initDir, "minio/buckets.yaml");
      writeFileSync(
        file,
        `${readFileSync(file, "utf8")}    cors:\n      - allowedOrigins: ["http://localhost:5173"]\n        allowedMethods: [GET, PUT]\n        maxAgeSeconds: 600\n`,
      );
      const c = config();
      const first = await seedMinio(c, initDir);
      assert.equal(first[0]?.outcome, "created");
      assert.match(first[0]?.detail ?? "", /CORS set \(1 rule/);
      const second = await seedMinio(c, initDir);
      assert.equal(second[0]?.outcome, "unchanged");
    } finally {
      rmSync(initDir, { recursive: true, force: true });
    }
  });

  test("a malformed buckets file ends in one message naming the file and the reason", async () => {
    const initDir = mkdtempSync(join(tmpdir(), "wpdb-init-"));
    try {
      cpSync(realInitDir, initDir, { recursive: true });
      writeFileSync(join(initDir, "minio/buckets.yaml"), "buckets:\n  - name: Bad_Name\n");
      const error = await seedMinio(config(), initDir).then(
        () => assert.fail("must fail"),
        (e: unknown) => toUserError(e),
      );
      assert.match(error.message, /at buckets\[0\]\.name: an S3 bucket name/);
      assert.equal(error.where, join(initDir, "minio/buckets.yaml"), "outside the repo: absolute path");
    } finally {
      rmSync(initDir, { recursive: true, force: true });
    }
  });

  test("the readiness probe lists buckets", async () => {
    assert.match(await minio.probe.check(config()), /bucket\(s\)/);
    const unknownKey = { ...config(), s3: { ...config().s3, accessKey: "NOT-A-KEY" } };
    const rejected = await minio.probe.check(unknownKey).then(
      () => assert.fail("must fail"),
      (e: unknown) => e,
    );
    assert.equal(classifyError(rejected), "auth", String(rejected));
  });

  // s3rver accepts any secret for its S3RVER key but rejects unknown access keys, so the rejected
  // credentials here are an unknown access key (real MinIO also rejects a wrong secret the same way).
  test("rejected credentials end in one message naming minio and S3_ACCESS_KEY/S3_SECRET_KEY, secret masked", async () => {
    const c = testConfig({
      S3_ENDPOINT: server.endpoint,
      S3_ACCESS_KEY: "unknown-key",
      S3_SECRET_KEY: "wrong-s3-secret",
    });
    const error = await seedMinio(c, realInitDir).then(
      () => assert.fail("must fail"),
      (e: unknown) => e as UserError,
    );
    assert.ok(error instanceof UserError, String(error));
    assert.match(error.message, /minio rejected the credentials/);
    assert.match(error.fix, /S3_ACCESS_KEY \/ S3_SECRET_KEY/);
    assert.ok(!`${error.message}${error.where}${error.fix}`.includes("wrong-s3-secret"));
  });

  test("a server that is down ends in one message with `make start`", async () => {
    const port = await freePort();
    const c = testConfig({ S3_ENDPOINT: `http://127.0.0.1:${port}` });
    const error = await seedMinio(c, realInitDir).then(
      () => assert.fail("must fail"),
      (e: unknown) => e as UserError,
    );
    assert.match(error.message, /minio is not reachable/);
    assert.match(error.fix, /make start/);
  });
});
