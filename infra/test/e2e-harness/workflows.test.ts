import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { validateWorkflow } from "@action-validator/core";
import { repoRoot } from "../support/paths.ts";
import {
  jobsWithoutTimeout,
  parseWorkflow,
  permissionProblems,
  pinsByAction,
  steps,
  unpinnedUses,
  usesValues,
} from "./workflow-rules.ts";

const dir = join(repoRoot, ".github/workflows");
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const text = (file: string) => readFileSync(join(dir, file), "utf8");

/** The schema validator warns on stdout about globs it cannot check; keep test output readable. */
function schemaErrors(source: string): string[] {
  const warn = console.warn;
  const log = console.log;
  console.warn = () => {};
  console.log = () => {};
  try {
    return validateWorkflow(source).errors.map(
      (e) => `${"path" in e ? e.path : ""} ${e.title} ${e.detail ?? ""}`,
    );
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

describe("GitHub workflows", () => {
  it("ci, e2e and devcontainer exist", () => {
    for (const name of ["ci.yml", "e2e.yml", "devcontainer.yml"]) assert.ok(files.includes(name), name);
  });

  for (const file of files) {
    describe(file, () => {
      const source = text(file);
      const workflow = parseWorkflow(source);

      it("is a valid workflow for the GitHub Actions schema", () => {
        assert.deepEqual(schemaErrors(source), []);
      });

      it("pins every action to a full commit SHA with a version comment", () => {
        assert.deepEqual(unpinnedUses(source), []);
        const lines = source.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
        assert.equal(lines.length, usesValues(workflow).length, "a uses: the line check did not see");
      });

      it("grants contents: read at the top and no write access", () => {
        assert.deepEqual(permissionProblems(workflow), []);
      });

      it("has a concurrency group and a timeout on every job", () => {
        assert.ok(workflow.concurrency, "no concurrency group");
        assert.deepEqual(jobsWithoutTimeout(workflow), []);
      });
    });
  }

  it("uses one SHA per action across all workflows", () => {
    for (const [action, shas] of pinsByAction(files.map(text))) {
      assert.equal(shas.size, 1, `${action} pinned to ${[...shas].join(", ")}`);
    }
  });

  it("runs on the current Node LTS, and ci.yml also on the oldest Node that engines allows", () => {
    // Node 24 is the Active LTS (Node 20 reached its end of life in April 2026).
    const CURRENT_LTS = "24";
    const engines = (
      JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { engines: { node: string } }
    ).engines.node;
    const oldest = /^>=\s*(\d+)/.exec(engines)?.[1];
    assert.ok(oldest, `engines.node is not ">=N": ${engines}`);
    const nodeVersions = (file: string) => {
      const workflow = parseWorkflow(text(file));
      const job = Object.values(workflow.jobs ?? {})[0] as { strategy?: { matrix?: { node?: unknown[] } } };
      const setup = steps(workflow).find((s) => s.uses?.startsWith("actions/setup-node@"));
      const version = String(setup?.with?.["node-version"]);
      const fromMatrix = /^\$\{\{\s*matrix\.node\s*\}\}$/.test(version);
      return fromMatrix ? (job.strategy?.matrix?.node ?? []).map(String) : [version];
    };
    assert.deepEqual(nodeVersions("ci.yml").sort(), [CURRENT_LTS, oldest].sort());
    assert.deepEqual(nodeVersions("e2e.yml"), [CURRENT_LTS]);
  });

  it("ci.yml runs make test after the same system-package script as .ci/run, in Debian", () => {
    const workflow = parseWorkflow(text("ci.yml"));
    const runs = steps(workflow).map((s) => s.run ?? "");
    const ciRun = readFileSync(join(repoRoot, ".ci/run"), "utf8");
    assert.match(ciRun, /bash \.ci\/install-system-deps\.sh/);
    const install = runs.findIndex((r) => /bash \.ci\/install-system-deps\.sh/.test(r));
    const test = runs.findIndex((r) => /^make test$/m.test(r));
    assert.ok(install >= 0 && test > install, "install-system-deps.sh, then make test");
    const job = Object.values(workflow.jobs ?? {})[0];
    const container = typeof job?.container === "string" ? job.container : job?.container?.image;
    assert.match(container ?? "", /^debian:/, "the script derives its apt sources from Debian's");
    assert.equal(String(job?.["runs-on"]), "ubuntu-latest");
  });

  it("e2e.yml requires the run (no silent skip), checks image pins first and uploads logs on failure", () => {
    const workflow = parseWorkflow(text("e2e.yml"));
    const job = Object.values(workflow.jobs ?? {})[0];
    assert.equal(String(job?.env?.E2E_REQUIRED), "1");
    const all = steps(workflow);
    const check = all.findIndex((s) => /check-images.*--required/.test(s.run ?? ""));
    const e2e = all.findIndex((s) => /^make e2e$/m.test(s.run ?? ""));
    assert.ok(check >= 0 && e2e > check, "check-images --required runs before make e2e");
    const upload = all.find((s) => s.uses?.startsWith("actions/upload-artifact@"));
    assert.equal(upload?.if, "failure()");
    assert.equal(
      String(upload?.with?.path).replace(/\/$/, ""),
      String(all[e2e]?.env?.E2E_LOGS_DIR),
      "the artifact is the folder the harness writes the logs to",
    );
  });

  it("the commands the workflows run exist as package scripts (e2e execs the harness so signals reach it)", () => {
    const scripts = JSON.parse(readFileSync(join(repoRoot, "infra/package.json"), "utf8")).scripts as Record<
      string,
      string
    >;
    assert.match(scripts.e2e ?? "", /^exec node --import tsx e2e\/run\.ts$/);
    assert.match(scripts["check-images"] ?? "", /e2e\/check-images\.ts/);
    const makefile = readFileSync(join(repoRoot, "Makefile"), "utf8");
    assert.match(makefile, /^e2e:.*\n\t@\$\(RUN\) e2e/m, "make e2e runs the e2e task");
  });

  it("devcontainer.yml builds the dev container with devcontainers/ci and runs make status in it", () => {
    const all = steps(parseWorkflow(text("devcontainer.yml")));
    const step = all.find((s) => s.uses?.startsWith("devcontainers/ci@"));
    assert.match(String(step?.with?.runCmd), /make status/);
    assert.equal(step?.with?.push, "never");
  });
});

describe("workflow rules catch what they are for", () => {
  it("flags tag refs, short SHAs and SHAs without a version comment", () => {
    const bad = [
      "      - uses: actions/checkout@v4",
      "      - uses: actions/checkout@11d5960a",
      "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262",
      "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # latest",
      "      - uses: ./.github/actions/local",
      "      - uses: actions/checkout@11d5960a326750d5838078e36cf38b85af677262 # v4.4.0",
    ].join("\n");
    assert.equal(unpinnedUses(bad).length, 4);
  });

  it("flags missing or write permissions, jobs without timeout, and schema errors", () => {
    assert.deepEqual(permissionProblems(parseWorkflow("jobs: {}")), ["no top-level permissions"]);
    assert.ok(permissionProblems(parseWorkflow("permissions: write-all\njobs: {}")).length > 0);
    const jobWrite = parseWorkflow(
      "permissions: {contents: read}\njobs: {a: {permissions: {packages: write}}}",
    );
    assert.deepEqual(permissionProblems(jobWrite), ["packages: write"]);
    assert.deepEqual(jobsWithoutTimeout(parseWorkflow("jobs: {a: {runs-on: x}, b: {timeout-minutes: 5}}")), [
      "a",
    ]);
    assert.ok(schemaErrors("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n").length > 0);
  });
});
