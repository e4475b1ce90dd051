/** OpenSearch: wallpaper search and filters. The client (@opensearch-project/opensearch) loads on first use. */
import { nonEmptyRule, TRUE_OR_FALSE, URL_HTTP } from "../../config/schema.ts";
import type { ConfigSlice, ServiceModule } from "../module.ts";
import { credentialsRejected, httpCheck, joinUrl, NotReadyError } from "../probe.ts";

/** Pure: readiness from `GET /_cluster/health`; yellow is enough for a single-node dev cluster (replicas can never be assigned there). */
export function clusterHealth(status: number, body: string): string {
  if (status === 401 || status === 403) throw credentialsRejected("opensearch", status);
  let health: unknown;
  try {
    health = (JSON.parse(body) as { status?: unknown }).status;
  } catch {
    health = undefined;
  }
  if (status >= 200 && status < 300 && (health === "green" || health === "yellow"))
    return `cluster ${health}`;
  throw new NotReadyError(typeof health === "string" ? `cluster health ${health}` : `HTTP ${status}`);
}

export interface OpenSearchConfig {
  url: string;
  username: string | undefined;
  password: string | undefined;
  /** Accept a self-signed certificate (staging clusters); never the default. */
  tlsInsecure: boolean;
}

declare module "../../config/env.ts" {
  interface Config {
    opensearch: OpenSearchConfig;
  }
}

const config: ConfigSlice<{ opensearch: OpenSearchConfig }> = {
  variables: {
    OPENSEARCH_URL: URL_HTTP,
    OPENSEARCH_USERNAME: nonEmptyRule("user name"),
    OPENSEARCH_PASSWORD: nonEmptyRule("password", { secret: true }),
    OPENSEARCH_TLS_INSECURE: { ...TRUE_OR_FALSE, default: "false" },
  },
  conflicts: (raw) =>
    (raw("OPENSEARCH_USERNAME") === undefined) !== (raw("OPENSEARCH_PASSWORD") === undefined)
      ? [
          {
            variable: "OPENSEARCH_PASSWORD",
            expected: "OPENSEARCH_USERNAME and OPENSEARCH_PASSWORD set together (or neither)",
          },
        ]
      : [],
  build: ({ value, local }) => ({
    opensearch: {
      url: value<string | undefined>("OPENSEARCH_URL") ?? local("http", "OPENSEARCH_PORT"),
      username: value<string | undefined>("OPENSEARCH_USERNAME"),
      password: value<string | undefined>("OPENSEARCH_PASSWORD"),
      tlsInsecure: value<boolean>("OPENSEARCH_TLS_INSECURE"),
    },
  }),
  secrets: (slice) => [slice.opensearch.password],
};

export const opensearch: ServiceModule = {
  name: "opensearch",
  profile: "core",
  description: "OpenSearch: wallpaper search and filters",
  ports: [{ variable: "OPENSEARCH_PORT", defaultHostPort: 9200, containerPort: 9200, purpose: "REST API" }],
  humanUrl: (c) => c.opensearch.url,
  config,
  probe: {
    service: "opensearch",
    checks: "GET /_cluster/health (yellow or green)",
    // Plain HTTP, not the client library: it would cost 0.1 s of CPU to load beside compose up --wait.
    check: ({ opensearch: { url, username, password, tlsInsecure } }) =>
      httpCheck({
        url: joinUrl(url, "/_cluster/health?timeout=2s"),
        headers:
          username !== undefined && password !== undefined
            ? { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` }
            : {},
        insecureTls: tlsInsecure,
        accept: clusterHealth,
      }),
  },
  seed: async (c) => (await import("./client.ts")).seedOpenSearch(c, c.initDir),
  verify: {
    what: "index / search / delete of a probe document",
    run: async (c, { id }) => (await import("./client.ts")).verifyOpenSearch(c, id),
  },
  data: { volume: "opensearch-data", mountPath: "/usr/share/opensearch/data", majorBound: true },
};
