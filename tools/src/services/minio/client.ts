import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import * as Minio from "minio";
import type { Config } from "../../config/env.ts";
import { type ServiceContext, serviceError, UserError } from "../../errors.ts";
import {
  type BucketSpec,
  bucketsFileSchema,
  type CorsRule,
  decideCors,
  decidePolicy,
  decideVersioning,
  UNSUPPORTED,
} from "../../seed/bucket-spec.ts";
import { interpolate, parseSeedText, readSeedText, validateSeedContent } from "../../seed/files.ts";
import type { ResourceResult } from "../../seed/result.ts";
import { PROBE_ATTEMPT_TIMEOUT_MS, withTimeout } from "../probe.ts";

export function minioContext(config: Config, action?: string): ServiceContext {
  return {
    service: "minio",
    endpoint: config.s3.endpoint,
    endpointVariables: "S3_ENDPOINT (or MINIO_API_PORT)",
    credentialVariables: "S3_ACCESS_KEY / S3_SECRET_KEY (default MINIO_ROOT_USER / MINIO_ROOT_PASSWORD)",
    action,
  };
}

/** A client's own agent: destroying it closes the sockets of calls abandoned after their deadline. */
export function createS3Agent(config: Config): http.Agent {
  return new URL(config.s3.endpoint).protocol === "https:" ? new https.Agent() : new http.Agent();
}

export function createS3Client(config: Config, transportAgent?: http.Agent): Minio.Client {
  const url = new URL(config.s3.endpoint);
  const useSSL = url.protocol === "https:";
  return new Minio.Client({
    ...(transportAgent ? { transportAgent } : {}),
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.s3.accessKey,
    secretKey: config.s3.secretKey,
    region: config.s3.region,
    pathStyle: config.s3.forcePathStyle,
  });
}

// ---------------------------------------------------------------- seeding ----

/** The bucket calls the seeder makes; the minio-backed one below, a recorded fake in the unit tests. */
export interface BucketApi {
  bucketExists(name: string): Promise<boolean>;
  /** Resolves false when the bucket already existed (a concurrent seeder won the race). */
  makeBucket(name: string): Promise<boolean>;
  getPolicy(name: string): Promise<Record<string, unknown> | null | typeof UNSUPPORTED>;
  setPolicy(name: string, policy: string): Promise<void>;
  getVersioning(name: string): Promise<"Enabled" | "Suspended" | "" | typeof UNSUPPORTED>;
  setVersioning(name: string, status: "Enabled" | "Suspended"): Promise<void>;
  getCors(name: string): Promise<CorsRule[] | null | typeof UNSUPPORTED>;
  setCors(name: string, rules: readonly CorsRule[]): Promise<void>;
}

function s3Code(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

const isNotImplemented = (error: unknown) => {
  const code = s3Code(error);
  return code === "NotImplemented" || code === "MethodNotAllowed";
};

const xml = new XMLParser({
  isArray: (name) =>
    ["CORSRule", "AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader"].includes(name),
});

/** S3 CORS XML → rules (only the fields we declare). */
export function parseCorsXml(text: string): CorsRule[] {
  const doc = xml.parse(text) as { CORSConfiguration?: { CORSRule?: Array<Record<string, unknown>> } };
  return (doc.CORSConfiguration?.CORSRule ?? []).map((r) => ({
    allowedOrigins: (r.AllowedOrigin as string[] | undefined) ?? [],
    allowedMethods: ((r.AllowedMethod as string[] | undefined) ?? []) as CorsRule["allowedMethods"],
    allowedHeaders: (r.AllowedHeader as string[] | undefined) ?? [],
    exposeHeaders: (r.ExposeHeader as string[] | undefined) ?? [],
    ...(r.MaxAgeSeconds !== undefined ? { maxAgeSeconds: Number(r.MaxAgeSeconds) } : {}),
  }));
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function corsXml(rules: readonly CorsRule[]): string {
  const tag = (name: string, values: readonly string[]) =>
    values.map((v) => `<${name}>${escapeXml(v)}</${name}>`).join("");
  const body = rules
    .map(
      (r) =>
        `<CORSRule>${tag("AllowedOrigin", r.allowedOrigins)}${tag("AllowedMethod", r.allowedMethods)}` +
        `${tag("AllowedHeader", r.allowedHeaders)}${tag("ExposeHeader", r.exposeHeaders)}` +
        `${r.maxAgeSeconds !== undefined ? `<MaxAgeSeconds>${r.maxAgeSeconds}</MaxAgeSeconds>` : ""}</CORSRule>`,
    )
    .join("");
  return `<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</CORSConfiguration>`;
}

/**
 * Every call is bounded by PROBE_ATTEMPT_TIMEOUT_MS: a server that accepts the connection but never
 * answers would otherwise stall the seed forever. `abandon` closes the sockets of a call that ran out.
 */
export function minioBucketApi(client: Minio.Client, region: string, abandon?: () => void): BucketApi {
  const bounded = <T>(what: string, call: Promise<T>) =>
    withTimeout(call, PROBE_ATTEMPT_TIMEOUT_MS, what, abandon);
  return {
    bucketExists: (name) => bounded("HeadBucket", client.bucketExists(name)),
    makeBucket: async (name) => {
      try {
        await bounded("CreateBucket", client.makeBucket(name, region));
        return true;
      } catch (error) {
        const code = s3Code(error);
        if (code === "BucketAlreadyOwnedByYou" || code === "BucketAlreadyExists") return false;
        throw error;
      }
    },
    getPolicy: async (name) => {
      try {
        const text = await bounded("GetBucketPolicy", client.getBucketPolicy(name));
        return text.trim() === "" ? null : (JSON.parse(text) as Record<string, unknown>);
      } catch (error) {
        if (s3Code(error) === "NoSuchBucketPolicy") return null;
        if (isNotImplemented(error)) return UNSUPPORTED;
        throw error;
      }
    },
    setPolicy: (name, policy) => bounded("PutBucketPolicy", client.setBucketPolicy(name, policy)),
    getVersioning: async (name) => {
      try {
        const config = (await bounded("GetBucketVersioning", client.getBucketVersioning(name))) as
          | { Status?: string }
          | undefined;
        const status = config?.Status;
        return status === "Enabled" || status === "Suspended" ? status : "";
      } catch (error) {
        if (isNotImplemented(error)) return UNSUPPORTED;
        throw error;
      }
    },
    setVersioning: (name, status) =>
      bounded("PutBucketVersioning", client.setBucketVersioning(name, { Status: status })),
    getCors: async (name) => {
      try {
        const rules = await bounded(
          "GetBucketCors",
          client
            .makeRequestAsync({ method: "GET", bucketName: name, query: "cors" }, "", [200])
            .then((response) => readAsString(response))
            .then(parseCorsXml),
        );
        return rules.length === 0 ? null : rules;
      } catch (error) {
        if (s3Code(error) === "NoSuchCORSConfiguration") return null;
        if (isNotImplemented(error)) return UNSUPPORTED;
        throw error;
      }
    },
    setCors: async (name, rules) => {
      const payload = corsXml(rules);
      const md5 = createHash("md5").update(payload).digest("base64");
      const response = await bounded(
        "PutBucketCors",
        client.makeRequestAsync(
          { method: "PUT", bucketName: name, query: "cors", headers: { "Content-MD5": md5 } },
          payload,
          [200],
        ),
      );
      response.resume();
    },
  };
}

async function readAsString(response: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

export const bucketsFile = (initDir: string) => join(initDir, "minio", "buckets.yaml");

export async function readBucketSpecs(
  file: string,
  vars: Readonly<Record<string, string>>,
): Promise<BucketSpec[]> {
  const text = await readSeedText(file);
  const content = parseSeedText(file, interpolate(file, text, vars));
  return validateSeedContent(file, content, bucketsFileSchema).buckets;
}

/** Converges one bucket through `api`; pure decisions live in seed/bucket-spec.ts. */
export async function convergeBucket(api: BucketApi, spec: BucketSpec): Promise<ResourceResult> {
  let created = false;
  if (!(await api.bucketExists(spec.name))) created = await api.makeBucket(spec.name);
  const notes: string[] = [];
  const drift: string[] = [];
  let updated = false;

  const policy = decidePolicy(spec.name, spec.policy, await api.getPolicy(spec.name));
  const versioning = decideVersioning(spec.versioning, await api.getVersioning(spec.name));
  const cors = decideCors(spec.cors, spec.cors === undefined ? null : await api.getCors(spec.name));
  if (policy.action === "set") await api.setPolicy(spec.name, policy.value);
  if (versioning.action === "set") await api.setVersioning(spec.name, versioning.value);
  if (cors.action === "set") await api.setCors(spec.name, cors.value);
  for (const step of [policy, versioning, cors]) {
    if (step.action === "set") {
      updated = true;
      notes.push(step.note);
    } else if (step.action === "drift") drift.push(step.note);
    else if (step.note) notes.push(step.note);
  }
  return {
    service: "minio",
    kind: "bucket",
    name: spec.name,
    outcome: created ? "created" : updated ? "updated" : "unchanged",
    ...(notes.length > 0 ? { detail: notes.join("; ") } : {}),
    ...(drift.length > 0 ? { drift } : {}),
  };
}

export async function seedMinio(config: Config, initDir: string): Promise<ResourceResult[]> {
  const specs = await readBucketSpecs(bucketsFile(initDir), { MINIO_BUCKET: config.s3.bucket });
  const agent = createS3Agent(config);
  const api = minioBucketApi(createS3Client(config, agent), config.s3.region, () => agent.destroy());
  try {
    const results: ResourceResult[] = [];
    for (const spec of specs) results.push(await convergeBucket(api, spec));
    return results;
  } catch (error) {
    throw serviceError(minioContext(config, "seeding buckets"), error);
  } finally {
    agent.destroy();
  }
}

export async function verifyMinio(config: Config, id: string): Promise<string> {
  const client = createS3Client(config);
  const bucket = config.s3.bucket;
  const key = `wallpaperdb-verify/${id}.txt`;
  const content = `wallpaperdb verify probe ${id}`;
  try {
    if (!(await client.bucketExists(bucket)))
      throw new UserError(`the bucket ${bucket} does not exist`, {
        where: `minio at ${config.s3.endpoint}`,
        fix: "run `make seed` (MINIO_BUCKET names the bucket)",
      });
    await client.putObject(bucket, key, Buffer.from(content), content.length, {
      "Content-Type": "text/plain",
    });
    const stream = await client.getObject(bucket, key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    await client.removeObject(bucket, key);
    if (Buffer.concat(chunks).toString() !== content)
      throw new Error("the object read back differs from the one written");
    return `bucket ${bucket}`;
  } catch (error) {
    await client.removeObject(bucket, key).catch(() => {});
    throw serviceError(minioContext(config, "verifying put/get/delete"), error);
  }
}
