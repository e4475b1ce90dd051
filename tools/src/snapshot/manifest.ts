import { DATA_SERVICES } from "./data-services.ts";

/** One volume's archive, as written. */
export interface ArchiveEntry {
  service: string;
  /** The Compose volume key (postgres-data). */
  volume: string;
  file: string;
  bytes: number;
  sha256: string;
}

/** The image a service ran when the snapshot was taken, as the engine reported it. */
export interface ServiceImage {
  service: string;
  image: string;
  /** The image tag (16.15-alpine3.24, 3.8.0, RELEASE.2025-09-07T16-13-09Z). */
  version: string;
}

export interface Manifest {
  schemaVersion: 1;
  name: string;
  createdAt: string;
  project: string;
  /** Seconds the data services were stopped while their volumes were read. */
  stoppedSeconds: number;
  services: ServiceImage[];
  /** Postgres migrations applied (the seeder's ledger), in order. */
  migrations: string[];
  archives: ArchiveEntry[];
}

/** The tag of an image reference (registry ports and digests aside); "latest" without one. */
export function imageVersion(image: string): string {
  const withoutDigest = image.split("@")[0] ?? image;
  const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
  const colon = lastPart.indexOf(":");
  return colon === -1 ? "latest" : lastPart.slice(colon + 1);
}

/** The leading number of a version (16 of 16.15-alpine3.24), when it starts with one. */
export function majorVersion(version: string): number | undefined {
  const match = /^v?(\d+)/.exec(version);
  return match ? Number(match[1]) : undefined;
}

/** Services whose on-disk format changes between majors: their data cannot be restored into another one. */
const MAJOR_BOUND = new Set(DATA_SERVICES.filter((d) => d.majorBound).map((d) => d.service));

export interface Compatibility {
  /** Reasons the snapshot cannot be restored into the running stack. */
  refusals: string[];
  /** Differences that do not stop a restore, shown to the user. */
  notes: string[];
}

/** Pure: whether data saved under `saved` images can go back into a stack that runs `current`. */
export function compatibility(
  saved: readonly ServiceImage[],
  current: readonly ServiceImage[],
): Compatibility {
  const refusals: string[] = [];
  const notes: string[] = [];
  for (const then of saved) {
    const now = current.find((c) => c.service === then.service);
    if (!now) {
      refusals.push(`${then.service}: this stack has no ${then.service} container to restore into`);
      continue;
    }
    if (now.version === then.version) continue;
    const [a, b] = [majorVersion(then.version), majorVersion(now.version)];
    if (MAJOR_BOUND.has(then.service) && a !== b)
      refusals.push(
        `${then.service}: the snapshot holds data of ${then.image}, the stack runs ${now.image} (another major version, which cannot read it)`,
      );
    else notes.push(`${then.service}: saved with ${then.image}, restored into ${now.image}`);
  }
  return { refusals, notes };
}

/** Pure: the archives whose size or sha256 on disk differ from the manifest (undefined: the file is missing). */
export function checksumProblems(
  archives: readonly ArchiveEntry[],
  onDisk: ReadonlyMap<string, { bytes: number; sha256: string } | undefined>,
): string[] {
  return archives.flatMap((archive) => {
    const found = onDisk.get(archive.file);
    if (!found) return [`${archive.file} is missing`];
    if (found.bytes !== archive.bytes)
      return [`${archive.file} has ${found.bytes} bytes, the manifest says ${archive.bytes}`];
    if (found.sha256 !== archive.sha256) return [`${archive.file} does not match its sha256 in the manifest`];
    return [];
  });
}

/** "1.2 GB"-style size for the listing. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** "3 minutes ago"-style age for the listing. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const steps: [number, string][] = [
    [86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  for (const [size, unit] of steps) {
    const n = Math.floor(s / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? "" : "s"} ago`;
  }
  return `${s} second${s === 1 ? "" : "s"} ago`;
}
