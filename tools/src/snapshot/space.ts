/** Whether a snapshot fits where it goes, decided before any service is stopped. Pure. */

export interface VolumeSize {
  service: string;
  bytes: number;
}

/**
 * An archive is about as large as its volume's disk usage (tar pads each file to 512 bytes where du counts
 * whole blocks); a tenth more and 64 MiB leave room for the difference, the manifest and writes meanwhile.
 */
export function spaceNeeded(sizes: readonly VolumeSize[]): number {
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  return Math.ceil(total * 1.1) + 64 * 1024 ** 2;
}

/** The shortfall when `freeBytes` cannot hold the archives of `sizes`; undefined when they fit. */
export function spaceShortfall(
  sizes: readonly VolumeSize[],
  freeBytes: number,
): { needed: number; free: number } | undefined {
  const needed = spaceNeeded(sizes);
  return needed > freeBytes ? { needed, free: freeBytes } : undefined;
}

/** `du -sk` lines ("<KiB>\t<path>") of the paths `/volumes/<i>`, as bytes in the order of the paths. */
export function parseDuKibibytes(output: string, count: number): number[] | undefined {
  const sizes = new Array<number | undefined>(count).fill(undefined);
  for (const line of output.split("\n")) {
    const match = /^(\d+)\s+\/volumes\/(\d+)$/.exec(line.trim());
    if (match) sizes[Number(match[2])] = Number(match[1]) * 1024;
  }
  return sizes.every((s) => s !== undefined) ? (sizes as number[]) : undefined;
}
