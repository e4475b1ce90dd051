import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { isolatedEnv, requireTool } from "../support/compose-files.ts";
import { FAKE_DOCKER_DIR } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";

// The dev container CLI creates the stack's services on the HOST (Compose with both files, the
// project directory infra/, no --env-file). `make start` inside the container then runs Compose
// through infra/scripts/lib.sh (infra file only, --env-file .env, --project-directory
// "$HOST_WORKSPACE_FOLDER/infra"). Compose recreates a container whose config hash changed, so both
// must compute the same hash for every stack service. `docker-compose config --hash` prints
// exactly the hash Compose stores in the com.docker.compose.config-hash label.

const INSTALL = "install Docker Compose v2 (Debian: apt-get install docker-compose)";
const PROFILES = ["--profile", "core", "--profile", "observability"];

let hostCheckout = ""; // the repository as the Docker engine's host sees it
let scratch = "";

function ready(t: TestContext): boolean {
  return requireTool(t, "docker-compose", INSTALL);
}

function parseHashes(stdout: string): Map<string, string> {
  return new Map(
    stdout
      .trim()
      .split("\n")
      .map((line) => line.split(" ") as [string, string]),
  );
}

/** What the dev container CLI runs on the host for `up`. */
function devcontainerCliHashes(): Map<string, string> {
  const result = spawnSync(
    "docker-compose",
    [
      "--project-name",
      "wallpaperdb",
      "-f",
      join(hostCheckout, "infra/docker-compose.yml"),
      "-f",
      join(hostCheckout, ".devcontainer/docker-compose.workspace.yml"),
      ...PROFILES,
      "config",
      "--hash=*",
    ],
    { cwd: hostCheckout, env: isolatedEnv(), encoding: "utf8" },
  );
  assert.equal(result.status, 0, result.stderr);
  return parseHashes(result.stdout);
}

/** What `make start` runs inside the container: the lifecycle scripts' own compose() helper. */
function lifecycleScriptHashes(hostWorkspaceFolder: string | undefined): Map<string, string> {
  const env = isolatedEnv({ WALLPAPERDB_ENV_FILE: join(hostCheckout, ".env") });
  if (hostWorkspaceFolder !== undefined) env.HOST_WORKSPACE_FOLDER = hostWorkspaceFolder;
  const result = spawnSync(
    "bash",
    ["-c", `source infra/scripts/lib.sh && compose ${PROFILES.join(" ")} config --hash='*'`],
    { cwd: repoRoot, env, encoding: "utf8" },
  );
  assert.equal(result.status, 0, result.stderr);
  return parseHashes(result.stdout);
}

function stackServices(hashes: Map<string, string>): string[] {
  return [...hashes.keys()].filter((name) => name !== "workspace").sort();
}

describe("make targets in the dev container do not recreate what the dev container started", () => {
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), "wpdb-norecreate-"));
    // A different path than the repository: inside the container the repository is elsewhere
    // (/workspaces/wallpaperdb) than on the engine's host.
    hostCheckout = join(scratch, "home/dev/wallpaperdb");
    mkdirSync(join(hostCheckout, ".devcontainer"), { recursive: true });
    cpSync(resolve(repoRoot, "infra/docker-compose.yml"), join(hostCheckout, "infra/docker-compose.yml"), {
      recursive: true,
    });
    for (const file of [
      ".devcontainer/docker-compose.workspace.yml",
      ".devcontainer/initialize.sh",
      "infra/scripts/env-identity.sh",
      ".env.example",
    ]) {
      cpSync(resolve(repoRoot, file), join(hostCheckout, file));
    }
    // initializeCommand on the host: .env and the infra/.env link (an engine without other checkouts).
    const init = spawnSync("sh", [".devcontainer/initialize.sh"], {
      cwd: hostCheckout,
      env: { ...process.env, PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH ?? ""}` },
      encoding: "utf8",
    });
    assert.equal(init.status, 0, init.stderr);
    // A user who changed ports and a password before the first start.
    const env = readFileSync(join(hostCheckout, ".env"), "utf8")
      .replace(/^POSTGRES_PORT=.*$/m, "POSTGRES_PORT=6543")
      .replace(/^POSTGRES_PASSWORD=.*$/m, "POSTGRES_PASSWORD=changed-by-the-user")
      .replace(/^GRAFANA_PORT=.*$/m, "GRAFANA_PORT=3300");
    writeFileSync(join(hostCheckout, ".env"), env);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("every stack service has the same config hash either way", (t) => {
    if (!ready(t)) return;
    const cli = devcontainerCliHashes();
    const scripts = lifecycleScriptHashes(hostCheckout);
    assert.ok(stackServices(cli).length >= 10, `services: ${stackServices(cli).join(", ")}`);
    assert.deepEqual(stackServices(scripts), stackServices(cli));
    for (const name of stackServices(cli))
      assert.equal(scripts.get(name), cli.get(name), `${name} would be recreated`);
  });

  it("without HOST_WORKSPACE_FOLDER the bind-mounting services would be recreated (why it is set)", (t) => {
    if (!ready(t)) return;
    const cli = devcontainerCliHashes();
    const scripts = lifecycleScriptHashes(undefined);
    for (const name of ["nats", "prometheus", "grafana"])
      assert.notEqual(scripts.get(name), cli.get(name), name);
  });

  it("without the infra/.env link a customised .env would recreate postgres (why initialize links it)", (t) => {
    if (!ready(t)) return;
    rmSync(join(hostCheckout, "infra/.env"));
    try {
      assert.notEqual(
        lifecycleScriptHashes(hostCheckout).get("postgres"),
        devcontainerCliHashes().get("postgres"),
      );
    } finally {
      const init = spawnSync("sh", [".devcontainer/initialize.sh"], { cwd: hostCheckout, encoding: "utf8" });
      assert.equal(init.status, 0, init.stderr);
    }
  });
});

describe("make targets in the dev container never remove the dev container", () => {
  // For Compose run with infra/docker-compose.yml alone, the workspace container is an orphan of
  // the project: `down --remove-orphans` (or COMPOSE_REMOVE_ORPHANS) would delete the very container
  // the editor is attached to, from inside it.
  it("no lifecycle script removes orphans", () => {
    const scripts = readdirSync(resolve(repoRoot, "infra/scripts")).filter((f) => f.endsWith(".sh"));
    assert.ok(scripts.length > 0);
    const offenders = scripts.filter((file) => {
      const code = readFileSync(resolve(repoRoot, "infra/scripts", file), "utf8").replace(
        /(^|\s)#.*$/gm,
        "$1",
      );
      return /--remove-orphans|COMPOSE_REMOVE_ORPHANS/.test(code);
    });
    assert.deepEqual(offenders, []);
  });
});
