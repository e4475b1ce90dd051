import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describePullPlan, pullFailureContext, pullPlan } from "../../e2e/lib/pull.ts";

const IMAGES = [
  { service: "postgres", image: "postgres:16.15-alpine3.24" },
  { service: "tempo", image: "grafana/tempo:3.0.3" },
  { service: "grafana", image: "grafana/grafana:13.2.1" },
  // Two services may share an image: it is present or missing for both, and named once.
  { service: "grafana-copy", image: "grafana/grafana:13.2.1" },
];

describe("e2e pull plan", () => {
  it("pulls nothing when every image is present, and names them", () => {
    const plan = pullPlan(IMAGES, () => true);
    assert.deepEqual(plan.missing, []);
    assert.equal(
      describePullPlan(plan),
      "all 3 images are present locally (postgres:16.15-alpine3.24, grafana/tempo:3.0.3, grafana/grafana:13.2.1); nothing to pull",
    );
  });

  it("pulls exactly the services whose image is missing and says which images were present", () => {
    const plan = pullPlan(IMAGES, (image) => image.startsWith("postgres"));
    assert.deepEqual(
      plan.missing.map((i) => i.service),
      ["tempo", "grafana", "grafana-copy"],
    );
    assert.equal(
      describePullPlan(plan),
      "pulling 2 missing image(s): grafana/tempo:3.0.3, grafana/grafana:13.2.1; present locally: postgres:16.15-alpine3.24",
    );
    assert.equal(
      pullFailureContext(plan),
      "missing locally: grafana/tempo:3.0.3, grafana/grafana:13.2.1 (1 other image(s) present)",
    );
  });

  it("with nothing present it pulls every service", () => {
    const plan = pullPlan(IMAGES, () => false);
    assert.equal(plan.missing.length, IMAGES.length);
    assert.match(describePullPlan(plan), /present locally: none$/);
  });
});
