/**
 * AWS Signature Version 4 checks for the MinIO stand-in, pure. s3rver accepts any V4 signature of a
 * known access key (it never computes one), so wrong secrets would pass: the stand-in verifies them
 * itself, as MinIO does, for the Authorization header and for presigned URLs.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface SignedRequest {
  method: string;
  /** The path exactly as sent (already URI-encoded by the client). */
  rawPath: string;
  /** What follows `?`, as sent. */
  rawQuery: string;
  /** Lower-case names; Node joins repeated headers with ", ". */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type AuthOutcome =
  | { kind: "signed"; accessKey: string }
  | { kind: "anonymous" }
  | { kind: "refused"; code: string; message: string };

const ALGORITHM = "AWS4-HMAC-SHA256";
/** MinIO (like S3) refuses requests whose date is more than 15 minutes off its clock. */
const MAX_SKEW_MS = 15 * 60_000;

const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding as SigV4 wants it: only A-Z a-z 0-9 - _ . ~ stay as they are. */
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function queryPairs(rawQuery: string): [string, string][] {
  if (rawQuery === "") return [];
  return rawQuery.split("&").map((part) => {
    const [name = "", ...rest] = part.split("=");
    return [decodeURIComponent(name), decodeURIComponent(rest.join("="))];
  });
}

function canonicalQuery(pairs: [string, string][]): string {
  return pairs
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

const headerText = (value: string | string[] | undefined) =>
  [value ?? ""].flat().join(",").trim().replace(/\s+/g, " ");

/** `20250102T030405Z` -> epoch ms, or NaN. */
function amzDateMs(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return Number.NaN;
  const [year = 0, month = 1, day = 0, hour = 0, minute = 0, second = 0] = match.slice(1).map(Number);
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

interface Parsed {
  accessKey: string;
  scope: string;
  date: string;
  signedHeaders: string[];
  signature: string;
  payloadHash: string;
  pairs: [string, string][];
  expiresMs?: number;
}

function parseAuthorization(request: SignedRequest): Parsed | AuthOutcome {
  const pairs = queryPairs(request.rawQuery);
  const query = new Map(pairs);
  const header = headerText(request.headers.authorization);
  if (header !== "") {
    if (!header.startsWith(`${ALGORITHM} `))
      return {
        kind: "refused",
        code: "SignatureVersionNotSupported",
        message: "The stand-in verifies AWS Signature Version 4 (AWS4-HMAC-SHA256) only.",
      };
    const fields = new Map(
      header
        .slice(ALGORITHM.length + 1)
        .split(",")
        .map((f) => f.trim().split("=") as [string, string]),
    );
    const credential = fields.get("Credential")?.split("/") ?? [];
    return {
      accessKey: credential[0] ?? "",
      scope: credential.slice(1).join("/"),
      date: headerText(request.headers["x-amz-date"]) || headerText(request.headers.date),
      signedHeaders: (fields.get("SignedHeaders") ?? "").split(";"),
      signature: fields.get("Signature") ?? "",
      payloadHash: headerText(request.headers["x-amz-content-sha256"]) || sha256(""),
      pairs,
    };
  }
  if (query.get("X-Amz-Algorithm") === ALGORITHM) {
    const credential = (query.get("X-Amz-Credential") ?? "").split("/");
    const date = query.get("X-Amz-Date") ?? "";
    return {
      accessKey: credential[0] ?? "",
      scope: credential.slice(1).join("/"),
      date,
      signedHeaders: (query.get("X-Amz-SignedHeaders") ?? "").split(";"),
      signature: query.get("X-Amz-Signature") ?? "",
      payloadHash: "UNSIGNED-PAYLOAD",
      pairs: pairs.filter(([name]) => name !== "X-Amz-Signature"),
      expiresMs: amzDateMs(date) + Number(query.get("X-Amz-Expires") ?? 0) * 1000,
    };
  }
  if (query.has("Signature") || query.has("AWSAccessKeyId"))
    return {
      kind: "refused",
      code: "SignatureVersionNotSupported",
      message: "The stand-in verifies AWS Signature Version 4 only.",
    };
  return { kind: "anonymous" };
}

/** Checks the request's V4 signature against `secretOf(accessKey)` (undefined = unknown key). */
export function authenticate(
  request: SignedRequest,
  secretOf: (accessKey: string) => string | undefined,
  now = Date.now(),
): AuthOutcome {
  const parsed = parseAuthorization(request);
  if ("kind" in parsed) return parsed;
  const secret = secretOf(parsed.accessKey);
  if (secret === undefined)
    return {
      kind: "refused",
      code: "InvalidAccessKeyId",
      message: "The Access Key Id you provided does not exist in our records.",
    };
  const signedAt = amzDateMs(parsed.date);
  if (parsed.expiresMs !== undefined && now > parsed.expiresMs)
    return { kind: "refused", code: "AccessDenied", message: "Request has expired" };
  if (parsed.expiresMs === undefined && !(Math.abs(now - signedAt) <= MAX_SKEW_MS))
    return {
      kind: "refused",
      code: "RequestTimeTooSkewed",
      message: "The difference between the request time and the server's time is too large.",
    };
  const canonicalHeaders = parsed.signedHeaders
    .map((name) => `${name}:${headerText(request.headers[name])}\n`)
    .join("");
  const canonicalRequest = [
    request.method,
    request.rawPath,
    canonicalQuery(parsed.pairs),
    canonicalHeaders,
    parsed.signedHeaders.join(";"),
    parsed.payloadHash,
  ].join("\n");
  const stringToSign = [ALGORITHM, parsed.date, parsed.scope, sha256(canonicalRequest)].join("\n");
  const [day = "", region = "", service = "", terminal = ""] = parsed.scope.split("/");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), terminal);
  const expected = Buffer.from(hmac(key, stringToSign).toString("hex"));
  const given = Buffer.from(parsed.signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return {
      kind: "refused",
      code: "SignatureDoesNotMatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    };
  return { kind: "signed", accessKey: parsed.accessKey };
}
