// The engine tier's service set on one host: the seven stand-ins (as one bundle under plain node) with the
// real PostgreSQL, nats-server and Prometheus 3.5 (the repository's prometheus.yml, remote-write receiver
// on, no OTLP receiver, as the Debian build the images use), each on random loopback ports. The tools'
// own `wait`, `seed` and `verify` commands run against them unchanged; the telemetry stand-ins keep
// what they received across restarts.
import assert from "node:assert/strict";
import { connect as connectHttp2 } from "node:http2";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import {
  encodeGauge,
  encodeLogs,
  encodeTraces,
  newSpanId,
  newTraceId,
  nowNs,
  postOtlp,
} from "../../../tools/src/telemetry/otlp.ts";
import { type NatsServer, natsAvailability, startNats } from "../../../tools/test/support/nats-server.ts";
import {
  type PostgresServer,
  postgresAvailability,
  startPostgres,
} from "../../../tools/test/support/postgres-server.ts";
import { runCli } from "../../../tools/test/support/run-cli.ts";
import { secondSeedProblem, seedCounts } from "../../e2e/lib/seed-report.ts";
import { infraDir } from "../support/paths.ts";
import {
  configFile,
  PortPlan,
  prometheusAvailability,
  runComposeHealthcheck,
  type Standin,
  startPrometheus,
  startStandin,
} from "./standins.ts";

const skipOf = (availability: { path: string } | { skip: string }) =>
  "skip" in availability ? availability.skip : false;
const skip =
  skipOf(prometheusAvailability()) || skipOf(postgresAvailability()) || skipOf(natsAvailability()) || false;

const MINIO = { MINIO_ROOT_USER: "wallpaperdb", MINIO_ROOT_PASSWORD: "standin-minio-secret" };
const GRAFANA = { user: "admin", password: "standin-grafana-secret" };

/** The grpc-status and grpc-message a gRPC call to 127.0.0.1:`port` ends with. */
async function grpcStatus(port: number): Promise<{ status: string; message: string }> {
  const session = connectHttp2(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({
      ":method": "POST",
      ":path": "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
      "content-type": "application/grpc",
    });
    stream.end();
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      stream.once("response", resolve);
      stream.once("error", reject);
    });
    stream.resume();
    return { status: String(headers["grpc-status"]), message: String(headers["grpc-message"]) };
  } finally {
    session.close();
  }
}

/** Polls `attempt` until it returns a value, or fails after a generous deadline with the last reason. */
async function eventually<T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  deadlineMs = 30_000,
): Promise<T> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(
    `${what} not seen within ${deadlineMs / 1000} s${last ? ` (last error: ${String(last)})` : ""}`,
  );
}

describe("the stand-ins with real PostgreSQL, nats-server and Prometheus", { skip }, () => {
  const plan = new PortPlan();
  let postgres: PostgresServer;
  let nats: NatsServer;
  let prometheus: { url: string; stop: () => Promise<void> };
  const standins = new Map<string, Standin>();
  let cliEnv: Record<string, string>;

  before(async () => {
    await plan.add(
      "prometheus:9090",
      "minio:9000",
      "minio:9001",
      "opensearch:9200",
      "opensearch-dashboards:5601",
      "otel-collector:4317",
      "otel-collector:4318",
      "otel-collector:13133",
      "otel-collector:8888",
      "tempo:3200",
      "tempo:4317",
      "tempo:4318",
      "loki:3100",
      "grafana:3000",
    );
    [postgres, nats, prometheus] = await Promise.all([
      startPostgres(),
      startNats(),
      startPrometheus(plan.port("prometheus:9090")),
    ]);
    const database = {
      POSTGRES_USER: postgres.user,
      POSTGRES_PASSWORD: postgres.password,
      POSTGRES_DB: postgres.database,
    };
    const routes = {
      STANDIN_CONNECT_TO: plan.connectTo({ "postgres:5432": postgres.port, "nats:4222": nats.port }),
    };
    const start = async (
      service: string,
      ports: number[],
      args: string[],
      env: Record<string, string> = {},
    ) => {
      standins.set(service, await startStandin(service, { args, ports, plan, env: { ...routes, ...env } }));
    };
    await Promise.all([
      start("minio", [9000, 9001], ["server", "/data", "--console-address", ":9001"], MINIO),
      start("opensearch", [9200], [], { DISABLE_SECURITY_PLUGIN: "true" }),
      start("opensearch-dashboards", [5601], [], {
        OPENSEARCH_HOSTS: '["http://opensearch:9200"]',
        DISABLE_SECURITY_DASHBOARDS_PLUGIN: "true",
      }),
      start("tempo", [3200, 4317, 4318], [`-config.file=${configFile("tempo/tempo.yaml")}`]),
      start("loki", [3100], [`-config.file=${configFile("loki/loki.yaml")}`]),
    ]);
    // The compose file starts these two after the backends they talk to.
    await Promise.all([
      start(
        "otel-collector",
        [4317, 4318, 13133, 8888],
        [`--config=${configFile("otel-collector/config.yaml")}`],
        database,
      ),
      start("grafana", [3000], [], {
        ...database,
        GF_SECURITY_ADMIN_USER: GRAFANA.user,
        GF_SECURITY_ADMIN_PASSWORD: GRAFANA.password,
        GF_PATHS_PROVISIONING: configFile("grafana/provisioning"),
      }),
    ]);
    cliEnv = {
      DATABASE_URL: postgres.url,
      NATS_URL: nats.url,
      S3_ENDPOINT: plan.url("minio:9000"),
      ...MINIO,
      OPENSEARCH_URL: plan.url("opensearch:9200"),
      OPENSEARCH_DASHBOARDS_URL: plan.url("opensearch-dashboards:5601"),
      OTEL_EXPORTER_OTLP_ENDPOINT: plan.url("otel-collector:4318"),
      PROMETHEUS_URL: prometheus.url,
      LOKI_URL: plan.url("loki:3100"),
      TEMPO_URL: plan.url("tempo:3200"),
      GRAFANA_URL: plan.url("grafana:3000"),
      GRAFANA_ADMIN_USER: GRAFANA.user,
      GRAFANA_ADMIN_PASSWORD: GRAFANA.password,
      WALLPAPERDB_INIT_DIR: `${infraDir}/init`,
    };
  });
  after(async () => {
    await Promise.all([...standins.values()].map((s) => s.stop()));
    await Promise.all([postgres?.stop(), nats?.stop(), prometheus?.stop()]);
  });

  test("every stand-in says what it is", () => {
    const images: Record<string, string> = {
      minio: "quay.io/minio/minio",
      opensearch: "opensearchproject/opensearch",
      "opensearch-dashboards": "opensearchproject/opensearch-dashboards",
      "otel-collector": "otel/opentelemetry-collector-contrib",
      tempo: "grafana/tempo",
      loki: "grafana/loki",
      grafana: "grafana/grafana",
    };
    for (const [service, image] of Object.entries(images))
      assert.match(
        standins.get(service)?.output() ?? "",
        new RegExp(`^STAND-IN for ${image}: `, "m"),
        service,
      );
    assert.match(standins.get("otel-collector")?.output() ?? "", /receiver postgresql is not implemented/);
  });

  test("the compose healthchecks of loki, tempo and grafana pass", async () => {
    for (const service of ["loki", "tempo", "grafana"]) {
      const health = await runComposeHealthcheck(service, plan);
      assert.equal(health.code, 0, `${service}: ${health.output}`);
    }
  });

  test("wait: all ten services answer their readiness probes", async () => {
    const run = await runCli(["wait", "--json", "--timeout", "60"], cliEnv, 120_000);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const result = JSON.parse(run.stdout) as { services: { service: string; state: string }[] };
    assert.equal(result.services.filter((s) => s.state === "ready").length, 10, run.stdout);
  });

  test("seed creates everything, a second seed changes nothing", async () => {
    const first = await runCli(["seed", "--json"], cliEnv, 120_000);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.ok(seedCounts(first.stdout).created > 0, first.stdout);
    const second = await runCli(["seed", "--json"], cliEnv, 120_000);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(secondSeedProblem(seedCounts(second.stdout)), null, second.stdout);
  });

  test("verify passes all 8 checks, the metric reaching the real Prometheus by remote write", async () => {
    const run = await runCli(["verify", "--profile", "core", "--profile", "observability"], cliEnv, 180_000);
    assert.equal(
      run.code,
      0,
      `${run.stdout}${run.stderr}\n--- collector:\n${standins.get("otel-collector")?.output()}`,
    );
    assert.match(run.stdout, /✓ all 8 checks passed/);
    assert.match(run.stdout, /✓ grafana .*prometheus OK, loki OK, tempo OK, postgres OK/);
  });

  test("a metric arrives with the labels Prometheus' OTLP receiver gives it (job, instance, promoted attributes)", async () => {
    const id = newSpanId();
    const resource = {
      "service.name": "standin-test",
      "service.namespace": "wallpaperdb",
      "service.instance.id": id,
      "host.name": "h1",
    };
    const sent = await postOtlp(
      plan.url("otel-collector:4318"),
      "metrics",
      encodeGauge(resource, {
        name: "standin.test.queue_depth",
        description: "d",
        value: 7,
        timeNs: nowNs(),
        attributes: { "queue.name": "q1" },
      }),
      5000,
    );
    assert.equal(sent.ok, true);
    const query = async (promql: string) => {
      const body = (await (
        await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`)
      ).json()) as {
        data: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      return body.data.result[0];
    };
    const sample = await eventually("the gauge in Prometheus", () =>
      query(`standin_test_queue_depth{instance="${id}"}`),
    );
    assert.deepEqual(
      { ...sample.metric },
      {
        __name__: "standin_test_queue_depth",
        job: "wallpaperdb/standin-test",
        instance: id,
        queue_name: "q1",
        service_name: "standin-test",
        service_namespace: "wallpaperdb",
        service_instance_id: id,
      },
    );
    assert.equal(sample.value[1], "7");
    const info = await eventually("target_info", () => query(`target_info{instance="${id}"}`));
    assert.equal(info.metric.host_name, "h1");
  });

  test("loki and tempo keep what they received across a stop/start and a SIGKILL", async () => {
    const traceId = newTraceId();
    const instance = newSpanId();
    const resource = { "service.name": "standin-persistence", "service.instance.id": instance };
    const collector = plan.url("otel-collector:4318");
    const trace = encodeTraces(resource, [
      { traceId, spanId: newSpanId(), name: "kept", startNs: nowNs(), endNs: nowNs(), ok: true },
    ]);
    const logs = encodeLogs(resource, [
      { timeNs: nowNs(), body: `kept ${instance}`, severity: "INFO", traceId },
    ]);
    assert.equal((await postOtlp(collector, "traces", trace, 5000)).ok, true);
    assert.equal((await postOtlp(collector, "logs", logs, 5000)).ok, true);
    const traceFound = async () => {
      const response = await fetch(plan.url("tempo:3200", `/api/traces/${traceId}`));
      return response.status === 200 ? true : undefined;
    };
    const logFound = async () => {
      const query = `{service_name="standin-persistence", service_instance_id="${instance}"} | trace_id="${traceId}"`;
      const response = await fetch(
        plan.url("loki:3100", `/loki/api/v1/query_range?query=${encodeURIComponent(query)}`),
      );
      const body = (await response.json()) as { data?: { result?: { values: [string, string][] }[] } };
      return body.data?.result?.[0]?.values[0]?.[1] === `kept ${instance}` ? true : undefined;
    };
    await eventually("the trace in Tempo", traceFound);
    await eventually("the log line in Loki", logFound);
    for (const how of ["SIGTERM", "SIGKILL"] as const) {
      await Promise.all([standins.get("tempo")?.restart(how), standins.get("loki")?.restart(how)]);
      assert.equal(await traceFound(), true, `trace lost after ${how}`);
      assert.equal(await logFound(), true, `log line lost after ${how}`);
    }
  });

  test("answers what the real services answer at the edges: missing traces, old or unsupported input, gRPC", async () => {
    const missing = newTraceId();
    assert.equal((await fetch(plan.url("tempo:3200", `/api/traces/${missing}`))).status, 404);
    const v2 = await fetch(plan.url("tempo:3200", `/api/v2/traces/${missing}`));
    assert.equal(v2.status, 200, "Tempo 3.0.3 answers a missing trace on v2 with 200 and an empty trace");
    assert.deepEqual(await v2.json(), { trace: {}, metrics: {} });

    const weekAgo = (BigInt(Date.now()) - 8n * 86_400_000n) * 1_000_000n;
    const old = await postOtlp(
      plan.url("loki:3100", "/otlp"),
      "logs",
      encodeLogs({ "service.name": "old" }, [{ timeNs: weekAgo, body: "too old", severity: "INFO" }]),
      5000,
    );
    assert.equal(old.status, 400);
    const unsupported = await fetch(
      plan.url(
        "loki:3100",
        `/loki/api/v1/query_range?query=${encodeURIComponent('sum(rate({job="x"}[1m]))')}`,
      ),
    );
    assert.equal(unsupported.status, 400);
    assert.match(await unsupported.text(), /stand-in answers log queries only/);
    const dashboardQuery = await fetch(
      plan.url("loki:3100", `/loki/api/v1/query_range?query=${encodeURIComponent('{service_name=~".+"}')}`),
    );
    assert.equal(dashboardQuery.status, 200, "the dashboard's log panel query");

    const protobuf = await fetch(plan.url("otel-collector:4318", "/v1/traces"), {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: new Uint8Array(),
    });
    assert.equal(protobuf.status, 415);
    assert.match(await protobuf.text(), /collector stand-in \(OTLP\/HTTP\) accepts JSON only/);
    const gzipped = newTraceId();
    const compressed = await fetch(plan.url("otel-collector:4318", "/v1/traces"), {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body: gzipSync(
        JSON.stringify(
          encodeTraces({ "service.name": "gzip" }, [
            { traceId: gzipped, spanId: newSpanId(), name: "gz", startNs: nowNs(), endNs: nowNs(), ok: true },
          ]),
        ),
      ),
    });
    assert.equal(compressed.status, 200, "OTLP/HTTP senders may gzip");
    await eventually("the gzipped trace in Tempo", async () =>
      (await fetch(plan.url("tempo:3200", `/api/traces/${gzipped}`))).status === 200 ? true : undefined,
    );
    const grpc = await grpcStatus(plan.port("otel-collector:4317"));
    assert.equal(grpc.status, "12");
    assert.match(grpc.message, /not implemented by the collector stand-in/);
  });

  test("grafana's datasource health really probes: an unreachable backend is reported with its address", async () => {
    const other = new PortPlan();
    await other.add("grafana:3000");
    const lonely = await startStandin("grafana", {
      ports: [3000],
      plan: other,
      // No routes: the datasources' Compose host names do not resolve here.
      env: {
        GF_PATHS_PROVISIONING: configFile("grafana/provisioning"),
        GF_SECURITY_ADMIN_PASSWORD: GRAFANA.password,
      },
    });
    try {
      const response = await fetch(other.url("grafana:3000", "/api/datasources/uid/loki/health"), {
        headers: { authorization: `Basic ${Buffer.from(`admin:${GRAFANA.password}`).toString("base64")}` },
      });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { status: string; message: string };
      assert.equal(body.status, "ERROR");
      assert.match(body.message, /http:\/\/loki:3100\/loki\/api\/v1\/labels: (ENOTFOUND|EAI_AGAIN)/);
    } finally {
      await lonely.stop();
    }
  });

  test("grafana keeps the admin password of its first start, as Grafana does", async () => {
    const grafana = standins.get("grafana") as Standin;
    await grafana.restart("SIGTERM", { GF_SECURITY_ADMIN_PASSWORD: "a-new-password-later" });
    const withPassword = (password: string) =>
      fetch(plan.url("grafana:3000", "/api/datasources"), {
        headers: { authorization: `Basic ${Buffer.from(`${GRAFANA.user}:${password}`).toString("base64")}` },
      });
    assert.equal((await withPassword(GRAFANA.password)).status, 200);
    assert.equal((await withPassword("a-new-password-later")).status, 401);
    const run = await runCli(
      // `--only grafana` alone selects nothing (verify adds the grafana check only with a telemetry check).
      ["verify", "--profile", "observability", "--only", "loki,grafana"],
      {
        ...cliEnv,
        GRAFANA_ADMIN_PASSWORD: "a-new-password-later",
      },
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Grafana rejected the admin credentials/);
  });
});
