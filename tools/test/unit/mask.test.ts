import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MASK, maskSecretsInText, maskUrl } from "../../src/output/mask.ts";

describe("maskUrl", () => {
  it("hides the password and keeps user, host, port and path", () => {
    assert.equal(
      maskUrl("postgres://app:s3cr3t@localhost:5432/db"),
      `postgres://app:${MASK}@localhost:5432/db`,
    );
  });
  it("leaves URLs without a password alone", () => {
    assert.equal(maskUrl("http://localhost:9200"), "http://localhost:9200");
    assert.equal(maskUrl("nats://user@localhost:4222"), "nats://user@localhost:4222");
  });
});

describe("maskSecretsInText", () => {
  it("masks URL passwords and known secrets inside an error message", () => {
    const text = 'connect to postgres://u:hunter22@db:5432 failed: password "hunter22" rejected';
    const masked = maskSecretsInText(text, ["hunter22"]);
    assert.ok(!masked.includes("hunter22"), masked);
    assert.match(masked, /postgres:\/\/u:\*{4}@db:5432/);
  });
});
