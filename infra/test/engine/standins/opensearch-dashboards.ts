/**
 * OpenSearch Dashboards stand-in: /api/status on :5601 whose overall state is green only while the
 * first of OPENSEARCH_HOSTS answers as an OpenSearch node (red and HTTP 503 otherwise), and a
 * placeholder page. No UI, no saved objects.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { serveHttp } from "../../../../tools/test/support/http-server.ts";
import {
  announce,
  connectTo,
  errorText,
  listenAddress,
  log,
  refuse,
  sendJson,
  sendText,
  stopOnSignals,
} from "./runtime.ts";

const VERSION = "3.8.0";

/** OPENSEARCH_HOSTS as the image takes it: a JSON array or a comma-separated list. */
export function opensearchHosts(value: string | undefined): string[] {
  const text = value?.trim() || '["http://localhost:9200"]';
  return text.startsWith("[") ? (JSON.parse(text) as string[]) : text.split(",").map((h) => h.trim());
}

async function nodeVersion(host: string): Promise<string> {
  const response = await fetch(connectTo(host), { signal: AbortSignal.timeout(3000) });
  const body = (await response.json()) as { version?: { number?: string } };
  if (!response.ok || !body.version?.number) throw new Error(`HTTP ${response.status}`);
  return body.version.number;
}

/** The body of /api/status: compact JSON, so the compose healthcheck's grep finds the overall state. */
export function statusBody(state: "green" | "red", message: string) {
  const overall = {
    since: new Date().toISOString(),
    state,
    title: state === "green" ? "Green" : "Red",
    nickname: message,
  };
  return {
    name: "opensearch-dashboards",
    version: { number: VERSION, build_snapshot: false },
    status: { overall, statuses: [{ id: "core:opensearch@standin", state, message }] },
  };
}

export async function runDashboards(): Promise<number | undefined> {
  announce(
    "opensearchproject/opensearch-dashboards",
    "/api/status only (green while OpenSearch answers); no UI",
  );
  if (process.env.DISABLE_SECURITY_DASHBOARDS_PLUGIN !== "true")
    return refuse(
      "the stand-in implements only the setup without the security plugin",
      "set DISABLE_SECURITY_DASHBOARDS_PLUGIN=true (as infra/docker-compose.yml does)",
    );
  const [host = ""] = opensearchHosts(process.env.OPENSEARCH_HOSTS);
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/api/status") {
      try {
        const version = await nodeVersion(host);
        return sendJson(res, 200, statusBody("green", `OpenSearch ${version} at ${host} is available`));
      } catch (error) {
        return sendJson(
          res,
          503,
          statusBody("red", `Unable to connect to OpenSearch at ${host}: ${errorText(error)}`),
        );
      }
    }
    return sendText(
      res,
      200,
      "<!doctype html><title>OpenSearch Dashboards</title><p>OpenSearch Dashboards STAND-IN: no UI.</p>",
      "text/html",
    );
  };
  const server = await serveHttp((req, res) => void handle(req, res), listenAddress(5601));
  log(`listening on ${server.listening}, OpenSearch at ${host}`);
  stopOnSignals([server.stop]);
  return undefined;
}
