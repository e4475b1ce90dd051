/**
 * Every service the tools know, one module each (tools/src/services/<name>/index.ts), in the order of
 * infra/docker-compose.yml. Adding a service: its folder, one line here (README "Adding a service").
 */
import { cache } from "./cache/index.ts";
import { grafana } from "./grafana/index.ts";
import { loki } from "./loki/index.ts";
import { minio } from "./minio/index.ts";
import type { ServiceModule } from "./module.ts";
import { nats } from "./nats/index.ts";
import { opensearch } from "./opensearch/index.ts";
import { opensearchDashboards } from "./opensearch-dashboards/index.ts";
import { otelCollector } from "./otel-collector/index.ts";
import { postgres } from "./postgres/index.ts";
import { prometheus } from "./prometheus/index.ts";
import { tempo } from "./tempo/index.ts";

export const MODULES: readonly ServiceModule[] = [
  postgres,
  minio,
  opensearch,
  opensearchDashboards,
  nats,
  otelCollector,
  prometheus,
  loki,
  tempo,
  grafana,
  cache,
];
