/**
 * Bundles the stand-ins (main.ts and everything it imports, s3rver, pg and yaml included) into ONE ES
 * module that plain `node` 20 runs: the engine tier's images hold node and this file, no tsx.
 * Usage: node --import tsx infra/test/engine/standins/bundle.ts <out.mjs>
 */
import { chmodSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const entry = join(dirname(fileURLToPath(import.meta.url)), "main.ts");

export async function bundleStandins(outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // The CommonJS packages inside (s3rver, koa, pg) call require() for Node's built-in modules.
    banner: {
      js: 'import { createRequire as __standinRequire } from "node:module";\nconst require = __standinRequire(import.meta.url);',
    },
    // pg loads its optional native binding only when asked to; it is not installed.
    external: ["pg-native"],
    legalComments: "none",
    logLevel: "warning",
  });
  // The images link the bundle under each binary's name (/usr/bin/loki, /tempo, ...).
  chmodSync(outfile, 0o755);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outfile = process.argv[2];
  if (!outfile) {
    console.error(
      "✗ no output file\n  fix: node --import tsx infra/test/engine/standins/bundle.ts <out.mjs>",
    );
    process.exit(2);
  }
  await bundleStandins(resolve(outfile));
  console.log(`bundled the stand-ins into ${outfile}`);
}
