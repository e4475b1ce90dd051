import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import {
  collectorListeners,
  composeListeningPorts,
  type ListeningPorts,
  lokiListeningPorts,
  parseHostPort,
  tempoListeningPorts,
} from "../../src/observability-checks.ts";
import { loadCompose } from "./compose-files.ts";
import { infraDir } from "./paths.ts";

export const configDir = resolve(infraDir, "config");

export const observabilityFiles = {
  collector: resolve(configDir, "otel-collector/config.yaml"),
  prometheus: resolve(configDir, "prometheus/prometheus.yml"),
  loki: resolve(configDir, "loki/loki.yaml"),
  tempo: resolve(configDir, "tempo/tempo.yaml"),
  grafanaDatasources: resolve(configDir, "grafana/provisioning/datasources/datasources.yaml"),
  grafanaDashboardProvider: resolve(configDir, "grafana/provisioning/dashboards/dashboards.yaml"),
  dashboard: resolve(configDir, "grafana/dashboards/wallpaperdb-local-infra.json"),
} as const;

export function readText(file: string): string {
  return readFileSync(file, "utf8");
}

/** A freshly parsed copy: tests may break it in memory for their negative cases. */
export function loadYaml(file: string): Record<string, unknown> {
  return parse(readText(file)) as Record<string, unknown>;
}

export function loadDashboard(): Record<string, unknown> {
  return JSON.parse(readText(observabilityFiles.dashboard)) as Record<string, unknown>;
}

/** Compose service names, in file order. */
/** The services a plain `make start` starts: all but those of the opt-in cache profile. */
export function defaultStackServices(): string[] {
  const services = (loadCompose().services ?? {}) as Record<string, { profiles?: string[] }>;
  return Object.keys(services).filter((name) => !services[name]?.profiles?.includes("cache"));
}

/**
 * Ports each service listens on inside the Compose network: what the Compose file publishes,
 * plus what our own configs make the collector, Loki and Tempo listen on (their internal ports
 * are deliberately not published, so only the configs know them).
 */
export function stackListeningPorts(): ListeningPorts {
  const ports = composeListeningPorts(loadCompose());
  const add = (service: string, list: number[]) => {
    const set = ports.get(service);
    if (set) for (const port of list) set.add(port);
  };
  add(
    "otel-collector",
    collectorListeners(loadYaml(observabilityFiles.collector))
      .map((listener) => parseHostPort(listener.address)?.port)
      .filter((port): port is number => port !== undefined),
  );
  add("loki", lokiListeningPorts(loadYaml(observabilityFiles.loki)));
  add("tempo", tempoListeningPorts(loadYaml(observabilityFiles.tempo)));
  return ports;
}
