import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  diagnoseServices,
  diagnosisSummary,
  healthcheckMayPass,
  type ServiceEvidence,
} from "../../src/commands/diagnose-rules.ts";
import { durationSeconds, memoryLimitOf, nextHealthcheckSeconds } from "../../src/docker/compose-file.ts";
import type { ComposeContainer } from "../../src/docker/containers.ts";
import { type ContainerDetails, parseInspect } from "../../src/docker/inspect.ts";

/**
 * `docker inspect` of three containers as Docker Engine 26.1 printed them (only Name and State kept): one the
 * kernel killed for memory, one whose healthcheck fails, one that could not start because its port was taken.
 */
const REAL_INSPECT = JSON.stringify([
  {
    Name: "/wallpaperdb-postgres-1",
    State: {
      Status: "exited",
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: true,
      Dead: false,
      Pid: 0,
      ExitCode: 137,
      Error: "",
      StartedAt: "2026-12-01T23:21:19.70926107Z",
      FinishedAt: "2026-12-01T23:21:19.757296383Z",
      Health: { Status: "unhealthy", FailingStreak: 0, Log: [] },
    },
    HostConfig: { Memory: 536870912 },
    Image: "sha256:4f1c2d",
    Config: {
      Image: "postgres:16.4-alpine",
      Labels: {
        "com.docker.compose.config-hash": "9e1a0c7b3f",
        "com.docker.compose.project.working_dir": "/home/dev/wallpaperdb/infra",
      },
    },
  },
  {
    Name: "/wallpaperdb-opensearch-1",
    State: {
      Status: "running",
      Running: true,
      OOMKilled: false,
      ExitCode: 0,
      Error: "",
      Health: {
        Status: "unhealthy",
        FailingStreak: 6,
        Log: [
          {
            Start: "2026-12-01T23:21:25.5Z",
            End: "2026-12-01T23:21:25.6Z",
            ExitCode: 1,
            Output: "starting\n",
          },
          {
            Start: "2026-12-01T23:21:29.8Z",
            End: "2026-12-01T23:21:29.9Z",
            ExitCode: 7,
            Output: "curl: (7) Failed to connect to localhost port 9200\n",
          },
        ],
      },
    },
  },
  {
    Name: "/wallpaperdb-minio-1",
    State: {
      Status: "created",
      Running: false,
      OOMKilled: false,
      ExitCode: 128,
      Error:
        "driver failed programming external connectivity on endpoint wallpaperdb-minio-1 (65b3aba4): Bind for 127.0.0.1:9000 failed: port is already allocated",
      StartedAt: "0001-01-01T00:00:00Z",
      FinishedAt: "0001-01-01T00:00:00Z",
    },
  },
]);

const container = (service: string, state: string, health = "", exitCode = 0): ComposeContainer => ({
  service,
  name: `wallpaperdb-${service}-1`,
  state,
  health,
  exitCode,
  status: state,
  image: "",
  publishers: [],
});

const details = (overrides: Partial<ContainerDetails>): ContainerDetails => ({
  status: "running",
  exitCode: 0,
  oomKilled: false,
  error: "",
  health: "",
  failingStreak: 0,
  lastHealthcheck: undefined,
  memoryLimitBytes: 0,
  configHash: "",
  workingDir: "",
  imageRef: "",
  imageId: "",
  ...overrides,
});

const evidence = (
  service: string,
  c: ComposeContainer | undefined,
  d?: Partial<ContainerDetails>,
  memory = { variable: undefined as string | undefined, value: "512m" },
): ServiceEvidence => ({ service, container: c, details: d ? details(d) : undefined, memory });

const afterStart = { project: "wallpaperdb", startLimitSeconds: 300 };

describe("docker inspect", () => {
  it("reads the exit code, the OOM kill, the reason a container never started and the last healthcheck", () => {
    const parsed = parseInspect(REAL_INSPECT);
    assert.deepEqual(parsed.get("wallpaperdb-postgres-1"), {
      status: "exited",
      exitCode: 137,
      oomKilled: true,
      error: "",
      health: "unhealthy",
      failingStreak: 0,
      lastHealthcheck: undefined,
      memoryLimitBytes: 536870912,
      configHash: "9e1a0c7b3f",
      workingDir: "/home/dev/wallpaperdb/infra",
      imageRef: "postgres:16.4-alpine",
      imageId: "sha256:4f1c2d",
    });
    assert.deepEqual(parsed.get("wallpaperdb-opensearch-1")?.lastHealthcheck, {
      exitCode: 7,
      output: "curl: (7) Failed to connect to localhost port 9200\n",
    });
    assert.equal(parsed.get("wallpaperdb-opensearch-1")?.failingStreak, 6);
    assert.match(parsed.get("wallpaperdb-minio-1")?.error ?? "", /port is already allocated/);
    assert.equal(parseInspect("not json").size, 0);
  });
});

describe("diagnosing a failed start", () => {
  it("an OOM kill names the memory limit to raise: the .env variable, or the Compose file's mem_limit", () => {
    const oom = { status: "exited", exitCode: 137, oomKilled: true };
    const opensearch = memoryLimitOf({ mem_limit: `\${OPENSEARCH_MEM_LIMIT:-1536m}` }, {});
    const [viaEnv] = diagnoseServices(
      [{ ...evidence("opensearch", container("opensearch", "exited", "", 137), oom), memory: opensearch }],
      afterStart,
    );
    assert.equal(viaEnv?.kind, "oom");
    assert.match(viaEnv?.what ?? "", /killed for memory \(exit code 137/);
    assert.match(viaEnv?.fix ?? "", /^raise OPENSEARCH_MEM_LIMIT in \.env \(now 1536m\)/);

    const [literal] = diagnoseServices(
      [
        evidence("postgres", container("postgres", "exited", "", 137), {
          ...oom,
          memoryLimitBytes: 512 * 1024 ** 2,
        }),
      ],
      afterStart,
    );
    assert.match(
      literal?.what ?? "",
      /needs more than its limit of 512 MiB$/,
      "the limit the engine enforced",
    );
    assert.match(literal?.fix ?? "", /raise its mem_limit \(512m\) in infra\/docker-compose\.yml/);
    const summary = diagnosisSummary(
      [literal].filter((d) => d !== undefined),
      afterStart,
    );
    assert.equal(summary.what, "The start failed: postgres killed for memory");
    assert.doesNotMatch(summary.fixes.join("\n"), /STACK_START_TIMEOUT/);
  });

  it("exit 137 without an OOM kill is a kill from outside, not a memory problem", () => {
    const [killed] = diagnoseServices(
      [evidence("tempo", container("tempo", "exited", "", 137), { status: "exited", exitCode: 137 })],
      afterStart,
    );
    assert.equal(killed?.kind, "killed");
    assert.match(killed?.what ?? "", /not for memory/);
    assert.doesNotMatch(killed?.fix ?? "", /mem_limit|MEM_LIMIT/);
  });

  it("a container that never started shows the engine's State.Error instead of (empty) log lines", () => {
    const error = "Bind for 127.0.0.1:9000 failed: port is already allocated";
    const [never] = diagnoseServices(
      [evidence("minio", container("minio", "created"), { status: "created", exitCode: 128, error })],
      afterStart,
    );
    assert.equal(never?.kind, "never-started");
    assert.ok(never?.what.endsWith(error), never?.what);
    assert.equal(never?.showLogs, false);
    assert.match(never?.fix ?? "", /make doctor names who holds it/);
  });

  it("an open-files limit the engine cannot grant points at OPENSEARCH_NOFILE", () => {
    // What Engine 26.1 says when it runs without CAP_SYS_RESOURCE and nofile is above its own limit.
    const error =
      "failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: unknown";
    const [never] = diagnoseServices(
      [
        evidence("opensearch", container("opensearch", "created"), {
          status: "created",
          exitCode: 128,
          error,
        }),
      ],
      afterStart,
    );
    assert.match(never?.fix ?? "", /OPENSEARCH_NOFILE/);
  });

  it("unhealthy with a passing last check (Docker after an unpause) is recovering; a start waits for a next check only when nothing crashed", () => {
    const diagnoses = diagnoseServices(
      [
        evidence("nats", container("nats", "running", "unhealthy"), {
          failingStreak: 0,
          lastHealthcheck: { exitCode: 0, output: "" },
        }),
      ],
      afterStart,
    );
    assert.equal(diagnoses[0]?.kind, "recovering");
    assert.equal(healthcheckMayPass(diagnoses), true);
    const failing = diagnoseServices(
      [
        evidence("nats", container("nats", "running", "unhealthy"), {
          failingStreak: 3,
          lastHealthcheck: { exitCode: 1, output: "wget: server returned error: HTTP/1.1 503" },
        }),
      ],
      afterStart,
    );
    assert.equal(failing[0]?.kind, "unhealthy");
    assert.equal(healthcheckMayPass(failing), true, "a failing healthcheck may pass at the next check");
    const crashed = diagnoseServices(
      [
        evidence("nats", container("nats", "running", "unhealthy"), { failingStreak: 3 }),
        evidence("postgres", container("postgres", "exited", "", 1), { status: "exited", exitCode: 1 }),
      ],
      afterStart,
    );
    assert.equal(healthcheckMayPass(crashed), false, "a crash is reported at once");
  });

  it("an unhealthy service shows its failing healthcheck's last output", () => {
    const [unhealthy] = diagnoseServices(
      [
        evidence("opensearch", container("opensearch", "running", "unhealthy"), {
          lastHealthcheck: { exitCode: 7, output: "curl: (7) Failed to connect\n" },
        }),
      ],
      afterStart,
    );
    assert.deepEqual(unhealthy?.details, ["last healthcheck (exit 7): curl: (7) Failed to connect"]);
  });

  it("only a service still starting after the whole limit is a timeout; next to an early failure it is not the cause", () => {
    const starting = evidence("opensearch", container("opensearch", "running", "starting"), {});
    const alone = diagnoseServices([starting], afterStart);
    const timeout = diagnosisSummary(alone, afterStart);
    assert.match(timeout.what, /^The stack did not become healthy within 300s \(STACK_START_TIMEOUT\)/);
    assert.match(timeout.fixes[0] ?? "", /raise STACK_START_TIMEOUT in \.env \(now 300\)/);

    const crashed = evidence("nats", container("nats", "exited", "", 1), { status: "exited", exitCode: 1 });
    const early = diagnoseServices([starting, crashed], afterStart);
    assert.equal(early.find((d) => d.service === "opensearch")?.fix, undefined);
    const summary = diagnosisSummary(early, afterStart);
    assert.equal(summary.what, "The start failed: nats exited (code 1)");
    assert.doesNotMatch(summary.fixes.join("\n"), /STACK_START_TIMEOUT/);
  });

  it("a paused container is unpaused, a missing one started", () => {
    const diagnoses = diagnoseServices(
      [evidence("nats", container("nats", "paused"), { status: "paused" }), evidence("grafana", undefined)],
      { project: "wallpaperdb" },
    );
    assert.deepEqual(diagnosisSummary(diagnoses, { project: "wallpaperdb" }).fixes, [
      "nats: docker compose -p wallpaperdb unpause nats",
      "grafana: make start",
    ]);
  });
});

describe("the next healthcheck", () => {
  it("is one interval plus the timeout away, from the Compose file's durations (Docker's 30 s defaults)", () => {
    assert.equal(durationSeconds("10s"), 10);
    assert.equal(durationSeconds("1m30s"), 90);
    assert.equal(durationSeconds("500ms"), 0.5);
    assert.equal(durationSeconds("ten"), undefined);
    assert.equal(nextHealthcheckSeconds({ healthcheck: { interval: "10s", timeout: "5s" } }), 15);
    assert.equal(nextHealthcheckSeconds(undefined), 60);
  });
});
