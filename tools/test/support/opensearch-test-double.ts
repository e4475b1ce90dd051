/**
 * TEST DOUBLE of OpenSearch (not OpenSearch): a tiny HTTP server implementing only the REST calls the
 * seeder, the readiness probe, `verify` and the e2e markers make, with OpenSearch's status codes and
 * error shapes: index templates, indices (mappings, aliases), documents by id and a search over a few
 * query types. The real server cannot run here (no container engine); the bodies themselves are
 * type-checked against the official client's request types in test/unit/opensearch-bodies.test.ts, and
 * `make e2e` exercises the real OpenSearch. With `dataDir` it keeps its state on disk (the engine
 * tier's stand-in image uses that for the opensearch-data volume).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { join } from "node:path";
import { readBody, serveHttp } from "./http-server.ts";
import { readJsonFile, writeJsonFileAtomic } from "./json-file.ts";

interface StoredDocument {
  source: Record<string, unknown>;
  version: number;
  seqNo: number;
}

interface IndexState {
  mappings: { properties: Record<string, unknown>; [key: string]: unknown };
  settings: Record<string, unknown>;
  aliases: Record<string, Record<string, unknown>>;
  documents?: Record<string, StoredDocument>;
}

type ClusterStatus = "green" | "yellow" | "red";

export interface OpenSearchTestDouble {
  url: string;
  templates: Map<string, Record<string, unknown>>;
  indices: Map<string, IndexState>;
  /** "METHOD /path" of every request, in order (empty with `recordRequests: false`). */
  requests: string[];
  /** Delay applied before answering index creation (to provoke create races). */
  createDelayMs: number;
  /** Forced cluster health; undefined = what a single node reports (yellow while an index wants replicas). */
  clusterStatus: ClusterStatus | undefined;
  stop: () => Promise<void>;
}

export interface OpenSearchTestDoubleOptions {
  auth?: { username: string; password: string };
  /** Keep templates, indices and documents in this folder, written through on every change. */
  dataDir?: string;
  /** Where to listen (default: a random loopback port). */
  listen?: { host: string; port: number };
  clusterName?: string;
  /** A long-running server must not keep every request in memory. */
  recordRequests?: boolean;
}

/** What `GET /` reports: the version the compose file pins. */
export const OPENSEARCH_VERSION = "3.8.0";

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

const errorBody = (status: number, type: string, reason: string) => ({
  error: { type, reason, root_cause: [{ type, reason }] },
  status,
});

function sendError(res: ServerResponse, status: number, type: string, reason: string): void {
  send(res, status, errorBody(status, type, reason));
}

const notFound = (res: ServerResponse, type: string, reason: string) => sendError(res, 404, type, reason);
const noSuchIndex = (res: ServerResponse, index: string) =>
  notFound(res, "index_not_found_exception", `no such index [${index}]`);

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req)).toString("utf8");
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

const STATUS_RANK: Record<ClusterStatus, number> = { red: 0, yellow: 1, green: 2 };

function wantedReplicas(index: IndexState): number {
  const settings = index.settings as {
    number_of_replicas?: unknown;
    index?: { number_of_replicas?: unknown };
  };
  // OpenSearch's default is one replica, which a single node can never place.
  return Number(settings.number_of_replicas ?? settings.index?.number_of_replicas ?? 1);
}

/** What a single node reports: replicas stay unassigned, so any index that wants one makes it yellow. */
export function singleNodeStatus(indices: Iterable<IndexState>): ClusterStatus {
  for (const index of indices) if (wantedReplicas(index) > 0) return "yellow";
  return "green";
}

type Query = Record<string, unknown>;

/** Whether a document matches a query (match_all, ids, term, terms, match and bool of these). */
export function documentMatches(
  id: string,
  source: Record<string, unknown>,
  query: Query | undefined,
): boolean {
  if (!query || Object.keys(query).length === 0) return true;
  const [[kind, spec]] = Object.entries(query) as [[string, Record<string, unknown>]];
  const field = (name: string) => (name === "_id" ? id : source[name]);
  const fieldAndValue = (): [string, unknown] => {
    const [[name, value]] = Object.entries(spec) as [[string, unknown]];
    const inner = value as { value?: unknown; query?: unknown } | undefined;
    return [name, typeof value === "object" && value !== null ? (inner?.value ?? inner?.query) : value];
  };
  switch (kind) {
    case "match_all":
      return true;
    case "ids":
      return ((spec.values as string[]) ?? []).includes(id);
    case "term": {
      const [name, value] = fieldAndValue();
      return [field(name)].flat().includes(value);
    }
    case "terms": {
      const [name, values] = Object.entries(spec)[0] as [string, unknown[]];
      return [field(name)].flat().some((v) => values.includes(v));
    }
    case "match": {
      const [name, value] = fieldAndValue();
      const words = String(value).toLowerCase().split(/\s+/);
      const text = String([field(name)].flat().join(" ")).toLowerCase();
      return words.some((word) => text.split(/\W+/).includes(word));
    }
    case "bool": {
      const all = (key: string) => [spec[key] ?? []].flat() as Query[];
      const should = all("should");
      return (
        [...all("must"), ...all("filter")].every((q) => documentMatches(id, source, q)) &&
        !all("must_not").some((q) => documentMatches(id, source, q)) &&
        (should.length === 0 || should.some((q) => documentMatches(id, source, q)))
      );
    }
    default:
      throw new Error(`query type ${kind} is not implemented by the test double`);
  }
}

/** Fields of a document that a `dynamic: strict` mapping refuses (top level only). */
function strictViolations(index: IndexState, source: Record<string, unknown>): string[] {
  if (index.mappings.dynamic !== "strict") return [];
  return Object.keys(source).filter((field) => !(field in index.mappings.properties));
}

export async function startOpenSearchTestDouble(
  options: OpenSearchTestDoubleOptions = {},
): Promise<OpenSearchTestDouble> {
  const stateFile = options.dataDir ? join(options.dataDir, "opensearch-test-double.json") : undefined;
  const saved = stateFile
    ? readJsonFile<{ templates: [string, Record<string, unknown>][]; indices: [string, IndexState][] }>(
        stateFile,
        { templates: [], indices: [] },
      )
    : { templates: [], indices: [] };
  const state: Omit<OpenSearchTestDouble, "url" | "stop"> = {
    templates: new Map(saved.templates),
    indices: new Map(saved.indices),
    requests: [],
    createDelayMs: 0,
    clusterStatus: undefined,
  };
  const clusterName = options.clusterName ?? "test-double";
  let seqNo = Math.max(
    0,
    ...[...state.indices.values()].flatMap((i) => Object.values(i.documents ?? {}).map((d) => d.seqNo)),
  );
  // Written before the answer goes out: what a client was told is stored survives a SIGKILL.
  const persist = () => {
    if (stateFile)
      writeJsonFileAtomic(stateFile, { templates: [...state.templates], indices: [...state.indices] });
  };
  const expectedAuth = options.auth
    ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString("base64")}`
    : undefined;

  const status = () => state.clusterStatus ?? singleNodeStatus(state.indices.values());

  const createIndex = (name: string, body: Record<string, unknown>): IndexState => {
    const template = [...state.templates.values()].find((t) => matches(name, t.index_patterns)) as
      | { template?: { mappings?: IndexState["mappings"]; settings?: Record<string, unknown> } }
      | undefined;
    const index: IndexState = {
      mappings: structuredClone({
        properties: {},
        ...(template?.template?.mappings ?? {}),
        ...((body.mappings as object) ?? {}),
      }),
      settings: { ...(template?.template?.settings ?? {}), ...((body.settings as object) ?? {}) },
      aliases: structuredClone((body.aliases as IndexState["aliases"]) ?? {}),
      documents: {},
    };
    state.indices.set(name, index);
    return index;
  };

  /** Document API (`/<index>/_doc[/<id>]`); false when the method is not one it answers. */
  const handleDocument = async (
    req: IncomingMessage,
    res: ServerResponse,
    indexName: string,
    id: string | undefined,
  ): Promise<boolean> => {
    const method = req.method ?? "GET";
    const answer = (status: number, body: unknown) => {
      send(res, status, body);
      return true;
    };
    let index = state.indices.get(indexName);
    if (method === "PUT" || method === "POST") {
      const source = await readJsonBody(req);
      // OpenSearch creates a missing index on the first document (action.auto_create_index).
      index ??= createIndex(indexName, {});
      const refused = strictViolations(index, source);
      if (refused.length > 0) {
        const reason = `mapping set to strict, dynamic introduction of [${refused[0]}] within [_doc] is not allowed`;
        return answer(400, errorBody(400, "strict_dynamic_mapping_exception", reason));
      }
      const documentId = id ?? randomUUID().replaceAll("-", "").slice(0, 20);
      index.documents ??= {};
      const previous = index.documents[documentId];
      const stored = { source, version: (previous?.version ?? 0) + 1, seqNo: ++seqNo };
      index.documents[documentId] = stored;
      persist();
      return answer(previous ? 200 : 201, {
        _index: indexName,
        _id: documentId,
        _version: stored.version,
        result: previous ? "updated" : "created",
        _shards: { total: 1 + wantedReplicas(index), successful: 1, failed: 0 },
        _seq_no: stored.seqNo,
        _primary_term: 1,
      });
    }
    if (id === undefined || !["GET", "HEAD", "DELETE"].includes(method)) return false;
    if (!index) {
      noSuchIndex(res, indexName);
      return true;
    }
    const stored = index.documents?.[id];
    if (method === "DELETE") {
      if (stored) {
        delete index.documents?.[id];
        persist();
      }
      return answer(stored ? 200 : 404, {
        _index: indexName,
        _id: id,
        _version: (stored?.version ?? 0) + 1,
        result: stored ? "deleted" : "not_found",
        _shards: { total: 1 + wantedReplicas(index), successful: 1, failed: 0 },
      });
    }
    if (!stored) return answer(404, { _index: indexName, _id: id, found: false });
    return answer(200, {
      _index: indexName,
      _id: id,
      _version: stored.version,
      _seq_no: stored.seqNo,
      _primary_term: 1,
      found: true,
      _source: stored.source,
    });
  };

  const search = async (req: IncomingMessage, res: ServerResponse, indexName: string) => {
    const body = await readJsonBody(req);
    const targets = indexName === "_all" ? [...state.indices.keys()] : indexName.split(",");
    const hits: unknown[] = [];
    for (const name of targets) {
      const index = state.indices.get(name);
      if (!index) return noSuchIndex(res, name);
      for (const [id, doc] of Object.entries(index.documents ?? {})) {
        if (documentMatches(id, doc.source, body.query as Query | undefined))
          hits.push({ _index: name, _id: id, _score: 1, _source: doc.source });
      }
    }
    const from = Number(body.from ?? 0);
    const size = Number(body.size ?? 10);
    return send(res, 200, {
      took: 1,
      timed_out: false,
      _shards: { total: targets.length, successful: targets.length, skipped: 0, failed: 0 },
      hits: {
        total: { value: hits.length, relation: "eq" },
        max_score: hits.length > 0 ? 1 : null,
        hits: hits.slice(from, from + size),
      },
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://double");
    const method = req.method ?? "GET";
    const parts = url.pathname.split("/").filter(Boolean);
    if (options.recordRequests !== false) state.requests.push(`${method} ${url.pathname}`);
    if (expectedAuth && req.headers.authorization !== expectedAuth) {
      return send(res, 401, { error: { type: "security_exception", reason: "Unauthorized" }, status: 401 });
    }

    if (parts.length === 0 && (method === "GET" || method === "HEAD")) {
      return send(res, 200, {
        name: "opensearch",
        cluster_name: clusterName,
        cluster_uuid: "test-double-cluster-uuid",
        version: {
          distribution: "opensearch",
          number: OPENSEARCH_VERSION,
          build_type: "tar",
          build_snapshot: false,
          minimum_wire_compatibility_version: "2.19.0",
          minimum_index_compatibility_version: "2.0.0",
        },
        tagline: "The OpenSearch Project: https://opensearch.org/",
      });
    }
    if (parts[0] === "_cluster" && parts[1] === "health" && method === "GET") {
      const current = status();
      const wanted = url.searchParams.get("wait_for_status") as ClusterStatus | null;
      // The state of this double cannot change while a request waits, so an unmet wish fails at once.
      const timedOut = wanted !== null && STATUS_RANK[current] < STATUS_RANK[wanted];
      const shards = [...state.indices.values()];
      return send(res, timedOut ? 408 : 200, {
        cluster_name: clusterName,
        status: current,
        timed_out: timedOut,
        number_of_nodes: 1,
        number_of_data_nodes: 1,
        active_primary_shards: shards.length,
        active_shards: shards.length,
        relocating_shards: 0,
        initializing_shards: 0,
        unassigned_shards: shards.reduce((sum, index) => sum + wantedReplicas(index), 0),
      });
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
        state.templates.set(name, await readJsonBody(req));
        persist();
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
      const body = await readJsonBody(req);
      for (const action of (body.actions as Array<{ add?: { index: string; alias: string } }>) ?? []) {
        if (!action.add) continue;
        const { index, alias, ...rest } = action.add;
        const target = state.indices.get(index);
        if (!target) return noSuchIndex(res, index);
        target.aliases[alias] = rest;
      }
      persist();
      return send(res, 200, { acknowledged: true });
    }
    if (parts[0] === "_search" && parts.length === 1) return search(req, res, "_all");
    const indexName = parts[0];
    if (indexName && !indexName.startsWith("_")) {
      const index = state.indices.get(indexName);
      if (parts[1] === "_doc") {
        if (await handleDocument(req, res, indexName, parts[2])) return;
      }
      if (parts[1] === "_search" && (method === "GET" || method === "POST"))
        return search(req, res, indexName);
      if (parts[1] === "_mapping") {
        if (!index) return noSuchIndex(res, indexName);
        if (method === "GET") return send(res, 200, { [indexName]: { mappings: index.mappings } });
        if (method === "PUT" || method === "POST") {
          const body = await readJsonBody(req);
          Object.assign(index.mappings.properties, (body.properties as Record<string, unknown>) ?? {});
          persist();
          return send(res, 200, { acknowledged: true });
        }
      }
      if (parts.length === 1) {
        if (method === "HEAD") return send(res, index ? 200 : 404);
        if (method === "GET") {
          if (!index) return noSuchIndex(res, indexName);
          const { documents: _, ...description } = index;
          return send(res, 200, { [indexName]: description });
        }
        if (method === "DELETE") {
          if (!index) return noSuchIndex(res, indexName);
          state.indices.delete(indexName);
          persist();
          return send(res, 200, { acknowledged: true });
        }
        if (method === "PUT") {
          const body = await readJsonBody(req);
          if (state.createDelayMs > 0) await new Promise((r) => setTimeout(r, state.createDelayMs));
          if (state.indices.has(indexName)) {
            return sendError(
              res,
              400,
              "resource_already_exists_exception",
              `index [${indexName}] already exists`,
            );
          }
          createIndex(indexName, body);
          persist();
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
  const { url, stop } = await serveHttp(listener, options.listen ?? { host: "127.0.0.1", port: 0 });
  return Object.assign(state, { url, stop });
}
