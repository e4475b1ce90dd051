import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect, headers } from "nats";
import { runVerify } from "../../src/commands/verify.ts";
import { repoRoot } from "../../src/config/env.ts";
import { seedNats } from "../../src/services/nats/client.ts";
import { CommandTrace } from "../../src/telemetry/tracer.ts";
import { testConfig } from "../support/config.ts";
import { type NatsServer, natsAvailability, startNats } from "../support/nats-server.ts";
import { startOpenSearchTestDouble } from "../support/opensearch-test-double.ts";
import { freePort } from "../support/ports.ts";
import { type PostgresServer, postgresAvailability, startPostgres } from "../support/postgres-server.ts";
import { type S3Server, startS3 } from "../support/s3-server.ts";
import {
  startTelemetryBackendsDouble,
  type TelemetryBackendsDouble,
} from "../support/telemetry-backends-double.ts";

const natsAvailable = natsAvailability();
const postgresAvailable = postgresAvailability();
const skip =
  ("skip" in natsAvailable && natsAvailable.skip) ||
  ("skip" in postgresAvailable && postgresAvailable.skip) ||
  false;

describe("verify against real PostgreSQL and nats-server, s3rver and a telemetry double", { skip }, () => {
  let postgres: PostgresServer;
  let nats: NatsServer;
  let s3: S3Server;
  let backends: TelemetryBackendsDouble;
  const lines: string[] = [];
  const config = () =>
    testConfig({
      DATABASE_URL: postgres.url,
      NATS_URL: nats.url,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY: s3.accessKey,
      S3_SECRET_KEY: s3.secretKey,
      MINIO_BUCKET: "wallpapers",
      OTEL_EXPORTER_OTLP_ENDPOINT: backends.url,
      TEMPO_URL: backends.url,
      LOKI_URL: backends.url,
      PROMETHEUS_URL: backends.url,
      GRAFANA_URL: backends.url,
      WALLPAPERDB_INIT_DIR: `${repoRoot}/infra/init`,
    });
  const verify = (only: string[], profiles: ("core" | "observability")[] = ["core", "observability"]) => {
    lines.length = 0;
    return runVerify(config(), profiles, only, new CommandTrace("verify", {}), (l) => lines.push(l));
  };

  before(async () => {
    [postgres, nats, s3, backends] = await Promise.all([
      startPostgres(),
      startNats(),
      startS3(),
      startTelemetryBackendsDouble(),
    ]);
    const c = config();
    await seedNats(c, c.initDir);
    const { createS3Client } = await import("../../src/services/minio/client.ts");
    await createS3Client(c).makeBucket("wallpapers", "us-east-1");
  });
  after(async () => {
    await Promise.all([postgres?.stop(), nats?.stop(), s3?.stop(), backends?.stop()]);
  });

  test("postgres, minio and nats pass and leave no data behind", async () => {
    const outcomes = await verify(["postgres", "minio", "nats"], ["core"]);
    assert.deepEqual(
      outcomes.map((o) => [o.service, o.ok]),
      [
        ["postgres", true],
        ["minio", true],
        ["nats", true],
      ],
      lines.join(""),
    );
    assert.match(lines.join(""), /✓ nats .*durable enrichment/);
    const pg = await import("pg");
    const client = new pg.default.Client({ connectionString: postgres.url });
    await client.connect();
    const table = await client.query("SELECT to_regclass('wallpaperdb_verify_probe') AS t");
    await client.end();
    assert.equal(table.rows[0].t, null, "the probe table survived the rollback");
    const nc = await connect({ servers: nats.url });
    const jsm = await nc.jetstreamManager();
    const stream = await jsm.streams.info("WALLPAPERS");
    const consumer = await jsm.consumers.info("WALLPAPERS", "enrichment");
    await nc.close();
    assert.equal(stream.state.messages, 0, "the probe message stayed in the stream");
    assert.equal(consumer.num_ack_pending, 0);
  });

  test("opensearch: indexes, finds and deletes a probe document in its own index, then removes the index", async () => {
    const opensearch = await startOpenSearchTestDouble();
    try {
      lines.length = 0;
      const c = { ...config(), opensearch: { ...config().opensearch, url: opensearch.url } };
      const [outcome] = await runVerify(c, ["core"], ["opensearch"], new CommandTrace("verify", {}), (l) =>
        lines.push(l),
      );
      assert.equal(outcome?.ok, true, lines.join(""));
      assert.deepEqual(
        opensearch.requests.map((r) => r.replace(/[0-9a-f-]{36}/, "<id>")),
        [
          "PUT /wallpaperdb-verify-probe/_doc/<id>",
          "POST /wallpaperdb-verify-probe/_search",
          "DELETE /wallpaperdb-verify-probe/_doc/<id>",
          "DELETE /wallpaperdb-verify-probe",
        ],
      );
      assert.equal(opensearch.indices.size, 0, "the probe index was left behind");
    } finally {
      await opensearch.stop();
    }
  });

  test("nats never consumes real work: with a real message pending, the durable is left alone", async () => {
    const nc = await connect({ servers: nats.url });
    const js = nc.jetstream();
    const real = headers();
    real.set("x-test", "real");
    await js.publish("wallpapers.uploaded", new TextEncoder().encode('{"id":"real-wallpaper"}'), {
      headers: real,
    });
    const initial = await (await nc.jetstreamManager()).consumers.info("WALLPAPERS", "enrichment");
    try {
      const [outcome] = await verify(["nats"], ["core"]);
      assert.equal(outcome?.ok, true, lines.join(""));
      assert.match(outcome?.detail ?? "", /holds real work \(1 pending/);
      const consumer = await (await nc.jetstreamManager()).consumers.info("WALLPAPERS", "enrichment");
      assert.equal(consumer.num_pending, 1, "the real message must still wait for the worker");
      assert.equal(
        consumer.delivered.stream_seq,
        initial.delivered.stream_seq,
        "the durable delivered something",
      );
    } finally {
      await nc.close();
    }
  });

  test("a trace, a log record and a metric go through the collector and are found in Tempo, Loki and Prometheus", async () => {
    const outcomes = await verify(["tempo", "loki", "prometheus", "grafana"], ["observability"]);
    assert.ok(
      outcomes.every((o) => o.ok),
      lines.join(""),
    );
    assert.deepEqual(backends.exports.map((e) => e.signal).sort(), ["logs", "metrics", "traces"]);
    assert.match(lines.join(""), /✓ grafana .*prometheus OK, loki OK, tempo OK, postgres OK/);
  });

  test("fails with what failed when the collector refuses exports or a datasource is broken", async () => {
    backends.refuseExportsWith = 503;
    backends.brokenDatasources.add("loki");
    try {
      const outcomes = await verify(["tempo", "grafana"], ["observability"]);
      assert.deepEqual(
        outcomes.map((o) => [o.service, o.ok]),
        [
          ["tempo", false],
          ["grafana", false],
        ],
      );
      const text = lines.join("");
      assert.match(text, /✗ tempo .*\n.*collector refused or did not answer an OTLP export \(HTTP 503\)/);
      assert.match(text, /datasource loki: connection refused/);
      assert.match(text, /✗ 2 of 2 checks failed/);
    } finally {
      backends.refuseExportsWith = 0;
      backends.brokenDatasources.clear();
    }
  });

  test("with core not started, grafana's postgres datasource is not checked (it cannot answer) and said so", async () => {
    backends.brokenDatasources.add("postgres");
    try {
      lines.length = 0;
      const [outcome] = await runVerify(
        config(),
        ["observability"],
        ["grafana"],
        new CommandTrace("verify", {}),
        (l) => lines.push(l),
        ["core"],
      );
      assert.equal(outcome?.ok, true, lines.join(""));
      assert.match(
        outcome?.detail ?? "",
        /^prometheus OK, loki OK, tempo OK \(not checked: postgres, not started\)$/,
      );
    } finally {
      backends.brokenDatasources.clear();
    }
  });

  test("Grafana, Tempo, Loki and Prometheus that do not answer: each check names where and the fix", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    lines.length = 0;
    const c = { ...config(), tempoUrl: nobody, lokiUrl: nobody, prometheusUrl: nobody };
    const outcomes = await runVerify(
      { ...c, grafana: { ...c.grafana, url: nobody } },
      ["observability"],
      ["tempo", "loki", "prometheus", "grafana"],
      new CommandTrace("verify", {}),
      (l) => lines.push(l),
    );
    assert.deepEqual(
      outcomes.map((o) => [o.service, o.ok]),
      // The order of the catalog (infra/docker-compose.yml).
      [
        ["prometheus", false],
        ["loki", false],
        ["tempo", false],
        ["grafana", false],
      ],
    );
    const grafana = outcomes.find((o) => o.service === "grafana");
    assert.match(
      grafana?.detail ?? "",
      /^grafana is not reachable while listing its datasources \(connection refused\)/,
    );
    assert.doesNotMatch(grafana?.detail ?? "", /fetch failed/);
    assert.match(grafana?.fix ?? "", /make start.*GRAFANA_URL/);
    for (const [service, signal, variable] of [
      ["tempo", "traces", "TEMPO_URL"],
      ["loki", "logs", "LOKI_URL"],
      ["prometheus", "metrics", "PROMETHEUS_URL"],
    ]) {
      const outcome = outcomes.find((o) => o.service === service);
      assert.match(
        outcome?.detail ?? "",
        new RegExp(`not found after \\d+ s .*\\(${service} at ${nobody}\\)`),
      );
      assert.match(
        outcome?.fix ?? "",
        new RegExp(`otel-collector and ${service} up.*the ${signal} pipeline.*${variable}`),
      );
    }
    assert.equal(lines.join("").match(/^ {4}fix: /gm)?.length, 4, lines.join(""));
  });

  test("a paused container is reported from the engine's state at once, with the unpause fix, nothing probed", async () => {
    lines.length = 0;
    // The real nats-server of this suite answers: a probe would pass, so a failure proves none was made.
    const outcomes = await runVerify(
      config(),
      ["core"],
      ["postgres", "nats"],
      new CommandTrace("verify", {}),
      (l) => lines.push(l),
      [],
      [{ service: "nats", state: "paused", exitCode: 0 }],
    );
    const nats = outcomes.find((o) => o.service === "nats");
    assert.equal(nats?.ok, false);
    assert.match(nats?.detail ?? "", /nats \(paused\)/);
    assert.match(nats?.fix ?? "", /unpause nats/);
    assert.equal(outcomes.find((o) => o.service === "postgres")?.ok, true, lines.join(""));
  });

  test("masks the password of a database URL in failure messages", async () => {
    const original = postgres.url;
    postgres.url = original.replace(/:[^:@/]+@/, ":wrong-secret-pw@");
    try {
      const [outcome] = await verify(["postgres"], ["core"]);
      assert.equal(outcome?.ok, false);
      assert.doesNotMatch(lines.join(""), /wrong-secret-pw/);
    } finally {
      postgres.url = original;
    }
  });
});
