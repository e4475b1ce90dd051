import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readComposeServices } from "../../src/docker/compose-file.ts";

const composeText = (image: string) =>
  `services:\n  postgres:\n    image: ${image}\n    mem_limit: 512m\n    profiles: [core]\n`;

describe("the Compose file's services, parsed once per version of the file", () => {
  it("parses the file, keeps the result, and reads it back while the text is the same", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wpdb-compose-file-"));
    try {
      const file = join(dir, "docker-compose.yml");
      const cache = join(dir, "cache", "compose-services.json");
      writeFileSync(file, composeText("postgres:16.15-alpine3.24"));
      const parsed = await readComposeServices(file, cache);
      assert.deepEqual(parsed.postgres, {
        image: "postgres:16.15-alpine3.24",
        mem_limit: "512m",
        profiles: ["core"],
      });
      // What is read back is the kept result: marked here, it shows up.
      const kept = JSON.parse(readFileSync(cache, "utf8"));
      kept.services.postgres.image = "marked";
      writeFileSync(cache, JSON.stringify(kept));
      assert.equal((await readComposeServices(file, cache)).postgres?.image, "marked");
      // An edited file is parsed again, whatever the cache holds.
      writeFileSync(file, composeText("postgres:17.7-alpine3.24"));
      assert.equal((await readComposeServices(file, cache)).postgres?.image, "postgres:17.7-alpine3.24");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("parses every time where nothing can be kept, and yields no services for a missing or broken file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wpdb-compose-file-"));
    try {
      const file = join(dir, "docker-compose.yml");
      writeFileSync(file, composeText("nats:2.14.7-alpine"));
      // A cache path under a regular file cannot be created.
      const unwritable = join(file, "cache.json");
      assert.equal((await readComposeServices(file, unwritable)).postgres?.image, "nats:2.14.7-alpine");
      assert.deepEqual(await readComposeServices(join(dir, "missing.yml"), unwritable), {});
      writeFileSync(file, "services: [unclosed\n");
      assert.deepEqual(await readComposeServices(file, join(dir, "c.json")), {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
