/**
 * Grafana stand-in: /api/health, the datasources provisioned from <provisioning>/datasources/*.yaml
 * (with Grafana's $VAR expansion) behind basic auth, each datasource's health check really probing its
 * URL (Prometheus query, Loki labels, Tempo echo, PostgreSQL SELECT 1), the provisioned dashboards by
 * uid, and /metrics. Like Grafana, the admin credentials apply when the data folder is first created;
 * later changes to GF_SECURITY_ADMIN_PASSWORD do not change them. No UI.
 */
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import pg from "pg";
import { parse as parseYaml } from "yaml";
import { serveHttp } from "../../../../tools/test/support/http-server.ts";
import { readJsonFile, writeJsonFileAtomic } from "../../../../tools/test/support/json-file.ts";
import { MetricsRegistry, PROMETHEUS_TEXT } from "./metrics.ts";
import {
  announce,
  connectTo,
  dataDir,
  errorText,
  listenAddress,
  log,
  sendJson,
  sendText,
  stopOnSignals,
} from "./runtime.ts";

const VERSION = "13.2.1";

function databaseReadable(file: string): boolean {
  try {
    JSON.parse(readFileSync(file, "utf8"));
    return true;
  } catch {
    return false;
  }
}

export interface Datasource {
  id: number;
  uid: string;
  orgId: number;
  name: string;
  type: string;
  access: string;
  url: string;
  user: string;
  database: string;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  readOnly: boolean;
}

/** Grafana's provisioning expansion: $NAME and ${NAME} from the environment, $$ a literal $. */
export function expandGrafanaEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, braced, plain) => (all === "$$" ? "$" : (env[braced ?? plain] ?? "")),
  );
}

const yamlFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(dir, f))
    : [];

export function provisionedDatasources(dir: string, env: NodeJS.ProcessEnv): Datasource[] {
  const list = yamlFiles(dir).flatMap(
    (file) =>
      (
        parseYaml(expandGrafanaEnv(readFileSync(file, "utf8"), env)) as {
          datasources?: Record<string, unknown>[];
        } | null
      )?.datasources ?? [],
  );
  return list.map((d, i) => ({
    id: i + 1,
    uid: String(d.uid ?? ""),
    orgId: Number(d.orgId ?? 1),
    name: String(d.name ?? ""),
    type: String(d.type ?? ""),
    access: String(d.access ?? "proxy"),
    url: String(d.url ?? ""),
    user: String(d.user ?? ""),
    database: String((d.jsonData as { database?: string } | undefined)?.database ?? d.database ?? ""),
    isDefault: d.isDefault === true,
    jsonData: (d.jsonData as Record<string, unknown>) ?? {},
    secureJsonData: (d.secureJsonData as Record<string, string>) ?? {},
    readOnly: true,
  }));
}

/** What GET /api/datasources shows of a datasource: never the secrets, only which ones are set. */
export function publicView(d: Datasource) {
  const { secureJsonData, ...shown } = d;
  return {
    ...shown,
    basicAuth: false,
    secureJsonFields: Object.fromEntries(Object.keys(secureJsonData).map((k) => [k, true])),
  };
}

function provisionedDashboards(dir: string): Map<string, Record<string, unknown>> {
  const dashboards = new Map<string, Record<string, unknown>>();
  for (const file of yamlFiles(dir)) {
    const providers =
      (parseYaml(readFileSync(file, "utf8")) as { providers?: { options?: { path?: string } }[] } | null)
        ?.providers ?? [];
    for (const path of providers
      .map((p) => p.options?.path)
      .filter((p): p is string => !!p && existsSync(p))) {
      for (const name of readdirSync(path).filter((f) => f.endsWith(".json"))) {
        const dashboard = JSON.parse(readFileSync(join(path, name), "utf8")) as Record<string, unknown>;
        if (typeof dashboard.uid === "string") dashboards.set(dashboard.uid, dashboard);
      }
    }
  }
  return dashboards;
}

type Health = { ok: boolean; message: string };

async function httpHealth(
  url: string,
  okMessage: string,
  accept: (status: number, body: string) => boolean,
): Promise<Health> {
  try {
    const response = await fetch(connectTo(url), { signal: AbortSignal.timeout(5000) });
    const body = await response.text();
    return accept(response.status, body)
      ? { ok: true, message: okMessage }
      : { ok: false, message: `HTTP ${response.status}: ${body.slice(0, 160).trim()}` };
  } catch (error) {
    return { ok: false, message: `${url}: ${errorText(error)}` };
  }
}

async function postgresHealth(d: Datasource): Promise<Health> {
  const target = new URL(connectTo(`http://${d.url}`));
  const client = new pg.Client({
    host: target.hostname,
    port: Number(target.port || 5432),
    user: d.user,
    password: d.secureJsonData.password,
    database: d.database,
    connectionTimeoutMillis: 5000,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { ok: true, message: "Database Connection OK" };
  } catch (error) {
    return { ok: false, message: errorText(error) };
  } finally {
    await client.end().catch(() => {});
  }
}

/** The health check of one datasource: what Grafana's plugin asks its backend, or the nearest equivalent. */
export function checkDatasource(d: Datasource): Promise<Health> {
  const base = d.url.replace(/\/+$/, "");
  switch (d.type) {
    case "prometheus":
      return httpHealth(
        `${base}/api/v1/query?query=1%2B1`,
        "Successfully queried the Prometheus API.",
        (status, body) => status === 200 && body.includes('"success"'),
      );
    case "loki":
      return httpHealth(
        `${base}/loki/api/v1/labels`,
        "Data source successfully connected.",
        (status) => status === 200,
      );
    case "tempo":
      return httpHealth(`${base}/api/echo`, "Data source is working", (status) => status === 200);
    case "postgres":
    case "grafana-postgresql-datasource":
      return postgresHealth(d);
    default:
      return Promise.resolve({
        ok: false,
        message: `the Grafana stand-in has no health check for type ${d.type}`,
      });
  }
}

interface Admin {
  login: string;
  salt: string;
  hash: string;
}

const hashPassword = (password: string, salt: string) => scryptSync(password, salt, 32).toString("hex");

/** The admin account: created from the environment with the data folder, kept as it is afterwards. */
function adminAccount(stateFile: string, env: NodeJS.ProcessEnv): Admin {
  const saved = readJsonFile<{ admin?: Admin }>(stateFile, {});
  if (saved.admin) return saved.admin;
  const salt = randomBytes(16).toString("hex");
  const admin = {
    login: env.GF_SECURITY_ADMIN_USER ?? "admin",
    salt,
    hash: hashPassword(env.GF_SECURITY_ADMIN_PASSWORD ?? "admin", salt),
  };
  writeJsonFileAtomic(stateFile, { admin });
  return admin;
}

export function basicAuthMatches(header: string | undefined, admin: Admin): boolean {
  const [scheme, encoded = ""] = (header ?? "").split(" ");
  if (scheme !== "Basic") return false;
  const text = Buffer.from(encoded, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0 || text.slice(0, colon) !== admin.login) return false;
  const given = Buffer.from(hashPassword(text.slice(colon + 1), admin.salt));
  return timingSafeEqual(given, Buffer.from(admin.hash));
}

export async function runGrafana(): Promise<number | undefined> {
  announce(
    "grafana/grafana",
    "health, provisioned datasources (with real health checks) and dashboards; no UI",
  );
  const env = process.env;
  const data = dataDir(env.GF_PATHS_DATA ?? "/var/lib/grafana");
  const provisioning = env.GF_PATHS_PROVISIONING ?? "/etc/grafana/provisioning";
  const databaseFile = join(data, "grafana-standin.json");
  const admin = adminAccount(databaseFile, env);
  const datasources = provisionedDatasources(join(provisioning, "datasources"), env);
  const dashboards = provisionedDashboards(join(provisioning, "dashboards"));
  const metrics = new MetricsRegistry();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://grafana").pathname;
    metrics.add("grafana_http_request_total", "HTTP requests served", 1);
    // As Grafana's: 503 "database failing" while its database cannot be read (a damaged volume).
    if (path === "/api/health")
      return databaseReadable(databaseFile)
        ? sendJson(res, 200, { commit: "standin", database: "ok", version: VERSION })
        : sendJson(res, 503, { commit: "standin", database: "failing", version: VERSION });
    if (path === "/metrics") {
      metrics.set("grafana_build_info", "Grafana build information", 1, { version: VERSION });
      return sendText(res, 200, metrics.text(), PROMETHEUS_TEXT);
    }
    if (!path.startsWith("/api/"))
      return sendText(
        res,
        200,
        "<!doctype html><title>Grafana</title><p>Grafana STAND-IN: API only, no UI.</p>",
        "text/html",
      );
    if (!basicAuthMatches(req.headers.authorization, admin))
      return sendJson(res, 401, { message: "Invalid username or password" });
    if (path === "/api/datasources") return sendJson(res, 200, datasources.map(publicView));
    const byUid = /^\/api\/datasources\/uid\/([^/]+)(\/health)?$/.exec(path);
    if (byUid) {
      const datasource = datasources.find((d) => d.uid === decodeURIComponent(byUid[1] as string));
      if (!datasource) return sendJson(res, 404, { message: "Data source not found" });
      if (!byUid[2]) return sendJson(res, 200, publicView(datasource));
      const health = await checkDatasource(datasource);
      return sendJson(res, health.ok ? 200 : 400, {
        status: health.ok ? "OK" : "ERROR",
        message: health.message,
      });
    }
    const dashboard = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path);
    if (dashboard) {
      const found = dashboards.get(decodeURIComponent(dashboard[1] as string));
      return found
        ? sendJson(res, 200, {
            dashboard: found,
            meta: {
              provisioned: true,
              slug: String(found.title ?? "")
                .toLowerCase()
                .replace(/\W+/g, "-"),
            },
          })
        : sendJson(res, 404, { message: "Dashboard not found" });
    }
    if (path === "/api/search")
      return sendJson(
        res,
        200,
        [...dashboards.values()].map((d) => ({
          uid: d.uid,
          title: d.title,
          type: "dash-db",
          url: `/d/${d.uid}`,
        })),
      );
    sendJson(res, 404, { message: "Not found" });
  };

  const server = await serveHttp(
    (req, res) =>
      void handle(req, res).catch((error: unknown) => sendJson(res, 500, { message: errorText(error) })),
    listenAddress(Number(env.GF_SERVER_HTTP_PORT ?? 3000)),
  );
  log(
    `HTTP API on ${server.url}: ${datasources.length} datasource(s), ${dashboards.size} dashboard(s), data in ${data}`,
  );
  stopOnSignals([server.stop]);
  return undefined;
}
