import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { STACK_CONTRACT } from "../../src/compose-rules.ts";
import { composeFile, envExampleFile, isolatedEnv, requireTool } from "../support/compose-files.ts";
import { infraDir } from "../support/paths.ts";

// The real Compose v2 parser and validator. Runs in a temp working directory with an explicit
// --env-file and a scrubbed environment, so neither the repository's .env nor the developer's
// shell variables are what gets tested.

const INSTALL =
  "install Docker Compose v2 (Debian: apt-get install docker-compose; or the docker-compose-plugin)";
const NO_ENV = "/dev/null";

let workDir = "";
let envCopy = "";

function compose(args: string[], envFile: string, file = composeFile) {
  return spawnSync("docker-compose", ["--env-file", envFile, "-f", file, ...args], {
    cwd: workDir,
    env: isolatedEnv(),
    encoding: "utf8",
  });
}

function profileFlags(profiles: string[]): string[] {
  return profiles.flatMap((p) => ["--profile", p]);
}

function servicesOf(profile: string): string[] {
  return Object.entries(STACK_CONTRACT.services)
    .filter(([, s]) => s.profile === profile)
    .map(([name]) => name)
    .sort();
}

function ready(t: TestContext): boolean {
  return requireTool(t, "docker-compose", INSTALL);
}

/** The services a plain start starts: every service of the contract but the opt-in ones. */
const DEFAULT_STACK = Object.entries(STACK_CONTRACT.services)
  .filter(([, spec]) => !spec.optIn)
  .map(([name]) => name)
  .sort();

describe("docker-compose config accepts infra/docker-compose.yml", () => {
  before(() => {
    workDir = mkdtempSync(join(tmpdir(), "wpdb-compose-"));
    envCopy = join(workDir, "env-example-copy");
    copyFileSync(envExampleFile, envCopy);
  });
  after(() => rmSync(workDir, { recursive: true, force: true }));

  const cases: [string, string[]][] = [
    ["core", ["core"]],
    ["observability", ["observability"]],
    ["both profiles", ["core", "observability"]],
  ];
  for (const [label, profiles] of cases) {
    it(`passes config -q with .env.example and with no .env at all (${label})`, (t) => {
      if (!ready(t)) return;
      for (const envFile of [envCopy, NO_ENV]) {
        const result = compose([...profileFlags(profiles), "config", "-q"], envFile);
        assert.equal(result.status, 0, `env file ${envFile}: ${result.stderr}`);
        assert.equal(result.stderr.trim(), "", `Compose warned (env file ${envFile}): ${result.stderr}`);
      }
    });
  }

  it("resolves to the same stack with no .env as with .env.example (defaults match)", (t) => {
    if (!ready(t)) return;
    const flags = [...profileFlags(["core", "observability"]), "config", "--format", "json"];
    const withExample = compose(flags, envCopy);
    const withNothing = compose(flags, NO_ENV);
    assert.equal(withExample.status, 0, withExample.stderr);
    assert.equal(withNothing.status, 0, withNothing.stderr);
    assert.deepEqual(JSON.parse(withNothing.stdout), JSON.parse(withExample.stdout));
  });

  it("each profile selects exactly its services; core and observability the ten of a plain start", (t) => {
    if (!ready(t)) return;
    const services = (profiles: string[], envFile = NO_ENV) => {
      const result = compose([...profileFlags(profiles), "config", "--services"], envFile);
      assert.equal(result.status, 0, result.stderr);
      return result.stdout.trim().split("\n").filter(Boolean).sort();
    };
    assert.deepEqual(services(["core"]), servicesOf("core"));
    assert.deepEqual(services(["observability"]), servicesOf("observability"));
    assert.deepEqual(services(["cache"]), ["cache"]);
    assert.deepEqual(services(["core", "observability"]), DEFAULT_STACK);
  });

  it("a bare `up` with .env.example starts the default stack, not the opt-in cache (COMPOSE_PROFILES), --profile narrows it", (t) => {
    if (!ready(t)) return;
    const bare = compose(["config", "--services"], envCopy);
    assert.equal(bare.status, 0, bare.stderr);
    assert.deepEqual(bare.stdout.trim().split("\n").sort(), DEFAULT_STACK);
    const narrowed = compose(["--profile", "core", "config", "--services"], envCopy);
    assert.deepEqual(narrowed.stdout.trim().split("\n").sort(), servicesOf("core"));
  });

  it("is named wallpaperdb, and COMPOSE_PROJECT_NAME renames it (two checkouts side by side)", (t) => {
    if (!ready(t)) return;
    const nameOf = (envFile: string) => {
      const result = compose([...profileFlags(["core"]), "config", "--format", "json"], envFile);
      assert.equal(result.status, 0, result.stderr);
      return (JSON.parse(result.stdout) as { name: string }).name;
    };
    assert.equal(nameOf(NO_ENV), "wallpaperdb");
    const renamed = join(workDir, "env-renamed");
    writeFileSync(renamed, "COMPOSE_PROJECT_NAME=wallpaperdb-feature-x\n");
    assert.equal(nameOf(renamed), "wallpaperdb-feature-x");
  });

  it("publishes host ports only on 127.0.0.1 by default", (t) => {
    if (!ready(t)) return;
    const result = compose(
      [...profileFlags(["core", "observability"]), "config", "--format", "json"],
      NO_ENV,
    );
    const config = JSON.parse(result.stdout) as {
      services: Record<string, { ports?: { host_ip?: string }[] }>;
    };
    const ips = Object.values(config.services).flatMap((s) => (s.ports ?? []).map((p) => p.host_ip));
    assert.ok(ips.length >= 13, `expected the 13 contract ports, got ${ips.length}`);
    assert.ok(
      ips.every((ip) => ip === "127.0.0.1"),
      `host_ip values: ${ips.join(", ")}`,
    );
  });

  it("every bind-mounted config file or folder exists in the repository", (t) => {
    if (!ready(t)) return;
    const result = compose(
      [...profileFlags(["core", "observability"]), "config", "--format", "json"],
      NO_ENV,
    );
    assert.equal(result.status, 0, result.stderr);
    const config = JSON.parse(result.stdout) as {
      services: Record<string, { volumes?: { type: string; source: string; target: string }[] }>;
    };
    const missing: string[] = [];
    for (const [name, service] of Object.entries(config.services)) {
      for (const mount of service.volumes ?? []) {
        if (mount.type !== "bind") continue;
        const wantDir = STACK_CONTRACT.services[name]?.configMounts.some(
          (m) => m.target === mount.target && !/\.[a-z]+$/.test(m.source),
        );
        const where = `${name}: infra/${relative(infraDir, mount.source)} (-> ${mount.target})`;
        let stat: ReturnType<typeof statSync> | undefined;
        try {
          stat = statSync(mount.source);
        } catch {
          missing.push(`${where} does not exist; Docker would create an empty directory there`);
          continue;
        }
        if (wantDir !== stat.isDirectory()) missing.push(`${where} must be a ${wantDir ? "folder" : "file"}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it("the validator is live: a broken copy is rejected", (t) => {
    if (!ready(t)) return;
    const broken = join(workDir, "broken.yml");
    writeFileSync(
      broken,
      "name: wallpaperdb\nservices:\n  nats:\n    image: nats:2.14.7-alpine\n    healthcheck:\n      intervall: 5s\n",
    );
    const result = compose(["config", "-q"], NO_ENV, broken);
    assert.notEqual(result.status, 0);
    assert.match(result.stderr, /intervall/);
  });
});
