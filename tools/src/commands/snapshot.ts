/**
 * make snapshot / snapshots / snapshot-rm / restore: the four data services (Postgres, MinIO, OpenSearch,
 * NATS) saved together into `<SNAPSHOT_DIR>/<name>/` and brought back together. The decisions (names,
 * manifest, checksums, version compatibility) are pure functions in ../snapshot/; this file is the I/O
 * around them. infra/scripts/snapshot-infra.sh takes the lifecycle lock first, so none of this races a
 * start, stop or reset.
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Command } from "commander";
import { type Config, repoRoot } from "../config/env.ts";
import { type ComposeTarget, composeRun } from "../docker/compose.ts";
import type { ComposeContainer } from "../docker/containers.ts";
import { inspectContainers } from "../docker/inspect.ts";
import { UserError } from "../errors.ts";
import { askYes, hasTerminal } from "../output/confirm.ts";
import { printJson } from "../output/json.ts";
import { formatElapsed } from "../output/progress.ts";
import { renderTable } from "../output/table.ts";
import { DATA_SERVICES, type DataService, engineVolumeName } from "../snapshot/data-services.ts";
import {
  type ArchiveEntry,
  checksumProblems,
  compatibility,
  formatAge,
  formatBytes,
  imageVersion,
  type Manifest,
  type ServiceImage,
} from "../snapshot/manifest.ts";
import {
  archiveFile,
  defaultSnapshotName,
  MANIFEST_FILE,
  PARTIAL_SUFFIX,
  snapshotNameProblem,
} from "../snapshot/naming.ts";
import { spaceShortfall } from "../snapshot/space.ts";
import {
  archiveVolume,
  copyVolume,
  createStagingVolume,
  extractIntoVolume,
  fileChecksum,
  removeVolume,
  stopVolumeContainers,
  volumeExists,
  volumeSizes,
} from "../snapshot/volumes.ts";
import { type CommandTrace, commandTrace } from "../telemetry/tracer.ts";
import { loadCommandConfig, readEnvironment } from "./shared.ts";
import { readContainers, readStackTarget, showStatus } from "./status.ts";
import { DEFAULT_PROBE_INTERVAL_MS, waitAction } from "./wait.ts";

/** Exit code of a command ended by Ctrl-C, as the lifecycle scripts use. */
const EXIT_INTERRUPTED = 130;
const EXIT_REFUSED = 2;

interface Stack {
  config: Config;
  target: ComposeTarget;
  /** The folder holding every snapshot (SNAPSHOT_DIR, relative to the repository root). */
  root: string;
  data: readonly DataService[];
  containers: ComposeContainer[];
  /** The snapshot commands send no trace of their own: their steps (wait, status) are kept in memory only. */
  trace: CommandTrace;
}

const say = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (since: number) => formatElapsed(performance.now() - since);

function snapshotRoot(): string {
  const configured = readEnvironment().merged.SNAPSHOT_DIR?.trim();
  return resolve(repoRoot, configured || ".snapshots");
}
/** A path as the user knows it: from the repository root when inside it (the tools run in tools/). */
function shown(path: string): string {
  const inside = relative(repoRoot, path);
  return inside && !inside.startsWith("..") ? inside : path;
}

async function readStack(): Promise<Stack> {
  const config = loadCommandConfig();
  const trace = commandTrace("snapshot");
  const target = await readStackTarget(config, trace);
  return {
    config,
    target,
    trace,
    root: snapshotRoot(),
    data: DATA_SERVICES,
    containers: await readContainers(target),
  };
}

/** The data services' containers; every one must exist (make start created them). */
function dataContainers(stack: Stack): Map<string, ComposeContainer> {
  const found = new Map(stack.containers.map((c) => [c.service, c]));
  const missing = stack.data.filter((d) => !found.has(d.service)).map((d) => d.service);
  if (missing.length > 0)
    throw new UserError(`project ${stack.target.projectName} has no container for ${missing.join(", ")}`, {
      where: `Compose project ${stack.target.projectName}`,
      fix: "run `make start` once, then run this again",
    });
  return found;
}

/** Each data service's image as the engine reports it for its container. */
async function runningImages(stack: Stack): Promise<{ images: ServiceImage[]; helperImage: string }> {
  const containers = dataContainers(stack);
  const details = await inspectContainers(stack.data.map((d) => containers.get(d.service)?.name ?? ""));
  const images = stack.data.map((d) => {
    const image = details.get(containers.get(d.service)?.name ?? "")?.imageRef ?? "";
    return { service: d.service, image, version: imageVersion(image) };
  });
  // An image the stack already runs, with a shell and tar: nothing to pull.
  const archiver = stack.data.find((d) => d.archiver) ?? stack.data[0];
  const helper = details.get(containers.get(archiver?.service ?? "")?.name ?? "");
  return { images, helperImage: helper?.imageId || helper?.imageRef || "" };
}

function requireName(name: string): void {
  const problem = snapshotNameProblem(name);
  if (problem)
    throw new UserError(problem, { fix: "pass e.g. NAME=before-migration", exitCode: EXIT_REFUSED });
}

/** The folder of an existing snapshot, or the list of those there are. */
function existingSnapshot(root: string, name: string): string {
  requireName(name);
  const dir = join(root, name);
  if (existsSync(join(dir, MANIFEST_FILE))) return dir;
  const names = listSnapshotNames(root);
  throw new UserError(`no snapshot named "${name}" in ${shown(root)}`, {
    fix:
      names.length > 0
        ? `pick one of: ${names.join(", ")} (make snapshots lists them)`
        : "take one with `make snapshot`",
    exitCode: EXIT_REFUSED,
  });
}

function listSnapshotNames(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.endsWith(PARTIAL_SUFFIX))
    .map((e) => e.name)
    .sort();
}

async function readManifest(dir: string): Promise<Manifest> {
  const file = join(dir, MANIFEST_FILE);
  const { parseManifest } = await import("../snapshot/manifest-schema.ts");
  const parsed = parseManifest(readFileSync(file, "utf8"));
  if ("problem" in parsed)
    throw new UserError(`the snapshot's manifest is damaged: ${parsed.problem}`, {
      where: shown(file),
      fix: "take a new snapshot; this one cannot be restored safely",
    });
  return parsed.manifest;
}

/**
 * Ctrl-C, SIGTERM and a closed terminal end the current phase cleanly instead of the process: `onSignal`
 * stops what runs, and the command then puts back what it changed. `interrupted()` names the signal that came.
 */
function catchSignals(onSignal: () => void): { interrupted: () => string | undefined; release: () => void } {
  let caught: string | undefined;
  const handlers = (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => {
    const handler = () => {
      if (caught) return;
      caught = signal === "SIGINT" ? "Ctrl-C" : signal;
      if (process.stderr.isTTY) process.stderr.write("\n");
      onSignal();
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return {
    interrupted: () => caught,
    release: () => {
      for (const off of handlers) off();
    },
  };
}

/** Stops the running data services; returns every service of the project that was running before. */
async function stopDataServices(stack: Stack): Promise<string[]> {
  const before = stack.containers.filter((c) => c.state === "running").map((c) => c.service);
  const toStop = stack.data.map((d) => d.service).filter((s) => before.includes(s));
  if (toStop.length === 0) return [];
  const started = performance.now();
  say(`Stopping ${toStop.join(", ")} so that no write is in flight...`);
  await composeRun(stack.target, ["stop", ...toStop], 180_000);
  say(`  stopped in ${seconds(started)}`);
  return before;
}

/** Starts every service that ran before and runs no longer, whatever else Compose stopped along with the data services. */
async function startAgain(stack: Stack, runningBefore: readonly string[]): Promise<string[]> {
  const now = await readContainers(stack.target);
  const stopped = runningBefore.filter((s) => now.find((c) => c.service === s)?.state !== "running");
  if (stopped.length === 0) return [];
  const started = performance.now();
  say(`Starting ${stopped.join(", ")} again...`);
  await composeRun(stack.target, ["start", ...stopped], 180_000);
  say(`  started in ${seconds(started)}`);
  return stopped;
}

/** The readiness probes of `services` after they were started again, as `make wait --only` runs them. */
async function waitFor(stack: Stack, services: readonly string[]): Promise<void> {
  if (services.length === 0) return;
  try {
    await waitAction({ only: [...services], interval: DEFAULT_PROBE_INTERVAL_MS }, stack.trace);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(`${services.join(", ")} did not become ready again: ${error.message}`, {
      where: error.where,
      fix: "see `make status` and `make logs SERVICE=<name>`; the data is in place",
      cause: error,
    });
  }
}

async function appliedMigrations(stack: Stack): Promise<string[]> {
  const keeper = stack.data.find((d) => d.appliedMigrations);
  if (!keeper?.appliedMigrations) return [];
  if (stack.containers.find((c) => c.service === keeper.service)?.state !== "running") {
    say(`${keeper.service} is stopped: the snapshot records no applied migrations.`);
    return [];
  }
  return keeper.appliedMigrations(stack.config);
}

/** The free bytes of the filesystem `path` will be on (its nearest existing folder: it may not exist yet). */
function freeBytesAt(path: string): number {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const stats = statfsSync(existing);
  return stats.bavail * stats.bsize;
}

/** Refuses a snapshot its folder cannot hold, before a service is stopped or a file written. */
async function requireSpace(stack: Stack, helperImage: string): Promise<void> {
  const volumes = stack.data.map((d) => engineVolumeName(stack.target.projectName, d.volume));
  const bytes = await volumeSizes(helperImage, volumes);
  const sizes = stack.data.map((d, i) => ({ service: d.service, bytes: bytes[i] ?? 0 }));
  const shortfall = spaceShortfall(sizes, freeBytesAt(stack.root));
  if (!shortfall) return;
  const each = sizes.map((s) => `${s.service} ${formatBytes(s.bytes)}`).join(", ");
  throw new UserError(
    `not enough free space for the snapshot: it needs about ${formatBytes(shortfall.needed)} (${each}), ${formatBytes(shortfall.free)} are free`,
    {
      where: shown(stack.root),
      fix: "free space on that disk (make snapshots lists old ones, make snapshot-rm NAME=... deletes one), or set SNAPSHOT_DIR in .env to a folder on a larger disk; nothing was stopped",
      exitCode: EXIT_REFUSED,
    },
  );
}

interface SnapshotFlags {
  name?: string;
  json?: boolean;
}

async function takeSnapshot(flags: SnapshotFlags): Promise<void> {
  const began = performance.now();
  const name = flags.name ?? defaultSnapshotName(new Date());
  requireName(name);
  const stack = await readStack();
  const final = join(stack.root, name);
  if (existsSync(final))
    throw new UserError(`a snapshot named "${name}" exists already in ${shown(stack.root)}`, {
      fix: `pick another NAME=, or delete it first: make snapshot-rm NAME=${name}`,
      exitCode: EXIT_REFUSED,
    });
  const { images, helperImage } = await runningImages(stack);
  for (const d of stack.data) {
    if (!(await volumeExists(engineVolumeName(stack.target.projectName, d.volume))))
      throw new UserError(`the volume of ${d.service} does not exist yet`, {
        fix: "run `make start` once, then make snapshot",
      });
  }
  await requireSpace(stack, helperImage);
  const migrations = await appliedMigrations(stack);
  const partial = `${final}${PARTIAL_SUFFIX}`;
  // A folder left by a killed run of the same name is unfinished by definition.
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });

  const signals = catchSignals(stopVolumeContainers);
  let runningBefore: string[] = [];
  let stoppedSeconds = 0;
  const archives: ArchiveEntry[] = [];
  try {
    const stoppedAt = performance.now();
    runningBefore = await stopDataServices(stack);
    for (const d of stack.data) {
      if (signals.interrupted()) break;
      const started = performance.now();
      const file = archiveFile(d.service);
      const volume = engineVolumeName(stack.target.projectName, d.volume);
      const { bytes, sha256 } = await archiveVolume(helperImage, volume, join(partial, file));
      archives.push({ service: d.service, volume: d.volume, file, bytes, sha256 });
      say(`  ${d.service.padEnd(10)} ${formatBytes(bytes).padStart(9)} in ${seconds(started)}`);
    }
    stoppedSeconds = (performance.now() - stoppedAt) / 1000;
  } catch (error) {
    if (!signals.interrupted()) {
      rmSync(partial, { recursive: true, force: true });
      await startAgain(stack, runningBefore);
      throw new UserError(`the snapshot failed: ${(error as Error).message}`, {
        fix: "nothing was kept and the services run again; see the reason above, then make snapshot again",
        cause: error,
      });
    }
  }
  const cause = signals.interrupted();
  if (cause === undefined) {
    const manifest: Manifest = {
      schemaVersion: 1,
      name,
      createdAt: new Date().toISOString(),
      project: stack.target.projectName,
      stoppedSeconds: Math.round(stoppedSeconds * 10) / 10,
      services: images,
      migrations,
      archives,
    };
    writeFileSync(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partial, final);
  } else rmSync(partial, { recursive: true, force: true });
  // The services come back whatever happened; a second Ctrl-C meanwhile is already caught and ignored.
  const restarted = await startAgain(stack, runningBefore);
  signals.release();
  if (cause !== undefined)
    throw new UserError(
      `make snapshot was interrupted (${cause}); no snapshot was kept and the services run again`,
      {
        fix: "make snapshot again when you want one",
        exitCode: EXIT_INTERRUPTED,
      },
    );
  await waitFor(stack, restarted);
  if (flags.json)
    printJson({ schemaVersion: 1, ok: true, directory: final, manifest: await readManifest(final) });
  say(
    `✓ Snapshot "${name}" saved in ${shown(final)} (${formatElapsed(performance.now() - began)}; services stopped for ${stoppedSeconds.toFixed(1)}s).`,
  );
  say(`  make restore NAME=${name} brings it back.`);
}

interface ListedSnapshot {
  name: string;
  createdAt: string | null;
  bytes: number;
  services: ServiceImage[];
  migrations: string[];
  problem?: string;
}

function listSnapshots(root: string): Promise<ListedSnapshot[]> {
  return Promise.all(
    listSnapshotNames(root).map(async (name) => {
      try {
        const m = await readManifest(join(root, name));
        const bytes = m.archives.reduce((sum, a) => sum + a.bytes, 0);
        return { name, createdAt: m.createdAt, bytes, services: m.services, migrations: m.migrations };
      } catch (error) {
        const problem = error instanceof UserError ? error.message : "no readable manifest.json";
        return { name, createdAt: null, bytes: 0, services: [], migrations: [], problem };
      }
    }),
  );
}

async function showSnapshots(flags: { json?: boolean }): Promise<void> {
  const root = snapshotRoot();
  const snapshots = await listSnapshots(root);
  if (flags.json) {
    printJson({ schemaVersion: 1, directory: root, snapshots });
    return;
  }
  if (snapshots.length === 0) {
    say(`No snapshots in ${shown(root)} yet; make snapshot takes one.`);
    return;
  }
  const now = Date.now();
  const rows = snapshots.map((s) => [
    s.name,
    s.createdAt ? formatAge(now - Date.parse(s.createdAt)) : "?",
    s.problem ? "-" : formatBytes(s.bytes),
    s.problem ?? s.services.map((i) => `${i.service} ${i.version}`).join(", "),
  ]);
  process.stdout.write(`${renderTable(["NAME", "AGE", "SIZE", "VERSIONS"], rows)}\n`);
  say(`${snapshots.length} snapshot(s) in ${shown(root)}; make restore NAME=<name> brings one back.`);
}

/** Refuses at once when the confirmation cannot be asked, before any slow check runs. */
function requireWayToConfirm(command: string, yes: boolean | undefined): void {
  if (yes || hasTerminal()) return;
  throw new UserError(
    `${command} needs a confirmation and there is no terminal to ask; nothing was changed`,
    {
      fix: `run it in a terminal, or confirm on make's command line: ${command} CONFIRM=1 (an exported CONFIRM does not count)`,
      exitCode: EXIT_REFUSED,
    },
  );
}

/** Confirmed by --yes or "yes" typed on the terminal; refused (exit 2) without either. */
async function confirm(command: string, yes: boolean | undefined, lines: readonly string[]): Promise<void> {
  requireWayToConfirm(command, yes);
  if (yes) return;
  const cancelled = () => {
    say(`\n✗ ${command} was interrupted (Ctrl-C); nothing was changed.`);
    process.exit(EXIT_INTERRUPTED);
  };
  process.once("SIGINT", cancelled);
  const answer = await askYes(lines);
  process.off("SIGINT", cancelled);
  if (answer === undefined)
    throw new UserError(
      `${command} needs a confirmation and there is no terminal to ask; nothing was changed`,
      {
        fix: `run it in a terminal, or confirm on make's command line: ${command} CONFIRM=1 (an exported CONFIRM does not count)`,
        exitCode: EXIT_REFUSED,
      },
    );
  if (!answer)
    throw new UserError(`${command} cancelled; nothing was changed`, {
      fix: "run it again and type yes",
      exitCode: EXIT_REFUSED,
    });
}

async function removeSnapshot(name: string, flags: { yes?: boolean }): Promise<void> {
  const root = snapshotRoot();
  const dir = existingSnapshot(root, name);
  await confirm(`make snapshot-rm NAME=${name}`, flags.yes, [
    `make snapshot-rm deletes the snapshot ${shown(dir)}.`,
  ]);
  rmSync(dir, { recursive: true, force: true });
  say(`✓ Deleted snapshot "${name}".`);
}

/** Every check a restore makes before anything is stopped: versions first (cheap), then every archive's sha256. */
async function checkRestorable(stack: Stack, name: string, dir: string, manifest: Manifest): Promise<string> {
  const { images, helperImage } = await runningImages(stack);
  const { refusals, notes } = compatibility(manifest.services, images);
  if (refusals.length > 0)
    throw new UserError(
      `snapshot "${name}" does not fit this stack; nothing was changed: ${refusals.join("; ")}`,
      {
        where: shown(join(dir, MANIFEST_FILE)),
        fix: `pin the snapshot's images again in infra/docker-compose.yml (${manifest.services.map((s) => s.image).join(", ")}), make start, then make restore; or take a new snapshot with the current images`,
      },
    );
  for (const note of notes) say(`note: ${note}`);
  const missing = stack.data.filter((d) => !manifest.archives.some((a) => a.service === d.service));
  if (missing.length > 0)
    throw new UserError(
      `snapshot "${name}" holds no archive for ${missing.map((d) => d.service).join(", ")}; nothing was changed`,
      {
        where: shown(dir),
        fix: "take a new snapshot; this one is incomplete",
      },
    );
  const started = performance.now();
  say(`Checking the ${manifest.archives.length} archives...`);
  const onDisk = new Map(
    await Promise.all(
      manifest.archives.map(async (a) => [a.file, await fileChecksum(join(dir, a.file))] as const),
    ),
  );
  const problems = checksumProblems(manifest.archives, onDisk);
  if (problems.length > 0)
    throw new UserError(`snapshot "${name}" is damaged; nothing was changed: ${problems.join("; ")}`, {
      where: shown(dir),
      fix: "restore another snapshot (make snapshots lists them); this one cannot be trusted",
    });
  say(`  checksums match (${seconds(started)})`);
  return helperImage;
}

const stagingName = (volume: string) => `${volume}-restore`;

async function restoreSnapshot(name: string, flags: { yes?: boolean }): Promise<void> {
  const began = performance.now();
  requireWayToConfirm(`make restore NAME=${name}`, flags.yes);
  const stack = await readStack();
  const dir = existingSnapshot(stack.root, name);
  const manifest = await readManifest(dir);
  const helperImage = await checkRestorable(stack, name, dir, manifest);
  const project = stack.target.projectName;
  await confirm(`make restore NAME=${name}`, flags.yes, [
    `make restore replaces the data of ${stack.data.map((d) => d.service).join(", ")} in project "${project}"`,
    `with snapshot "${name}" (${manifest.createdAt}). Their current data is lost.`,
  ]);

  const volumes = stack.data.map((d) => {
    const live = engineVolumeName(project, d.volume);
    const archive = manifest.archives.find((a) => a.service === d.service) as ArchiveEntry;
    return { service: d.service, live, staging: stagingName(live), file: join(dir, archive.file) };
  });
  const dropStaging = () => Promise.all(volumes.map((v) => removeVolume(v.staging).catch(() => "")));
  let swapping = false;
  const signals = catchSignals(() => {
    if (!swapping) stopVolumeContainers();
  });
  let runningBefore: string[] = [];
  // Phase 1: every archive into a staging volume of its own; the live volumes are untouched until all succeed.
  try {
    runningBefore = await stopDataServices(stack);
    for (const v of volumes) {
      if (signals.interrupted()) break;
      const started = performance.now();
      await removeVolume(v.staging);
      await createStagingVolume(project, v.staging);
      await extractIntoVolume(helperImage, v.staging, v.file);
      say(`  ${v.service.padEnd(10)} unpacked in ${seconds(started)}`);
    }
  } catch (error) {
    if (!signals.interrupted()) {
      await dropStaging();
      await startAgain(stack, runningBefore);
      throw new UserError(`the restore failed before any data was replaced: ${(error as Error).message}`, {
        fix: "the previous data is kept and the services run again; see the reason above, then make restore again",
        cause: error,
      });
    }
  }
  const cause = signals.interrupted();
  if (cause !== undefined) {
    await dropStaging();
    await startAgain(stack, runningBefore);
    signals.release();
    throw new UserError(
      `make restore was interrupted (${cause}) before any data was replaced; the previous data is kept`,
      {
        fix: `make restore NAME=${name} again when you want it`,
        exitCode: EXIT_INTERRUPTED,
      },
    );
  }
  // Phase 2: all archives unpacked, so the swap goes through; a signal now only ends the command after it,
  // as stopping half-way would leave a mix of old and restored data.
  swapping = true;
  try {
    const started = performance.now();
    for (const v of volumes) await copyVolume(helperImage, v.staging, v.live);
    say(`  volumes replaced in ${seconds(started)}`);
  } catch (error) {
    throw new UserError(`replacing the volumes failed half-way: ${(error as Error).message}`, {
      where: `volumes ${volumes.map((v) => v.staging).join(", ")} hold the snapshot`,
      fix: `make restore NAME=${name} CONFIRM=1 again finishes it (the snapshot is intact); do not start the stack before`,
      cause: error,
    });
  }
  await dropStaging();
  const everyDataService = stack.data.map((d) => d.service);
  const restarted = await startAgain(stack, [...new Set([...runningBefore, ...everyDataService])]);
  signals.release();
  if (signals.interrupted())
    throw new UserError(
      `make restore was interrupted (${signals.interrupted()}) after the data was replaced`,
      {
        fix: "the restore is complete; make wait checks the services",
        exitCode: EXIT_INTERRUPTED,
      },
    );
  await waitFor(stack, restarted);
  say(`✓ Restored snapshot "${name}" in ${formatElapsed(performance.now() - began)}.`);
  await showStatus({}, stack.config, stack.trace);
}

export function registerSnapshotCommands(program: Command): void {
  program
    .command("snapshot")
    .description("Save Postgres, MinIO, OpenSearch and NATS together into <SNAPSHOT_DIR>/<name>/")
    .option("--name <name>", "the snapshot's name (default: the date and time)")
    .option("--json", "print the manifest as JSON on stdout")
    .action((flags: SnapshotFlags) => takeSnapshot(flags));
  program
    .command("snapshots")
    .description("List the snapshots (name, age, size, versions)")
    .option("--json", "print the list as JSON on stdout")
    .action((flags: { json?: boolean }) => showSnapshots(flags));
  program
    .command("snapshot-rm")
    .description("Delete one snapshot (after confirmation)")
    .argument("<name>", "the snapshot to delete")
    .option("--yes", "confirm without asking")
    .action((name: string, flags: { yes?: boolean }) => removeSnapshot(name, flags));
  program
    .command("restore")
    .description("Put a snapshot back into the four data volumes (after checks and confirmation)")
    .argument("<name>", "the snapshot to restore")
    .option("--yes", "confirm without asking")
    .action((name: string, flags: { yes?: boolean }) => restoreSnapshot(name, flags));
}
