import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CorsRule, UNSUPPORTED } from "../../src/seed/bucket-spec.ts";
import { type BucketApi, convergeBucket, corsXml, parseCorsXml } from "../../src/services/minio/client.ts";

/**
 * A RECORDED FAKE of the S3 bucket API (not a server): s3rver implements neither bucket policies nor
 * versioning, so these paths of convergeBucket are covered here. It records every call and answers
 * like MinIO does (no policy → null, never-versioned → "").
 */
interface FakeState {
  exists: boolean;
  policy: Record<string, unknown> | null | typeof UNSUPPORTED;
  versioning: "Enabled" | "Suspended" | "" | typeof UNSUPPORTED;
  cors: CorsRule[] | null | typeof UNSUPPORTED;
  raceOnCreate: boolean;
}

function recordedFake(initial: Partial<FakeState>) {
  const calls: string[] = [];
  const state: FakeState = {
    exists: false,
    policy: null,
    versioning: "",
    cors: null,
    raceOnCreate: false,
    ...initial,
  };
  const api: BucketApi = {
    bucketExists: async (n) => {
      calls.push(`bucketExists ${n}`);
      return state.exists;
    },
    makeBucket: async (n) => {
      calls.push(`makeBucket ${n}`);
      state.exists = true;
      return !state.raceOnCreate;
    },
    getPolicy: async () => state.policy,
    setPolicy: async (n, p) => {
      calls.push(`setPolicy ${n}`);
      state.policy = JSON.parse(p);
    },
    getVersioning: async () => state.versioning,
    setVersioning: async (n, s) => {
      calls.push(`setVersioning ${n} ${s}`);
      state.versioning = s;
    },
    getCors: async () => state.cors,
    setCors: async (n, rules) => {
      calls.push(`setCors ${n}`);
      state.cors = [...rules];
    },
  };
  return { api, calls, state };
}

describe("convergeBucket with policy and versioning (recorded fake; s3rver lacks both)", () => {
  test("a new public-read, versioned bucket: created with policy and versioning set", async () => {
    const fake = recordedFake({});
    const result = await convergeBucket(fake.api, {
      name: "public-assets",
      policy: "public-read",
      versioning: "enabled",
    });
    assert.equal(result.outcome, "created");
    assert.deepEqual(fake.calls, [
      "bucketExists public-assets",
      "makeBucket public-assets",
      "setPolicy public-assets",
      "setVersioning public-assets Enabled",
    ]);
    assert.match(result.detail ?? "", /policy public-read set; versioning enabled/);
  });

  test("the second run against the same state is unchanged and writes nothing", async () => {
    const fake = recordedFake({});
    const spec = { name: "public-assets", policy: "public-read" as const, versioning: "enabled" as const };
    await convergeBucket(fake.api, spec);
    fake.calls.length = 0;
    const again = await convergeBucket(fake.api, spec);
    assert.equal(again.outcome, "unchanged");
    assert.deepEqual(fake.calls, ["bucketExists public-assets"]);
  });

  test("an existing bucket that lacks the declared versioning is updated", async () => {
    const fake = recordedFake({ exists: true });
    const result = await convergeBucket(fake.api, { name: "w", policy: "private", versioning: "enabled" });
    assert.equal(result.outcome, "updated");
  });

  test("declared private but the bucket is public: reported as drift, policy left in place", async () => {
    const fake = recordedFake({
      exists: true,
      policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow" }] },
    });
    const result = await convergeBucket(fake.api, { name: "w", policy: "private" });
    assert.equal(result.outcome, "unchanged");
    assert.match(result.drift?.join() ?? "", /declared private but the bucket has a policy/);
    assert.ok(!fake.calls.some((c) => c.startsWith("setPolicy")));
  });

  test("a create race lost to another seeder counts as unchanged, not created", async () => {
    const fake = recordedFake({ raceOnCreate: true });
    assert.equal((await convergeBucket(fake.api, { name: "w", policy: "private" })).outcome, "unchanged");
  });

  test("CORS on a server without the API (MinIO community) is reported, not an error", async () => {
    const fake = recordedFake({ exists: true, cors: UNSUPPORTED });
    const rules: CorsRule[] = [
      { allowedOrigins: ["*"], allowedMethods: ["GET"], allowedHeaders: [], exposeHeaders: [] },
    ];
    const result = await convergeBucket(fake.api, { name: "w", policy: "private", cors: rules });
    assert.equal(result.outcome, "unchanged");
    assert.match(result.drift?.join() ?? "", /MINIO_API_CORS_ALLOW_ORIGIN/);
  });
});

describe("CORS XML", () => {
  test("round-trips the declared rules", () => {
    const rules: CorsRule[] = [
      {
        allowedOrigins: ["http://a", "http://b"],
        allowedMethods: ["GET", "PUT"],
        allowedHeaders: ["*"],
        exposeHeaders: ["ETag"],
        maxAgeSeconds: 600,
      },
    ];
    assert.deepEqual(parseCorsXml(corsXml(rules)), rules);
  });
  test("escapes XML special characters", () => {
    assert.match(
      corsXml([
        {
          allowedOrigins: ["http://a?x=1&y=<2>"],
          allowedMethods: ["GET"],
          allowedHeaders: [],
          exposeHeaders: [],
        },
      ]),
      /&amp;y=&lt;2&gt;/,
    );
  });
});
