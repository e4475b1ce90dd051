import assert from "node:assert/strict";
import { test } from "node:test";
import { resultRows, summarize } from "../../src/commands/seed.ts";
import { UserError } from "../../src/errors.ts";

const outcomes = [
  {
    service: "postgres" as const,
    elapsedMs: 1,
    resources: [
      {
        service: "postgres",
        kind: "migration",
        name: "0001_a.sql",
        outcome: "created" as const,
        detail: "applied",
      },
    ],
  },
  {
    service: "nats" as const,
    elapsedMs: 1,
    resources: [
      {
        service: "nats",
        kind: "stream",
        name: "S",
        outcome: "unchanged" as const,
        drift: ["storage is file, declared memory (NATS cannot change it in place)"],
      },
    ],
  },
];

test("the summary counts outcomes and drift", () => {
  assert.equal(
    summarize(["postgres", "nats"], outcomes),
    "seeded postgres, nats: 1 created, 1 unchanged; 1 with drift (see DRIFT notes)",
  );
  assert.equal(summarize(["minio"], []), "seeded minio: nothing declared");
});

test("table rows carry details, DRIFT notes and failures", () => {
  const rows = resultRows([
    ...outcomes,
    {
      service: "minio",
      elapsedMs: 1,
      resources: [],
      error: new UserError("minio is not reachable", { fix: "make start" }),
    },
  ]);
  assert.deepEqual(rows, [
    ["postgres", "migration", "0001_a.sql", "created", "applied"],
    [
      "nats",
      "stream",
      "S",
      "unchanged",
      "DRIFT: storage is file, declared memory (NATS cannot change it in place)",
    ],
    ["minio", "-", "-", "FAILED", "minio is not reachable"],
  ]);
});
