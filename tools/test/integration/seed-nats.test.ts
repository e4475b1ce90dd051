import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connect } from "nats";
import { repoRoot } from "../../src/config/env.ts";
import { UserError } from "../../src/errors.ts";
import { natsProbe, seedNats } from "../../src/services/nats/client.ts";
import { testConfig } from "../support/config.ts";
import { type NatsServer, natsAvailability, startNats } from "../support/nats-server.ts";
import { freePort } from "../support/ports.ts";

const availability = natsAvailability();
const skip = "skip" in availability ? availability.skip : false;
const realInitDir = join(repoRoot, "infra/init");
const auth = { user: "wallpaperdb", password: "nats-test-secret-1" };

describe("nats seeding against a real nats-server with JetStream", { skip }, () => {
  let server: NatsServer;
  const config = (initDir = realInitDir, password = auth.password) =>
    testConfig({
      NATS_URL: server.url,
      NATS_USER: auth.user,
      NATS_PASSWORD: password,
      WALLPAPERDB_INIT_DIR: initDir,
    });
  const jsm = async () => {
    const nc = await connect({ servers: server.url, user: auth.user, pass: auth.password });
    return { nc, jsm: await nc.jetstreamManager() };
  };

  before(async () => {
    server = await startNats(auth);
  });
  after(async () => {
    await server?.stop();
  });

  test("a fresh seed creates the WALLPAPERS stream and the enrichment pull consumer as declared", async () => {
    const c = config();
    const results = await seedNats(c, c.initDir);
    assert.deepEqual(
      results.map((r) => [r.kind, r.name, r.outcome]),
      [
        ["stream", "WALLPAPERS", "created"],
        ["consumer", "WALLPAPERS/enrichment", "created"],
      ],
    );
    const { nc, jsm: m } = await jsm();
    try {
      const stream = await m.streams.info("WALLPAPERS");
      assert.deepEqual(stream.config.subjects, ["wallpapers.>"]);
      assert.equal(stream.config.storage, "file");
      assert.equal(stream.config.max_age, 7 * 24 * 3600 * 1e9);
      assert.equal(stream.config.max_bytes, 1024 ** 3);
      const consumer = await m.consumers.info("WALLPAPERS", "enrichment");
      assert.equal(consumer.config.durable_name, "enrichment");
      assert.equal(consumer.config.deliver_subject, undefined, "a pull consumer has no deliver subject");
      assert.equal(consumer.config.ack_wait, 30e9);
      assert.equal(consumer.config.max_deliver, 5);
    } finally {
      await nc.close();
    }
  });

  test("a second seed reports everything unchanged", async () => {
    const c = config();
    await seedNats(c, c.initDir);
    const again = await seedNats(c, c.initDir);
    assert.deepEqual(
      again.map((r) => r.outcome),
      ["unchanged", "unchanged"],
    );
    assert.ok(again.every((r) => r.drift === undefined));
  });

  test("two seeds at once both succeed on a fresh server", async () => {
    const fresh = await startNats(auth);
    try {
      const c = testConfig({ NATS_URL: fresh.url, NATS_USER: auth.user, NATS_PASSWORD: auth.password });
      const [a, b] = await Promise.all([seedNats(c, realInitDir), seedNats(c, realInitDir)]);
      assert.equal(a?.length, 2);
      assert.equal(b?.length, 2);
      const streamOutcomes = [a?.[0]?.outcome, b?.[0]?.outcome].sort();
      assert.deepEqual(
        streamOutcomes,
        ["created", "unchanged"],
        "exactly one run reports the stream created",
      );
      const consumerOutcomes = [a?.[1]?.outcome, b?.[1]?.outcome].sort();
      assert.deepEqual(
        consumerOutcomes,
        ["created", "unchanged"],
        "exactly one run reports the consumer created",
      );
    } finally {
      await fresh.stop();
    }
  });

  test("a changed limit is updated in place; a changed storage type is reported as drift, never forced", async () => {
    const initDir = mkdtempSync(join(tmpdir(), "wpdb-init-"));
    try {
      cpSync(realInitDir, initDir, { recursive: true });
      const c = config(initDir);
      await seedNats(c, initDir);
      const file = join(initDir, "nats/streams.yaml");
      const { readFileSync } = await import("node:fs");
      const original = readFileSync(file, "utf8");
      writeFileSync(
        file,
        original.replace("max_age: 7d", "max_age: 3d").replace("max_deliver: 5", "max_deliver: 7"),
      );
      const updated = await seedNats(c, initDir);
      assert.equal(updated[0]?.outcome, "updated");
      assert.match(updated[0]?.detail ?? "", /max_age 604800s → 259200s/);
      assert.equal(updated[1]?.outcome, "updated");
      assert.match(updated[1]?.detail ?? "", /max_deliver 5 → 7/);

      writeFileSync(file, original.replace("storage: file", "storage: memory"));
      const drift = await seedNats(c, initDir);
      assert.equal(drift[0]?.outcome, "updated", "max_age goes back to 7d");
      assert.match(drift[0]?.drift?.join() ?? "", /storage is file, declared memory/);
      const { nc, jsm: m } = await jsm();
      try {
        assert.equal((await m.streams.info("WALLPAPERS")).config.storage, "file");
        assert.equal((await m.streams.info("WALLPAPERS")).config.max_age, 7 * 24 * 3600 * 1e9);
      } finally {
        await nc.close();
      }
    } finally {
      rmSync(initDir, { recursive: true, force: true });
    }
  });

  test("the readiness probe connects and reads the JetStream account", async () => {
    assert.match(await natsProbe.check(config()), /^JetStream on, \d+ stream/);
  });

  test("a wrong password ends in one message naming nats and NATS_PASSWORD, password masked", async () => {
    const error = await seedNats(config(realInitDir, "wrong-nats-pw"), realInitDir).then(
      () => assert.fail("must fail"),
      (e: unknown) => e as UserError,
    );
    assert.ok(error instanceof UserError, String(error));
    assert.match(error.message, /nats rejected the credentials/);
    assert.match(error.fix, /NATS_USER \/ NATS_PASSWORD/);
    assert.ok(!`${error.message}${error.where}${error.fix}`.includes("wrong-nats-pw"));
  });

  test("a server that is down ends in one message with `make start`", async () => {
    const port = await freePort();
    const c = testConfig({ NATS_URL: `nats://127.0.0.1:${port}` });
    const error = await seedNats(c, realInitDir).then(
      () => assert.fail("must fail"),
      (e: unknown) => e as UserError,
    );
    assert.ok(error instanceof UserError, String(error));
    assert.match(error.message, /nats is not reachable/);
    assert.match(error.fix, /make start/);
  });

  test("a server without JetStream: seeding and the probe say so and how to turn it on", async () => {
    const plain = await startNats(undefined, { jetstream: false });
    try {
      const c = testConfig({ NATS_URL: plain.url, WALLPAPERDB_INIT_DIR: realInitDir });
      for (const run of [() => seedNats(c, realInitDir), () => natsProbe.check(c)]) {
        const error = await run().then(
          () => assert.fail("must fail"),
          (e: unknown) => e as UserError,
        );
        assert.ok(error instanceof UserError, String(error));
        assert.match(error.message, /^nats has JetStream turned off/);
        assert.match(error.where ?? "", new RegExp(`nats at nats://127\\.0\\.0\\.1:${plain.port}`));
        assert.match(error.fix, /JetStream/);
        assert.match(error.fix, /infra\/config\/nats\/nats\.conf/);
        assert.doesNotMatch(error.message, /\b503\b/);
      }
    } finally {
      await plain.stop();
    }
  });
});
