/**
 * Engine tier: the real dev container CLI (`devcontainer up`) brings this repository's dev container up
 * with every service of runServices on the real engine. Only what needs a registry is replaced: the
 * workspace image by a local stand-in (./devcontainer/Dockerfile) and the docker-outside-of-docker
 * feature by the mounted socket (./devcontainer/docker-compose.standin.yml). Then make inside and on the
 * host act on the same project without recreating anything.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { applyEdits, modify } from "jsonc-parser";
import { type RunResult, runDetached } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";
import { type Checkout, makeCheckout } from "./support/checkout.ts";
import { containers, docker, engineTier, ensureImages } from "./support/engine.ts";

const HERE = import.meta.dirname;

/**
 * The devcontainer CLI builds an image per workspace folder (vsc-<folder>-<hash>, and its -uid layer on top):
 * a throwaway checkout's go with it, or every run of the tier would leave two behind.
 */
function removeWorkspaceImages(workspace: string): void {
  const prefix = `vsc-${basename(workspace).toLowerCase()}-`;
  const images = spawnSync("docker", ["images", "--format", "{{.Repository}}"], { encoding: "utf8" })
    .stdout.split("\n")
    .filter((name) => name.startsWith(prefix));
  if (images.length > 0) spawnSync("docker", ["rmi", "--force", ...images], { stdio: "ignore" });
}
const WORKSPACE_IMAGE = "wpdb-workspace-standin:local";
const CLI = join(repoRoot, "node_modules", ".bin", "devcontainer");
const STACK = [
  "grafana",
  "loki",
  "minio",
  "nats",
  "opensearch",
  "opensearch-dashboards",
  "otel-collector",
  "postgres",
  "prometheus",
  "tempo",
];

function which(name: string): string {
  const found = spawnSync("sh", ["-c", `readlink -f "$(command -v ${name})"`], {
    encoding: "utf8",
  }).stdout.trim();
  assert.ok(found, `${name} not found on PATH`);
  return found;
}

/** The workspace stand-in: this machine's node, npm, docker CLI and Compose plugin on the tier's base image. */
function buildWorkspaceImage(): void {
  const context = mkdtempSync(join(tmpdir(), "wpdb-workspace-image-"));
  try {
    cpSync(join(HERE, "devcontainer", "Dockerfile"), join(context, "Dockerfile"));
    cpSync(process.execPath, join(context, "node"));
    cpSync(dirname(dirname(which("npm"))), join(context, "npm"), { recursive: true });
    cpSync(which("docker"), join(context, "docker"));
    const plugin = spawnSync(
      "docker",
      ["info", "--format", "{{range .ClientInfo.Plugins}}{{.Path}} {{end}}"],
      {
        encoding: "utf8",
      },
    )
      .stdout.split(" ")
      .find((p) => p.endsWith("docker-compose"));
    cpSync(plugin ?? which("docker-compose"), join(context, "docker-compose"), { dereference: true });
    mkdirSync(join(context, "extra-ca"));
    const cas = "/usr/local/share/ca-certificates";
    for (const file of statSync(cas, { throwIfNoEntry: false }) ? readdirSync(cas) : [])
      if (file.endsWith(".crt")) cpSync(join(cas, file), join(context, "extra-ca", file));
    const gid = statSync("/var/run/docker.sock").gid;
    docker(["build", "-q", "--build-arg", `DOCKER_GID=${gid}`, "-t", WORKSPACE_IMAGE, context]);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** devcontainer.json for an engine without a registry: no features, the stand-in override added. */
function adaptDevcontainerJson(dir: string): void {
  const file = join(dir, ".devcontainer", "devcontainer.json");
  let text = readFileSync(file, "utf8");
  const edit = (path: string[], value: unknown) => {
    text = applyEdits(
      text,
      modify(text, path, value, { formattingOptions: { insertSpaces: true, tabSize: 2 } }),
    );
  };
  edit(["features"], undefined);
  edit(
    ["dockerComposeFile"],
    [
      "../infra/docker-compose.yml",
      "docker-compose.workspace.yml",
      "../infra/test/engine/devcontainer/docker-compose.standin.yml",
    ],
  );
  writeFileSync(file, text);
}

const stackIds = (project: string) =>
  Object.fromEntries(
    docker(["ps", "-aq", "--no-trunc", "--filter", `label=com.docker.compose.project=${project}`])
      .split("\n")
      .filter(Boolean)
      .map((id) => [
        docker(["inspect", "-f", '{{index .Config.Labels "com.docker.compose.service"}}', id]).trim(),
        id,
      ]),
  );

describe("engine tier: the dev container with every service", engineTier(), () => {
  let co: Checkout;
  let up: RunResult;
  const inside = (command: string) =>
    runDetached(CLI, ["exec", "--workspace-folder", co.dir, "bash", "-lc", command], {
      cwd: co.dir,
      env: co.env,
      timeoutMs: 240_000,
    });

  before(async () => {
    ensureImages();
    buildWorkspaceImage();
    co = await makeCheckout("devc", { linkNodeModules: false });
    adaptDevcontainerJson(co.dir);
    // Owned like a developer's checkout: the image's node user (uid 1000) works in it.
    spawnSync("chown", ["-R", "1000:1000", co.dir]);
    up = await runDetached(CLI, ["up", "--workspace-folder", co.dir, "--log-format", "text"], {
      cwd: co.dir,
      env: co.env,
      timeoutMs: 600_000,
    });
  });
  after(async () => {
    await co?.destroy();
    if (co) removeWorkspaceImages(co.dir);
  });

  it("devcontainer up: initialize on the host, postCreate installs and seeds, postStart shows every service healthy", () => {
    assert.equal(up.code, 0, up.output.slice(-6000));
    assert.match(up.output, /initialize: created|initializeCommand/);
    assert.match(up.output, /added \d+ packages/);
    assert.match(up.output, /seeded .*created/);
    for (const service of STACK)
      assert.match(up.output, new RegExp(`✓ ${service}\\b`), `status lacks ${service}`);
    const engine = containers(co.project);
    assert.deepEqual(engine.map((c) => c.service).sort(), [...STACK, "workspace"].sort());
    for (const c of engine) assert.equal(c.state, "running", `${c.service}: ${c.state}`);
  });

  it("make status, seed and start inside act on the same project and recreate nothing", async () => {
    const ids = stackIds(co.project);
    const status = await inside("make status");
    assert.equal(status.code, 0, status.output);
    assert.match(status.output, new RegExp(co.project));
    const seed = await inside("make seed");
    assert.equal(seed.code, 0, seed.output);
    assert.match(seed.output, /unchanged/);
    assert.doesNotMatch(seed.output, /[1-9]\d* (created|updated)/);
    const start = await inside("make start");
    assert.equal(start.code, 0, start.output);
    assert.deepEqual(stackIds(co.project), ids);
  });

  it("make snapshot, snapshots and restore inside work through the host's engine (streams, no bind path), the containers kept", async () => {
    const ids = stackIds(co.project);
    const snapshot = await inside("make snapshot NAME=inside");
    assert.equal(snapshot.code, 0, snapshot.output);
    // The workspace folder is the host's checkout: the snapshot lands there, whole.
    const manifest = JSON.parse(readFileSync(join(co.dir, ".snapshots/inside/manifest.json"), "utf8")) as {
      archives: { service: string; bytes: number }[];
    };
    assert.deepEqual(manifest.archives.map((a) => a.service).sort(), [
      "minio",
      "nats",
      "opensearch",
      "postgres",
    ]);
    for (const archive of manifest.archives)
      assert.ok(archive.bytes > 1024, `${archive.service}: ${archive.bytes} bytes`);
    const listed = await inside("make snapshots");
    assert.match(listed.output, /\binside\b/);
    const restore = await inside("make restore NAME=inside CONFIRM=1");
    assert.equal(restore.code, 0, restore.output);
    assert.deepEqual(stackIds(co.project), ids, "restore recreated containers of the dev container");
    for (const c of containers(co.project)) assert.equal(c.state, "running", `${c.service}: ${c.state}`);
  });

  it("make stop inside stops the stack and keeps the dev container; make start on the host brings it back as it was", async () => {
    const ids = stackIds(co.project);
    const stop = await inside("make stop");
    assert.equal(stop.code, 0, stop.output);
    for (const c of containers(co.project))
      assert.equal(c.state, c.service === "workspace" ? "running" : "exited", `${c.service}: ${c.state}`);
    const start = await co.make(["start"]);
    assert.equal(start.code, 0, start.output);
    assert.deepEqual(
      stackIds(co.project),
      ids,
      "the host's make start recreated containers of the dev container",
    );
    for (const c of containers(co.project)) assert.equal(c.state, "running", `${c.service}: ${c.state}`);
  });
});
