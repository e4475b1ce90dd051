import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dotenvValues, parseDotenv } from "../../../tools/src/config/dotenv.mjs";
import { readEnvFile } from "../../../tools/src/config/env.ts";
import {
  DEFAULT_PROJECT_NAME,
  developerPorts,
  developerProjectNames,
  e2eVariables,
  isolatedEnvironment,
  isolationViolations,
  machineFit,
  makeProjectName,
  portKeys,
  renderEnvFile,
} from "../../e2e/lib/plan.ts";
import { repoRoot } from "../support/paths.ts";

const example = readEnvFile(`${repoRoot}/.env.example`, {}).values as Record<string, string>;
const keys = portKeys(example);

describe("e2e project isolation", () => {
  it("names the project wallpaperdb-e2e-<random>, never the default or the developer's project", () => {
    const name = makeProjectName("3F9a-c1");
    assert.equal(name, "wallpaperdb-e2e-3f9ac1");
    assert.notEqual(name, DEFAULT_PROJECT_NAME);
    assert.notEqual(makeProjectName("a1b2"), makeProjectName("c3d4"));
    assert.throws(() => makeProjectName("--"), /non-empty random suffix/);
  });

  it("accepts a plan whose name and ports are nobody else's", () => {
    const developer = { projectNames: developerProjectNames("wallpaperdb"), ports: new Set([5432, 9000]) };
    const plan = {
      projectName: makeProjectName("ab12"),
      ports: { POSTGRES_PORT: 25432, MINIO_API_PORT: 29000 },
    };
    assert.deepEqual(isolationViolations(plan, developer), []);
  });

  it("refuses the default project name, a developer's custom name and names without the e2e prefix", () => {
    const developer = {
      projectNames: developerProjectNames("my-stack", " Other "),
      ports: new Set<number>(),
    };
    assert.ok(developer.projectNames.has("wallpaperdb"), "the default is always forbidden");
    assert.ok(developer.projectNames.has("other"), "names are compared as Compose stores them (lowercase)");
    for (const projectName of ["wallpaperdb", "my-stack", "other"]) {
      const violations = isolationViolations({ projectName, ports: {} }, developer);
      assert.ok(
        violations.some((v) => /developer's project|does not start with/.test(v)),
        projectName,
      );
    }
    const invalid = isolationViolations({ projectName: "wallpaperdb-e2e-UPPER", ports: {} }, developer);
    assert.match(invalid.join(), /not a valid Compose project name/);
  });

  it("refuses ports of the developer's stack and two variables sharing a port", () => {
    const ports = developerPorts(keys, example, { POSTGRES_PORT: "15432" }, { GRAFANA_PORT: "3300" });
    assert.ok(ports.has(5432) && ports.has(15432) && ports.has(3300));
    const violations = isolationViolations(
      {
        projectName: makeProjectName("ab"),
        ports: { POSTGRES_PORT: 15432, LOKI_PORT: 21000, TEMPO_PORT: 21000 },
      },
      { projectNames: developerProjectNames(), ports },
    );
    assert.ok(violations.includes("POSTGRES_PORT=15432 is a port of the developer's stack"));
    assert.ok(violations.includes("TEMPO_PORT=21000 collides with LOKI_PORT"));
  });

  it("takes every *_PORT key of .env.example, so a new service's port is never forgotten", () => {
    assert.ok(keys.includes("POSTGRES_PORT") && keys.includes("OTEL_HTTP_PORT"), keys.join());
    assert.ok(keys.every((k) => k.endsWith("_PORT")));
    assert.deepEqual(portKeys({ FOO_PORT: "1", PORTS: "x", BIND_ADDRESS: "127.0.0.1" }), ["FOO_PORT"]);
  });
});

describe("e2e env file", () => {
  const plan = {
    projectName: "wallpaperdb-e2e-abc123",
    ports: Object.fromEntries(keys.map((key, i) => [key, 21000 + i])),
  };
  const vars = e2eVariables(example, plan);

  it("carries the e2e project, loopback binding and every e2e port, differing from the developer's", () => {
    assert.equal(vars.COMPOSE_PROJECT_NAME, "wallpaperdb-e2e-abc123");
    assert.equal(vars.BIND_ADDRESS, "127.0.0.1");
    for (const key of keys) {
      assert.equal(vars[key], String(plan.ports[key as keyof typeof plan.ports]));
      assert.notEqual(vars[key], example[key], `${key} must differ from the default`);
    }
  });

  it("gives a cold runner at least 10 minutes to become healthy", () => {
    assert.ok(Number(vars.STACK_START_TIMEOUT) >= 600);
    assert.equal(e2eVariables({ ...example, STACK_START_TIMEOUT: "900" }, plan).STACK_START_TIMEOUT, "900");
  });

  it("takes what fits the stack to this machine from the developer's .env (environment first), never the identity", () => {
    const developer = {
      OPENSEARCH_NOFILE: "20000",
      OPENSEARCH_EXTRA_JAVA_OPTS: "-XX:UseSVE=0",
      POSTGRES_PASSWORD: "mine",
      COMPOSE_PROJECT_NAME: "wallpaperdb",
      POSTGRES_PORT: "5432",
    };
    const fitted = e2eVariables(example, plan, machineFit(developer, { OPENSEARCH_MEM_LIMIT: "2g" }));
    assert.equal(fitted.OPENSEARCH_NOFILE, "20000");
    assert.equal(fitted.OPENSEARCH_EXTRA_JAVA_OPTS, "-XX:UseSVE=0");
    assert.equal(fitted.OPENSEARCH_MEM_LIMIT, "2g");
    assert.equal(fitted.POSTGRES_PASSWORD, example.POSTGRES_PASSWORD);
    assert.equal(fitted.COMPOSE_PROJECT_NAME, plan.projectName);
    assert.equal(fitted.POSTGRES_PORT, String(plan.ports.POSTGRES_PORT));
  });

  it("pins every endpoint URL to the e2e ports", () => {
    assert.equal(vars.NATS_URL, `nats://127.0.0.1:${vars.NATS_PORT}`);
    assert.match(vars.DATABASE_URL ?? "", new RegExp(`@127\\.0\\.0\\.1:${vars.POSTGRES_PORT}/`));
    assert.equal(vars.OPENSEARCH_URL, `http://127.0.0.1:${vars.OPENSEARCH_PORT}`);
  });

  it("round-trips through Compose's env-file rules, quoting values with spaces or $ literally", () => {
    const text = renderEnvFile({ ...vars, POSTGRES_PASSWORD: "p@ss $HOME w'rd", X: "a b" }, "header line");
    assert.match(text, /^# header line\n/);
    const parsed = dotenvValues(parseDotenv(text, (name) => ({ HOME: "/home/dev" })[name]).entries);
    assert.equal(parsed.COMPOSE_PROJECT_NAME, "wallpaperdb-e2e-abc123");
    assert.equal(parsed.POSTGRES_PASSWORD, "p@ss $HOME w'rd");
    assert.equal(parsed.X, "a b");
    assert.match(text, /^X='a b'$/m, "single quotes keep $ literal for Compose");
  });

  it("drops a developer's exported stack variables (DATABASE_URL, COMPOSE_*, ports) before adding its own", () => {
    const env = isolatedEnvironment(
      {
        PATH: "/usr/bin",
        HOME: "/root",
        DATABASE_URL: "postgres://dev@localhost:5432/wallpaperdb",
        NATS_MONITOR_URL: "http://localhost:8222",
        COMPOSE_PROJECT_NAME: "wallpaperdb",
        COMPOSE_FILE: "other.yml",
        GRAFANA_PORT: "3000",
        WALLPAPERDB_ENV_FILE: "/home/dev/.env",
        DOCKER_HOST: "unix:///run/docker.sock",
      },
      Object.keys(example),
      vars,
    );
    assert.equal(env.PATH, "/usr/bin");
    assert.equal(env.DOCKER_HOST, "unix:///run/docker.sock", "the engine stays the same");
    assert.equal(env.DATABASE_URL, vars.DATABASE_URL);
    assert.equal(env.COMPOSE_PROJECT_NAME, "wallpaperdb-e2e-abc123");
    assert.equal(env.GRAFANA_PORT, vars.GRAFANA_PORT);
    for (const gone of ["NATS_MONITOR_URL", "COMPOSE_FILE", "WALLPAPERDB_ENV_FILE"]) {
      assert.equal(env[gone], undefined, gone);
    }
  });
});
