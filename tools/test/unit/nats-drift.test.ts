import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CONSUMER_UPDATABLE,
  decideDrift,
  STREAM_UPDATABLE,
  streamDeclaredConfig,
  streamsFileSchema,
} from "../../src/seed/nats-spec.ts";

const DAY = 86_400e9;
const current = {
  name: "WALLPAPERS",
  subjects: ["wallpapers.>"],
  storage: "file",
  retention: "limits",
  max_age: 7 * DAY,
  max_bytes: 1024 ** 3,
  num_replicas: 1,
  max_consumers: -1,
};

describe("stream drift decisions (compare only declared fields)", () => {
  test("same declared fields: unchanged, even if the server has extra fields", () => {
    const d = decideDrift(
      { name: "WALLPAPERS", subjects: ["wallpapers.>"], max_age: 7 * DAY },
      current,
      STREAM_UPDATABLE,
    );
    assert.equal(d.action, "unchanged");
  });

  test("subjects compare as a set", () => {
    const d = decideDrift({ subjects: ["b", "a"] }, { subjects: ["a", "b"] }, STREAM_UPDATABLE);
    assert.equal(d.action, "unchanged");
  });

  test("a changed limit is an update that keeps the rest of the current config", () => {
    const d = decideDrift(
      { max_age: 3 * DAY, subjects: ["wallpapers.>", "extra.>"] },
      current,
      STREAM_UPDATABLE,
    );
    assert.equal(d.action, "update");
    assert.deepEqual(d.changes, [
      "max_age 604800s → 259200s",
      "subjects [wallpapers.>] → [wallpapers.>, extra.>]",
    ]);
    assert.equal(d.update.max_age, 3 * DAY);
    assert.equal(d.update.storage, "file");
    assert.equal(d.update.max_consumers, -1);
  });

  test("storage and retention cannot change in place: reported as drift, not sent", () => {
    const d = decideDrift({ storage: "memory", retention: "workqueue" }, current, STREAM_UPDATABLE);
    assert.equal(d.action, "drift-only");
    assert.deepEqual(d.drift, [
      "storage is file, declared memory (NATS cannot change it in place)",
      "retention is limits, declared workqueue (NATS cannot change it in place)",
    ]);
    assert.equal(d.update.storage, "file", "the update never carries an immutable change");
  });

  test("mixed: the updatable part is updated and the rest reported", () => {
    const d = decideDrift({ storage: "memory", max_age: DAY }, current, STREAM_UPDATABLE);
    assert.equal(d.action, "update");
    assert.equal(d.changes.length, 1);
    assert.equal(d.drift.length, 1);
    assert.equal(d.update.storage, "file");
  });
});

describe("consumer drift decisions", () => {
  const consumer = {
    durable_name: "enrichment",
    ack_policy: "explicit",
    deliver_policy: "all",
    ack_wait: 30e9,
    max_deliver: 5,
  };
  test("ack_wait and max_deliver are updatable", () => {
    const d = decideDrift({ ack_wait: 60e9, max_deliver: 10 }, consumer, CONSUMER_UPDATABLE);
    assert.equal(d.action, "update");
    assert.deepEqual(d.changes, ["ack_wait 30s → 60s", "max_deliver 5 → 10"]);
  });
  test("ack_policy and deliver_policy are reported", () => {
    const d = decideDrift({ ack_policy: "none", deliver_policy: "new" }, consumer, CONSUMER_UPDATABLE);
    assert.equal(d.action, "drift-only");
    assert.equal(d.drift.length, 2);
  });
});

describe("streams.yaml schema", () => {
  test("durations and sizes become nanoseconds and bytes; consumers are split off", () => {
    const parsed = streamsFileSchema.parse({
      streams: [
        {
          name: "S",
          subjects: ["s.>"],
          max_age: "7d",
          max_bytes: "1GiB",
          duplicate_window: "2m",
          consumers: [{ durable_name: "c", ack_wait: "30s" }],
        },
      ],
    });
    const stream = parsed.streams[0];
    assert.ok(stream);
    const config = streamDeclaredConfig(stream);
    assert.equal(config.max_age, 7 * DAY);
    assert.equal(config.max_bytes, 1024 ** 3);
    assert.equal(config.duplicate_window, 120e9);
    assert.equal("consumers" in config, false);
    assert.equal(stream.consumers[0]?.ack_wait, 30e9);
    assert.equal(stream.consumers[0]?.ack_policy, "explicit");
  });

  test("bad duration, unknown field, duplicate consumer and a dotted name are refused", () => {
    const base = { name: "S", subjects: ["s.>"] };
    assert.equal(streamsFileSchema.safeParse({ streams: [{ ...base, max_age: "7 days" }] }).success, false);
    assert.equal(streamsFileSchema.safeParse({ streams: [{ ...base, max_agee: "7d" }] }).success, false);
    assert.equal(
      streamsFileSchema.safeParse({
        streams: [{ ...base, consumers: [{ durable_name: "c" }, { durable_name: "c" }] }],
      }).success,
      false,
    );
    assert.equal(streamsFileSchema.safeParse({ streams: [{ ...base, name: "a.b" }] }).success, false);
  });
});
