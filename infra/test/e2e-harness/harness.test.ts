import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readEnvFile } from "../../../tools/src/config/env.ts";
import { repoRoot } from "../support/paths.ts";
import { isDownOfE2EProject, projectsAddressed, runHarness } from "./harness-process.ts";

/** The engine has none of the images, so the run pulls (and the tests can interrupt the pull). */
const NO_IMAGES = { FAKE_DOCKER_MISSING_IMAGES: "all" };
const PULLING = /pulling \d+ missing image/;
const OFFLINE_PULL =
  'Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host';

function assertOnlyE2EProject(calls: readonly string[]): void {
  const projects = projectsAddressed(calls);
  assert.ok(projects.length > 0, "no compose call named a project");
  for (const project of projects) assert.match(project, /^wallpaperdb-e2e-[a-z0-9]+$/, `touched ${project}`);
  assert.equal(new Set(projects).size, 1, `more than one project: ${[...new Set(projects)].join(", ")}`);
  for (const call of calls.filter((c) => / down( |$)/.test(c))) {
    assert.ok(isDownOfE2EProject(call), `a down not aimed at the e2e project: ${call}`);
  }
}

describe("e2e harness: skip detection (fake docker)", () => {
  it("without an engine prints exactly one SKIPPED line and exits 0, touching no project", async () => {
    const run = await runHarness({ FAKE_DOCKER_SCENARIO: "no-engine" });
    assert.equal(run.exitCode, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 1, run.stdout);
    assert.match(
      lines[0] ?? "",
      /^e2e: SKIPPED: no Docker engine reachable \(Cannot connect to the Docker daemon/,
    );
    assert.deepEqual(projectsAddressed(run.calls), []);
  });

  it("without an engine and E2E_REQUIRED=1 fails (non-zero) with one line", async () => {
    const run = await runHarness({ FAKE_DOCKER_SCENARIO: "no-engine", E2E_REQUIRED: "1" });
    assert.equal(run.exitCode, 1);
    assert.match(
      run.stdout.trim(),
      /^e2e: FAILED \(E2E_REQUIRED=1, so this is not a skip\): no Docker engine/,
    );
  });

  it("inside the dev container it skips with one line pointing to the host", async () => {
    const run = await runHarness({ HOST_WORKSPACE_FOLDER: "/home/dev/wallpaperdb" });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(
      run.stdout.trim(),
      /^e2e: SKIPPED: make e2e runs on the Docker host, not inside the dev container.*$/,
    );
    assert.deepEqual(projectsAddressed(run.calls), []);
  });

  it("without a docker CLI at all it is the same one-line skip", async () => {
    const run = await runHarness({}, { path: "/nonexistent" });
    assert.equal(run.exitCode, 0, run.stderr);
    assert.match(run.stdout.trim(), /^e2e: SKIPPED: no Docker engine: the docker CLI is not installed/);
  });

  it("when no registry can be reached, skips with one line naming the pull error, and still removes its project", async () => {
    const run = await runHarness({ FAKE_DOCKER_PULL_ERROR: OFFLINE_PULL, ...NO_IMAGES });
    assert.equal(run.exitCode, 0, run.stderr);
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 1, run.stdout);
    assert.match(
      lines[0] ?? "",
      /^e2e: SKIPPED: no registry reachable .*no such host.*; missing locally: postgres:/,
    );
    assert.ok(run.calls.some(isDownOfE2EProject), run.calls.join("\n"));
    assertOnlyE2EProject(run.calls);
    const required = await runHarness({
      FAKE_DOCKER_PULL_ERROR: OFFLINE_PULL,
      E2E_REQUIRED: "1",
      ...NO_IMAGES,
    });
    assert.equal(required.exitCode, 1);
    assert.match(required.stdout, /FAILED \(E2E_REQUIRED=1.*no registry reachable/);
  });
});

describe("e2e harness: images present locally (fake docker)", () => {
  const pulls = (calls: readonly string[]) => calls.filter((c) => / pull( |$)/.test(c));

  it("pulls nothing when every image is present, says so, and needs no registry even with E2E_REQUIRED=1", async () => {
    // never-healthy: the run ends at the start step, after the pull stage this test is about.
    const run = await runHarness({
      FAKE_DOCKER_PULL_ERROR: OFFLINE_PULL,
      FAKE_DOCKER_SCENARIO: "never-healthy",
      E2E_REQUIRED: "1",
    });
    assert.deepEqual(pulls(run.calls), [], "it pulled although every image was present");
    assert.match(
      run.stdout,
      /^e2e: all 11 images are present locally \(postgres:16\.15-alpine3\.24, .*\); nothing to pull$/m,
    );
    assert.doesNotMatch(run.stdout, /SKIPPED|registry/);
    assert.match(run.stdout, /▶ start \(start-infra\.sh\)/, "the run did not go on to start");
    assert.ok(
      run.calls.some((c) => c === "docker image inspect --format {{.Id}} grafana/tempo:3.0.3"),
      run.calls.join("\n"),
    );
  });

  it("pulls only the services whose image is missing", async () => {
    const run = await runHarness({
      FAKE_DOCKER_MISSING_IMAGES: "grafana/tempo:3.0.3 grafana/grafana:13.2.1",
      FAKE_DOCKER_SCENARIO: "never-healthy",
    });
    const [pull, ...more] = pulls(run.calls);
    assert.deepEqual(more, [], run.calls.join("\n"));
    assert.match(pull ?? "", / pull --quiet tempo grafana$/);
    assert.match(
      run.stdout,
      /^e2e: pulling 2 missing image\(s\): grafana\/tempo:3\.0\.3, grafana\/grafana:13\.2\.1; present locally: postgres:/m,
    );
  });
});

describe("e2e harness: teardown (fake docker)", () => {
  it("a failing step still ends in `compose -p <e2e project> down -v`, after saving every service's logs", async () => {
    const run = await runHarness({ FAKE_DOCKER_SCENARIO: "never-healthy" });
    assert.equal(run.exitCode, 1, run.stdout);
    assert.match(run.stderr, /^e2e: FAILED: /m);
    const down = run.calls.filter(isDownOfE2EProject);
    assert.equal(down.length, 1, `expected exactly one teardown:\n${run.calls.join("\n")}`);
    assert.equal(run.calls.at(-1), down[0], "the teardown is the last docker call");
    assertOnlyE2EProject(run.calls);
    assert.match(run.stdout, /service logs written to/);
    assert.ok(
      run.calls.some((c) => / logs --no-color --timestamps postgres$/.test(c)),
      "postgres logs collected",
    );
  });

  it("uses ports that differ from .env.example and from the developer's .env", async () => {
    const failing = await runHarness({ FAKE_DOCKER_SCENARIO: "never-healthy" });
    const envFile = /--env-file (\S+)/.exec(
      failing.calls.find((c) => c.includes(" up ")) ?? failing.calls.join(" "),
    );
    assert.ok(envFile, "compose got no --env-file of the run's own");
    assert.notEqual(envFile[1], `${repoRoot}/.env`, "the developer's .env was passed to compose");
    const printed = new Map(
      [...(/ports (.*)$/m.exec(failing.stdout)?.[1] ?? "").matchAll(/([A-Z_]+)=(\d+)/g)].map(
        (m) => [m[1] as string, m[2] as string] as const,
      ),
    );
    const example = readEnvFile(`${repoRoot}/.env.example`, {}).values;
    const developer = readEnvFile(`${repoRoot}/.env`, process.env).values;
    const portKeys = Object.keys(example).filter((k) => k.endsWith("_PORT"));
    assert.deepEqual([...printed.keys()].sort(), portKeys.sort());
    const taken = new Set([...portKeys.map((k) => example[k]), ...portKeys.map((k) => developer[k])]);
    for (const [key, port] of printed) assert.ok(!taken.has(port), `${key}=${port} is not isolated`);
  });
});

describe("e2e harness: interrupt (fake docker)", () => {
  for (const [signal, code] of [
    ["SIGTERM", 143],
    ["SIGINT", 130],
  ] as const) {
    it(`${signal} in the middle of a step stops it and still tears the e2e project down`, async () => {
      const run = await runHarness(
        { FAKE_DOCKER_PULL_DELAY: "30", ...NO_IMAGES },
        { signal, signalWhen: PULLING },
      );
      assert.equal(run.exitCode, code, run.stdout + run.stderr);
      assert.ok(run.elapsedMs < 20_000, `the running step was not stopped (${run.elapsedMs} ms)`);
      assert.match(run.stdout, new RegExp(`${signal} received`));
      assert.ok(run.calls.some(isDownOfE2EProject), run.calls.join("\n"));
      assertOnlyE2EProject(run.calls);
    });
  }

  it("SIGKILL of the process make/turbo started (turbo does this) still leads to the teardown", async () => {
    const run = await runHarness(
      { FAKE_DOCKER_PULL_DELAY: "30", ...NO_IMAGES },
      { signal: "SIGKILL", signalWhen: PULLING },
    );
    assert.equal(run.exitCode, null, "the front was killed");
    assert.ok(run.elapsedMs < 20_000, `the worker did not notice (${run.elapsedMs} ms)`);
    assert.match(run.stdout, /the process that started the run is gone/);
    assert.ok(run.calls.some(isDownOfE2EProject), run.calls.join("\n"));
    assertOnlyE2EProject(run.calls);
  });

  it("SIGTERM to `npm run e2e` (how turbo starts it) reaches the harness, which tears down", async () => {
    const run = await runHarness(
      { FAKE_DOCKER_PULL_DELAY: "30", ...NO_IMAGES },
      { signal: "SIGTERM", signalWhen: PULLING, viaNpm: true },
    );
    assert.ok(run.elapsedMs < 20_000, `npm did not pass the signal on (${run.elapsedMs} ms)`);
    assert.match(run.stdout, /SIGTERM received/);
    assert.ok(run.calls.some(isDownOfE2EProject), run.calls.join("\n"));
  });
});
