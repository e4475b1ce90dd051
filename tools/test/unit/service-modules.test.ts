// The modules list against the files a service also lives in: the Compose file, .env.example and the
// dev container. A service added in one place and forgotten in another fails here, naming it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { readEnvFile, repoRoot } from "../../src/config/env.ts";
import { DEFAULT_PROFILES, PROFILES, SERVICES } from "../../src/config/services.ts";
import { MODULES } from "../../src/services/modules.ts";

interface ComposeService {
  profiles?: string[];
  ports?: string[];
  volumes?: string[];
}
const compose = parse(readFileSync(join(repoRoot, "infra/docker-compose.yml"), "utf8")) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const example = readEnvFile(join(repoRoot, ".env.example"), {}).values;

test("every Compose service has a module and every module a Compose service, in the same profile", () => {
  assert.deepEqual(
    MODULES.map((m) => m.name),
    Object.keys(compose.services),
  );
  for (const m of MODULES) assert.deepEqual(compose.services[m.name]?.profiles, [m.profile], m.name);
  assert.equal(SERVICES, MODULES);
});

test("each port of a module is published by its Compose service from the same .env variable", () => {
  for (const m of MODULES)
    for (const p of m.ports) {
      const binding = `\${BIND_ADDRESS:-127.0.0.1}:\${${p.variable}:-${p.defaultHostPort}}:${p.containerPort}`;
      assert.ok(compose.services[m.name]?.ports?.includes(binding), `${m.name}: ${binding}`);
    }
});

test("every port variable of the modules is in .env.example with the module's default", () => {
  for (const p of MODULES.flatMap((m) => m.ports))
    assert.equal(example[p.variable], String(p.defaultHostPort), `${p.variable} in .env.example`);
});

test("the volume a module declares is the named volume its Compose service mounts there", () => {
  const declared = MODULES.flatMap((m) => [m.data, m.disposable].flatMap((v) => (v ? [{ m, v }] : [])));
  for (const { m, v } of declared) {
    assert.ok(v.volume in compose.volumes, `${m.name}: volume ${v.volume}`);
    assert.ok(compose.services[m.name]?.volumes?.includes(`${v.volume}:${v.mountPath}`), `${m.name}: mount`);
  }
  // Every named volume is accounted for: application data, or disposable.
  assert.deepEqual(declared.map(({ v }) => v.volume).sort(), Object.keys(compose.volumes).sort());
  assert.deepEqual(
    MODULES.filter((m) => m.data).map((m) => m.name),
    ["postgres", "minio", "opensearch", "nats"],
  );
});

test("a plain start starts every profile but the opt-in cache, as COMPOSE_PROFILES of .env.example says", () => {
  assert.deepEqual(PROFILES, ["core", "observability", "cache"]);
  assert.deepEqual(DEFAULT_PROFILES, ["core", "observability"]);
  assert.deepEqual(example.COMPOSE_PROFILES?.split(","), [...DEFAULT_PROFILES]);
});

test("the dev container forwards every published port of every module", () => {
  const text = readFileSync(join(repoRoot, ".devcontainer/devcontainer.json"), "utf8");
  const forwarded = /"forwardPorts":\s*\[([^\]]*)\]/.exec(text)?.[1]?.split(",").map(Number) ?? [];
  const browsable = MODULES.flatMap((m) => m.ports.map((p) => p.defaultHostPort));
  // The collector's gRPC port is left out on purpose (Codespaces forwards HTTP well, gRPC badly).
  assert.deepEqual(
    browsable.filter((port) => !forwarded.includes(port)),
    [4317],
  );
});

test("only the cache's folder (and the list of modules) knows the cache is Valkey/Redis", async () => {
  const { execFileSync } = await import("node:child_process");
  const files = execFileSync("git", ["grep", "--untracked", "-il", "valkey\\|redis", "--", "tools/src"], {
    cwd: repoRoot,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f !== "");
  assert.deepEqual(
    files.filter((f) => !f.startsWith("tools/src/services/cache/")),
    [],
    "mentions of Valkey/Redis outside tools/src/services/cache/",
  );
});
