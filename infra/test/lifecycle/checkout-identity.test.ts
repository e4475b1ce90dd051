/**
 * A project of the same name created from another checkout is that checkout's stack: every command that
 * acts on the project refuses it, names the other checkout and says how to pick another name, before any
 * compose call reaches its containers.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runDetached, sandbox } from "../support/fake-docker/fake-docker.ts";
import { repoRoot } from "../support/paths.ts";

const OTHER = "/home/dev/second-clone";

describe("a project of the same name from another checkout", () => {
  for (const target of [
    ["stop"],
    ["status"],
    ["logs"],
    ["seed"],
    ["verify"],
    ["reset", "CONFIRM=1"],
    ["start"],
  ])
    it(`make ${target.join(" ")} refuses it and touches none of its containers`, async () => {
      const box = await sandbox();
      // The .env a `make start` of this checkout would have created (status, seed and verify read it).
      copyFileSync(join(repoRoot, ".env.example"), box.envFile);
      try {
        const result = await runDetached("make", ["--no-print-directory", ...target], {
          cwd: repoRoot,
          env: {
            ...box.env,
            FAKE_DOCKER_FOREIGN_CONTAINERS: `${box.project}-postgres-1|${box.project}||${OTHER}/infra`,
          },
        });
        assert.notEqual(result.code, 0, result.output);
        assert.match(
          result.output,
          new RegExp(`project ${box.project} belongs to another checkout: ${OTHER}`, "i"),
        );
        assert.match(result.output, new RegExp(`COMPOSE_PROJECT_NAME=${box.project}-[a-z0-9_-]+`));
        assert.doesNotMatch(result.output, /^\s+at .+:\d+:\d+\)?$/m, "a stack trace");
        const acting = box.calls().filter((c) => / compose .*\b(up|stop|down|logs|ps)\b/.test(c));
        assert.deepEqual(acting, [], "a compose call reached the other checkout's project");
      } finally {
        box.cleanup();
      }
    });

  it("make start creating .env beside another checkout that holds the defaults writes a project and ports of its own", async () => {
    const box = await sandbox();
    try {
      const result = await runDetached("make", ["--no-print-directory", "start", "PROFILE=core"], {
        cwd: repoRoot,
        env: {
          ...box.env,
          FAKE_DOCKER_FOREIGN_CONTAINERS: `wallpaperdb-postgres-1|wallpaperdb|5432|${OTHER}/infra`,
        },
      });
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /another checkout on this engine holds the defaults/);
      const env = readFileSync(box.envFile, "utf8");
      assert.match(env, /^COMPOSE_PROJECT_NAME=wallpaperdb-[a-z0-9_-]+$/m);
      assert.match(env, /^POSTGRES_PORT=15532$/m);
      assert.match(env, /^GRAFANA_PORT=13100$/m);
    } finally {
      box.cleanup();
    }
  });
});
