import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { repoRoot } from "../../src/config/env.ts";
import { classifyError, UserError } from "../../src/errors.ts";
import { seedOpenSearch } from "../../src/services/opensearch/client.ts";
import { opensearch } from "../../src/services/opensearch/index.ts";
import { testConfig } from "../support/config.ts";
import { type OpenSearchTestDouble, startOpenSearchTestDouble } from "../support/opensearch-test-double.ts";
import { freePort } from "../support/ports.ts";

const realInitDir = join(repoRoot, "infra/init");
const auth = { username: "admin", password: "os-test-secret-1" };

// OpenSearch cannot run here: these tests talk to a TEST DOUBLE (support/opensearch-test-double.ts)
// that implements only the REST calls the seeder makes. The bodies are type-checked against the
// official client in test/unit/opensearch-bodies.test.ts; `make e2e` covers the real server.
describe("opensearch seeding against the OpenSearch test double", () => {
  let double: OpenSearchTestDouble;
  const config = (password = auth.password) =>
    testConfig({
      OPENSEARCH_URL: double.url,
      OPENSEARCH_USERNAME: auth.username,
      OPENSEARCH_PASSWORD: password,
      WALLPAPERDB_INIT_DIR: realInitDir,
    });

  before(async () => {
    double = await startOpenSearchTestDouble({ auth });
  });
  beforeEach(() => {
    double.templates.clear();
    double.indices.clear();
    double.requests.length = 0;
    double.createDelayMs = 0;
  });
  after(async () => {
    await double?.stop();
  });

  test("a fresh seed puts the template, then creates wallpapers-v1 behind the alias wallpapers", async () => {
    const results = await seedOpenSearch(config(), realInitDir);
    assert.deepEqual(
      results.map((r) => [r.kind, r.name, r.outcome]),
      [
        ["index-template", "wallpapers", "created"],
        ["index", "wallpapers-v1", "created"],
      ],
    );
    const template = double.templates.get("wallpapers") as {
      index_patterns: string[];
      _meta: Record<string, string>;
    };
    assert.deepEqual(template.index_patterns, ["wallpapers-*"]);
    assert.match(template._meta.seed_checksum ?? "", /^[0-9a-f]{16}$/);
    const index = double.indices.get("wallpapers-v1");
    assert.deepEqual(Object.keys(index?.aliases ?? {}), ["wallpapers"]);
    assert.deepEqual(index?.mappings.properties.title, {
      type: "text",
      fields: { keyword: { type: "keyword", ignore_above: 300 } },
    });
    const writes = double.requests.filter((r) => r.startsWith("PUT") || r.startsWith("POST"));
    assert.deepEqual(
      writes,
      ["POST /_index_template/wallpapers", "PUT /wallpapers-v1"],
      "template before index",
    );
  });

  test("a second seed reports both unchanged and writes nothing", async () => {
    await seedOpenSearch(config(), realInitDir);
    double.requests.length = 0;
    const again = await seedOpenSearch(config(), realInitDir);
    assert.deepEqual(
      again.map((r) => r.outcome),
      ["unchanged", "unchanged"],
    );
    assert.deepEqual(
      double.requests.filter((r) => !r.startsWith("GET") && !r.startsWith("HEAD")),
      [],
    );
  });

  test("two seeds at once: the create race is converged, both succeed", async () => {
    double.createDelayMs = 100;
    const [a, b] = await Promise.all([
      seedOpenSearch(config(), realInitDir),
      seedOpenSearch(config(), realInitDir),
    ]);
    const indexOutcomes = [a?.[1]?.outcome, b?.[1]?.outcome].sort();
    assert.deepEqual(indexOutcomes, ["created", "unchanged"]);
  });

  test("an edited template file is re-put (updated); a missing alias and a new field are added", async () => {
    const initDir = mkdtempSync(join(tmpdir(), "wpdb-init-"));
    try {
      cpSync(realInitDir, initDir, { recursive: true });
      await seedOpenSearch(config(), initDir);
      const file = join(initDir, "opensearch/index-templates/wallpapers.json");
      const body = JSON.parse(readFileSync(file, "utf8"));
      body.template.mappings.properties.license = { type: "keyword" };
      writeFileSync(file, JSON.stringify(body));
      const index = double.indices.get("wallpapers-v1");
      if (index) index.aliases = {};
      const results = await seedOpenSearch(config(), initDir);
      assert.deepEqual(
        results.map((r) => r.outcome),
        ["updated", "updated"],
      );
      assert.match(results[1]?.detail ?? "", /alias wallpapers added; field\(s\) license added/);
      assert.ok("license" in (double.indices.get("wallpapers-v1")?.mappings.properties ?? {}));
    } finally {
      rmSync(initDir, { recursive: true, force: true });
    }
  });

  test("an alias the app moved to another index is reported as drift and left there", async () => {
    await seedOpenSearch(config(), realInitDir);
    // The app reindexed into wallpapers-v2 and moved the alias (as DESIGN §6 allows).
    const v1 = double.indices.get("wallpapers-v1");
    assert.ok(v1);
    const alias = v1.aliases.wallpapers ?? {};
    v1.aliases = {};
    double.indices.set("wallpapers-v2", { ...structuredClone(v1), aliases: { wallpapers: alias } });
    double.requests.length = 0;
    const results = await seedOpenSearch(config(), realInitDir);
    assert.equal(results[1]?.name, "wallpapers-v1");
    assert.equal(results[1]?.outcome, "unchanged");
    assert.match(results[1]?.drift?.join() ?? "", /alias wallpapers is on wallpapers-v2, not wallpapers-v1/);
    assert.deepEqual(Object.keys(double.indices.get("wallpapers-v1")?.aliases ?? {}), []);
    assert.deepEqual(Object.keys(double.indices.get("wallpapers-v2")?.aliases ?? {}), ["wallpapers"]);
    assert.ok(!double.requests.includes("POST /_aliases"), double.requests.join(", "));
  });

  test("a field whose type differs in the live index is reported as drift, never recreated", async () => {
    await seedOpenSearch(config(), realInitDir);
    const index = double.indices.get("wallpapers-v1");
    if (index) index.mappings.properties.width = { type: "long" };
    const results = await seedOpenSearch(config(), realInitDir);
    assert.equal(results[1]?.outcome, "unchanged");
    assert.match(results[1]?.drift?.join() ?? "", /width is long, declared integer/);
    assert.ok(!double.requests.includes("DELETE /wallpapers-v1"));
  });

  test("the readiness probe accepts yellow and rejects red; a wrong password is final", async () => {
    const probe = opensearch.probe;
    double.clusterStatus = "yellow";
    assert.equal(await probe.check(config()), "cluster yellow");
    double.clusterStatus = "red";
    await assert.rejects(probe.check(config()), /cluster health red/);
    double.clusterStatus = "green";
    assert.equal(await probe.check(config()), "cluster green");
    const rejected = await probe.check(config("wrong-os-pw")).then(
      () => assert.fail("must fail"),
      (e: unknown) => e,
    );
    assert.equal(classifyError(rejected), "auth");
  });

  test("a wrong password ends in one message naming opensearch and OPENSEARCH_PASSWORD, masked", async () => {
    const error = await seedOpenSearch(config("wrong-os-pw"), realInitDir).then(
      () => assert.fail("must fail"),
      (e: unknown) => e as UserError,
    );
    assert.ok(error instanceof UserError, String(error));
    assert.match(error.message, /opensearch rejected the credentials/);
    assert.match(error.fix, /OPENSEARCH_USERNAME \/ OPENSEARCH_PASSWORD/);
    assert.ok(!`${error.message}${error.where}${error.fix}`.includes("wrong-os-pw"));
  });

  test("a server that is down ends in one message with `make start`", async () => {
    const port = await freePort();
    const error = await seedOpenSearch(
      testConfig({ OPENSEARCH_URL: `http://127.0.0.1:${port}` }),
      realInitDir,
    ).then(
      () => assert.fail("must fail"),
      (e: unknown) => e as UserError,
    );
    assert.match(error.message, /opensearch is not reachable/);
    assert.match(error.fix, /make start/);
  });
});
