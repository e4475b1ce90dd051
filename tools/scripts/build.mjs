// Bundles the tools CLI (src/cli.ts) into dist/ for the make targets: one file per entry and per lazily
// imported service client, so a command loads only what it uses and skips tsx's compile at start-up
// (node dist/cli.mjs --help: 0.15 s against 0.8 s with tsx, and 0.3 s with node_modules left external:
// resolving each package's files costs more than reading one bundle). Run by turbo's cached `build` task.
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const toolsDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(toolsDir, "dist");

// esbuild gives a lazily imported CommonJS package (`await import("yaml")`) a chunk with a default export only,
// where Node gives its named exports too: `const { parse } = await import("yaml")` found no parse in the
// bundle. Each such import gets a module that re-exports the names the package has when Node loads it.
const packageNames = (name) =>
  Object.keys(createRequire(`${toolsDir}/`)(name)).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key));
const lazyPackages = {
  name: "lazy-packages-keep-named-exports",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === "dynamic-import" ? { path: args.path, namespace: "lazy-package" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-package" }, ({ path }) => ({
      contents: `import * as cjs from "${path}";\nexport const { ${packageNames(path).join(", ")} } = cjs;\n`,
      resolveDir: toolsDir,
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [resolve(toolsDir, "src/cli.ts")],
  outdir,
  bundle: true,
  // Each dynamic import() of a service client becomes a chunk of its own, loaded on first use.
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outExtension: { ".js": ".mjs" },
  // Bundled CommonJS packages (pg, minio) call require(): an ES module has none of its own.
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  plugins: [lazyPackages],
  logLevel: "warning",
});
