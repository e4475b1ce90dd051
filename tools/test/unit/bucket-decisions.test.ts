import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  bucketsFileSchema,
  canonicalPolicy,
  decideCors,
  decidePolicy,
  decideVersioning,
  policyDocumentFor,
  UNSUPPORTED,
} from "../../src/seed/bucket-spec.ts";

const publicRead = policyDocumentFor("wallpapers", "public-read");

describe("bucket policy decisions", () => {
  test("private with no policy: nothing to do", () => {
    assert.deepEqual(decidePolicy("wallpapers", "private", null), { action: "none" });
  });

  test("private but the bucket has a policy: reported, never removed", () => {
    const step = decidePolicy("wallpapers", "private", publicRead);
    assert.equal(step.action, "drift");
  });

  test("public-read missing: set; present (differently formatted): nothing", () => {
    assert.equal(decidePolicy("wallpapers", "public-read", null).action, "set");
    const asServerReturnsIt = {
      Statement: [
        {
          Resource: "arn:aws:s3:::wallpapers/*",
          Action: "s3:GetObject",
          Principal: { AWS: "*" },
          Effect: "Allow",
        },
      ],
      Version: "2012-10-17",
    };
    assert.deepEqual(decidePolicy("wallpapers", "public-read", asServerReturnsIt), { action: "none" });
  });

  test("a different policy is replaced by the declared one", () => {
    const other = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*" }] };
    const step = decidePolicy("wallpapers", "public-read", other);
    assert.equal(step.action, "set");
    assert.match(step.action === "set" ? step.note : "", /replaced/);
  });

  test("a server without a policy API: private is fine, public is reported", () => {
    assert.equal(decidePolicy("w", "private", UNSUPPORTED).action, "none");
    assert.equal(decidePolicy("w", "public-read", UNSUPPORTED).action, "drift");
  });

  test("canonical form ignores key order and single-value vs array", () => {
    assert.equal(
      canonicalPolicy({ b: 1, a: { Action: "x" } }),
      canonicalPolicy({ a: { Action: ["x"] }, b: 1 }),
    );
    assert.notEqual(canonicalPolicy({ Action: "x" }), canonicalPolicy({ Action: "y" }));
  });
});

describe("bucket versioning decisions", () => {
  test("not declared: left as it is", () => {
    assert.deepEqual(decideVersioning(undefined, "Enabled"), { action: "none" });
  });
  test("declared enabled on a never-versioned bucket: set", () => {
    assert.equal(decideVersioning("enabled", "").action, "set");
  });
  test("already enabled: nothing; suspended on never-versioned: nothing", () => {
    assert.equal(decideVersioning("enabled", "Enabled").action, "none");
    assert.equal(decideVersioning("suspended", "").action, "none");
  });
  test("server without versioning API: reported", () => {
    assert.equal(decideVersioning("enabled", UNSUPPORTED).action, "drift");
  });
});

describe("bucket CORS decisions", () => {
  const rule = {
    allowedOrigins: ["http://a"],
    allowedMethods: ["GET" as const],
    allowedHeaders: [],
    exposeHeaders: [],
  };
  test("declared and absent: set; equal (any order): nothing; server without CORS API: reported", () => {
    assert.equal(decideCors([rule], null).action, "set");
    assert.equal(decideCors([{ ...rule, allowedOrigins: ["http://a"] }], [rule]).action, "none");
    assert.equal(decideCors([rule], UNSUPPORTED).action, "drift");
    assert.equal(decideCors(undefined, UNSUPPORTED).action, "none");
  });
});

describe("buckets.yaml schema", () => {
  test("policy defaults to private; a policy document is accepted", () => {
    const parsed = bucketsFileSchema.parse({
      buckets: [
        { name: "wallpapers" },
        { name: "shared", policy: { Version: "2012-10-17", Statement: [{}] } },
      ],
    });
    assert.equal(parsed.buckets[0]?.policy, "private");
  });
  test("bad names, unknown fields, unknown policy words and duplicates are refused", () => {
    for (const buckets of [
      [{ name: "UPPER" }],
      [{ name: "ok-name", public: true }],
      [{ name: "ok-name", policy: "public" }],
      [{ name: "ok-name", versioning: "on" }],
      [{ name: "dup" }, { name: "dup" }],
    ]) {
      assert.equal(bucketsFileSchema.safeParse({ buckets }).success, false, JSON.stringify(buckets));
    }
  });
});
