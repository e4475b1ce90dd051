// Reads what `seed` reported (JSON with --json, or the human table) as counts per outcome, so the suite can
// check that a second seed run changed nothing.

export interface SeedCounts {
  created: number;
  updated: number;
  unchanged: number;
}

const OUTCOMES = ["created", "updated", "unchanged"] as const;

function countJsonOutcomes(value: unknown, counts: SeedCounts): void {
  if (Array.isArray(value)) {
    for (const item of value) countJsonOutcomes(item, counts);
  } else if (value && typeof value === "object") {
    const outcome = (value as { outcome?: unknown }).outcome;
    if (typeof outcome === "string" && (OUTCOMES as readonly string[]).includes(outcome)) {
      counts[outcome as keyof SeedCounts] += 1;
      return;
    }
    for (const child of Object.values(value)) countJsonOutcomes(child, counts);
  }
}

export function seedCounts(output: string): SeedCounts {
  const counts: SeedCounts = { created: 0, updated: 0, unchanged: 0 };
  const trimmed = output.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      countJsonOutcomes(JSON.parse(trimmed), counts);
      return counts;
    } catch {
      // not JSON after all: read it as text below
    }
  }
  // A summary such as "0 created, 0 updated, 14 unchanged" is authoritative when present.
  const summary = [...trimmed.matchAll(/(?:^|[,:;(]\s*)(\d+)\s+(created|updated|unchanged)\b/gim)];
  if (summary.length > 0) {
    for (const [, n, outcome] of summary)
      counts[(outcome as string).toLowerCase() as keyof SeedCounts] += Number(n);
    return counts;
  }
  for (const line of trimmed.split("\n")) {
    const match = /\b(created|updated|unchanged)\b/i.exec(line);
    if (match) counts[(match[1] as string).toLowerCase() as keyof SeedCounts] += 1;
  }
  return counts;
}

/** null when the run changed nothing (and reported at least one resource), else what is wrong. */
export function secondSeedProblem(counts: SeedCounts): string | null {
  if (counts.created + counts.updated + counts.unchanged === 0) {
    return "the second seed reported no resources at all";
  }
  if (counts.created > 0 || counts.updated > 0) {
    return `the second seed changed resources (${counts.created} created, ${counts.updated} updated); seeding must be idempotent`;
  }
  return null;
}
