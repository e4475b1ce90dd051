/**
 * The engine side of snapshots: a volume read into an archive and an archive written into a volume, each by
 * a throwaway container (`docker run --rm`) of an image the stack already has, with the tar stream on the
 * container's stdout/stdin. No bind mount: under Docker-outside-of-Docker a bind path would have to be the
 * engine host's path, while a stream works the same on the host, in the dev container and under devbox.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { lastLine, run } from "../docker/exec.ts";
import { parseDuKibibytes } from "./space.ts";
import { TAR_END_BYTES, tarLooksComplete } from "./tar.ts";

/** Containers started here: an interruption ends them, so none keeps reading or writing a volume. */
const running = new Set<ChildProcess>();
export function stopVolumeContainers(): void {
  for (const child of running) child.kill("SIGTERM");
}

/**
 * Root inside the helper: the engine tier's postgres image runs as its postgres user, and every file must be
 * read. `interruptible`: --init puts an init first that passes Ctrl-C on to tar; without it the command is
 * PID 1, which ignores the signals it has no handler for, so a copy once begun runs to its end.
 */
const helper = (
  image: string,
  mounts: string[],
  command: string[],
  options: { input?: boolean; interruptible?: boolean } = {},
) => [
  "run",
  "--rm",
  ...(options.input ? ["-i"] : []),
  ...(options.interruptible ? ["--init"] : []),
  "--user",
  "0:0",
  "--network",
  "none",
  ...mounts.flatMap((m) => ["-v", m]),
  "--entrypoint",
  "sh",
  image,
  "-c",
  ...command,
];

/** Runs docker with `wire` connecting its stdio streams; rejects with docker's own last line on failure. */
async function dockerStreaming(
  args: string[],
  stdin: "pipe" | "ignore",
  wire: (child: ChildProcess) => Promise<void>,
): Promise<void> {
  const child = spawn("docker", args, { stdio: [stdin, "pipe", "pipe"] });
  running.add(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d;
  });
  const exited = new Promise<number>((done) => child.on("close", (code) => done(code ?? 1)));
  const spawned = new Promise<void>((done, fail) => {
    child.on("spawn", done);
    child.on("error", fail);
  });
  try {
    await spawned;
    const [code] = await Promise.all([exited, wire(child)]);
    if (code !== 0) throw new Error(lastLine(stderr) || `docker run exited with code ${code}`);
  } finally {
    running.delete(child);
  }
}

/** Streams volume `volume` as a tar archive into `file`; returns its size and sha256. */
export async function archiveVolume(
  image: string,
  volume: string,
  file: string,
): Promise<{ bytes: number; sha256: string }> {
  // One more try for a stream cut short: seen once on an engine under heavy load, with docker run exiting 0.
  const first = await streamVolume(image, volume, file);
  if (tarLooksComplete(first.bytes, first.tail)) return first;
  rmSync(file, { force: true });
  const second = await streamVolume(image, volume, file);
  if (tarLooksComplete(second.bytes, second.tail)) return second;
  throw new Error(
    `the archive of volume ${volume} came back incomplete twice (${second.bytes} bytes, no end-of-archive marker)`,
  );
}

async function streamVolume(
  image: string,
  volume: string,
  file: string,
): Promise<{ bytes: number; sha256: string; tail: Buffer }> {
  const hash = createHash("sha256");
  let bytes = 0;
  let tail = Buffer.alloc(0);
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      tail = Buffer.concat([tail, chunk]).subarray(-TAR_END_BYTES);
      done(null, chunk);
    },
  });
  // Numeric owners: the image that extracts it may name its users differently (Alpine's postgres is 70).
  const tar = ["tar --numeric-owner -C /volume -cf - ."];
  await dockerStreaming(
    helper(image, [`${volume}:/volume:ro`], tar, { interruptible: true }),
    "ignore",
    async (child) => {
      if (!child.stdout) throw new Error("docker run gave no output stream");
      await pipeline(child.stdout, measure, createWriteStream(file, { flags: "wx" }));
    },
  );
  return { bytes, sha256: hash.digest("hex"), tail };
}

/** Extracts the tar archive `file` into the (empty) volume `volume`. */
export async function extractIntoVolume(image: string, volume: string, file: string): Promise<void> {
  const tar = ["tar --numeric-owner -C /volume -xf -"];
  await dockerStreaming(
    helper(image, [`${volume}:/volume`], tar, { input: true, interruptible: true }),
    "pipe",
    (child) => {
      if (!child.stdin) throw new Error("docker run took no input stream");
      return pipeline(createReadStream(file), child.stdin);
    },
  );
}

/** Replaces everything in volume `to` by a copy of volume `from` (owners, modes and times kept); not interruptible. */
export async function copyVolume(image: string, from: string, to: string): Promise<void> {
  const copy = ["rm -rf /to/* /to/.[!.]* /to/..?* && cp -a /from/. /to/"];
  await dockerStreaming(helper(image, [`${from}:/from:ro`, `${to}:/to`], copy), "ignore", async () => {});
}

/** The disk usage of each volume, in bytes, read by one container while the services still run. */
export async function volumeSizes(image: string, volumes: readonly string[]): Promise<number[]> {
  const mounts = volumes.map((v, i) => `${v}:/volumes/${i}:ro`);
  const output = await docker(
    helper(image, mounts, [`du -sk ${volumes.map((_, i) => `/volumes/${i}`).join(" ")}`]),
  );
  const sizes = parseDuKibibytes(output, volumes.length);
  if (!sizes) throw new Error(`du gave no size for every volume: ${lastLine(output)}`);
  return sizes;
}

/** Size and sha256 of a file on disk, or undefined when it cannot be read. */
export async function fileChecksum(file: string): Promise<{ bytes: number; sha256: string } | undefined> {
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch {
    return undefined;
  }
  return { bytes, sha256: hash.digest("hex") };
}

async function docker(args: string[]): Promise<string> {
  const result = await run("docker", args, { timeoutMs: 60_000 });
  if (result.code !== 0) throw new Error(`docker ${args.slice(0, 2).join(" ")}: ${lastLine(result.stderr)}`);
  return result.stdout;
}

export const volumeExists = async (volume: string): Promise<boolean> =>
  (await run("docker", ["volume", "inspect", volume], { timeoutMs: 15_000 })).code === 0;

/**
 * Marks restore's staging volumes. The Compose file does not declare them, so `compose down --volumes` keeps
 * one a killed restore left: make reset (infra/scripts/reset-infra.sh) removes the project's volumes with it.
 */
export const STAGING_LABEL = "com.wallpaperdb.restore-staging";

/** A staging volume of the project: listed as the project's (reset's prompt shows it) and marked as staging. */
export const createStagingVolume = (project: string, volume: string): Promise<string> =>
  docker([
    "volume",
    "create",
    "--label",
    `com.docker.compose.project=${project}`,
    "--label",
    STAGING_LABEL,
    volume,
  ]);
export const removeVolume = (volume: string): Promise<string> => docker(["volume", "rm", "-f", volume]);
