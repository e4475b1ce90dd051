/** Grafana: dashboards over metrics, logs, traces and PostgreSQL. */
import type { Config } from "../../config/env.ts";
import { nonEmptyRule } from "../../config/schema.ts";
import { serviceError, UserError } from "../../errors.ts";
import { httpGetCheck, urlSlice } from "../http-probes.ts";
import type { ConfigSlice, ServiceModule } from "../module.ts";
import { joinUrl, NotReadyError } from "../probe.ts";
import { grafanaHealthOk } from "../verify-rules.ts";
import { httpGet } from "../verify-support.ts";

export interface GrafanaConfig {
  url: string;
  user: string;
  password: string;
}

declare module "../../config/env.ts" {
  interface Config {
    grafana: GrafanaConfig;
  }
}

const grafanaUrl = urlSlice("url", "GRAFANA_URL", "GRAFANA_PORT");
const config: ConfigSlice<{ grafana: GrafanaConfig }> = {
  variables: {
    ...grafanaUrl.variables,
    GRAFANA_ADMIN_USER: nonEmptyRule("user name", { default: "admin" }),
    GRAFANA_ADMIN_PASSWORD: nonEmptyRule("password", { default: "wallpaperdb-dev-password", secret: true }),
  },
  build: (input) => ({
    grafana: {
      ...grafanaUrl.build(input),
      user: input.value("GRAFANA_ADMIN_USER"),
      password: input.value("GRAFANA_ADMIN_PASSWORD"),
    },
  }),
  secrets: (slice) => [slice.grafana.password],
};

/** The provisioned datasources (infra/config/grafana/provisioning/datasources/): uid = the service it reads. */
const DATASOURCES = ["prometheus", "loki", "tempo", "postgres"];

/**
 * Every provisioned datasource answers its own health check, except those of a profile that is not verified
 * (the postgres datasource while core is not started).
 */
async function verifyGrafanaDatasources(config: Config, unverified: readonly string[]): Promise<string> {
  const auth = `Basic ${Buffer.from(`${config.grafana.user}:${config.grafana.password}`).toString("base64")}`;
  // Not reachable at all ("fetch failed"): the service message, with the fix.
  const list = await httpGet(`${config.grafana.url}/api/datasources`, { authorization: auth }).catch(
    (error: unknown) => {
      throw serviceError(
        {
          service: "grafana",
          endpoint: config.grafana.url,
          endpointVariables: "GRAFANA_URL (or GRAFANA_PORT)",
          credentialVariables: "GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD",
          action: "listing its datasources",
        },
        error,
      );
    },
  );
  if (list.status === 401)
    throw new UserError("Grafana rejected the admin credentials", {
      where: `grafana at ${config.grafana.url}`,
      fix: "check GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD in .env (they apply when the grafana-data volume is created; make reset recreates it)",
    });
  if (list.status !== 200) throw new Error(`GET /api/datasources answered HTTP ${list.status}`);
  const datasources = JSON.parse(list.body) as { uid: string; name: string; type: string }[];
  const expected = DATASOURCES.filter((uid) => !unverified.includes(uid));
  const missing = expected.filter((uid) => !datasources.some((d) => d.uid === uid));
  const results = await Promise.all(
    datasources
      .filter((d) => !unverified.includes(d.uid))
      .map(async (d) => {
        const health = await httpGet(`${config.grafana.url}/api/datasources/uid/${d.uid}/health`, {
          authorization: auth,
        });
        return { uid: d.uid, ...grafanaHealthOk(health.status, health.body) };
      }),
  );
  const broken = results.filter((r) => !r.ok);
  if (missing.length > 0 || broken.length > 0)
    throw new UserError(
      [
        missing.length > 0 ? `datasource(s) not provisioned: ${missing.join(", ")}` : "",
        ...broken.map((b) => `datasource ${b.uid}: ${b.message}`),
      ]
        .filter((s) => s !== "")
        .join("; "),
      {
        where: `grafana at ${config.grafana.url}`,
        fix: "make status (are prometheus, loki, tempo and postgres up?); provisioning: infra/config/grafana/provisioning/datasources/",
      },
    );
  const skipped = unverified.length > 0 ? ` (not checked: ${unverified.join(", ")}, not started)` : "";
  return `${results.map((r) => `${r.uid} OK`).join(", ")}${skipped}`;
}

export const grafana: ServiceModule = {
  name: "grafana",
  profile: "observability",
  description: "Grafana: dashboards over metrics, logs, traces and PostgreSQL",
  ports: [{ variable: "GRAFANA_PORT", defaultHostPort: 3000, containerPort: 3000, purpose: "web UI" }],
  humanUrl: (c) => c.grafana.url,
  credentials: (c) => ({ user: c.grafana.user, password: c.grafana.password }),
  config,
  probe: {
    service: "grafana",
    checks: "GET /api/health (database ok)",
    check: (c) =>
      httpGetCheck(joinUrl(c.grafana.url, "/api/health"), (status, body) => {
        if (status !== 200) throw new NotReadyError(`HTTP ${status}`);
        const database = (JSON.parse(body) as { database?: string }).database;
        if (database !== "ok") throw new NotReadyError(`database: ${database ?? "unknown"}`);
        return "database ok";
      }),
  },
  verify: {
    what: "health of every datasource",
    run: (c, { notStarted }) =>
      verifyGrafanaDatasources(
        c,
        DATASOURCES.filter((uid) => notStarted.includes(uid)),
      ),
  },
  disposable: {
    volume: "grafana-data",
    mountPath: "/var/lib/grafana",
    holds: "Grafana's own database (provisioned from infra/config/grafana on start)",
  },
};
