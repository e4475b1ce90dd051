/// <reference path="../../../../tools/test/support/s3rver.d.ts" />
/**
 * MinIO stand-in: `minio server <dir>` runs s3rver on an internal loopback port with <dir> as its
 * store, behind a front on :9000 that does what s3rver does not: verifies V4 signatures against
 * MINIO_ROOT_USER / MINIO_ROOT_PASSWORD, refuses anonymous requests unless a bucket policy allows
 * them, keeps bucket policies and the versioning state, answers NotImplemented for bucket CORS
 * (MinIO community has no per-bucket CORS API), and serves MinIO's health and metrics endpoints.
 * `mc ready <alias>` is the health client of the compose healthcheck.
 */
import { readdirSync, statSync } from "node:fs";
import { type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import S3rver from "s3rver";
import Account from "s3rver/lib/models/account.js";
import { readBody, serveHttp } from "../../../../tools/test/support/http-server.ts";
import { readJsonFile, writeJsonFileAtomic } from "../../../../tools/test/support/json-file.ts";
import { MetricsRegistry, PROMETHEUS_TEXT } from "./metrics.ts";
import {
  announce,
  dataDir,
  flagValue,
  healthExitCode,
  listenAddress,
  localUrl,
  log,
  parseListen,
  refuse,
  sendText,
  stopOnSignals,
} from "./runtime.ts";
import { authenticate } from "./sigv4.ts";

const IMAGE = "quay.io/minio/minio";
const CONFIG_FILE = ".standin-bucket-config.json";

const STATUS: Record<string, number> = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  SignatureVersionNotSupported: 400,
  MalformedPolicy: 400,
  MalformedXML: 400,
  NoSuchBucket: 404,
  NoSuchBucketPolicy: 404,
  NotImplemented: 501,
  InternalError: 500,
};

const escapeXml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function sendS3Error(res: ServerResponse, code: string, message: string, resource: string): void {
  res.writeHead(STATUS[code] ?? 500, { "content-type": "application/xml" });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>` +
      `<Resource>${escapeXml(resource)}</Resource><RequestId>standin</RequestId></Error>`,
  );
}

interface BucketConfig {
  policy?: string;
  versioning?: "Enabled" | "Suspended";
}

type Statement = { Effect?: string; Principal?: unknown; Action?: unknown; Resource?: unknown };

const globMatches = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(value);

/** Whether a bucket policy lets anyone (Principal "*") read `key` with s3:GetObject. */
export function policyAllowsAnonymousRead(policy: string | undefined, bucket: string, key: string): boolean {
  if (!policy) return false;
  const statements = [(JSON.parse(policy) as { Statement?: unknown }).Statement ?? []].flat() as Statement[];
  const isAnyone = (principal: unknown) =>
    principal === "*" || [(principal as { AWS?: unknown })?.AWS ?? []].flat().includes("*");
  const grants = (actions: unknown) =>
    [actions ?? []].flat().some((a) => a === "s3:GetObject" || a === "s3:*" || a === "*");
  const resource = `arn:aws:s3:::${bucket}/${key}`;
  return statements.some(
    (s) =>
      s.Effect === "Allow" &&
      isAnyone(s.Principal) &&
      grants(s.Action) &&
      [s.Resource ?? []].flat().some((r) => globMatches(String(r), resource)),
  );
}

const versioningXml = (status: BucketConfig["versioning"]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${
    status ? `<Status>${status}</Status>` : ""
  }</VersioningConfiguration>`;

function objectUsage(directory: string): { objects: number; bytes: number; buckets: number } {
  let objects = 0;
  let bytes = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith("._S3rver_object")) {
        objects++;
        bytes += statSync(path).size;
      }
    }
  };
  const buckets = readdirSync(directory, { withFileTypes: true }).filter((e) => e.isDirectory());
  for (const bucket of buckets) walk(join(directory, bucket.name));
  return { objects, bytes, buckets: buckets.length };
}

interface ServerOptions {
  directory: string;
  api: { host: string; port: number };
  console: { host: string; port: number };
  rootUser: string;
  rootPassword: string;
  metricsPublic: boolean;
}

type Refusal = { what: string; fix: string };

export function parseServerArgs(args: readonly string[], env: NodeJS.ProcessEnv): ServerOptions | Refusal {
  if (args[0] !== "server")
    return {
      what: `unknown command ${args[0] ?? "(none)"}`,
      fix: "minio server /data --console-address :9001",
    };
  const drives = args.slice(1).filter((arg, i, all) => !arg.startsWith("-") && !all[i - 1]?.startsWith("--"));
  if (drives.length !== 1)
    return {
      what: `the stand-in serves exactly one drive (got ${drives.length})`,
      fix: "pass one directory",
    };
  const rootUser = env.MINIO_ROOT_USER ?? "minioadmin";
  const rootPassword = env.MINIO_ROOT_PASSWORD ?? "minioadmin";
  // MinIO's own limits: it refuses to start with shorter credentials.
  const credentials = "set MINIO_ROOT_USER (3+ characters) and MINIO_ROOT_PASSWORD (8+ characters) in .env";
  if (rootUser.length < 3)
    return { what: "Invalid credentials: MINIO_ROOT_USER length should be at least 3", fix: credentials };
  if (rootPassword.length < 8)
    return { what: "Invalid credentials: MINIO_ROOT_PASSWORD length should be at least 8", fix: credentials };
  const api = parseListen(flagValue(args, ["address"]) ?? ":9000");
  const consoleAt = parseListen(flagValue(args, ["console-address"]) ?? ":9001");
  return {
    directory: dataDir(drives[0] as string, env),
    api: listenAddress(api.port, api.host, env),
    console: listenAddress(consoleAt.port, consoleAt.host, env),
    rootUser,
    rootPassword,
    metricsPublic: env.MINIO_PROMETHEUS_AUTH_TYPE === "public",
  };
}

export async function runMinio(args: readonly string[]): Promise<number | undefined> {
  const options = parseServerArgs(args, process.env);
  if ("what" in options) return refuse(options.what, options.fix);
  announce(
    IMAGE,
    "s3rver behind a front that checks V4 signatures, bucket policies and versioning state; health and metrics endpoints",
  );
  // s3rver checks only that the access key exists; the front checks the signature.
  Account.DUMMY_ACCOUNT.revokeAccessKey("S3RVER");
  Account.DUMMY_ACCOUNT.createKeyPair(options.rootUser, options.rootPassword);
  const s3 = new S3rver({
    address: "127.0.0.1",
    port: 0,
    directory: options.directory,
    silent: true,
    vhostBuckets: false,
  });
  const internal = (await s3.run()) as AddressInfo;
  const configFile = join(options.directory, CONFIG_FILE);
  const configs = () => readJsonFile<Record<string, BucketConfig>>(configFile, {});
  const updateConfig = (bucket: string, change: (config: BucketConfig) => BucketConfig | undefined) => {
    const all = configs();
    const next = change(all[bucket] ?? {});
    if (next === undefined) delete all[bucket];
    else all[bucket] = next;
    writeJsonFileAtomic(configFile, all);
  };
  const metrics = new MetricsRegistry();

  /** Hands the request to s3rver as it came; `answered` sees the status once the answer is through. */
  const proxy = (req: IncomingMessage, res: ServerResponse, answered?: (status: number) => void) => {
    const upstream = request(
      { host: "127.0.0.1", port: internal.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
        answer.on("end", () => answered?.(answer.statusCode ?? 500));
      },
    );
    upstream.on("error", (error) => sendS3Error(res, "InternalError", error.message, req.url ?? "/"));
    req.pipe(upstream);
  };

  const bucketOf = (req: IncomingMessage) =>
    decodeURIComponent((req.url ?? "/").split("?")[0]?.split("/")[1] ?? "");
  const bucketExists = (bucket: string) => {
    try {
      return statSync(join(options.directory, bucket)).isDirectory();
    } catch {
      return false;
    }
  };

  const subresource = async (req: IncomingMessage, res: ServerResponse, name: string, bucket: string) => {
    const resource = `/${bucket}`;
    if (!bucketExists(bucket))
      return sendS3Error(res, "NoSuchBucket", "The specified bucket does not exist", resource);
    const config = configs()[bucket] ?? {};
    if (name === "cors")
      return sendS3Error(
        res,
        "NotImplemented",
        "A header you provided implies functionality that is not implemented",
        resource,
      );
    if (name === "policy") {
      if (req.method === "GET") {
        if (!config.policy)
          return sendS3Error(res, "NoSuchBucketPolicy", "The bucket policy does not exist", resource);
        return sendText(res, 200, config.policy, "application/json");
      }
      if (req.method === "PUT") {
        const text = (await readBody(req)).toString("utf8");
        try {
          JSON.parse(text);
        } catch {
          return sendS3Error(res, "MalformedPolicy", "Policy has invalid JSON", resource);
        }
        updateConfig(bucket, (c) => ({ ...c, policy: text }));
        res.writeHead(204).end();
        return;
      }
      if (req.method === "DELETE") {
        updateConfig(bucket, ({ policy: _, ...rest }) => rest);
        res.writeHead(204).end();
        return;
      }
    }
    if (name === "versioning") {
      if (req.method === "GET")
        return sendText(res, 200, versioningXml(config.versioning), "application/xml");
      if (req.method === "PUT") {
        const status = /<Status>(Enabled|Suspended)<\/Status>/.exec(
          (await readBody(req)).toString("utf8"),
        )?.[1];
        if (!status)
          return sendS3Error(res, "MalformedXML", "The XML you provided was not well-formed", resource);
        updateConfig(bucket, (c) => ({ ...c, versioning: status as BucketConfig["versioning"] }));
        res.writeHead(200).end();
        return;
      }
    }
    return proxy(req, res);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const [rawPath = "/", rawQuery = ""] = (req.url ?? "/").split(/\?(.*)/s);
    if (rawPath.startsWith("/minio/health/")) return sendText(res, 200, "");
    if (rawPath === "/minio/v2/metrics/cluster") {
      if (!options.metricsPublic)
        return sendS3Error(
          res,
          "AccessDenied",
          "Access Denied. (set MINIO_PROMETHEUS_AUTH_TYPE=public)",
          rawPath,
        );
      const usage = objectUsage(options.directory);
      metrics.set(
        "minio_cluster_usage_object_total",
        "Total number of objects in the cluster",
        usage.objects,
      );
      metrics.set("minio_cluster_usage_total_bytes", "Total cluster usage in bytes", usage.bytes);
      metrics.set("minio_cluster_bucket_total", "Total number of buckets in the cluster", usage.buckets);
      metrics.set("minio_cluster_health_status", "1 when the cluster is healthy", 1);
      return sendText(res, 200, metrics.text(), PROMETHEUS_TEXT);
    }
    metrics.add("minio_s3_requests_total", "Total number of S3 requests", 1, { server: "standin" });
    const auth = authenticate(
      { method: req.method ?? "GET", rawPath, rawQuery, headers: req.headers },
      (key) => (key === options.rootUser ? options.rootPassword : undefined),
    );
    if (auth.kind === "refused") return sendS3Error(res, auth.code, auth.message, rawPath);
    const bucket = bucketOf(req);
    const key = decodeURIComponent(rawPath.split("/").slice(2).join("/"));
    if (auth.kind === "anonymous") {
      const readsObject = (req.method === "GET" || req.method === "HEAD") && bucket !== "" && key !== "";
      if (!readsObject || !policyAllowsAnonymousRead(configs()[bucket]?.policy, bucket, key))
        return sendS3Error(res, "AccessDenied", "Access Denied.", rawPath);
    }
    const query = new URLSearchParams(rawQuery);
    const named = ["policy", "versioning", "cors"].find((name) => query.has(name));
    if (named && bucket !== "" && key === "") return subresource(req, res, named, bucket);
    if (req.method === "DELETE" && bucket !== "" && key === "" && rawQuery === "")
      // A bucket created again under the same name starts without the old policy.
      return proxy(req, res, (status) => status === 204 && updateConfig(bucket, () => undefined));
    return proxy(req, res);
  };

  const api = await serveHttp((req, res) => {
    handle(req, res).catch((error: unknown) =>
      sendS3Error(res, "InternalError", String(error), req.url ?? "/"),
    );
  }, options.api);
  const consolePage = await serveHttp(
    (_req, res) =>
      sendText(
        res,
        200,
        "<!doctype html><title>MinIO Console</title><p>MinIO console STAND-IN: no object browser; use the S3 API on port 9000 or mc.</p>",
        "text/html",
      ),
    options.console,
  );
  log(`S3 API on ${api.listening} (s3rver on 127.0.0.1:${internal.port}, data in ${options.directory})`);
  log(`console on ${consolePage.listening}`);
  stopOnSignals([api.stop, consolePage.stop, () => s3.close()]);
  return undefined;
}

/** `mc ready <alias>`: 0 once the server's readiness endpoint answers. Nothing else of mc is here. */
export async function runMc(args: readonly string[]): Promise<number> {
  if (args[0] === "--version") {
    console.log("mc STAND-IN (only `mc ready <alias>`)");
    return 0;
  }
  if (args[0] !== "ready" || !args[1]) {
    return refuse(`mc ${args.join(" ")}: not in the stand-in`, "only `mc ready <alias>` is implemented");
  }
  const alias = args[1];
  // `local` is mc's built-in alias for http://localhost:9000; others come from MC_HOST_<alias>.
  const base =
    alias === "local" ? localUrl(9000, "") : process.env[`MC_HOST_${alias}`]?.replace(/\/\/[^@/]*@/, "//");
  if (!base) {
    return refuse(`mc: unable to get alias ${alias}`, `set MC_HOST_${alias}=http://user:password@host:9000`);
  }
  return healthExitCode(`${base.replace(/\/$/, "")}/minio/health/ready`);
}
