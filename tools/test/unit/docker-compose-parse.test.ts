import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  composeBaseArgs,
  INFRA_DIR,
  parseComposeVersion,
  profileArgs,
  projectDirectory,
} from "../../src/docker/compose.ts";
import { parseContainerList, parsePorts, parseStatus } from "../../src/docker/containers.ts";
import { parseDockerInfo } from "../../src/docker/engine.ts";
import { atLeast, parseVersion } from "../../src/docker/version.ts";

// Rows of `docker ps --format CONTAINER_LIST_FORMAT` as Docker Engine 26 printed them for the engine tier's stack.
const rows = [
  "wpdb-postgres-1\tpostgres\trunning\tUp About a minute (healthy)\tpostgres:16.15-alpine3.24\t127.0.0.1:16514->5432/tcp",
  "wpdb-otel-collector-1\totel-collector\trunning\tUp About a minute\totel/opentelemetry-collector-contrib:0.160.0\t8888/tcp, 13133/tcp, 127.0.0.1:16521->4317/tcp, 127.0.0.1:16522->4318/tcp",
  "wpdb-tempo-1\ttempo\trunning\tUp 3 seconds (health: starting)\tgrafana/tempo:3.0.3\t4317-4318/tcp, 127.0.0.1:16525->3200/tcp",
  "wpdb-minio-1\tminio\texited\tExited (137) 5 seconds ago\tquay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z\t",
  "wpdb-nats-1\tnats\tpaused\tUp 2 minutes (Paused)\tnats:2.14.7-alpine\t127.0.0.1:4222->4222/tcp",
].join("\n");

describe("parseContainerList", () => {
  it("reads service, state, health and exit code from the engine's rows", () => {
    assert.deepEqual(
      parseContainerList(`${rows}\n`).map((c) => [c.name, c.service, c.state, c.health, c.exitCode]),
      [
        ["wpdb-postgres-1", "postgres", "running", "healthy", 0],
        ["wpdb-otel-collector-1", "otel-collector", "running", "", 0],
        ["wpdb-tempo-1", "tempo", "running", "starting", 0],
        ["wpdb-minio-1", "minio", "exited", "", 137],
        ["wpdb-nats-1", "nats", "paused", "", 0],
      ],
    );
  });

  it("keeps only published ports (an exposed port or range is not published)", () => {
    const [, collector, tempo] = parseContainerList(rows);
    assert.deepEqual(
      collector?.publishers.map((p) => [p.url, p.publishedPort, p.targetPort]),
      [
        ["127.0.0.1", 16521, 4317],
        ["127.0.0.1", 16522, 4318],
      ],
    );
    assert.deepEqual(
      tempo?.publishers.map((p) => p.publishedPort),
      [16525],
    );
  });

  it("treats empty output and blank lines as no containers, and skips a row without a Compose service", () => {
    assert.deepEqual(parseContainerList(""), []);
    assert.deepEqual(parseContainerList("\n\n"), []);
    assert.deepEqual(parseContainerList("lonely\t\trunning\tUp 1 second\talpine\t"), []);
  });

  it("rejects output of another form instead of reporting an empty stack", () => {
    assert.throws(() => parseContainerList("NAMES  SERVICE  STATE"), /unexpected line from docker ps/);
  });
});

describe("parseStatus", () => {
  it("reads an unhealthy and a restarting container", () => {
    assert.deepEqual(parseStatus("Up 1 minute (unhealthy)"), { health: "unhealthy", exitCode: 0 });
    assert.deepEqual(parseStatus("Restarting (1) 2 seconds ago"), { health: "", exitCode: 1 });
    assert.deepEqual(parseStatus("Created"), { health: "", exitCode: 0 });
  });
});

describe("parsePorts", () => {
  it("expands a published range and reads IPv6 addresses in both of Docker's spellings", () => {
    assert.deepEqual(
      parsePorts("127.0.0.1:8000-8001->9000-9001/tcp, [::1]:5432->5432/tcp, :::6379->6379/tcp").map((p) => [
        p.url,
        p.publishedPort,
        p.targetPort,
      ]),
      [
        ["127.0.0.1", 8000, 9000],
        ["127.0.0.1", 8001, 9001],
        ["::1", 5432, 5432],
        ["::", 6379, 6379],
      ],
    );
  });
});

describe("compose invocation", () => {
  const target = {
    command: ["docker", "compose"],
    projectName: "wallpaperdb",
    composeFile: "/repo/infra/docker-compose.yml",
    envFile: "/repo/.env",
    projectDirectory: "/repo/infra",
  };

  it("carries project, file, env file and project directory, like lib.sh", () => {
    assert.deepEqual(composeBaseArgs(target), [
      "compose",
      "-p",
      "wallpaperdb",
      "-f",
      "/repo/infra/docker-compose.yml",
      "--env-file",
      "/repo/.env",
      "--project-directory",
      "/repo/infra",
    ]);
  });

  it("works with the standalone docker-compose and without an env file", () => {
    const args = composeBaseArgs({ ...target, command: ["docker-compose"], envFile: undefined });
    assert.equal(args[0], "-p");
    assert.ok(!args.includes("--env-file"));
  });

  it("resolves bind mounts on the Docker host under Docker-outside-of-Docker", () => {
    assert.equal(projectDirectory("/Users/me/src/wallpaperdb/"), "/Users/me/src/wallpaperdb/infra");
    assert.equal(projectDirectory(undefined), INFRA_DIR);
    assert.equal(projectDirectory("  "), INFRA_DIR);
  });

  it("names every profile when none is chosen, so stop and ps see the whole stack", () => {
    assert.deepEqual(profileArgs([]), [
      "--profile",
      "core",
      "--profile",
      "observability",
      "--profile",
      "cache",
    ]);
    assert.deepEqual(profileArgs(["core"]), ["--profile", "core"]);
  });
});

describe("versions", () => {
  it("reads Compose's three version formats", () => {
    assert.deepEqual(parseComposeVersion("Docker Compose version v2.29.7"), [2, 29, 7]);
    assert.deepEqual(parseComposeVersion("2.26.1-4\n"), [2, 26, 1]);
    assert.deepEqual(parseComposeVersion('{"version":"v2.24.0-desktop.1"}'), [2, 24, 0]);
    assert.equal(parseComposeVersion("garbage"), undefined);
  });

  it("compares numerically, not as text", () => {
    assert.ok(atLeast("2.100.0", "2.24.0"));
    assert.ok(!atLeast("2.9.0", "2.24.0"));
    assert.ok(atLeast("25.0", "25.0.0"));
    assert.ok(!atLeast("24.0.9", "25.0.0"));
    assert.equal(parseVersion("no digits"), undefined);
  });
});

describe("parseDockerInfo", () => {
  it("reads the facts doctor needs", () => {
    const info = parseDockerInfo(
      JSON.stringify({
        ServerVersion: "28.2.2",
        MemTotal: 8e9,
        NCPU: 4,
        Architecture: "aarch64",
        OSType: "linux",
      }),
    );
    assert.equal(info?.serverVersion, "28.2.2");
    assert.equal(info?.architecture, "aarch64");
    assert.equal(info?.memTotalBytes, 8e9);
  });

  it("reports no engine when the client printed only its own half (ServerVersion empty)", () => {
    assert.equal(
      parseDockerInfo(JSON.stringify({ ServerVersion: "", ClientInfo: { Version: "28.2.2" } })),
      undefined,
    );
    assert.equal(parseDockerInfo(""), undefined);
  });
});
