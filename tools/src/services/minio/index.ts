/** MinIO: S3 object storage for wallpaper files. The S3 client (minio) loads on first use. */
import { atLeastCharacters, matching, nonEmptyRule, TRUE_OR_FALSE, URL_HTTP } from "../../config/schema.ts";
import type { ConfigSlice, ServiceModule } from "../module.ts";
import { minioReady } from "./readiness.ts";

export interface S3Config {
  endpoint: string;
  region: string;
  accessKey: string;
  secretKey: string;
  forcePathStyle: boolean;
  bucket: string;
}

declare module "../../config/env.ts" {
  interface Config {
    s3: S3Config;
    minioConsoleUrl: string;
  }
}

const config: ConfigSlice<{ s3: S3Config; minioConsoleUrl: string }> = {
  variables: {
    MINIO_ROOT_USER: {
      parse: atLeastCharacters(3),
      expected: "an access key of 3 or more characters",
      default: "wallpaperdb",
    },
    MINIO_ROOT_PASSWORD: {
      parse: atLeastCharacters(8),
      expected: "a secret of 8 or more characters (MinIO's minimum)",
      default: "wallpaperdb-dev-password",
      secret: true,
    },
    MINIO_BUCKET: {
      parse: matching(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/),
      expected: "an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
      default: "wallpapers",
    },
    S3_ENDPOINT: URL_HTTP,
    S3_REGION: {
      parse: matching(/^[a-z0-9-]+$/),
      expected: "an S3 region such as us-east-1",
      default: "us-east-1",
    },
    S3_ACCESS_KEY: nonEmptyRule("access key"),
    S3_SECRET_KEY: nonEmptyRule("secret key", { secret: true }),
    S3_FORCE_PATH_STYLE: { ...TRUE_OR_FALSE, default: "true" },
    MINIO_CONSOLE_URL: URL_HTTP,
  },
  build: ({ value, local }) => ({
    s3: {
      endpoint: value<string | undefined>("S3_ENDPOINT") ?? local("http", "MINIO_API_PORT"),
      region: value("S3_REGION"),
      accessKey: value<string | undefined>("S3_ACCESS_KEY") ?? value("MINIO_ROOT_USER"),
      secretKey: value<string | undefined>("S3_SECRET_KEY") ?? value("MINIO_ROOT_PASSWORD"),
      forcePathStyle: value<boolean>("S3_FORCE_PATH_STYLE"),
      bucket: value("MINIO_BUCKET"),
    },
    minioConsoleUrl: value<string | undefined>("MINIO_CONSOLE_URL") ?? local("http", "MINIO_CONSOLE_PORT"),
  }),
  secrets: (slice, { value }) => [slice.s3.secretKey, value("MINIO_ROOT_PASSWORD")],
};

export const minio: ServiceModule = {
  name: "minio",
  profile: "core",
  description: "MinIO: S3 object storage for wallpaper files",
  ports: [
    { variable: "MINIO_API_PORT", defaultHostPort: 9000, containerPort: 9000, purpose: "S3 API" },
    { variable: "MINIO_CONSOLE_PORT", defaultHostPort: 9001, containerPort: 9001, purpose: "console" },
  ],
  humanUrl: (c) => c.minioConsoleUrl,
  probedUrl: (c) => c.s3.endpoint,
  credentials: (c) => ({ user: c.s3.accessKey, password: c.s3.secretKey }),
  config,
  probe: {
    service: "minio",
    checks: "S3 ListBuckets",
    check: minioReady,
  },
  seed: async (c) => (await import("./client.ts")).seedMinio(c, c.initDir),
  verify: {
    what: "put / get / delete of a probe object",
    run: async (c, { id }) => (await import("./client.ts")).verifyMinio(c, id),
  },
  data: { volume: "minio-data", mountPath: "/data" },
};
