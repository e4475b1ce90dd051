/** A dotted version reduced to its first three numbers: "v2.29.7-desktop.1" → [2, 29, 7]. */
export type Version = readonly [number, number, number];

export function parseVersion(text: string): Version | undefined {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function compareVersions(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function atLeast(found: string, minimum: string): boolean {
  const f = parseVersion(found);
  const m = parseVersion(minimum);
  return f !== undefined && m !== undefined && compareVersions(f, m) >= 0;
}

export function formatVersion(v: Version): string {
  return v.join(".");
}
