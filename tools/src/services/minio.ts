import * as Minio from "minio";
import type { Config } from "../config/env.ts";
import { type ServiceContext, serviceError } from "../errors.ts";
import { PROBE_ATTEMPT_TIMEOUT_MS, type ReadinessProbe, withTimeout } from "./probe.ts";

export function minioContext(config: Config, action?: string): ServiceContext {
  return {
    service: "minio",
    endpoint: config.s3.endpoint,
    endpointVariables: "S3_ENDPOINT (or MINIO_API_PORT)",
    credentialVariables: "S3_ACCESS_KEY / S3_SECRET_KEY (default MINIO_ROOT_USER / MINIO_ROOT_PASSWORD)",
    action,
  };
}

export function createS3Client(config: Config): Minio.Client {
  const url = new URL(config.s3.endpoint);
  const useSSL = url.protocol === "https:";
  return new Minio.Client({
    endPoint: url.hostname,
    port: url.port ? Number(url.port) : useSSL ? 443 : 80,
    useSSL,
    accessKey: config.s3.accessKey,
    secretKey: config.s3.secretKey,
    region: config.s3.region,
    pathStyle: config.s3.forcePathStyle,
  });
}

export const minioProbe: ReadinessProbe = {
  service: "minio",
  checks: "S3 ListBuckets",
  check: async (config) => {
    try {
      const buckets = await withTimeout(
        createS3Client(config).listBuckets(),
        PROBE_ATTEMPT_TIMEOUT_MS,
        "ListBuckets",
      );
      return `${buckets.length} bucket(s)`;
    } catch (error) {
      throw serviceError(minioContext(config, "probing readiness"), error);
    }
  },
};
