import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runVerify } from "../../src/commands/verify.ts";
import { probeFor } from "../../src/config/services.ts";
import { UserError } from "../../src/errors.ts";
import { RespConnection } from "../../src/services/cache/resp.ts";
import { CommandTrace } from "../../src/telemetry/tracer.ts";
import { type CacheServer, cacheServerAvailability, startCacheServer } from "../support/cache-server.ts";
import { testConfig } from "../support/config.ts";
import { freePort } from "../support/ports.ts";

const availability = cacheServerAvailability();
const skip = "skip" in availability ? availability.skip : false;
const PASSWORD = "cache-test-secret-1";

describe("the cache's probe and verify check against a real valkey-server / redis-server", { skip }, () => {
  let server: CacheServer;
  const config = (password = PASSWORD) => testConfig({ CACHE_URL: server.url, CACHE_PASSWORD: password });

  before(async () => {
    server = await startCacheServer(PASSWORD);
  });
  after(async () => {
    await server?.stop();
  });

  test("the readiness probe authenticates, gets PONG and names the server and its version", async () => {
    assert.match(await probeFor("cache").check(config()), /^(valkey|redis) \d+\.\d+\.\d+$/);
  });

  test("verify sets, reads back and deletes a probe key, and leaves no key behind", async () => {
    const lines: string[] = [];
    const outcomes = await runVerify(config(), ["cache"], [], new CommandTrace("verify", {}), (l) =>
      lines.push(l),
    );
    assert.deepEqual(
      outcomes.map((o) => [o.service, o.ok, o.detail]),
      [["cache", true, outcomes[0]?.detail]],
    );
    assert.match(outcomes[0]?.detail ?? "", /^key wallpaperdb:verify:[0-9a-f-]{36}$/);
    assert.match(lines.join(""), /✓ cache +set \/ get \/ delete of a probe key/);
    const url = new URL(server.url);
    const connection = await RespConnection.open(url.hostname, Number(url.port), 5000);
    try {
      await connection.command("AUTH", PASSWORD);
      assert.equal(await connection.command("DBSIZE"), 0);
    } finally {
      connection.close();
    }
  });

  test("a wrong password: the cache rejected the credentials, fix names CACHE_PASSWORD, password masked", async () => {
    const error = await probeFor("cache")
      .check(config("not-the-password"))
      .catch((e: unknown) => e);
    assert.ok(error instanceof UserError, String(error));
    assert.match(error.message, /^cache rejected the credentials while probing readiness/);
    assert.match(error.fix ?? "", /CACHE_PASSWORD/);
    assert.doesNotMatch(`${error.message} ${error.where} ${error.fix}`, /not-the-password/);
  });

  test("nothing listening: not reachable (connection refused), fix names CACHE_URL", async () => {
    const port = await freePort();
    const error = await probeFor("cache")
      .check(testConfig({ CACHE_URL: `redis://127.0.0.1:${port}` }))
      .catch((e: unknown) => e);
    assert.ok(error instanceof UserError, String(error));
    assert.match(error.message, /^cache is not reachable while probing readiness \(connection refused\)/);
    assert.match(error.fix ?? "", /CACHE_URL/);
  });
});
