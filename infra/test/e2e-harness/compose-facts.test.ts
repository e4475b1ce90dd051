import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { composeArgs, composeFileFacts, composeImages, teardownArgs } from "../../e2e/lib/compose.ts";
import { endpointVariables } from "../../e2e/lib/plan.ts";
import { infraDir } from "../support/paths.ts";

const target = {
  command: ["docker", "compose"],
  projectName: "wallpaperdb-e2e-ab12",
  composeFile: "/repo/infra/docker-compose.yml",
  envFile: "/tmp/x/e2e.env",
  profiles: ["core", "observability"],
};

describe("Compose facts and invocations of the e2e run", () => {
  it("the real Compose file shares nothing across projects and names every profile, the opt-in cache too", () => {
    const facts = composeFileFacts(readFileSync(`${infraDir}/docker-compose.yml`, "utf8"));
    assert.deepEqual(facts.isolationBreakers, []);
    assert.deepEqual(facts.profiles, ["cache", "core", "observability"]);
    assert.ok(facts.services.includes("postgres") && facts.services.includes("grafana"));
  });

  it("flags container_name, host networking and fixed-name or external volumes and networks", () => {
    const facts = composeFileFacts(`
services:
  db: { image: "postgres:16", container_name: db, profiles: [core] }
  agent: { image: "x:1", network_mode: host }
volumes:
  shared: { name: team-data }
  outside: { external: true }
  fine: {}
networks:
  corp: { external: true }
`);
    assert.deepEqual(facts.isolationBreakers, [
      "service db: container_name db",
      "service agent: network_mode host",
      "volumes shared: fixed name team-data",
      "volumes outside: external",
      "networks corp: external",
    ]);
    assert.deepEqual(composeImages("services:\n  a: {image: 'x:1'}\n  b: {build: .}\n"), [
      { service: "a", image: "x:1" },
    ]);
  });

  it("every invocation names the e2e project, its env file and every profile; teardown is down -v", () => {
    assert.deepEqual(composeArgs(target, "ps"), [
      "compose",
      "-p",
      "wallpaperdb-e2e-ab12",
      "-f",
      "/repo/infra/docker-compose.yml",
      "--env-file",
      "/tmp/x/e2e.env",
      "--profile",
      "core",
      "--profile",
      "observability",
      "ps",
    ]);
    assert.deepEqual(teardownArgs(target).slice(-5), ["down", "-v", "--remove-orphans", "--timeout", "10"]);
    assert.equal(composeArgs({ ...target, command: ["docker-compose"] }, "ps")[0], "-p");
  });

  it("derives endpoint URLs only for ports the stack defines", () => {
    const endpoints = endpointVariables({
      NATS_PORT: "21000",
      POSTGRES_PORT: "21001",
      POSTGRES_USER: "u",
      POSTGRES_PASSWORD: "p w",
      POSTGRES_DB: "d",
    });
    assert.equal(endpoints.NATS_URL, "nats://127.0.0.1:21000");
    assert.equal(endpoints.DATABASE_URL, "postgres://u:p%20w@127.0.0.1:21001/d");
    assert.equal(endpoints.TEMPO_URL, undefined);
  });
});
