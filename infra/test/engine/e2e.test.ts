/**
 * Engine tier: `make e2e` end to end with E2E_REQUIRED=1 (a skip would be a failure), on the images present
 * locally: nothing is pulled when every pinned image is there. Its own project and ports, as always; the
 * checkout's .env gives it what this machine can grant (OPENSEARCH_NOFILE).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Checkout, makeCheckout } from "./support/checkout.ts";
import { engineTier, ensureImages } from "./support/engine.ts";

describe("engine tier: make e2e", engineTier(), () => {
  let co: Checkout;
  before(async () => {
    ensureImages();
    co = await makeCheckout("e2e");
  });
  after(async () => {
    await co?.destroy();
  });

  it("passes end to end on the local images, pulling nothing", async () => {
    const result = await co.make(["e2e"], { env: { E2E_REQUIRED: "1" }, timeoutMs: 900_000 });
    // The harness's own summary belongs in the CI log.
    console.log(
      result.output
        .split("\n")
        .filter((line) => /^e2e:/.test(line))
        .join("\n"),
    );
    assert.equal(result.code, 0, result.output.slice(-8000));
    assert.match(result.output, /^e2e: PASSED/m);
    assert.doesNotMatch(result.output, /pulling images/);
  });
});
