/**
 * MinIO's readiness: an S3 ListBuckets signed with AWS Signature V4 and sent through node:http(s), not the
 * minio client, whose library and XML parser cost 0.15 s of CPU to load beside `compose up --wait`. The
 * signature is the SDK's own (test/unit/minio-readiness.test.ts compares them); wrong keys are final.
 */
import { createHash, createHmac } from "node:crypto";
import type { Config } from "../../config/env.ts";
import { credentialsRejected, httpCheck, NotReadyError } from "../probe.ts";
import type { S3Config } from "./index.ts";

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");
const EMPTY_PAYLOAD_SHA256 = sha256Hex("");
const hmac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text).digest();

/** Pure: the headers of a Signature V4 `GET /` (ListBuckets) to `url` at `now`. */
export function listBucketsHeaders(s3: S3Config, url: URL, now: Date): Record<string, string> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${s3.region}/s3/aws4_request`;
  const headers = { host: url.host, "x-amz-content-sha256": EMPTY_PAYLOAD_SHA256, "x-amz-date": amzDate };
  const signedHeaders = Object.keys(headers).join(";");
  const canonicalRequest = [
    "GET",
    url.pathname,
    "",
    ...Object.entries(headers).map(([name, value]) => `${name}:${value}`),
    "",
    signedHeaders,
    EMPTY_PAYLOAD_SHA256,
  ].join("\n");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${s3.secretKey}`, day), s3.region), "s3"), "aws4_request");
  const signature = createHmac("sha256", key).update(stringToSign).digest("hex");
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${s3.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** Pure: readiness from the ListBuckets answer. */
export function listBucketsAnswer(status: number, body: string): string {
  if (status === 200) return `${body.match(/<Bucket>/g)?.length ?? 0} bucket(s)`;
  if (status === 403 && /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/.test(body))
    throw credentialsRejected("minio", status);
  const code = body.match(/<Code>([^<]+)<\/Code>/)?.[1];
  throw new NotReadyError(`HTTP ${status}${code ? ` ${code}` : ""}`);
}

export function minioReady(config: Config): Promise<string> {
  const url = new URL("/", config.s3.endpoint);
  return httpCheck({
    url: url.href,
    headers: listBucketsHeaders(config.s3, url, new Date()),
    accept: listBucketsAnswer,
  });
}
