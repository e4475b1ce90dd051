import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { secondSeedProblem, seedCounts } from "../../e2e/lib/seed-report.ts";

describe("second seed report", () => {
  it("counts per-resource outcomes in seed --json output (the top-level outcome is not a resource)", () => {
    const json = JSON.stringify({
      outcome: "success",
      resources: [
        { service: "postgres", kind: "migration", name: "0001_init.sql", outcome: "unchanged" },
        { service: "minio", kind: "bucket", name: "wallpapers", outcome: "unchanged" },
        { service: "nats", kind: "stream", name: "ENRICHMENT", outcome: "updated", detail: "max_age" },
      ],
      errors: [],
    });
    assert.deepEqual(seedCounts(json), { created: 0, updated: 1, unchanged: 2 });
  });

  it("reads a summary line or table rows when the output is text", () => {
    assert.deepEqual(seedCounts("seeded: 0 created, 0 updated, 14 unchanged"), {
      created: 0,
      updated: 0,
      unchanged: 14,
    });
    assert.deepEqual(seedCounts("postgres migration 0001 unchanged\nminio bucket wallpapers created\n"), {
      created: 1,
      updated: 0,
      unchanged: 1,
    });
  });

  it("passes only when nothing changed and something was reported", () => {
    assert.equal(secondSeedProblem({ created: 0, updated: 0, unchanged: 9 }), null);
    assert.match(secondSeedProblem({ created: 1, updated: 0, unchanged: 8 }) ?? "", /1 created.*idempotent/);
    assert.match(secondSeedProblem({ created: 0, updated: 2, unchanged: 7 }) ?? "", /2 updated/);
    assert.match(secondSeedProblem({ created: 0, updated: 0, unchanged: 0 }) ?? "", /no resources/);
  });
});
