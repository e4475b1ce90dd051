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
  "snapshot",
  "snapshots",
  "snapshot-rm",
  "restore",
];
const SNAPSHOT_TARGETS = ["snapshot", "snapshots", "snapshot-rm", "restore"];

function make(args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("make", ["--no-print-directory", ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, MAKEFLAGS: "", ...env },
  });
}

/** What `make -n target` runs, without the dependency stamp's install steps or the bundle's build. */
function recipe(target: string): string {
  return make(["-n", "-W", "node_modules/.package-lock.json", "-o", "tools/dist/cli.mjs", target])
    .trim()
    .split("\n")
    .filter((line) => !/npm ci|node -e|mkdir -p .turbo|exec 9>/.test(line))
    .join("\n");
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

  // The everyday commands skip turbo and npm (0.7 s before anything starts) and run the tools' bundle.
  const TOOLS_TARGETS = ["seed", "wait", "status", "doctor", "verify"];
  const SCRIPT_TARGETS = ["start", "reset"];

  it("the checks and tests go through turbo run and never call docker or a script directly", () => {
    const makefile = readFileSync(`${repoRoot}/Makefile`, "utf8");
    const targets = [...makefile.matchAll(/^([a-z][a-z0-9-]*):.*##/gm)].map((m) => m[1] as string);
    const direct = new Set(["help", ...TOOLS_TARGETS, ...SCRIPT_TARGETS, ...SNAPSHOT_TARGETS]);
    for (const target of targets.filter((t) => !direct.has(t))) {
      const taskLine = recipe(target);
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

  it("the everyday tools commands run the bundle, which make first rebuilds through turbo when a source is newer", () => {
    for (const target of TOOLS_TARGETS)
      assert.match(recipe(target), new RegExp(`^(trap .*; )?node tools/dist/cli\\.mjs ${target}\\b`), target);
    const makefile = readFileSync(`${repoRoot}/Makefile`, "utf8");
    assert.match(makefile, /^\$\(TOOLS_CLI\): \$\(DEPS_STAMP\) \$\(TOOLS_SOURCES\)$/m);
    assert.match(makefile, /^TOOLS_SOURCES := \$\(shell find tools\/src -type f\)/m);
    assert.match(
      make(["-n", "-W", "tools/src/cli.ts", "status"]),
      /turbo run build --filter=@wallpaperdb\/infra-tools/,
    );
  });

  it("start and reset run their script on make's terminal: turbo would give it a pseudo-terminal of its own", () => {
    assert.match(
      recipe("reset"),
      /^(trap .*; )?WPDB_TOOLS_CLI=tools\/dist\/cli\.mjs bash infra\/scripts\/reset-infra\.sh\s*$/,
    );
    assert.match(
      recipe("start"),
      /^(trap .*; )?WPDB_TOOLS_CLI=tools\/dist\/cli\.mjs bash infra\/scripts\/start-infra\.sh\s*$/,
    );
  });

  it("the snapshot targets run snapshot-infra.sh on make's terminal (prompts, and Ctrl-C restarts what they stopped)", () => {
    for (const target of SNAPSHOT_TARGETS)
      assert.match(
        recipe(target),
        new RegExp(
          `^(trap .*; )?WPDB_TOOLS_CLI=tools/dist/cli\\.mjs bash infra/scripts/snapshot-infra\\.sh ${target}\\b`,
        ),
      );
  });

  it("passes NAME as one quoted word, and only CONFIRM=1 on the command line confirms a restore", () => {
    assert.match(make(["-n", "snapshot", "NAME=it's"]), /snapshot-infra\.sh snapshot --name 'it'\\''s'/);
    assert.match(make(["-n", "restore", "NAME=a", "CONFIRM=1"]), /snapshot-infra\.sh restore 'a' --yes/);
    assert.match(
      make(["-n", "snapshot-rm", "NAME=a", "CONFIRM=1"]),
      /snapshot-infra\.sh snapshot-rm 'a' --yes/,
    );
    assert.doesNotMatch(make(["-n", "restore", "NAME=a"], { CONFIRM: "1" }), /--yes/);
  });

  it("passes ONLY, SERVICE, CONFIRM and PROFILE through as task flags", () => {
    assert.match(make(["-n", "seed", "ONLY=postgres,nats"]), /cli\.mjs seed --only postgres,nats/);
    assert.match(make(["-n", "logs", "SERVICE=nats"]), /turbo run .*logs -- --service nats/);
    assert.match(make(["-n", "reset", "CONFIRM=1"]), /reset-infra\.sh --yes/);
    assert.doesNotMatch(make(["-n", "reset"]), /--yes/);
    assert.match(make(["-n", "start", "PROFILE=core"]), /start-infra\.sh --profile core/);
  });

  it("CONFIRM confirms a reset only on make's command line: from the environment it is ignored", () => {
    const fromShell = (args: string[]) =>
      execFileSync("make", ["--no-print-directory", "-n", ...args, "reset"], {
        cwd: repoRoot,
        encoding: "utf8",
        env: { ...process.env, MAKEFLAGS: "", CONFIRM: "1" },
      });
    assert.doesNotMatch(fromShell([]), /--yes/, "an exported CONFIRM=1 confirmed the reset");
    assert.doesNotMatch(fromShell(["-e"]), /--yes/, "make -e let the environment's CONFIRM confirm");
    assert.match(fromShell(["CONFIRM=1"]), /--yes/);
    assert.doesNotMatch(make(["-n", "reset", "CONFIRM=0"]), /--yes/);
  });
});
