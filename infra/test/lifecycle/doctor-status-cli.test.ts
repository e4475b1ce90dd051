/**
 * doctor and status through the tools CLI against the fake docker: real listeners for the port checks, and
 * --json output validated against the documented schemas.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { Ajv } from "ajv";
import {
  hostPortOf,
  makeIn,
  occupy,
  runDetached,
  type Sandbox,
  sandbox,
} from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";

const schema = (name: string) =>
  new Ajv({ allErrors: true }).compile(
    JSON.parse(readFileSync(`${repoRoot}/tools/src/commands/${name}.schema.json`, "utf8")),
  );
const validateDoctor = schema("doctor");
const validateStatus = schema("status");

const cli = (box: Sandbox, args: string[], env: NodeJS.ProcessEnv = {}) =>
  runDetached("node", ["--import", "tsx", "src/cli.ts", ...args], {
    cwd: `${repoRoot}/tools`,
    env: { ...box.env, ...env },
  });

interface DoctorJson {
  ok: boolean;
  stackRunning: boolean;
  findings: { code: string; status: string; title: string; fix?: string; data?: Record<string, unknown> }[];
}

const parse = (stdout: string) => JSON.parse(stdout) as DoctorJson;

describe("doctor", () => {
  it("finds a port really taken by another listener: port, service, owner and the variable that moves it", async () => {
    const box = await sandbox();
    const release = await occupy([hostPortOf(box.ports, "POSTGRES_PORT")]);
    try {
      const result = await cli(box, ["doctor", "--json"]);
      assert.equal(result.code, 1, result.output);
      const report = parse(result.stdout);
      assert.ok(validateDoctor(report), JSON.stringify(validateDoctor.errors));
      const taken = report.findings.filter((f) => f.code === "PORT_TAKEN");
      assert.equal(taken.length, 1, JSON.stringify(taken));
      assert.deepEqual(
        { port: taken[0]?.data?.port, variable: taken[0]?.data?.variable, service: taken[0]?.data?.service },
        { port: hostPortOf(box.ports, "POSTGRES_PORT"), variable: "POSTGRES_PORT", service: "postgres" },
      );
      assert.match(taken[0]?.fix ?? "", /set POSTGRES_PORT=\d+ in \.env/);
      assert.equal(report.ok, false);

      const human = await cli(box, ["doctor"]);
      assert.equal(human.code, 1);
      assert.match(
        human.stdout,
        new RegExp(
          `✗ port ${hostPortOf(box.ports, "POSTGRES_PORT")} \\(postgres SQL, POSTGRES_PORT\\) is taken`,
        ),
      );
      assert.match(human.stdout, /^ {4}fix: /m);
    } finally {
      await release();
      box.cleanup();
    }
  });

  it("names the container and Compose project of another checkout that holds a port", async () => {
    const box = await sandbox();
    box.env.FAKE_DOCKER_FOREIGN_CONTAINERS = `wallpaperdb-main-grafana-1|wallpaperdb-main|${hostPortOf(box.ports, "GRAFANA_PORT")}`;
    const release = await occupy([hostPortOf(box.ports, "GRAFANA_PORT")]);
    try {
      const result = await cli(box, ["doctor", "--json"]);
      const taken = parse(result.stdout).findings.find((f) => f.code === "PORT_TAKEN");
      assert.match(
        taken?.title ?? "",
        /container wallpaperdb-main-grafana-1 of Compose project "wallpaperdb-main" \(stop it: docker compose -p wallpaperdb-main stop\)/,
      );
      assert.equal(result.code, 1);
    } finally {
      await release();
      box.cleanup();
    }
  });

  it("accepts ports held by this stack, reports the stack as running, and validates against its schema", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    const release = await occupy(Object.values(box.ports));
    try {
      const result = await cli(box, ["doctor", "--json"]);
      const report = parse(result.stdout);
      assert.ok(validateDoctor(report), JSON.stringify(validateDoctor.errors));
      assert.equal(report.ok, true, result.output);
      assert.equal(report.stackRunning, true);
      assert.match(report.findings.find((f) => f.code === "PORTS_OK")?.title ?? "", /13 held by this stack/);
      assert.equal(result.code, 0);
    } finally {
      await release();
      box.cleanup();
    }
  });

  it("blocks an old engine and an old Compose, reports .env drift and invalid values, with a fix each", async () => {
    const box = await sandbox({
      FAKE_DOCKER_ENGINE_VERSION: "24.0.7",
      FAKE_DOCKER_COMPOSE_VERSION: "2.20.3",
    });
    writeFileSync(box.envFile, "POSTGRES_PROT=5432\nSTACK_START_TIMEOUT=soon\nCOMPOSE_PROJECT_NAME=x\n");
    try {
      // Unset, not empty: an empty shell variable would hide the file's value (as in Compose).
      const result = await cli(box, ["doctor", "--json"], { STACK_START_TIMEOUT: undefined });
      const report = parse(result.stdout);
      assert.ok(validateDoctor(report), JSON.stringify(validateDoctor.errors));
      const codes = report.findings.map((f) => f.code);
      for (const code of [
        "ENGINE_TOO_OLD",
        "COMPOSE_TOO_OLD",
        "ENV_INVALID",
        "ENV_MISSING_KEYS",
        "ENV_UNKNOWN_KEYS",
      ])
        assert.ok(codes.includes(code), `${code} missing from ${codes.join(", ")}`);
      assert.match(
        report.findings.find((f) => f.code === "ENV_UNKNOWN_KEYS")?.title ?? "",
        /did you mean POSTGRES_PORT/,
      );
      assert.match(report.findings.find((f) => f.code === "ENV_INVALID")?.title ?? "", /STACK_START_TIMEOUT/);
      assert.equal(result.code, 1);
    } finally {
      box.cleanup();
    }
  });

  it("detects a wrong Docker-outside-of-Docker bind path before anything starts, and accepts the right one", async () => {
    const box = await sandbox({ FAKE_DOCKER_BIND_MAP: `/host/src/wallpaperdb=${repoRoot}` });
    try {
      const wrong = await cli(box, ["doctor", "--json"], { HOST_WORKSPACE_FOLDER: "/host/elsewhere" });
      const wrongReport = parse(wrong.stdout);
      assert.ok(validateDoctor(wrongReport), JSON.stringify(validateDoctor.errors));
      assert.equal(wrongReport.findings.find((f) => f.code.startsWith("BIND_PATH"))?.code, "BIND_PATH_WRONG");
      assert.equal(wrong.code, 1);

      const right = await cli(box, ["doctor", "--json"], { HOST_WORKSPACE_FOLDER: "/host/src/wallpaperdb" });
      const rightReport = parse(right.stdout);
      assert.equal(
        rightReport.findings.find((f) => f.code.startsWith("BIND_PATH"))?.code,
        "BIND_PATH_OK",
        right.output,
      );
      assert.ok(
        box.calls().some((c) => c.includes("--mount type=bind,src=/host/src/wallpaperdb/tmp/.bind-probe-")),
        "the self-test must mount through the host path",
      );
    } finally {
      box.cleanup();
    }
  });

  it("without an engine: one blocking finding with the pointer, no stack trace", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "no-engine" });
    try {
      const result = await cli(box, ["doctor"]);
      assert.equal(result.code, 1);
      assert.match(result.stdout, /✗ cannot reach a Docker engine/);
      assert.match(result.stdout, /dev container.*devbox/);
      assert.doesNotMatch(result.output, /^\s+at /m);
    } finally {
      box.cleanup();
    }
  });
});

describe("status --json", () => {
  it("matches its schema when up (exit 0) and when a service is down (exit 1)", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    copyFileSync(`${repoRoot}/.env.example`, box.envFile);
    try {
      const up = await cli(box, ["status", "--json"]);
      assert.equal(up.code, 0, up.output);
      const report = JSON.parse(up.stdout) as { ok: boolean; services: unknown[] };
      assert.ok(validateStatus(report), JSON.stringify(validateStatus.errors));
      assert.equal(report.services.length, 10);
      assert.doesNotMatch(up.stdout, /wallpaperdb-dev-password/);

      await runDetached("docker", ["compose", "-p", box.project, "stop"], { cwd: repoRoot, env: box.env });
      const down = await cli(box, ["status", "--json"]);
      assert.equal(down.code, 1);
      const downReport = JSON.parse(down.stdout) as { ok: boolean };
      assert.ok(validateStatus(downReport), JSON.stringify(validateStatus.errors));
      assert.equal(downReport.ok, false);
    } finally {
      box.cleanup();
    }
  });
});

describe("make status JSON=1 and make doctor JSON=1", () => {
  // -W: make sees a tools source as just edited, so it rebuilds the bundle before the command, as after a pull.
  const makeJson = (box: Sandbox, target: string) =>
    runDetached("make", ["--no-print-directory", "-W", "tools/src/cli.ts", target, "JSON=1"], {
      cwd: repoRoot,
      env: box.env,
    });

  it("print exactly one JSON document on stdout, also when make rebuilds the tools first (a pipe to jq works)", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    copyFileSync(`${repoRoot}/.env.example`, box.envFile);
    const release = await occupy(Object.values(box.ports));
    try {
      const status = await makeJson(box, "status");
      assert.equal(status.code, 0, status.output);
      assert.match(
        status.output,
        /Bringing the tools CLI up to date/,
        "make did not bring the bundle up to date",
      );
      assert.ok(
        validateStatus(JSON.parse(status.stdout)),
        `stdout is not one status document:\n${status.stdout}`,
      );

      const doctor = await makeJson(box, "doctor");
      assert.equal(doctor.code, 0, doctor.output);
      assert.ok(
        validateDoctor(JSON.parse(doctor.stdout)),
        `stdout is not one doctor document:\n${doctor.stdout}`,
      );
    } finally {
      await release();
      box.cleanup();
    }
  });
});

describe("questions to the engine", () => {
  const versionCalls = (box: Sandbox) => box.calls().filter((c) => / version\b/.test(c));

  it("make doctor and a make start that finds the stack running ask the engine and Compose's version once", async () => {
    const box = await sandbox({ FAKE_DOCKER_SCENARIO: "ports-held-by-stack" });
    copyFileSync(`${repoRoot}/.env.example`, box.envFile);
    const release = await occupy(Object.values(box.ports));
    try {
      const doctor = await makeIn(box, ["doctor"]);
      assert.equal(doctor.code, 0, doctor.output);
      assert.deepEqual(versionCalls(box), ["docker compose version"]);

      const before = box.calls().length;
      const start = await makeIn(box, ["start"]);
      assert.equal(start.code, 0, start.output);
      assert.match(start.output, /already runs and is healthy/);
      const startCalls = box.calls().slice(before);
      assert.deepEqual(versionCalls(box).slice(1), ["docker compose version"], startCalls.join("\n"));
      assert.equal(startCalls.filter((c) => c.startsWith("docker info")).length, 1, startCalls.join("\n"));
    } finally {
      await release();
      box.cleanup();
    }
  });

  it("a first make start asks the engine for its containers once per process and asks Compose nothing before up", async () => {
    const box = await sandbox();
    try {
      const start = await makeIn(box, ["start", "PROFILE=core"]);
      assert.equal(start.code, 0, start.output);
      const calls = box.calls();
      // Besides the .env creation's look at the ports held: the scripts' check of the project's owner, then
      // the tools' one listing (owner, other stacks, and whether the project has containers at all).
      const listings = calls.filter((c) => c.startsWith("docker ps -a") && !c.includes("{{.Ports}}"));
      assert.deepEqual(
        listings.map((c) => (c.includes("--filter label=com.docker.compose.project=") ? "scripts" : "tools")),
        ["scripts", "tools"],
        calls.join("\n"),
      );
      // Nothing of the project exists yet: no `compose ps` or `compose config` is worth its 0.2 s before up.
      const up = calls.findIndex((c) => / compose .* up /.test(`${c} `));
      assert.ok(up > 0, calls.join("\n"));
      const composeBeforeUp = calls
        .slice(0, up)
        .filter((c) => / compose /.test(c) && !/ compose version/.test(c));
      assert.deepEqual(composeBeforeUp, [], calls.join("\n"));
    } finally {
      box.cleanup();
    }
  });
});
