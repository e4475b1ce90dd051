// The engine tier's entry point (`npm run test:engine`, part of `make test`): checks that an engine answers
// (skips with the reason outside CI, fails under CI=true), builds the pinned images with progress, runs the
// tier's test files one at a time (they share the engine), and prints the tier's duration.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { buildEngineImages } from "./images/build.ts";
import { engineTier } from "./support/engine.ts";

const started = Date.now();
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
const HERE = import.meta.dirname;

let gate: { skip?: string };
try {
  gate = engineTier();
} catch (error) {
  console.error(`✗ ${(error as Error).message}`);
  process.exit(1);
}
if (gate.skip) {
  console.log(`engine tier: SKIPPED (${gate.skip})`);
  process.exit(0);
}

try {
  buildEngineImages();
} catch (error) {
  console.error(`✗ engine tier: ${(error as Error).message}`);
  process.exit(1);
}

const files = readdirSync(HERE)
  .filter((f) => f.endsWith(".test.ts"))
  .sort()
  .map((f) => join(HERE, f));
const only = process.argv.slice(2);
// Matched against the file name alone: the checkout's own path may contain any word.
const selected = only.length > 0 ? files.filter((f) => only.some((o) => basename(f).includes(o))) : files;
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-concurrency=1", ...selected],
  { stdio: "inherit" },
);
const code = result.status ?? 1;
console.log(
  `engine tier: ${code === 0 ? "PASSED" : "FAILED"} in ${seconds()} (images, ${selected.length} files)`,
);
process.exit(code);
