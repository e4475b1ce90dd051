/**
 * A service added to the Compose file needs no edit in the scripts' profile check or the fake docker: both
 * read the file. Each test runs a copy of lib.sh / the fake beside a Compose file with one more service.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CONTAINER_LIST_FORMAT, parseContainerList } from "../../../tools/src/docker/containers.ts";
import { FAKE_DOCKER_DIR } from "../support/fake-docker/fake-docker.ts";
import { infraDir } from "../support/paths.ts";

// biome-ignore lint/suspicious/noTemplateCurlyInString: Compose expressions, written verbatim.
const SEARCH_PORTS = '    ports:\n      - "${BIND_ADDRESS:-127.0.0.1}:${SEARCH_PORT:-7700}:7700"\n';

/** A checkout-shaped folder whose Compose file has one more service, `search`, in the given profile. */
function checkoutWithSearch(profile: string): { infra: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "compose-derived-"));
  const infra = join(root, "infra");
  for (const dir of ["scripts", "test/support/fake-docker"]) mkdirSync(join(infra, dir), { recursive: true });
  for (const file of ["lib.sh", "env-identity.sh"])
    copyFileSync(join(infraDir, "scripts", file), join(infra, "scripts", file));
  copyFileSync(join(FAKE_DOCKER_DIR, "docker"), join(infra, "test/support/fake-docker/docker"));
  const compose = readFileSync(join(infraDir, "docker-compose.yml"), "utf8").replace(
    "\nservices:\n",
    `\nservices:\n  search:\n    image: getmeili/meilisearch:v1.12.8\n    profiles: [${profile}]\n${SEARCH_PORTS}`,
  );
  writeFileSync(join(infra, "docker-compose.yml"), compose);
  return { infra, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

const bash = (script: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync("bash", ["-c", script], {
    encoding: "utf8",
    env: { ...process.env, WALLPAPERDB_ENV_FILE: "/nonexistent/.env", ...env },
  });

describe("what the Compose file declares, the scripts and the fake know", () => {
  it("start accepts a new service's profile and stop/reset/logs include it", () => {
    const { infra, cleanup } = checkoutWithSearch("search");
    try {
      const result = bash(
        `source "${infra}/scripts/lib.sh"; add_profiles core,search; echo "\${PROFILES[*]}|\${ALL_PROFILE_ARGS[*]}"`,
      );
      assert.equal(result.status, 0, result.stderr);
      assert.equal(
        result.stdout.trim(),
        "core search|--profile search --profile core --profile observability --profile cache",
      );
      const unknown = bash(`source "${infra}/scripts/lib.sh"; add_profiles serach`);
      assert.equal(unknown.status, 2);
      assert.match(
        unknown.stderr,
        /✗ Unknown profile "serach"\.\n {2}fix: use PROFILE=core or PROFILE=observability, or the opt-in PROFILE=search or PROFILE=cache;/,
      );
    } finally {
      cleanup();
    }
  });

  it("the fake docker publishes a new core service's port from the Compose file", () => {
    const { infra, cleanup } = checkoutWithSearch("core");
    const state = mkdtempSync(join(tmpdir(), "compose-derived-state-"));
    try {
      const docker = join(infra, "test/support/fake-docker/docker");
      const env = { FAKE_DOCKER_STATE_DIR: state, COMPOSE_PROJECT_NAME: "derived", SEARCH_PORT: "17700" };
      assert.equal(bash(`"${docker}" compose --profile core up -d`, env).status, 0);
      const ps = bash(
        `"${docker}" ps --all --filter label=com.docker.compose.project=derived --format '${CONTAINER_LIST_FORMAT}'`,
        env,
      );
      const search = parseContainerList(ps.stdout).find((c) => c.service === "search");
      assert.deepEqual(
        search?.publishers.map((p) => p.publishedPort),
        [17700],
        ps.stdout,
      );
    } finally {
      rmSync(state, { recursive: true, force: true });
      cleanup();
    }
  });
});
