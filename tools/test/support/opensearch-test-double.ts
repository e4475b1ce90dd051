/**
 * TEST DOUBLE of OpenSearch (not OpenSearch): a tiny HTTP server implementing only the REST calls the
 * seeder and the readiness probe make, with OpenSearch's status codes and error shapes. The real
 * server cannot run here (no container engine); the bodies themselves are type-checked against the
 * official client's request types in test/unit/opensearch-bodies.test.ts, and `make e2e` exercises
 * the real OpenSearch.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { serveOnLoopback } from "./http-server.ts";

interface IndexState {
  mappings: { properties: Record<string, unknown>; [key: string]: unknown };
  settings: Record<string, unknown>;
  aliases: Record<string, Record<string, unknown>>;
}

export interface OpenSearchTestDouble {
  url: string;
  templates: Map<string, Record<string, unknown>>;
  indices: Map<string, IndexState>;
  /** "METHOD /path" of every request, in order. */
  requests: string[];
  /** Delay applied before answering index creation (to provoke create races). */
  createDelayMs: number;
  clusterStatus: "green" | "yellow" | "red";
  stop: () => Promise<void>;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

const notFound = (res: ServerResponse, type: string, reason: string) =>
  send(res, 404, { error: { type, reason, root_cause: [{ type, reason }] }, status: 404 });

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function matches(index: string, patterns: unknown): boolean {
  return ([patterns].flat() as string[]).some((p) =>
    new RegExp(
      `^${p
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    ).test(index),
  );
}

export async function startOpenSearchTestDouble(
  options: { auth?: { username: string; password: string } } = {},
): Promise<OpenSearchTestDouble> {
  const state: Omit<OpenSearchTestDouble, "url" | "stop"> = {
    templates: new Map(),
    indices: new Map(),
    requests: [],
    createDelayMs: 0,
    clusterStatus: "green",
  };
  const expectedAuth = options.auth
    ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString("base64")}`
    : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://double");
    const method = req.method ?? "GET";
    const parts = url.pathname.split("/").filter(Boolean);
    state.requests.push(`${method} ${url.pathname}`);
    if (expectedAuth && req.headers.authorization !== expectedAuth) {
      return send(res, 401, { error: { type: "security_exception", reason: "Unauthorized" }, status: 401 });
    }
    const body = method === "PUT" || method === "POST" ? await readBody(req) : {};

    if (parts[0] === "_cluster" && parts[1] === "health" && method === "GET") {
      return send(res, 200, { cluster_name: "test-double", status: state.clusterStatus, number_of_nodes: 1 });
    }
    if (parts[0] === "_index_template" && parts[1]) {
      const name = parts[1];
      if (method === "GET") {
        const template = state.templates.get(name);
        if (!template)
          return notFound(res, "resource_not_found_exception", `index template matching [${name}] not found`);
        return send(res, 200, { index_templates: [{ name, index_template: template }] });
      }
      // The official client sends POST for put-index-template; OpenSearch accepts PUT and POST.
      if (method === "PUT" || method === "POST") {
        state.templates.set(name, body);
        return send(res, 200, { acknowledged: true });
      }
    }
    // GET /_alias/<name>: which indices hold the alias (404 with OpenSearch's `alias [x] missing` body).
    if (parts[0] === "_alias" && parts[1] && method === "GET") {
      const alias = parts[1];
      const holders = [...state.indices].filter(([, index]) => alias in index.aliases);
      if (holders.length === 0) return send(res, 404, { error: `alias [${alias}] missing`, status: 404 });
      return send(
        res,
        200,
        Object.fromEntries(
          holders.map(([name, index]) => [name, { aliases: { [alias]: index.aliases[alias] } }]),
        ),
      );
    }
    if (parts[0] === "_aliases" && method === "POST") {
      for (const action of (body.actions as Array<{ add?: { index: string; alias: string } }>) ?? []) {
        if (!action.add) continue;
        const { index, alias, ...rest } = action.add;
        const target = state.indices.get(index);
        if (!target) return notFound(res, "index_not_found_exception", `no such index [${index}]`);
        target.aliases[alias] = rest;
      }
      return send(res, 200, { acknowledged: true });
    }
    const indexName = parts[0];
    if (indexName && !indexName.startsWith("_")) {
      const index = state.indices.get(indexName);
      if (parts[1] === "_mapping") {
        if (!index) return notFound(res, "index_not_found_exception", `no such index [${indexName}]`);
        if (method === "GET") return send(res, 200, { [indexName]: { mappings: index.mappings } });
        if (method === "PUT" || method === "POST") {
          Object.assign(index.mappings.properties, (body.properties as Record<string, unknown>) ?? {});
          return send(res, 200, { acknowledged: true });
        }
      }
      if (parts.length === 1) {
        if (method === "HEAD") return send(res, index ? 200 : 404);
        if (method === "GET") {
          if (!index) return notFound(res, "index_not_found_exception", `no such index [${indexName}]`);
          return send(res, 200, { [indexName]: index });
        }
        if (method === "PUT") {
          if (state.createDelayMs > 0) await new Promise((r) => setTimeout(r, state.createDelayMs));
          if (state.indices.has(indexName)) {
            const reason = `index [${indexName}] already exists`;
            return send(res, 400, {
              error: {
                type: "resource_already_exists_exception",
                reason,
                root_cause: [{ type: "resource_already_exists_exception", reason }],
              },
              status: 400,
            });
          }
          const template = [...state.templates.values()].find((t) => matches(indexName, t.index_patterns)) as
            | { template?: { mappings?: IndexState["mappings"]; settings?: Record<string, unknown> } }
            | undefined;
          state.indices.set(indexName, {
            mappings: structuredClone({
              properties: {},
              ...(template?.template?.mappings ?? {}),
              ...((body.mappings as object) ?? {}),
            }),
            settings: { ...(template?.template?.settings ?? {}), ...((body.settings as object) ?? {}) },
            aliases: structuredClone((body.aliases as IndexState["aliases"]) ?? {}),
          });
          return send(res, 200, { acknowledged: true, shards_acknowledged: true, index: indexName });
        }
      }
    }
    send(res, 400, {
      error: {
        type: "test_double_unsupported",
        reason: `${method} ${url.pathname} is not implemented by the test double`,
      },
    });
  };

  const listener: RequestListener = (req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, 500, { error: { type: "test_double_failure", reason: String(error) } }),
    );
  };
  return Object.assign(state, await serveOnLoopback(listener));
}
