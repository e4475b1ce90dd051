import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { Ajv2019 } from "ajv/dist/2019.js";
import { requireTool } from "../support/compose-files.ts";
import { repoRoot } from "../support/paths.ts";
import {
  type ComposeConfig,
  type ComposeService,
  composeFilesOf,
  type DevContainerConfig,
  devcontainerDir,
  isReadVariable,
  loadDevcontainer,
  loadWorkspaceCompose,
  makeTargets,
  makeTargetsCalled,
  mergedCompose,
  parseJsonc,
  readerSources,
  relayRoutes,
} from "./devcontainer-files.ts";

const COMPOSE_INSTALL =
  "install Docker Compose v2 (Debian: apt-get install docker-compose; or the docker-compose-plugin)";
const schemaFixture = resolve(import.meta.dirname, "fixtures/devContainer.base.schema.json");
const schemaReadme = resolve(import.meta.dirname, "fixtures/README.md");

function validateAgainstSchema(config: unknown): string[] {
  const schema = JSON.parse(readFileSync(schemaFixture, "utf8")) as Record<string, unknown>;
  // The schema carries VS Code's own keywords (allowComments, ...) and uri formats: not validation rules.
  const ajv = new Ajv2019({ strict: false, validateFormats: false, allErrors: true });
  const validate = ajv.compile(schema);
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
}

describe("devcontainer.json: well-formed", () => {
  it("parses as JSONC (comments allowed, no trailing commas)", () => {
    const config = loadDevcontainer();
    assert.equal(config.service, "workspace");
    assert.throws(
      () => parseJsonc('{ "a": 1, }', "sample"),
      /not valid JSONC: .*Trailing comma|ValueExpected/i,
    );
  });

  it("validates against the Dev Container spec's schema", () => {
    assert.deepEqual(validateAgainstSchema(loadDevcontainer()), []);
    // The same check rejects what the spec forbids.
    const broken = { ...loadDevcontainer(), shutdownAction: "stopContainerAndPray" };
    assert.notDeepEqual(validateAgainstSchema(broken), []);
    const unknownKey = { ...loadDevcontainer(), forwardPort: [3000] };
    assert.notDeepEqual(validateAgainstSchema(unknownKey), []);
  });

  it("the fixture is the unmodified upstream schema recorded in fixtures/README.md", () => {
    // The clone holds everything this needs: the README records the upstream file's sha256.
    const recorded = /sha256 `([0-9a-f]{64})`/.exec(readFileSync(schemaReadme, "utf8"))?.[1];
    assert.ok(recorded, "fixtures/README.md must record the schema's sha256");
    assert.equal(createHash("sha256").update(readFileSync(schemaFixture)).digest("hex"), recorded);
  });
});

describe("devcontainer.json: composition with the stack", () => {
  let config: DevContainerConfig;
  let merged: ComposeConfig | undefined;
  let mergeError = "";
  before(() => {
    config = loadDevcontainer();
    const result = mergedCompose(composeFilesOf(config));
    merged = result.config;
    mergeError = result.stderr;
  });

  function requireMerged(t: TestContext): ComposeConfig | undefined {
    if (!requireTool(t, "docker-compose", COMPOSE_INSTALL)) return undefined;
    assert.ok(merged, `docker-compose rejected the merged files: ${mergeError}`);
    return merged;
  }

  it("lists the stack's Compose file first, then the workspace file, both existing", () => {
    const files = composeFilesOf(config);
    assert.deepEqual(files, [
      resolve(repoRoot, "infra/docker-compose.yml"),
      resolve(devcontainerDir, "docker-compose.workspace.yml"),
    ]);
    for (const file of files) assert.ok(existsSync(file), `dockerComposeFile entry missing: ${file}`);
  });

  it("passes the Compose v2 parser merged with the infra file (config -q)", (t) => {
    if (!requireTool(t, "docker-compose", COMPOSE_INSTALL)) return;
    const args = composeFilesOf(config).flatMap((f) => ["-f", f]);
    const result = spawnSync("docker-compose", [...args, "config", "-q"], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
  });

  it("service and every runServices entry exist; runServices is the whole stack plus the workspace", (t) => {
    const compose = requireMerged(t);
    if (!compose) return;
    const services = Object.keys(compose.services).sort();
    assert.ok(services.includes(config.service), `service "${config.service}" is not in the merged config`);
    for (const name of config.runServices)
      assert.ok(services.includes(name), `runServices: unknown "${name}"`);
    // A service added to the stack must also be started by the dev container, unless it is opt-in.
    const optIn = (name: string) => compose.services[name]?.profiles?.includes("cache") === true;
    assert.deepEqual(
      [...config.runServices].sort(),
      services.filter((name) => !optIn(name)),
    );
  });

  it("is one project named by the stack (the workspace joins the stack's default network)", (t) => {
    const compose = requireMerged(t);
    if (!compose) return;
    assert.equal(compose.name, "wallpaperdb");
    const workspace = loadWorkspaceCompose().services.workspace;
    assert.ok(workspace, "docker-compose.workspace.yml defines no workspace service");
    assert.equal(
      (workspace as Record<string, unknown>).networks,
      undefined,
      "workspace must stay on default",
    );
    assert.equal((workspace as Record<string, unknown>).network_mode, undefined);
    assert.equal(workspace.profiles, undefined, "the workspace must exist whatever profiles are active");
  });

  it("the workspace file only adds: it overrides no stack service", () => {
    const own = Object.keys(loadWorkspaceCompose().services);
    assert.deepEqual(own, ["workspace"]);
  });

  it("mounts the repository at workspaceFolder", (t) => {
    const compose = requireMerged(t);
    if (!compose) return;
    const mounts = compose.services.workspace?.volumes ?? [];
    const repoMount = mounts.find((v) => v.target === config.workspaceFolder);
    assert.ok(repoMount, `nothing is mounted at ${config.workspaceFolder}`);
    assert.equal(repoMount.type, "bind");
    assert.equal(
      repoMount.source,
      repoRoot,
      "'..' in the workspace file must resolve to the repository root",
    );
  });

  it("pins the workspace image to an exact devcontainers typescript-node tag with Node 22 or 24", () => {
    const image = loadWorkspaceCompose().services.workspace?.image ?? "";
    assert.match(
      image,
      /^mcr\.microsoft\.com\/devcontainers\/typescript-node:\d+\.\d+\.\d+-(22|24)-bookworm$/,
    );
    assert.equal(loadWorkspaceCompose().services.workspace?.init, true);
  });

  it("pins docker-outside-of-docker to an exact feature version", () => {
    const ids = Object.keys(config.features);
    const dood = ids.filter((id) =>
      id.startsWith("ghcr.io/devcontainers/features/docker-outside-of-docker:"),
    );
    assert.equal(dood.length, 1, `features: ${ids.join(", ")}`);
    assert.match(String(dood[0]), /:\d+\.\d+\.\d+$/, "pin the feature to x.y.z, not a major tag");
  });
});

describe("devcontainer.json: ports", () => {
  const config = loadDevcontainer();
  const command = [loadWorkspaceCompose().services.workspace?.command ?? []].flat().join("\n");
  const routes = relayRoutes(command);

  it("forwards plain port numbers only (Codespaces cannot forward service:port)", () => {
    for (const port of config.forwardPorts) assert.equal(typeof port, "number", `forwardPorts: ${port}`);
  });

  it("the port relay listens on exactly the forwarded ports", () => {
    assert.deepEqual(
      routes.map((r) => r.listenPort).sort((a, b) => a - b),
      [...(config.forwardPorts as number[])].sort((a, b) => a - b),
    );
    assert.deepEqual(relayRoutes("node .devcontainer/port-relay.mjs 1=a:2"), [
      { listenPort: 1, service: "a", port: 2 },
    ]);
  });

  it("each forwarded port is a service's container port, published on the same default host port", (t) => {
    if (!requireTool(t, "docker-compose", COMPOSE_INSTALL)) return;
    const compose: ComposeConfig | undefined = mergedCompose(composeFilesOf(config)).config;
    assert.ok(compose);
    for (const route of routes) {
      const service: ComposeService | undefined = compose.services[route.service];
      assert.ok(service, `relay target "${route.service}" is not a Compose service`);
      const ports: { target: number; published?: string }[] = service.ports ?? [];
      const published = ports.find((p) => p.target === route.port);
      assert.ok(published, `${route.service} publishes no container port ${route.port}`);
      // Same number as on the host (with .env.example): one URL to remember, wherever you work.
      assert.equal(Number(published.published), route.listenPort, `${route.service}:${route.port}`);
    }
  });

  it("labels every forwarded port, among them the UIs and the APIs", () => {
    const attributes = config.portsAttributes;
    assert.deepEqual(Object.keys(attributes).sort(), config.forwardPorts.map(String).sort());
    for (const [port, attr] of Object.entries(attributes)) assert.ok(attr.label, `port ${port} has no label`);
    const labels = Object.values(attributes).map((a) => a.label ?? "");
    for (const wanted of [
      /Grafana/,
      /MinIO console/,
      /Dashboards/,
      /Prometheus/,
      /S3 API/,
      /OpenSearch API/,
    ]) {
      assert.ok(
        labels.some((l) => wanted.test(l)),
        `no label matches ${wanted}`,
      );
    }
  });
});

describe("devcontainer.json: environment and commands", () => {
  const config = loadDevcontainer();
  const sources = readerSources();

  it("every variable the workspace gets is one the tools, the scripts or Compose read", () => {
    const composeEnv = Object.keys(loadWorkspaceCompose().services.workspace?.environment ?? {});
    const names = [
      ...Object.keys(config.containerEnv ?? {}),
      ...Object.keys(config.remoteEnv ?? {}),
      ...composeEnv,
    ];
    assert.ok(names.length > 5, "expected the endpoint variables");
    const unread = names.filter((name) => !isReadVariable(name, sources));
    assert.deepEqual(unread, [], `set but never read: ${unread.join(", ")}`);
    // The check itself can fail.
    assert.equal(isReadVariable("WALLPAPERDB_SET_BUT_NEVER_READ", sources), false);
  });

  it("points the tools at the services by name and container port", () => {
    const env = loadWorkspaceCompose().services.workspace?.environment ?? {};
    assert.match(String(env.DATABASE_URL), /@postgres:5432\//);
    assert.equal(env.S3_ENDPOINT, "http://minio:9000");
    assert.equal(env.NATS_URL, "nats://nats:4222");
    assert.equal(env.OPENSEARCH_URL, "http://opensearch:9200");
    assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, "http://otel-collector:4318");
    assert.equal(env.GRAFANA_URL, "http://grafana:3000");
  });

  it("no workspace variable changes how the stack's Compose file interpolates", () => {
    // Otherwise `make start` inside the container would compute other service configs than the
    // dev container CLI did on the host, and recreate the services.
    const infra = readFileSync(resolve(repoRoot, "infra/docker-compose.yml"), "utf8");
    const interpolated = new Set([...infra.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => String(m[1])));
    const env = Object.keys(loadWorkspaceCompose().services.workspace?.environment ?? {});
    const both = [...env, ...Object.keys(config.containerEnv ?? {})].filter((name) => interpolated.has(name));
    assert.deepEqual(both, []);
  });

  it("gives the scripts the host path of the workspace (Docker-outside-of-Docker bind mounts)", () => {
    // The dev container variable, literally (resolved by the editor or the CLI, not by JavaScript).
    assert.equal(config.containerEnv?.HOST_WORKSPACE_FOLDER, ["${", "localWorkspaceFolder}"].join(""));
  });

  it("lifecycle commands call make targets that exist", () => {
    const targets = makeTargets();
    const called = [
      ...makeTargetsCalled(config.postCreateCommand),
      ...makeTargetsCalled(config.postStartCommand),
    ];
    assert.deepEqual([...new Set(called)].sort(), ["seed", "status", "wait"]);
    for (const target of called) assert.ok(targets.has(target), `make ${target} does not exist`);
    assert.match(config.postCreateCommand, /^npm ci\b/);
    // The same parser notices a target that does not exist.
    assert.equal(makeTargets("start: ## x\n").has("nonexistent"), false);
    assert.deepEqual(makeTargetsCalled("make wait; x=$?; make status"), ["wait", "status"]);
  });

  it("initializeCommand runs host-side scripts that exist, without Node", () => {
    const command = String(config.initializeCommand);
    assert.doesNotMatch(command, /\b(node|npm|npx|make)\b/);
    for (const script of ["initialize.sh", "initialize.cmd"]) {
      assert.ok(command.includes(script), `initializeCommand does not call ${script}`);
      assert.ok(existsSync(join(devcontainerDir, script)), `${script} is missing`);
    }
  });

  it("a Windows checkout gets LF shell scripts (sh fails on a CR) and a CRLF initialize.cmd", () => {
    const files = [
      ".devcontainer/initialize.sh",
      "infra/scripts/env-identity.sh",
      "Makefile",
      ".env.example",
    ];
    const eol = (path: string) =>
      spawnSync("git", ["check-attr", "eol", "--", path], { cwd: repoRoot, encoding: "utf8" }).stdout.trim();
    for (const path of files) assert.match(eol(path), /: eol: lf$/, path);
    assert.match(eol(".devcontainer/initialize.cmd"), /: eol: crlf$/);
  });

  it("initialize.cmd derives the identity with Git for Windows' sh, and without one refuses a taken project", () => {
    const script = readFileSync(join(devcontainerDir, "initialize.cmd"), "utf8");
    assert.match(script, /"%posix_sh%" \.devcontainer\/initialize\.sh\r?\nexit \/b %errorlevel%/);
    assert.match(script, /call :refuse_taken_project \|\| exit \/b 1\r?\n\s*copy \/y \.env\.example \.env/);
    assert.match(script, /label=com\.docker\.compose\.project=%project%/);
  });

  it("keeps data when the editor closes: stopCompose or none, never a removal", () => {
    assert.ok(["stopCompose", "none"].includes(config.shutdownAction), config.shutdownAction);
  });

  it("asks for a host that fits the stack's 4.5 GiB budget plus the workspace", () => {
    const { cpus, memory, storage } = config.hostRequirements;
    assert.ok(cpus >= 2);
    assert.ok(Number.parseInt(memory, 10) >= 8 && /gb$/.test(memory), memory);
    assert.ok(Number.parseInt(storage, 10) >= 32 && /gb$/.test(storage), storage);
  });

  it("recommends the editor extensions for Docker, Biome, YAML and PostgreSQL", () => {
    const extensions = config.customizations.vscode.extensions;
    for (const wanted of [
      /vscode-containers|vscode-docker/,
      /biome|eslint/,
      /vscode-yaml/,
      /pgsql|postgres/,
    ]) {
      assert.ok(
        extensions.some((e) => wanted.test(e)),
        `no extension matches ${wanted}`,
      );
    }
  });
});

describe("devcontainer read-configuration", () => {
  let stubDir = "";
  before(() => {
    stubDir = mkdtempSync(join(tmpdir(), "wpdb-devcontainer-"));
    // read-configuration only asks Docker for an existing container: answer "none".
    writeFileSync(
      join(stubDir, "docker"),
      `#!/bin/sh\necho "$*" >> "${stubDir}/calls.log"\ncase "$1" in ps) exit 0 ;; esac\nexit 1\n`,
    );
    chmodSync(join(stubDir, "docker"), 0o755);
  });
  after(() => rmSync(stubDir, { recursive: true, force: true }));

  it("resolves the configuration with the dev container CLI", () => {
    const cli = resolve(repoRoot, "node_modules/.bin/devcontainer");
    assert.ok(existsSync(cli), "node_modules/.bin/devcontainer missing: run npm ci");
    const result = spawnSync(
      cli,
      ["read-configuration", "--workspace-folder", repoRoot, "--docker-path", join(stubDir, "docker")],
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(result.status, 0, `${result.stderr}\n${result.stdout}`);
    const { configuration } = JSON.parse(result.stdout) as { configuration: DevContainerConfig };
    assert.equal(configuration.service, "workspace");
    assert.equal(configuration.workspaceFolder, "/workspaces/wallpaperdb");
    // ${localWorkspaceFolder} resolved to the folder the CLI was given.
    assert.equal(configuration.containerEnv?.HOST_WORKSPACE_FOLDER, repoRoot);
  });
});
