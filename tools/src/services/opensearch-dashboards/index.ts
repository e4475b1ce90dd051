/** OpenSearch Dashboards: explore the search indices. */
import { httpGetCheck, urlSlice } from "../http-probes.ts";
import type { ServiceModule } from "../module.ts";
import { joinUrl, NotReadyError } from "../probe.ts";

declare module "../../config/env.ts" {
  interface Config {
    dashboardsUrl: string;
  }
}

/** Dashboards answers 503 while it starts; its overall state must be green (yellow = plugins still loading). */
export function dashboardsState(status: number, body: string): string {
  if (status !== 200) throw new NotReadyError(`HTTP ${status}`);
  const parsed = JSON.parse(body) as { status?: { overall?: { state?: string } } };
  const state = parsed.status?.overall?.state;
  if (state !== "green") throw new NotReadyError(`overall state ${state ?? "unknown"}`);
  return "state green";
}

export const opensearchDashboards: ServiceModule = {
  name: "opensearch-dashboards",
  profile: "core",
  description: "OpenSearch Dashboards: explore the search indices",
  ports: [
    { variable: "OPENSEARCH_DASHBOARDS_PORT", defaultHostPort: 5601, containerPort: 5601, purpose: "web UI" },
  ],
  humanUrl: (c) => c.dashboardsUrl,
  config: urlSlice("dashboardsUrl", "OPENSEARCH_DASHBOARDS_URL", "OPENSEARCH_DASHBOARDS_PORT"),
  probe: {
    service: "opensearch-dashboards",
    checks: "GET /api/status (overall green)",
    check: (c) => httpGetCheck(joinUrl(c.dashboardsUrl, "/api/status"), dashboardsState),
  },
};
