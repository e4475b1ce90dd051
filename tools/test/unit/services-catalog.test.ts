import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { PORT_DEFAULTS, parseConfig, repoRoot } from "../../src/config/env.ts";
import { SEEDED_SERVICES, SERVICE_NAMES, SERVICES } from "../../src/config/services.ts";

test("the catalog holds the ten Compose services, each in one profile, each with a probe", () => {
  assert.deepEqual(
    SERVICES.map((s) => s.name),
    [...SERVICE_NAMES],
  );
  assert.deepEqual(
    SERVICES.filter((s) => s.profile === "core").map((s) => s.name),
    ["postgres", "minio", "opensearch", "opensearch-dashboards", "nats"],
  );
  for (const s of SERVICES) assert.equal(s.probe.service, s.name);
  assert.deepEqual(SEEDED_SERVICES, ["postgres", "minio", "opensearch", "nats"]);
});

test("no two services publish the same port variable or default host port; defaults match the config", () => {
  const ports = SERVICES.flatMap((s) => s.ports);
  assert.equal(new Set(ports.map((p) => p.variable)).size, ports.length);
  assert.equal(new Set(ports.map((p) => p.defaultHostPort)).size, ports.length);
  for (const p of ports) assert.equal(p.defaultHostPort, PORT_DEFAULTS[p.variable], p.variable);
});

test("every port default in .env.example matches the catalog", () => {
  const example = readFileSync(join(repoRoot, ".env.example"), "utf8");
  for (const p of SERVICES.flatMap((s) => s.ports)) {
    const match = new RegExp(`^${p.variable}=(\\d+)$`, "m").exec(example);
    if (match) assert.equal(Number(match[1]), p.defaultHostPort, p.variable);
  }
});

test("human URLs and credentials come from the config (passwords are there to be masked by output)", () => {
  const config = parseConfig({ GRAFANA_PORT: "3333" });
  const grafana = SERVICES.find((s) => s.name === "grafana");
  assert.equal(grafana?.humanUrl(config), "http://localhost:3333");
  assert.deepEqual(grafana?.credentials?.(config), { user: "admin", password: "wallpaperdb-dev-password" });
});
