import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ConfigError, loadConfig, PORT_DEFAULTS, parseConfig } from "../../src/config/env.ts";

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return assert.fail("expected a ConfigError");
};

describe("parseConfig: endpoint derivation", () => {
  test("with nothing set, every endpoint is localhost on the .env.example default port", () => {
    const c = parseConfig({});
    assert.equal(
      c.postgres.url,
      "postgres://wallpaperdb:wallpaperdb-dev-password@localhost:5432/wallpaperdb",
    );
    assert.equal(c.s3.endpoint, "http://localhost:9000");
    assert.equal(c.nats.url, "nats://localhost:4222");
    assert.equal(c.nats.monitorUrl, "http://localhost:8222");
    assert.equal(c.opensearch.url, "http://localhost:9200");
    assert.equal(c.dashboardsUrl, "http://localhost:5601");
    assert.equal(c.otlpHttpEndpoint, "http://localhost:4318");
    assert.equal(c.prometheusUrl, "http://localhost:9090");
    assert.equal(c.lokiUrl, "http://localhost:3100");
    assert.equal(c.tempoUrl, "http://localhost:3200");
    assert.equal(c.grafana.url, "http://localhost:3000");
    assert.equal(c.minioConsoleUrl, "http://localhost:9001");
    assert.equal(c.stackStartTimeoutSeconds, 300);
    assert.deepEqual(c.ports, PORT_DEFAULTS);
  });

  test("port variables move the derived endpoints", () => {
    const c = parseConfig({
      POSTGRES_PORT: "15432",
      NATS_PORT: "14222",
      OPENSEARCH_PORT: "19200",
      TEMPO_PORT: "13200",
    });
    assert.match(c.postgres.url, /@localhost:15432\//);
    assert.equal(c.nats.url, "nats://localhost:14222");
    assert.equal(c.opensearch.url, "http://localhost:19200");
    assert.equal(c.tempoUrl, "http://localhost:13200");
  });

  test("explicit endpoints win over ports (the dev container sets service names)", () => {
    const c = parseConfig({
      POSTGRES_PORT: "1",
      DATABASE_URL: "postgres://app:pw@postgres:5432/wallpaperdb",
      S3_ENDPOINT: "http://minio:9000",
      NATS_URL: "nats://nats:4222",
      OPENSEARCH_URL: "http://opensearch:9200",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318/",
    });
    assert.equal(c.postgres.url, "postgres://app:pw@postgres:5432/wallpaperdb");
    assert.equal(c.postgres.user, "app");
    assert.equal(c.postgres.password, "pw");
    assert.equal(c.s3.endpoint, "http://minio:9000");
    assert.equal(c.nats.url, "nats://nats:4222");
    assert.equal(c.opensearch.url, "http://opensearch:9200");
    assert.equal(c.otlpHttpEndpoint, "http://otel-collector:4318", "trailing slash removed");
  });

  test("passwords with URL-special characters are encoded in the derived DATABASE_URL", () => {
    const c = parseConfig({ POSTGRES_PASSWORD: "p@ss:w/rd" });
    assert.equal(new URL(c.postgres.url).password, "p%40ss%3Aw%2Frd");
    assert.equal(c.postgres.password, "p@ss:w/rd");
  });

  test("S3 keys default to the MinIO root user/password; remote options are read", () => {
    const local = parseConfig({ MINIO_ROOT_USER: "root", MINIO_ROOT_PASSWORD: "rootpass123" });
    assert.deepEqual(
      [local.s3.accessKey, local.s3.secretKey, local.s3.forcePathStyle],
      ["root", "rootpass123", true],
    );
    const remote = parseConfig({
      S3_ENDPOINT: "https://s3.eu-west-1.amazonaws.com",
      S3_REGION: "eu-west-1",
      S3_ACCESS_KEY: "AKIA",
      S3_SECRET_KEY: "s3cr3t",
      S3_FORCE_PATH_STYLE: "false",
    });
    assert.deepEqual(
      [remote.s3.region, remote.s3.accessKey, remote.s3.secretKey, remote.s3.forcePathStyle],
      ["eu-west-1", "AKIA", "s3cr3t", false],
    );
  });

  test("remote OpenSearch (https + basic auth) and NATS (user/password or creds file)", () => {
    const c = parseConfig({
      OPENSEARCH_URL: "https://search.staging:9200",
      OPENSEARCH_USERNAME: "admin",
      OPENSEARCH_PASSWORD: "os-secret",
      NATS_URL: "tls://nats.staging:4222",
      NATS_USER: "seed",
      NATS_PASSWORD: "nats-secret",
      DATABASE_URL: "postgres://u:pg-secret@db.staging:5432/w?sslmode=verify-full",
    });
    assert.deepEqual([c.opensearch.username, c.opensearch.password], ["admin", "os-secret"]);
    assert.deepEqual([c.nats.user, c.nats.password, c.nats.credsFile], ["seed", "nats-secret", undefined]);
    for (const secret of ["os-secret", "nats-secret", "pg-secret"]) assert.ok(c.secrets.includes(secret));
    const creds = parseConfig({ NATS_CREDS_FILE: "/run/secrets/seed.creds" });
    assert.equal(creds.nats.credsFile, "/run/secrets/seed.creds");
  });

  test("empty values count as unset (like Compose's :- defaults)", () => {
    assert.equal(parseConfig({ POSTGRES_PORT: "", S3_ENDPOINT: " " }).ports.POSTGRES_PORT, 5432);
  });
});

describe("parseConfig: validation names the variable, the value and the expected form", () => {
  test("a port that is not a number", () => {
    assert.deepEqual(problemsOf({ POSTGRES_PORT: "54x2" }), [
      { variable: "POSTGRES_PORT", shownValue: '"54x2"', expected: "a TCP port number between 1 and 65535" },
    ]);
  });

  test("a port out of range, and several problems at once", () => {
    const problems = problemsOf({
      NATS_PORT: "70000",
      STACK_START_TIMEOUT: "-5",
      S3_FORCE_PATH_STYLE: "maybe",
    });
    assert.deepEqual(
      problems.map((p) => p.variable),
      ["STACK_START_TIMEOUT", "NATS_PORT", "S3_FORCE_PATH_STYLE"],
    );
  });

  test("a secret is masked in the problem, never shown", () => {
    const [problem] = problemsOf({ MINIO_ROOT_PASSWORD: "short" });
    assert.equal(problem?.variable, "MINIO_ROOT_PASSWORD");
    assert.equal(problem?.shownValue, "****");
    assert.match(problem?.expected ?? "", /8 or more characters/);
  });

  test("a URL's password is masked in the problem", () => {
    const [problem] = problemsOf({ DATABASE_URL: "mysql://u:hunter22@db/x" });
    assert.equal(problem?.shownValue, '"mysql://u:****@db/x"');
    assert.match(problem?.expected ?? "", /postgres:\/\//);
  });

  test("an unknown sslmode is refused; known ones pass", () => {
    assert.equal(
      problemsOf({ DATABASE_URL: "postgres://u:p@h/d?sslmode=always" })[0]?.variable,
      "DATABASE_URL",
    );
    assert.doesNotThrow(() => parseConfig({ DATABASE_URL: "postgres://u:p@h/d?sslmode=require" }));
  });

  test("endpoint schemes are checked", () => {
    assert.equal(
      problemsOf({ NATS_URL: "http://nats:4222" })[0]?.expected,
      "nats://host:port (or tls://host:port)",
    );
    assert.equal(problemsOf({ OPENSEARCH_URL: "opensearch:9200" })[0]?.variable, "OPENSEARCH_URL");
  });

  test("NATS creds file and user/password are exclusive; OpenSearch user and password come together", () => {
    assert.equal(problemsOf({ NATS_CREDS_FILE: "/x.creds", NATS_USER: "u" })[0]?.variable, "NATS_CREDS_FILE");
    assert.equal(problemsOf({ OPENSEARCH_USERNAME: "admin" })[0]?.variable, "OPENSEARCH_PASSWORD");
  });

  test("ports and STACK_START_TIMEOUT take plain digits only (Compose would get 1e3 literally)", () => {
    for (const value of ["1e3", "0x1F90", "5432.0", "+5432", " 54 32", "0", "65536"]) {
      assert.deepEqual(
        problemsOf({ POSTGRES_PORT: value }).map((p) => p.variable),
        ["POSTGRES_PORT"],
        `POSTGRES_PORT=${value}`,
      );
    }
    for (const value of ["1e2", "60.0", "0", "-1", "0x10"]) {
      assert.deepEqual(
        problemsOf({ STACK_START_TIMEOUT: value }).map((p) => p.variable),
        ["STACK_START_TIMEOUT"],
        `STACK_START_TIMEOUT=${value}`,
      );
    }
    const c = parseConfig({ POSTGRES_PORT: "1", NATS_PORT: "65535", STACK_START_TIMEOUT: "45" });
    assert.deepEqual([c.ports.POSTGRES_PORT, c.ports.NATS_PORT, c.stackStartTimeoutSeconds], [1, 65535, 45]);
  });

  test("BIND_ADDRESS must be an IP address, reported once", () => {
    for (const value of ["foo", "localhost", "127.0.0.300", "1.2.3"]) {
      assert.deepEqual(
        problemsOf({ BIND_ADDRESS: value }).map((p) => p.variable),
        ["BIND_ADDRESS"],
        value,
      );
    }
    for (const value of ["127.0.0.1", "0.0.0.0", "::1", "192.168.1.20"]) {
      assert.equal(parseConfig({ BIND_ADDRESS: value }).bindAddress, value);
    }
  });

  test("malformed percent-encoding in a URL is a config problem naming the variable", () => {
    const [problem, ...rest] = problemsOf({ DATABASE_URL: "postgres://u:p%zz@db:5432/w" });
    assert.equal(rest.length, 0);
    assert.equal(problem?.variable, "DATABASE_URL");
    assert.match(problem?.expected ?? "", /percent-encoded/);
    assert.equal(problemsOf({ DATABASE_URL: "postgres://u%E0:p@db:5432/w" })[0]?.variable, "DATABASE_URL");
    assert.equal(problemsOf({ DATABASE_URL: "postgres://u:p@db:5432/w%" })[0]?.variable, "DATABASE_URL");
    assert.equal(parseConfig({ DATABASE_URL: "postgres://u:p%40ss@db:5432/w" }).postgres.password, "p@ss");
  });

  test("NATS_USER and NATS_PASSWORD come as a pair; the missing one is named", () => {
    assert.deepEqual(problemsOf({ NATS_USER: "seed" }), [
      {
        variable: "NATS_PASSWORD",
        shownValue: "(unset)",
        expected: "NATS_USER and NATS_PASSWORD set together (or neither)",
      },
    ]);
    assert.equal(problemsOf({ NATS_PASSWORD: "nats-secret" })[0]?.variable, "NATS_USER");
    assert.doesNotThrow(() => parseConfig({ NATS_USER: "seed", NATS_PASSWORD: "nats-secret" }));
  });

  test("the error message lists every problem on one line", () => {
    assert.throws(
      () => parseConfig({ POSTGRES_PORT: "x", LOKI_PORT: "0" }),
      /invalid configuration: POSTGRES_PORT="x": expected a TCP port.*; LOKI_PORT="0": expected a TCP port/,
    );
  });
});

describe("loadConfig: .env file and process environment", () => {
  test("reads WALLPAPERDB_ENV_FILE; the process environment wins over the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "wpdb-env-"));
    try {
      const file = join(dir, ".env");
      writeFileSync(file, "POSTGRES_PORT=6000\nNATS_PORT=6001\n");
      const c = loadConfig({ WALLPAPERDB_ENV_FILE: file, NATS_PORT: "7001" });
      assert.equal(c.ports.POSTGRES_PORT, 6000);
      assert.equal(c.ports.NATS_PORT, 7001);
      assert.equal(c.envFile, file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("an empty variable in the shell hides the file's value and the default applies, as in Compose", () => {
    const dir = mkdtempSync(join(tmpdir(), "wpdb-env-"));
    try {
      const file = join(dir, ".env");
      writeFileSync(file, "POSTGRES_PORT=6000\n");
      // `POSTGRES_PORT= docker compose up` publishes ${POSTGRES_PORT:-5432}: the tools must probe that port.
      assert.equal(loadConfig({ WALLPAPERDB_ENV_FILE: file, POSTGRES_PORT: "" }).ports.POSTGRES_PORT, 5432);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a WALLPAPERDB_ENV_FILE that does not exist is a config error naming it", () => {
    assert.throws(
      () => loadConfig({ WALLPAPERDB_ENV_FILE: "/nonexistent/.env" }),
      /WALLPAPERDB_ENV_FILE=.*existing \.env/,
    );
  });
});
