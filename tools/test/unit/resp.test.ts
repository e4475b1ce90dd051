import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { serverVersion } from "../../src/services/cache/client.ts";
import { encodeCommand, parseReply, RespError } from "../../src/services/cache/resp.ts";

const reply = (text: string) => parseReply(Buffer.from(text));

describe("RESP", () => {
  it("encodes a command as an array of bulk strings, lengths in bytes", () => {
    assert.equal(encodeCommand(["SET", "k", "é"]).toString(), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n");
  });

  it("parses simple strings, integers, bulk strings (also holding CRLF), nulls and arrays", () => {
    assert.deepEqual(reply("+PONG\r\n"), { value: "PONG", next: 7 });
    assert.deepEqual(reply(":0\r\n"), { value: 0, next: 4 });
    assert.deepEqual(reply("$4\r\na\r\nb\r\n"), { value: "a\r\nb", next: 10 });
    assert.deepEqual(reply("$-1\r\n"), { value: null, next: 5 });
    assert.deepEqual(reply("*2\r\n+a\r\n:1\r\n"), { value: ["a", 1], next: 12 });
  });

  it("waits for the rest of a reply split across packets", () => {
    assert.equal(reply("+PON"), undefined);
    assert.equal(reply("$5\r\nab"), undefined);
    assert.equal(reply("*2\r\n+a\r\n"), undefined);
  });

  it("an error reply is a RespError; a rejected password reads as an authentication failure", () => {
    const wrong = reply("-WRONGPASS invalid username-password pair or user is disabled.\r\n")?.value;
    assert.ok(wrong instanceof RespError);
    assert.equal(wrong.code, "WRONGPASS");
    assert.match(wrong.message, /^authentication failed: WRONGPASS/);
    const loading = reply("-LOADING server is loading the dataset in memory\r\n")?.value;
    assert.ok(loading instanceof RespError);
    assert.match(loading.message, /^LOADING/);
  });

  it("refuses bytes that are no RESP reply", () => {
    assert.throws(() => reply("HTTP/1.1 400 Bad Request\r\n"), /not a RESP reply/);
  });

  it("names the server and version from INFO server: Valkey, or Redis", () => {
    assert.equal(
      serverVersion("redis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.11\r\n"),
      "valkey 8.1.11",
    );
    assert.equal(serverVersion("# Server\r\nredis_version:7.0.15\r\n"), "redis 7.0.15");
  });
});
