import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { devboxJsonFile, makeTargets, makeTargetsCalled } from "./devcontainer-files.ts";

// devbox.json: the same toolchain without a container. Devbox itself is not installed here (it
// needs Nix), so these tests check the file and run its shell hooks with plain sh.

interface Devbox {
  packages: string[];
  env: Record<string, string>;
  shell: { init_hook: string[]; scripts: Record<string, string> };
}

function loadDevbox(): Devbox {
  return JSON.parse(readFileSync(devboxJsonFile, "utf8")) as Devbox;
}

/** "name@version" → [name, version]; the version may itself contain "@" in no case we use. */
function splitPackage(entry: string): [string, string] {
  const at = entry.lastIndexOf("@");
  return at <= 0 ? [entry, ""] : [entry.slice(0, at), entry.slice(at + 1)];
}

describe("devbox.json", () => {
  it("is valid JSON with packages, env and shell", () => {
    const devbox = loadDevbox();
    assert.ok(Array.isArray(devbox.packages));
    assert.equal(typeof devbox.env, "object");
    assert.ok(Array.isArray(devbox.shell.init_hook));
  });

  it("pins every package to an exact version (never latest, never a bare name)", () => {
    for (const entry of loadDevbox().packages) {
      const [name, version] = splitPackage(entry);
      assert.match(name, /^[a-z0-9][a-z0-9_-]*$/, entry);
      assert.match(version, /^\d[0-9A-Za-z.-]*$/, `${entry}: pin with @x.y.z`);
      assert.ok(version.split(/[.-]/).length >= 2 || /^\d{4}-/.test(version), `${entry}: too loose`);
    }
    assert.throws(() => assert.match(splitPackage("jq@latest")[1], /^\d[0-9A-Za-z.-]*$/));
  });

  it("brings the whole toolchain: Node 20+, make, Docker CLI and Compose, psql, nats, mc, jq", () => {
    const names = new Map(loadDevbox().packages.map(splitPackage));
    for (const wanted of [
      "gnumake",
      "docker-client",
      "docker-compose",
      "postgresql",
      "natscli",
      "minio-client",
      "jq",
    ]) {
      assert.ok(names.has(wanted), `missing package ${wanted}`);
    }
    assert.ok(Number.parseInt(names.get("nodejs") ?? "0", 10) >= 20, "nodejs must be 20 or newer");
    // Compose v2 or newer: the stack uses healthcheck start_interval (Compose 2.20+).
    const [major = 0, minor = 0] = (names.get("docker-compose") ?? "0").split(".").map(Number);
    assert.ok(major > 2 || (major === 2 && minor >= 20), "docker-compose must be 2.20 or newer");
  });

  it("turns Turborepo telemetry off", () => {
    assert.equal(loadDevbox().env.TURBO_TELEMETRY_DISABLED, "1");
  });

  it("every script calls a make target that exists", () => {
    const targets = makeTargets();
    const scripts = Object.entries(loadDevbox().shell.scripts);
    assert.ok(scripts.length >= 5);
    for (const [name, command] of scripts) {
      const called = makeTargetsCalled(command);
      assert.ok(called.length > 0, `script ${name} does not go through make: ${command}`);
      for (const target of called)
        assert.ok(targets.has(target), `script ${name}: make ${target} does not exist`);
    }
    for (const wanted of ["start", "stop", "test"]) assert.ok(loadDevbox().shell.scripts[wanted], wanted);
  });

  it("init_hook creates .env once and installs npm dependencies only when needed", () => {
    const dir = mkdtempSync(join(tmpdir(), "wpdb-devbox-"));
    try {
      writeFileSync(join(dir, ".env.example"), "POSTGRES_PORT=5432\n");
      writeFileSync(join(dir, "package-lock.json"), "{}\n");
      // A stand-in npm that records its calls, first on PATH.
      mkdirSync(join(dir, "bin"));
      writeFileSync(join(dir, "bin/npm"), `#!/bin/sh\necho "$*" >> "${dir}/npm.log"\n`);
      chmodSync(join(dir, "bin/npm"), 0o755);
      const env = { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH ?? ""}` };
      const runHooks = () => {
        for (const hook of loadDevbox().shell.init_hook) {
          const result = spawnSync("sh", ["-c", hook], { cwd: dir, env, encoding: "utf8" });
          assert.equal(result.status, 0, `${hook}\n${result.stderr}`);
        }
      };
      runHooks();
      assert.equal(readFileSync(join(dir, ".env"), "utf8"), "POSTGRES_PORT=5432\n");
      assert.match(readFileSync(join(dir, "npm.log"), "utf8"), /^ci\b/);
      // Installed and up to date: no second npm ci; an edited .env is kept.
      mkdirSync(join(dir, "node_modules"));
      writeFileSync(join(dir, "node_modules/.package-lock.json"), "{}\n");
      rmSync(join(dir, "npm.log"));
      writeFileSync(join(dir, ".env"), "POSTGRES_PORT=6543\n");
      runHooks();
      assert.equal(existsSync(join(dir, "npm.log")), false, "npm ci ran although node_modules is current");
      assert.equal(readFileSync(join(dir, ".env"), "utf8"), "POSTGRES_PORT=6543\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
