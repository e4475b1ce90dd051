/** A mapping property as OpenSearch returns it (only what the comparison needs). */
export interface MappingProperty {
  type?: string;
  properties?: Record<string, MappingProperty>;
  fields?: Record<string, MappingProperty>;
}

export interface MappingDiff {
  /** Declared fields the index lacks: safe to add with the put-mapping API. */
  missing: string[];
  /** Fields whose type differs: cannot be changed in place (needs a new index and a reindex). */
  conflicts: string[];
}

/** Compares declared mapping properties with an index's actual ones, recursively. Pure. */
export function diffMappings(
  declared: Record<string, MappingProperty> | undefined,
  actual: Record<string, MappingProperty> | undefined,
  prefix = "",
): MappingDiff {
  const diff: MappingDiff = { missing: [], conflicts: [] };
  for (const [name, want] of Object.entries(declared ?? {})) {
    const path = `${prefix}${name}`;
    const have = actual?.[name];
    if (!have) {
      diff.missing.push(path);
      continue;
    }
    const wantType = want.type ?? (want.properties ? "object" : undefined);
    const haveType = have.type ?? (have.properties ? "object" : undefined);
    if (wantType !== haveType) {
      diff.conflicts.push(`${path} is ${haveType ?? "untyped"}, declared ${wantType ?? "untyped"}`);
      continue;
    }
    for (const [key, sep] of [
      ["properties", "."],
      ["fields", "."],
    ] as const) {
      const inner = diffMappings(want[key], have[key], `${path}${sep}`);
      diff.missing.push(...inner.missing);
      diff.conflicts.push(...inner.conflicts);
    }
  }
  return diff;
}
