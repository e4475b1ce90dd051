import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { afterFailedUp } from "../../src/commands/start.ts";

describe("afterFailedUp", () => {
  it("stops at a service that is down for a reason, on either try", () => {
    assert.equal(afterFailedUp("failed", 1), "fail");
    assert.equal(afterFailedUp("failed", 2), "fail");
  });

  it("gives Compose one more try once what it saw unhealthy has recovered or is healthy", () => {
    assert.equal(afterFailedUp("recovering", 1), "again");
    assert.equal(afterFailedUp("healthy", 1), "again");
  });

  it("calls a second refusal of a healthy-looking stack stuck instead of trying forever", () => {
    assert.equal(afterFailedUp("recovering", 2), "stuck");
    assert.equal(afterFailedUp("healthy", 2), "stuck");
  });
});
