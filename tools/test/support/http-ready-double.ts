/**
 * TEST DOUBLE of the observability endpoints the `wait` probes call (not the real services): one HTTP
 * server answering Prometheus /-/ready, Loki and Tempo /ready, Grafana /api/health, Dashboards
 * /api/status and the collector's OTLP/HTTP POST /v1/traces. `ready` flips them all. The names of the
 * spans posted to /v1/traces are kept, so tests can see what the tools traced.
 */
import type { RequestListener } from "node:http";
import { serveOnLoopback } from "./http-server.ts";

export interface HttpReadyDouble {
  url: string;
  ready: boolean;
  requests: string[];
  spanNames: string[];
  stop: () => Promise<void>;
}

export async function startHttpReadyDouble(): Promise<HttpReadyDouble> {
  const state = { ready: true, requests: [] as string[], spanNames: [] as string[] };
  const listener: RequestListener = (req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url !== "/v1/traces" || chunks.length === 0) return;
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: Array<{ name: string }> }> }>;
      };
      for (const rs of body.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const span of ss.spans ?? []) state.spanNames.push(span.name);
    });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!state.ready) return json(503, { message: "starting" });
    switch (`${req.method} ${req.url}`) {
      case "GET /-/ready":
      case "GET /ready":
        res.writeHead(200);
        return res.end("ready");
      case "GET /api/health":
        return json(200, { database: "ok", version: "double" });
      case "GET /api/status":
        return json(200, { status: { overall: { state: "green" } } });
      case "POST /v1/traces":
        return json(200, { partialSuccess: {} });
      default:
        return json(404, { message: "not implemented by the test double" });
    }
  };
  return Object.assign(state, await serveOnLoopback(listener));
}
