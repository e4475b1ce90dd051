import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root, wherever the tests run from. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const infraDir = resolve(repoRoot, "infra");
