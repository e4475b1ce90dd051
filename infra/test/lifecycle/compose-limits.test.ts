/**
 * Lifecycle limits of the Compose file, read through the real Compose v2 parser (no engine needed): how
 * long `make stop` lets Tempo shut down, and OpenSearch's open-file limit, which an engine without
 * CAP_SYS_RESOURCE cannot grant.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import {
  composeFile,
  envExampleFile,
  isolatedEnv,
  loadEnvExample,
  requireTool,
} from "../support/compose-files.ts";

/** Tempo 3.0.3 measured on a real engine: about 30 s from SIGTERM to exit ("job timeout expired"). */
const TEMPO_SHUTDOWN_SECONDS = 30;

const EVERY_PROFILE = ["--profile", "core", "--profile", "observability"];

interface Service {
  stop_grace_period?: string;
  ulimits?: { nofile?: { soft?: number; hard?: number } };
}

function resolved(t: TestContext, env: Record<string, string> = {}): Record<string, Service> | null {
  if (!requireTool(t, "docker-compose", "install Docker Compose v2 (Debian: apt-get install docker-compose)"))
    return null;
  const dir = mkdtempSync(join(tmpdir(), "wpdb-limits-"));
  try {
    const result = spawnSync(
      "docker-compose",
      ["--env-file", envExampleFile, "-f", composeFile, ...EVERY_PROFILE, "config", "--format", "json"],
      { cwd: dir, env: isolatedEnv(env), encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stderr);
    return (JSON.parse(result.stdout) as { services: Record<string, Service> }).services;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const seconds = (duration = "10s") => {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  assert.ok(match, `unexpected duration ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
};

describe("Compose lifecycle limits", () => {
  it("tempo's stop grace period covers its measured shutdown, so make stop does not SIGKILL it", (t) => {
    const services = resolved(t);
    if (!services) return;
    const grace = seconds(services.tempo?.stop_grace_period);
    assert.ok(grace > TEMPO_SHUTDOWN_SECONDS, `tempo gets ${grace} s to stop; it needs about 30 s`);
  });

  it("opensearch's open-file limit is 65536 by default and OPENSEARCH_NOFILE changes it", (t) => {
    assert.equal(loadEnvExample().get("OPENSEARCH_NOFILE")?.value, "65536", ".env.example must keep 65536");
    const byDefault = resolved(t);
    if (!byDefault) return;
    assert.deepEqual(byDefault.opensearch?.ulimits?.nofile, { soft: 65536, hard: 65536 });
    const lowered = resolved(t, { OPENSEARCH_NOFILE: "4096" });
    assert.deepEqual(lowered?.opensearch?.ulimits?.nofile, { soft: 4096, hard: 4096 });
  });
});
