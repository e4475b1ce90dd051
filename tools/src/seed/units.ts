const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
  TIB: 1024 ** 4,
};

/** "30s", "2m", "7d", "500ms" → milliseconds; undefined when malformed. */
export function parseDurationMs(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return Number(match[1]) * (DURATION_UNITS_MS[match[2]] ?? Number.NaN);
}

/** "512MiB", "1GiB", "100KB", 1048576 → bytes; undefined when malformed. */
export function parseSizeBytes(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= -1 ? value : undefined;
  const match = /^(\d+)\s*([KMGT]i?B|B)?$/i.exec(value.trim());
  if (!match?.[1]) return undefined;
  const unit = SIZE_UNITS[(match[2] ?? "B").toUpperCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}
