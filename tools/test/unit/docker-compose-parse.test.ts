import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  composeBaseArgs,
  INFRA_DIR,
  parseComposePs,
  parseComposeVersion,
  profileArgs,
  projectDirectory,
} from "../../src/docker/compose.ts";
import { parseDockerInfo } from "../../src/docker/engine.ts";
import { atLeast, parseVersion } from "../../src/docker/version.ts";

const postgres = {
  Name: "wallpaperdb-postgres-1",
  Service: "postgres",
  State: "running",
  Health: "healthy",
  ExitCode: 0,
  Status: "Up 2 minutes (healthy)",
  Publishers: [{ URL: "127.0.0.1", TargetPort: 5432, PublishedPort: 5432, Protocol: "tcp" }],
};
const collector = {
  Name: "wallpaperdb-otel-collector-1",
  Service: "otel-collector",
  State: "running",
  Health: "",
  ExitCode: 0,
  Status: "Up 2 minutes",
  Publishers: [
    { URL: "127.0.0.1", TargetPort: 4318, PublishedPort: 4318, Protocol: "tcp" },
    { URL: "", TargetPort: 13133, PublishedPort: 0, Protocol: "tcp" },
  ],
};

describe("parseComposePs", () => {
  it("reads the NDJSON of Compose 2.21+ (one object per line)", () => {
    const containers = parseComposePs(`${JSON.stringify(postgres)}\n${JSON.stringify(collector)}\n`);
    assert.deepEqual(
      containers.map((c) => [c.service, c.state, c.health]),
      [
        ["postgres", "running", "healthy"],
        ["otel-collector", "running", ""],
      ],
    );
  });

  it("reads the single JSON array of older Compose the same way", () => {
    const fromArray = parseComposePs(JSON.stringify([postgres, collector]));
    const fromLines = parseComposePs(`${JSON.stringify(postgres)}\n${JSON.stringify(collector)}`);
    assert.deepEqual(fromArray, fromLines);
  });

  it("keeps only really published ports (an exposed, unpublished port has PublishedPort 0)", () => {
    const [, parsed] = parseComposePs(JSON.stringify([postgres, collector]));
    assert.deepEqual(
      parsed?.publishers.map((p) => p.publishedPort),
      [4318],
    );
  });

  it("treats empty output, an empty array and blank lines as no containers", () => {
    assert.deepEqual(parseComposePs(""), []);
    assert.deepEqual(parseComposePs("[]\n"), []);
    assert.deepEqual(parseComposePs("\n\n"), []);
  });

  it("rejects output that is not JSON instead of reporting an empty stack", () => {
    assert.throws(() => parseComposePs("NAME  IMAGE  STATUS"));
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
