import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Command } from "commander";
import { profileOption } from "../../src/commands/shared.ts";

const parse = (...args: string[]) => {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  program.addOption(profileOption("test"));
  program.parse(["node", "cli", ...args]);
  return program.opts<{ profile?: string[] }>().profile;
};

describe("--profile", () => {
  it("collects known profiles, once each", () => {
    assert.deepEqual(parse("--profile", "core", "--profile", "observability", "--profile", "core"), [
      "core",
      "observability",
    ]);
  });

  it("takes the opt-in cache, also comma-separated as make's PROFILE=core,cache passes it", () => {
    assert.deepEqual(parse("--profile", "core,cache"), ["core", "cache"]);
    assert.deepEqual(parse("--profile", "cache", "--profile", "core,observability"), [
      "cache",
      "core",
      "observability",
    ]);
    assert.throws(
      () => parse("--profile", "core,nope"),
      /unknown profile "nope"; choose from core, observability, cache/,
    );
  });

  it("refuses a name that is no profile, naming the choices", () => {
    assert.throws(
      () => parse("--profile", "nope"),
      /unknown profile "nope"; choose from core, observability/,
    );
  });
});
