import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { repoRoot } from "../../src/config/env.ts";
import { runCli } from "../support/run-cli.ts";

// The fake `docker` CLI shared with the lifecycle tests: it plays an engine that is missing or hangs.
const fakeDockerDir = join(repoRoot, "infra/test/support/fake-docker");
const withFakeDocker = (scenario: string) => ({
  PATH: `${fakeDockerDir}:${process.env.PATH ?? ""}`,
  FAKE_DOCKER_SCENARIO: scenario,
});
const schemaOf = (name: string) =>
  new Ajv({ allErrors: true }).compile(
    JSON.parse(
      readFileSync(
        join(dirname(fileURLToPath(import.meta.url)), `../../src/commands/${name}.schema.json`),
        "utf8",
      ),
    ),
  );

describe("command errors a user meets before anything runs", () => {
  test("a bad option value points to --help instead of printing the whole help", async () => {
    const run = await runCli(["seed", "--only", "bogus"], {}, 20_000);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /unknown seedable service "bogus"/);
    assert.match(run.stderr, /\(add --help for usage\)/);
    assert.doesNotMatch(run.stderr, /Usage:/);
  });

  test("`status` with a hung engine says so within a few seconds", async () => {
    const run = await runCli(["status"], withFakeDocker("engine-hangs"), 30_000);
    assert.equal(run.code, 1);
    // The fake engine hangs for 60 s: ending far sooner is the 3 s limit at work, whatever the machine's load.
    assert.ok(run.elapsedMs < 20_000, `took ${run.elapsedMs} ms`);
    assert.match(run.stderr, /error: cannot reach a Docker engine \(no answer within 3 s\)/);
    assert.equal(run.stderr.match(/^error:/gm)?.length, 1, run.stderr);
  });

  test("`status --json` without an engine still prints one JSON document on stdout", async () => {
    const run = await runCli(["status", "--json"], withFakeDocker("no-engine"), 30_000);
    assert.equal(run.code, 1);
    const document = JSON.parse(run.stdout) as { ok: boolean; error?: { message: string; fix: string } };
    const validate = schemaOf("status");
    assert.ok(validate(document), JSON.stringify(validate.errors));
    assert.equal(document.ok, false);
    assert.match(document.error?.message ?? "", /cannot reach a Docker engine/);
    assert.match(document.error?.fix ?? "", /docker info/);
    assert.match(run.stderr, /error: cannot reach a Docker engine/, "the message also goes to stderr");
  });

  test("`doctor --json` with an invalid .env and no engine prints its report (never text) on stdout", async () => {
    const run = await runCli(
      ["doctor", "--json"],
      { ...withFakeDocker("no-engine"), BIND_ADDRESS: "bad" },
      30_000,
    );
    assert.equal(run.code, 1);
    const document = JSON.parse(run.stdout) as { ok: boolean; findings: Array<{ code: string }> };
    const validate = schemaOf("doctor");
    assert.ok(validate(document), JSON.stringify(validate.errors));
    assert.equal(document.ok, false);
    assert.deepEqual(
      document.findings.map((f) => f.code).filter((c) => c === "ENV_INVALID" || c === "ENGINE_UNREACHABLE"),
      ["ENV_INVALID", "ENGINE_UNREACHABLE"],
    );
  });

  for (const [label, args, env, expected] of [
    [
      "an invalid .env value",
      ["seed", "--json"],
      { BIND_ADDRESS: "bad" },
      /invalid configuration: BIND_ADDRESS/,
    ],
    ["a bad option", ["seed", "--json", "--only", "bogus"], {}, /unknown seedable service "bogus"/],
    [
      "an invalid .env value",
      ["wait", "--json"],
      { BIND_ADDRESS: "bad" },
      /invalid configuration: BIND_ADDRESS/,
    ],
  ] as const) {
    test(`\`${args.join(" ")}\` with ${label} prints exactly one JSON document on stdout`, async () => {
      const run = await runCli([...args], env, 20_000);
      assert.notEqual(run.code, 0);
      const document = JSON.parse(run.stdout) as { ok: boolean; error?: { message: string; fix: string } };
      assert.ok(schemaOf("status")(document), "the error document of every --json command has one shape");
      assert.equal(document.ok, false);
      assert.match(document.error?.message ?? "", expected);
      assert.match(run.stderr, expected, "the message also goes to stderr");
      assert.equal(run.stderr.match(expected)?.length, 1, run.stderr);
    });
  }

  test("`doctor --json` with an unknown option prints the error document", async () => {
    const run = await runCli(["doctor", "--json", "--no-such-option"], {}, 20_000);
    assert.notEqual(run.code, 0);
    assert.equal((JSON.parse(run.stdout) as { ok: boolean }).ok, false);
  });
});
