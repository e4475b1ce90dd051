import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { signV4 } from "minio/dist/esm/signing.mjs";
import { classifyError } from "../../src/errors.ts";
import type { S3Config } from "../../src/services/minio/index.ts";
import { listBucketsAnswer, listBucketsHeaders } from "../../src/services/minio/readiness.ts";

const s3: S3Config = {
  endpoint: "http://localhost:9000",
  region: "us-east-1",
  accessKey: "wallpaperdb",
  secretKey: "wallpaperdb-dev-password",
  forcePathStyle: true,
  bucket: "wallpapers",
};

describe("MinIO's readiness probe: a ListBuckets of its own", () => {
  test("signs exactly as the minio SDK does (Signature V4), default and other ports, other regions", () => {
    const cases: Array<[string, string]> = [
      ["http://localhost:9000/", "us-east-1"],
      ["http://127.0.0.1:19078/", "eu-central-1"],
      ["https://s3.example.test/", "us-east-1"],
    ];
    for (const [endpoint, region] of cases) {
      const url = new URL(endpoint);
      const now = new Date("2026-12-02T06:30:15.123Z");
      const mine = listBucketsHeaders({ ...s3, region }, url, now);
      const request = {
        method: "GET",
        path: url.pathname,
        headers: {
          host: mine.host,
          "x-amz-content-sha256": mine["x-amz-content-sha256"],
          "x-amz-date": mine["x-amz-date"],
        },
      };
      const sdk = signV4(
        request as never,
        s3.accessKey,
        s3.secretKey,
        region,
        now,
        mine["x-amz-content-sha256"] ?? "",
      );
      assert.equal(mine.authorization, sdk, endpoint);
    }
  });

  test("counts the buckets; wrong keys are final, a server still starting is not ready", () => {
    const listing =
      "<ListAllMyBucketsResult><Buckets><Bucket><Name>a</Name></Bucket><Bucket><Name>b</Name></Bucket></Buckets></ListAllMyBucketsResult>";
    assert.equal(listBucketsAnswer(200, listing), "2 bucket(s)");
    for (const code of ["InvalidAccessKeyId", "SignatureDoesNotMatch"]) {
      const rejected = (() => {
        try {
          listBucketsAnswer(403, `<Error><Code>${code}</Code></Error>`);
        } catch (error) {
          return error;
        }
      })();
      assert.equal(classifyError(rejected), "auth", code);
    }
    assert.throws(
      () => listBucketsAnswer(503, "<Error><Code>XMinioServerNotInitialized</Code></Error>"),
      /HTTP 503 XMinioServerNotInitialized/,
    );
  });
});
