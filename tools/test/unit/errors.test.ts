import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../../src/config/env.ts";
import {
  classifyError,
  formatUserError,
  registerSecrets,
  serviceError,
  toUserError,
  UserError,
} from "../../src/errors.ts";
import { SeedFileError } from "../../src/seed/result.ts";

const context = {
  service: "postgres",
  endpoint: "postgres://app:topsecret-pw@db:5432/w",
  endpointVariables: "DATABASE_URL",
  credentialVariables: "POSTGRES_PASSWORD",
};
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe("client errors map to one clear UserError per failure kind", () => {
  test("classification of common client errors", () => {
    assert.equal(classifyError(coded("ECONNREFUSED")), "unreachable");
    assert.equal(classifyError(new AggregateError([coded("ECONNREFUSED")], "")), "unreachable");
    assert.equal(classifyError(new Error("connect ECONNREFUSED 127.0.0.1:9200")), "unreachable");
    assert.equal(classifyError(coded("ENOTFOUND")), "unknown-host");
    assert.equal(classifyError(coded("28P01")), "auth");
    assert.equal(classifyError(coded("InvalidAccessKeyId")), "auth");
    assert.equal(classifyError(coded("AUTHORIZATION_VIOLATION")), "auth");
    assert.equal(classifyError({ meta: { statusCode: 401 } }), "auth");
    assert.equal(classifyError(coded("ETIMEDOUT")), "timeout");
    assert.equal(classifyError(new Error("Query read timeout")), "timeout");
    assert.equal(classifyError(coded("SELF_SIGNED_CERT_IN_CHAIN")), "tls");
    assert.equal(classifyError(new Error("something else")), "other");
  });

  test("unreachable: names the service, the masked endpoint and `make start`", () => {
    const e = serviceError(context, coded("ECONNREFUSED"));
    assert.equal(e.message, "postgres is not reachable (connection refused)");
    assert.equal(e.where, "postgres at postgres://app:****@db:5432/w");
    assert.match(e.fix, /make start/);
    assert.match(e.fix, /DATABASE_URL/);
  });

  test("auth: points at the credential variables", () => {
    const e = serviceError(
      { ...context, action: "seeding" },
      coded("28P01", "password authentication failed"),
    );
    assert.equal(e.message, "postgres rejected the credentials while seeding");
    assert.match(e.fix, /POSTGRES_PASSWORD/);
  });

  test("timeout and other errors point at the service's logs", () => {
    assert.match(serviceError(context, coded("ETIMEDOUT")).fix, /make logs SERVICE=postgres/);
    assert.match(serviceError(context, new Error("boom")).fix, /make logs SERVICE=postgres/);
  });

  test("config and seed-file errors exit with 2 and say where to fix them", () => {
    const config = toUserError(
      new ConfigError([{ variable: "NATS_PORT", shownValue: '"x"', expected: "a port" }]),
    );
    assert.equal(config.exitCode, 2);
    assert.match(config.message, /NATS_PORT="x" \(expected a port\)/);
    const seed = toUserError(
      new SeedFileError("infra/init/nats/streams.yaml", "at streams[0]: bad", "correct streams[0]"),
    );
    assert.equal(seed.exitCode, 2);
    assert.equal(seed.where, "infra/init/nats/streams.yaml");
    assert.equal(seed.message, "invalid seed file: at streams[0]: bad", "the path is shown once, in where");
    assert.equal(seed.fix, "correct streams[0]", "each kind of seed-file error brings its own fix");
  });
});

describe("masking", () => {
  test("registered secrets and URL passwords never appear in a formatted error", () => {
    registerSecrets(["very-secret-value"]);
    const text = formatUserError(
      new UserError("failed with very-secret-value in the driver message", {
        where: "nats://u:pw123@host:4222",
        fix: "check it",
      }),
    );
    assert.ok(!text.includes("very-secret-value"));
    assert.ok(!text.includes("pw123"));
    assert.match(
      text,
      /^error: failed with \*\*\*\* in the driver message\n {2}where: nats:\/\/u:\*\*\*\*@host:4222\n {2}fix: {3}check it$/,
    );
  });
});

describe("the CLI runner", () => {
  const cli = join(dirname(fileURLToPath(import.meta.url)), "../../src/cli.ts");
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", cli, "wait", "--only", "postgres"], {
      env: { PATH: process.env.PATH ?? "", WALLPAPERDB_ENV_FILE: "/dev/null", ...env },
      encoding: "utf8",
    });

  test("an invalid .env value: one message, exit 2, no stack trace, secret masked", () => {
    const result = run({ POSTGRES_PORT: "nope", MINIO_ROOT_PASSWORD: "short" });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^error: invalid configuration: /);
    assert.match(result.stderr, /POSTGRES_PORT="nope"/);
    assert.match(result.stderr, /MINIO_ROOT_PASSWORD=\*\*\*\*/);
    assert.ok(!result.stderr.includes("short"), "the secret value is masked");
    assert.ok(!/\n\s+at /.test(result.stderr), "no stack trace without DEBUG=1");
    assert.equal(result.stdout, "");
  });

  test("DEBUG=1 adds the stack trace", () => {
    const result = run({ POSTGRES_PORT: "nope", DEBUG: "1" });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /\n\s+at /);
  });
});
