import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SERVICES } from "../../src/config/services.ts";
import { waitForServices } from "../../src/services/wait-loop.ts";
import { type CacheServer, cacheServerAvailability, startCacheServer } from "../support/cache-server.ts";
import { testConfig } from "../support/config.ts";
import { type HttpReadyDouble, startHttpReadyDouble } from "../support/http-ready-double.ts";
import { type NatsServer, natsAvailability, startNats } from "../support/nats-server.ts";
import { type OpenSearchTestDouble, startOpenSearchTestDouble } from "../support/opensearch-test-double.ts";
import { freePort } from "../support/ports.ts";
import {
  createDatabase,
  type PostgresServer,
  postgresAvailability,
  startPostgres,
} from "../support/postgres-server.ts";
import { runCli } from "../support/run-cli.ts";
import { type S3Server, startS3 } from "../support/s3-server.ts";

const pgAvailable = postgresAvailability();
const natsAvailable = natsAvailability();
const cacheAvailable = cacheServerAvailability();
const skip =
  [pgAvailable, natsAvailable, cacheAvailable].map((a) => ("skip" in a ? a.skip : undefined)).find(Boolean) ??
  false;

describe("the wait and seed commands against the harness servers", { skip }, () => {
  let pgServer: PostgresServer;
  let nats: NatsServer;
  let s3: S3Server;
  let opensearch: OpenSearchTestDouble;
  let http: HttpReadyDouble;
  let cache: CacheServer;
  let env: Record<string, string>;

  before(async () => {
    [pgServer, nats, s3, opensearch, http, cache] = await Promise.all([
      startPostgres(),
      startNats(),
      startS3(),
      startOpenSearchTestDouble(),
      startHttpReadyDouble(),
      startCacheServer("cache-test-secret-1"),
    ]);
    env = {
      DATABASE_URL: await createDatabase(pgServer, "cli_test"),
      NATS_URL: nats.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      OPENSEARCH_URL: opensearch.url,
      OPENSEARCH_DASHBOARDS_URL: http.url,
      PROMETHEUS_URL: http.url,
      LOKI_URL: http.url,
      TEMPO_URL: http.url,
      GRAFANA_URL: http.url,
      CACHE_URL: cache.url,
      CACHE_PASSWORD: cache.password,
      OTEL_EXPORTER_OTLP_ENDPOINT: http.url,
    };
  });
  after(async () => {
    await Promise.all([
      pgServer?.stop(),
      nats?.stop(),
      s3?.stop(),
      opensearch?.stop(),
      http?.stop(),
      cache?.stop(),
    ]);
  });

  test("every probe (the opt-in cache too) reports ready against running servers", async () => {
    const outcomes = await waitForServices(
      SERVICES.map((s) => s.probe),
      testConfig(env),
      { deadlineMs: 10_000, intervalMs: 50 },
    );
    assert.deepEqual(
      outcomes.filter((o) => o.state !== "ready").map((o) => `${o.service}: ${o.detail}`),
      [],
    );
    assert.ok(http.requests.includes("POST /v1/traces"), "the collector is probed with an OTLP export");
  });

  test("`wait --json` prints the machine result on stdout and exits 0", async () => {
    const run = await runCli(
      ["wait", "--only", "postgres,nats,minio,opensearch", "--json", "--timeout", "20"],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as {
      outcome: string;
      services: Array<{ service: string; state: string }>;
    };
    assert.equal(result.outcome, "success");
    assert.deepEqual(
      result.services.map((s) => s.state),
      ["ready", "ready", "ready", "ready"],
    );
  });

  test("`wait` times out naming the service that is not ready and the command that shows its logs", async () => {
    http.ready = false;
    try {
      const run = await runCli(
        ["wait", "--profile", "observability", "--only", "grafana,loki", "--timeout", "1.5"],
        env,
      );
      assert.equal(run.code, 1);
      assert.match(
        run.stderr,
        /error: not ready after 1\.5s: grafana \(last: HTTP 503.*\); loki \(last: HTTP 503/,
      );
      assert.match(run.stderr, /make logs SERVICE=grafana/);
      assert.ok(!/\n\s+at /.test(run.stderr), "no stack trace");
    } finally {
      http.ready = true;
    }
  });

  test("`seed --only postgres,minio,nats --json`: created first, unchanged the second time", async () => {
    const first = await runCli(["seed", "--only", "postgres,minio,nats", "--json"], env);
    assert.equal(first.code, 0, first.stderr);
    const created = JSON.parse(first.stdout) as {
      outcome: string;
      resources: Array<{ name: string; outcome: string }>;
    };
    assert.equal(created.outcome, "success");
    assert.deepEqual(
      created.resources.map((r) => [r.name, r.outcome]),
      [
        ["0001_wallpapers.sql", "created"],
        ["wallpapers", "created"],
        ["WALLPAPERS", "created"],
        ["WALLPAPERS/enrichment", "created"],
      ],
    );
    const second = await runCli(["seed", "--only", "postgres,minio,nats"], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /│ postgres +│ migration +│ 0001_wallpapers\.sql +│ unchanged/);
    assert.match(second.stdout, /seeded postgres, minio, nats: 4 unchanged\n$/);
    assert.equal(second.stderr, "", "nothing on stderr when all is well");
    for (const span of ["wallpaperdb-infra seed", "postgres seed", "minio seed", "nats seed"])
      assert.ok(http.spanNames.includes(span), `the seed is traced to the collector (${span})`);
  });

  test("`seed` with a server down: one message per failed service, exit 1, other services still seeded", async () => {
    const port = await freePort();
    const run = await runCli(["seed", "--only", "postgres,opensearch"], {
      ...env,
      DATABASE_URL: `postgres://u:hidden-pw-42@127.0.0.1:${port}/db`,
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /error: postgres is not reachable while applying migrations/);
    assert.match(run.stderr, /fix: +start the stack with `make start`/);
    assert.match(run.stdout, /│ opensearch │ index +│ wallpapers-v1/);
    assert.ok(!run.stderr.includes("hidden-pw-42"));
  });
});
