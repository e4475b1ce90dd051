import { z } from "zod";

const policyDocument = z.looseObject({
  Version: z.string(),
  Statement: z.array(z.record(z.string(), z.unknown())).min(1),
});

export const corsRuleSchema = z.strictObject({
  allowedOrigins: z.array(z.string().min(1)).min(1),
  allowedMethods: z.array(z.enum(["GET", "PUT", "POST", "DELETE", "HEAD"])).min(1),
  allowedHeaders: z.array(z.string()).default([]),
  exposeHeaders: z.array(z.string()).default([]),
  maxAgeSeconds: z.number().int().min(0).optional(),
});

export const bucketSpecSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      "an S3 bucket name: 3-63 lowercase letters, digits, '.', '-'",
    ),
  policy: z
    .union([
      z.enum(["private", "public-read"], {
        error: 'expected "private", "public-read" or a bucket policy document ({ Version, Statement })',
      }),
      policyDocument,
    ])
    .default("private"),
  versioning: z.enum(["enabled", "suspended"]).optional(),
  cors: z.array(corsRuleSchema).min(1).optional(),
});

export const bucketsFileSchema = z.strictObject({
  buckets: z.array(bucketSpecSchema).superRefine((buckets, ctx) => {
    const seen = new Set<string>();
    for (const [i, b] of buckets.entries()) {
      if (seen.has(b.name))
        ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate bucket ${b.name}` });
      seen.add(b.name);
    }
  }),
});

export type BucketSpec = z.output<typeof bucketSpecSchema>;
export type CorsRule = z.output<typeof corsRuleSchema>;

/** Marker for "the server has no API for this" (S3 NotImplemented, e.g. s3rver or MinIO community CORS). */
export const UNSUPPORTED = "unsupported" as const;

/** The bucket policy document a declared policy stands for; null = no policy (private). */
export function policyDocumentFor(
  bucket: string,
  policy: BucketSpec["policy"],
): Record<string, unknown> | null {
  if (policy === "private") return null;
  if (policy === "public-read") {
    return {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: ["*"] },
          Action: ["s3:GetObject"],
          Resource: [`arn:aws:s3:::${bucket}/*`],
        },
      ],
    };
  }
  return policy;
}

/** Canonical form for comparing policies: sorted keys, single values as one-element arrays. */
export function canonicalPolicy(value: unknown): string {
  const normalise = (v: unknown, key?: string): unknown => {
    if (Array.isArray(v)) {
      const items = v.map((x) => normalise(x));
      return key === "Statement"
        ? items
        : items
            .map((x) => JSON.stringify(x))
            .sort()
            .map((x) => JSON.parse(x));
    }
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, normalise((v as Record<string, unknown>)[k], k)]),
      );
    }
    if (
      typeof v === "string" &&
      key &&
      ["Action", "Resource", "AWS", "NotAction", "NotResource"].includes(key)
    )
      return [v];
    return v;
  };
  return JSON.stringify(normalise(value));
}

export type Step<T> =
  | { action: "none"; note?: string }
  | { action: "set"; value: T; note: string }
  | { action: "drift"; note: string };

/**
 * Policy: a missing/different declared policy is set; a bucket declared private that has a policy is
 * reported (someone may rely on it; the seeder never removes access it did not grant).
 */
export function decidePolicy(
  bucket: string,
  declared: BucketSpec["policy"],
  current: Record<string, unknown> | null | typeof UNSUPPORTED,
): Step<string> {
  const wanted = policyDocumentFor(bucket, declared);
  if (current === UNSUPPORTED) {
    return wanted === null
      ? { action: "none", note: "server has no bucket-policy API (bucket is private)" }
      : { action: "drift", note: "server has no bucket-policy API; the declared policy cannot be applied" };
  }
  if (wanted === null) {
    return current === null
      ? { action: "none" }
      : {
          action: "drift",
          note: "declared private but the bucket has a policy (left in place; remove it with `mc anonymous set none`)",
        };
  }
  if (current !== null && canonicalPolicy(current) === canonicalPolicy(wanted)) return { action: "none" };
  return {
    action: "set",
    value: JSON.stringify(wanted),
    note: `policy ${typeof declared === "string" ? declared : "custom"} ${current === null ? "set" : "replaced"}`,
  };
}

/** Versioning: set when declared and different. Never "unset" (S3 can only suspend). */
export function decideVersioning(
  declared: BucketSpec["versioning"],
  current: "Enabled" | "Suspended" | "" | typeof UNSUPPORTED,
): Step<"Enabled" | "Suspended"> {
  if (declared === undefined) return { action: "none" };
  const wanted = declared === "enabled" ? "Enabled" : "Suspended";
  if (current === UNSUPPORTED)
    return { action: "drift", note: `server has no versioning API; declared ${declared}` };
  if (current === wanted) return { action: "none" };
  if (current === "" && wanted === "Suspended") return { action: "none" };
  return { action: "set", value: wanted, note: `versioning ${declared}` };
}

function canonicalCors(rules: readonly CorsRule[]): string {
  return JSON.stringify(
    rules.map((r) => ({
      o: [...r.allowedOrigins].sort(),
      m: [...r.allowedMethods].sort(),
      h: [...r.allowedHeaders].sort(),
      e: [...r.exposeHeaders].sort(),
      a: r.maxAgeSeconds ?? null,
    })),
  );
}

export function decideCors(
  declared: readonly CorsRule[] | undefined,
  current: readonly CorsRule[] | null | typeof UNSUPPORTED,
): Step<readonly CorsRule[]> {
  if (declared === undefined) return { action: "none" };
  if (current === UNSUPPORTED) {
    return {
      action: "drift",
      note: "server has no per-bucket CORS API (MinIO community: set MINIO_API_CORS_ALLOW_ORIGIN instead)",
    };
  }
  if (current !== null && canonicalCors(current) === canonicalCors(declared)) return { action: "none" };
  return {
    action: "set",
    value: declared,
    note: `CORS ${current === null ? "set" : "replaced"} (${declared.length} rule(s))`,
  };
}
