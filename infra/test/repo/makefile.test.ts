import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { repoRoot } from "../support/paths.ts";

const CONTRACT_TARGETS = [
  "help",
  "start",
  "stop",
  "reset",
  "logs",
  "seed",
  "status",
  "doctor",
  "verify",
  "test",
  "lint",
  "typecheck",
  "e2e",
];

function make(args: string[]): string {
  return execFileSync("make", ["--no-print-directory", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, MAKEFLAGS: "" },
  });
}

describe("Makefile", () => {
  it("make help lists every target of the contract with a one-line description", () => {
    const help = make(["help"]);
    for (const target of CONTRACT_TARGETS) {
      assert.match(
        help,
        new RegExp(`^\\s+(\\x1b\\[[0-9;]*m)?${target}\\b.*\\S+\\s+\\S+`, "m"),
        `make help misses ${target}`,
      );
    }
  });

  it("every target but help goes through turbo run and never calls docker or a script directly", () => {
    const makefile = readFileSync(`${repoRoot}/Makefile`, "utf8");
    const targets = [...makefile.matchAll(/^([a-z][a-z0-9-]*):.*##/gm)].map((m) => m[1] as string);
    for (const target of targets.filter((t) => t !== "help")) {
      const dryRun = make(["-n", "-W", "node_modules/.package-lock.json", target]).trim().split("\n");
      const taskLine = dryRun
        .filter((line) => !/npm ci|node -e|mkdir -p .turbo|exec 9>/.test(line))
        .join("\n");
      assert.match(
        taskLine,
        /node_modules\/\.bin\/turbo run/,
        `make ${target} does not call turbo: ${taskLine}`,
      );
      assert.doesNotMatch(
        taskLine,
        /(^|\s)(docker|bash|sh)\s|\.sh\b/,
        `make ${target} runs something directly`,
      );
    }
  });

  it("passes ONLY, SERVICE, CONFIRM and PROFILE through as task flags", () => {
    assert.match(make(["-n", "seed", "ONLY=postgres,nats"]), /turbo run .*seed -- --only postgres,nats/);
    assert.match(make(["-n", "logs", "SERVICE=nats"]), /turbo run .*logs -- --service nats/);
    assert.match(make(["-n", "reset", "CONFIRM=1"]), /turbo run .*reset -- --yes/);
    assert.doesNotMatch(make(["-n", "reset"]), /--yes/);
    assert.match(make(["-n", "start", "PROFILE=core"]), /turbo run .*start -- --profile core/);
  });
});
