import assert from "node:assert/strict";
import { test } from "node:test";
import { locate, MissingServerError } from "../support/binaries.ts";

test("a found server binary is used", () => {
  assert.deepEqual(locate("/usr/bin/x", "x", "x"), { path: "/usr/bin/x" });
});

test("outside CI a missing server skips with a message naming what to install", () => {
  assert.deepEqual(locate(undefined, "nats-server", "nats-server 2.10+", false), {
    skip: "nats-server not found; install nats-server 2.10+ to run these integration tests",
  });
});

test("with CI=true a missing server fails instead of skipping", () => {
  assert.throws(() => locate(undefined, "nats-server", "nats-server 2.10+", true), MissingServerError);
});
