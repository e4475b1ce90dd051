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
  it("masks a password containing '@' whole (up to the last '@' before the host)", () => {
    const masked = maskUrl("postgres://wallpaperdb:hunter2@home@127.0.0.1:25999/wallpaperdb");
    assert.equal(masked, `postgres://wallpaperdb:${MASK}@127.0.0.1:25999/wallpaperdb`);
    assert.ok(!masked.includes("home"), masked);
  });
  it("masks the password when the user name itself contains '@'", () => {
    assert.equal(maskUrl("nats://me@corp:pa@ss@nats:4222"), `nats://me@corp:${MASK}@nats:4222`);
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
  it("masks an '@' password inside free text without eating the rest of the sentence", () => {
    const text = "connect postgres://u:pa@ss@db:5432/x failed; retry at 10:00 @ host";
    assert.equal(
      maskSecretsInText(text),
      `connect postgres://u:${MASK}@db:5432/x failed; retry at 10:00 @ host`,
    );
  });
  it("replaces known secrets before guessing from the URL shape", () => {
    const text = "postgres://wallpaperdb:hunter2@home@127.0.0.1:25999/wallpaperdb and hunter2@home again";
    const masked = maskSecretsInText(text, ["hunter2@home"]);
    assert.ok(!masked.includes("hunter2") && !masked.includes("home"), masked);
    assert.equal(masked, `postgres://wallpaperdb:${MASK}@127.0.0.1:25999/wallpaperdb and ${MASK} again`);
  });
  it("masks a longer secret whole even when a shorter one is part of it", () => {
    assert.equal(maskSecretsInText("token abcd1234", ["abcd", "abcd1234"]), `token ${MASK}`);
  });
});
