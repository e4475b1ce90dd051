import { Client } from "@opensearch-project/opensearch";
import type { Config } from "../config/env.ts";
import { type ServiceContext, serviceError } from "../errors.ts";
import { NotReadyError, PROBE_ATTEMPT_TIMEOUT_MS, type ReadinessProbe } from "./probe.ts";

export function opensearchContext(config: Config, action?: string): ServiceContext {
  return {
    service: "opensearch",
    endpoint: config.opensearch.url,
    endpointVariables: "OPENSEARCH_URL (or OPENSEARCH_PORT)",
    credentialVariables: "OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD",
    action,
  };
}

export function createOpenSearchClient(config: Config): Client {
  const { url, username, password, tlsInsecure } = config.opensearch;
  return new Client({
    node: url,
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
    ...(url.startsWith("https:") ? { ssl: { rejectUnauthorized: !tlsInsecure } } : {}),
    requestTimeout: PROBE_ATTEMPT_TIMEOUT_MS,
    maxRetries: 0,
  });
}

/** Yellow is enough for a single-node dev cluster (replicas can never be assigned there). */
export function healthIsUsable(status: string | undefined): boolean {
  return status === "green" || status === "yellow";
}

export const opensearchProbe: ReadinessProbe = {
  service: "opensearch",
  checks: "GET /_cluster/health (yellow or green)",
  check: async (config) => {
    const client = createOpenSearchClient(config);
    try {
      const response = await client.cluster.health({ timeout: "2s" });
      const status = response.body.status;
      if (!healthIsUsable(status)) throw new NotReadyError(`cluster health ${status ?? "unknown"}`);
      return `cluster ${status}`;
    } catch (error) {
      if (error instanceof NotReadyError) throw error;
      throw serviceError(opensearchContext(config, "probing readiness"), error);
    } finally {
      await client.close().catch(() => {});
    }
  },
};
