// The stand-ins of MinIO, OpenSearch and OpenSearch Dashboards (the engine tier's images run the same
// bundle) against the project's own readiness probes, seeders, e2e markers and compose healthchecks.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client as MinioClient } from "minio";
import { probeFor, serviceByName } from "../../../tools/src/config/services.ts";
import { testConfig } from "../../../tools/test/support/config.ts";
import { minioMarker, opensearchMarker } from "../../e2e/lib/markers.ts";
import { infraDir } from "../support/paths.ts";
import {
  assertKeepsMarkers,
  PortPlan,
  runComposeHealthcheck,
  runStandinCommand,
  type Standin,
  startStandin,
} from "./standins.ts";

const USER = "wallpaperdb";

/** The seeder `make seed` runs for a service. */
function seeder(service: string) {
  const seed = serviceByName(service)?.seed;
  assert.ok(seed, `${service} has a seeder`);
  return seed;
}
const PASSWORD = "standin-test-secret-1";

describe("MinIO stand-in", () => {
  const plan = new PortPlan();
  let minio: Standin;
  const config = (password = PASSWORD) =>
    testConfig({
      S3_ENDPOINT: plan.url("minio:9000"),
      MINIO_ROOT_USER: USER,
      MINIO_ROOT_PASSWORD: password,
      WALLPAPERDB_INIT_DIR: `${infraDir}/init`,
    });
  const s3Client = () =>
    new MinioClient({
      endPoint: "127.0.0.1",
      port: plan.port("minio:9000"),
      useSSL: false,
      accessKey: USER,
      secretKey: PASSWORD,
    });
  const markerVars = () => ({
    S3_ENDPOINT: plan.url("minio:9000"),
    MINIO_ROOT_USER: USER,
    MINIO_ROOT_PASSWORD: PASSWORD,
    MINIO_BUCKET: "wallpapers",
  });

  before(async () => {
    await plan.add("minio:9000", "minio:9001");
    minio = await startStandin("minio", {
      args: ["server", "/data", "--console-address", ":9001"],
      env: { MINIO_ROOT_USER: USER, MINIO_ROOT_PASSWORD: PASSWORD, MINIO_PROMETHEUS_AUTH_TYPE: "public" },
      ports: [9000, 9001],
      plan,
    });
  });
  after(async () => {
    await minio?.stop();
  });

  test("says it is a stand-in, passes the compose healthcheck and the readiness probe", async () => {
    assert.match(minio.output(), /^STAND-IN for quay\.io\/minio\/minio: /m);
    const health = await runComposeHealthcheck("minio", plan);
    assert.equal(health.code, 0, health.output);
    assert.match(await probeFor("minio").check(config()), /bucket\(s\)/);
  });

  test("the seeder creates the bucket (private, no CORS API as in MinIO community), then changes nothing", async () => {
    const [first] = await seeder("minio")(config());
    assert.equal(first?.outcome, "created");
    assert.equal(first?.drift, undefined, JSON.stringify(first));
    const [second] = await seeder("minio")(config());
    assert.equal(second?.outcome, "unchanged", JSON.stringify(second));
  });

  test("wrong credentials are refused the way the tools report it", async () => {
    await assert.rejects(seeder("minio")(config("not-the-password")), /minio rejected the credentials/);
    await assert.rejects(probeFor("minio").check(config("not-the-password")), /rejected the credentials/);
    const anonymous = await fetch(plan.url("minio:9000", "/"));
    assert.equal(anonymous.status, 403);
    assert.match(await anonymous.text(), /<Code>AccessDenied<\/Code>/);
  });

  test("a bucket policy is stored and read back; public-read lets anyone get an object, private does not", async () => {
    const client = s3Client();
    await client.makeBucket("public-standin", "us-east-1");
    await client.putObject("public-standin", "hello.txt", Buffer.from("hello"));
    const objectUrl = plan.url("minio:9000", "/public-standin/hello.txt");
    assert.equal((await fetch(objectUrl)).status, 403, "private by default");
    const policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: ["*"] },
          Action: ["s3:GetObject"],
          Resource: ["arn:aws:s3:::public-standin/*"],
        },
      ],
    };
    await client.setBucketPolicy("public-standin", JSON.stringify(policy));
    assert.deepEqual(JSON.parse(await client.getBucketPolicy("public-standin")), policy);
    const read = await fetch(objectUrl);
    assert.equal(read.status, 200);
    assert.equal(await read.text(), "hello");
    assert.equal(
      (await fetch(plan.url("minio:9000", "/public-standin"))).status,
      403,
      "listing stays private",
    );
  });

  test("a presigned URL works without credentials until it is tampered with", async () => {
    const client = s3Client();
    const url = await client.presignedGetObject("public-standin", "hello.txt", 60);
    const read = await fetch(url);
    assert.equal(read.status, 200);
    assert.equal(await read.text(), "hello");
    const tampered = await fetch(url.replace("hello.txt", "other.txt"));
    assert.equal(tampered.status, 403);
    assert.match(await tampered.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  test("health and metrics endpoints answer as MinIO's do; mc ready fails when the server is away", async () => {
    assert.equal((await fetch(plan.url("minio:9000", "/minio/health/live"))).status, 200);
    const metrics = await (await fetch(plan.url("minio:9000", "/minio/v2/metrics/cluster"))).text();
    assert.match(metrics, /^minio_cluster_usage_object_total \d+$/m);
    assert.match(metrics, /^minio_cluster_usage_total_bytes \d+$/m);
    assert.equal((await fetch(plan.url("minio:9001", "/"))).status, 200);
    const away = await runStandinCommand(["mc", "ready", "local"], { STANDIN_PORT_9000: "1" });
    assert.equal(away.code, 1, away.output);
  });

  test("an object survives a stop/start and a SIGKILL", async () => {
    await assertKeepsMarkers(minioMarker(markerVars()), minio);
  });

  test("stops promptly with exit code 0 on SIGTERM; refuses a root password shorter than 8", async () => {
    const other = new PortPlan();
    await other.add("minio:9000", "minio:9001");
    const second = await startStandin("minio", {
      args: ["server", "/data"],
      env: { MINIO_ROOT_USER: USER, MINIO_ROOT_PASSWORD: PASSWORD },
      ports: [9000],
      plan: other,
    });
    const started = Date.now();
    assert.equal(await second.stop(), 0);
    assert.ok(Date.now() - started < 5000, "took longer than 5 s to stop");
    const refused = await runStandinCommand(["minio", "server", "/tmp"], { MINIO_ROOT_PASSWORD: "short" });
    assert.equal(refused.code, 1);
    assert.match(refused.output, /MINIO_ROOT_PASSWORD length should be at least 8/);
  });
});

describe("OpenSearch and Dashboards stand-ins", () => {
  const plan = new PortPlan();
  let opensearch: Standin;
  let dashboards: Standin;
  const config = () =>
    testConfig({
      OPENSEARCH_URL: plan.url("opensearch:9200"),
      OPENSEARCH_DASHBOARDS_URL: plan.url("opensearch-dashboards:5601"),
      WALLPAPERDB_INIT_DIR: `${infraDir}/init`,
    });
  const startOpenSearch = () =>
    startStandin("opensearch", {
      env: { DISABLE_SECURITY_PLUGIN: "true", "cluster.name": "wallpaperdb" },
      ports: [9200],
      plan,
    });

  before(async () => {
    await plan.add("opensearch:9200", "opensearch-dashboards:5601");
    dashboards = await startStandin("opensearch-dashboards", {
      env: {
        OPENSEARCH_HOSTS: '["http://opensearch:9200"]',
        DISABLE_SECURITY_DASHBOARDS_PLUGIN: "true",
        STANDIN_CONNECT_TO: plan.connectTo(),
      },
      ports: [5601],
      plan,
    });
  });
  after(async () => {
    await Promise.all([opensearch?.stop(), dashboards?.stop()]);
  });

  test("Dashboards is red (HTTP 503) while OpenSearch is away and green once it answers", async () => {
    const away = await fetch(plan.url("opensearch-dashboards:5601", "/api/status"));
    assert.equal(away.status, 503);
    assert.equal(
      ((await away.json()) as { status: { overall: { state: string } } }).status.overall.state,
      "red",
    );
    assert.notEqual((await runComposeHealthcheck("opensearch-dashboards", plan)).code, 0);
    opensearch = await startOpenSearch();
    assert.match(opensearch.output(), /^STAND-IN for opensearchproject\/opensearch: /m);
    assert.match(dashboards.output(), /^STAND-IN for opensearchproject\/opensearch-dashboards: /m);
    assert.equal(await probeFor("opensearch-dashboards").check(config()), "state green");
    const health = await runComposeHealthcheck("opensearch-dashboards", plan);
    assert.equal(health.code, 0, health.output);
  });

  test("OpenSearch reports 3.8.0, passes the compose healthcheck and the probe, and seeds created then unchanged", async () => {
    const info = (await (await fetch(plan.url("opensearch:9200", "/"))).json()) as {
      cluster_name: string;
      version: { number: string; distribution: string };
    };
    assert.deepEqual(
      [info.version.distribution, info.version.number, info.cluster_name],
      ["opensearch", "3.8.0", "wallpaperdb"],
    );
    const health = await runComposeHealthcheck("opensearch", plan);
    assert.equal(health.code, 0, health.output);
    assert.match(await probeFor("opensearch").check(config()), /^cluster (green|yellow)$/);
    const first = await seeder("opensearch")(config());
    assert.deepEqual(
      first.map((r) => [r.kind, r.name, r.outcome]),
      [
        ["index-template", "wallpapers", "created"],
        ["index", "wallpapers-v1", "created"],
      ],
    );
    const second = await seeder("opensearch")(config());
    assert.deepEqual(
      second.map((r) => r.outcome),
      ["unchanged", "unchanged"],
      JSON.stringify(second),
    );
  });

  test("the strict mapping of the seeded template refuses unknown fields, as OpenSearch does", async () => {
    const response = await fetch(plan.url("opensearch:9200", "/wallpapers-v1/_doc/1"), {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "1", not_in_the_mapping: true }),
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /strict_dynamic_mapping_exception/);
  });

  test("a document survives a stop/start and a SIGKILL", async () => {
    await assertKeepsMarkers(opensearchMarker({ OPENSEARCH_URL: plan.url("opensearch:9200") }), opensearch);
    const seeded = await seeder("opensearch")(config());
    assert.deepEqual(
      seeded.map((r) => r.outcome),
      ["unchanged", "unchanged"],
      "templates and indices were kept too",
    );
  });
});
