import { z } from "zod";
import { parseDurationMs, parseSizeBytes } from "./units.ts";

const NANOS_PER_MS = 1_000_000;

const duration = z.string().transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a duration like 30s, 2m, 12h or 7d` });
    return z.NEVER;
  }
  return Math.round(ms * NANOS_PER_MS);
});
const size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSizeBytes(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a size like 1048576, 512MiB or 1GiB` });
    return z.NEVER;
  }
  return bytes;
});
const natsName = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, '-' and '_' only (no dots or spaces)");

export const consumerSpecSchema = z.strictObject({
  durable_name: natsName,
  description: z.string().optional(),
  filter_subject: z.string().min(1).optional(),
  ack_policy: z.enum(["explicit", "all", "none"]).default("explicit"),
  deliver_policy: z.enum(["all", "last", "new", "last_per_subject"]).default("all"),
  replay_policy: z.enum(["instant", "original"]).optional(),
  ack_wait: duration.optional(),
  max_deliver: z.number().int().min(-1).optional(),
  max_ack_pending: z.number().int().min(-1).optional(),
  max_waiting: z.number().int().min(1).optional(),
  inactive_threshold: duration.optional(),
});

export const streamSpecSchema = z.strictObject({
  name: natsName,
  description: z.string().optional(),
  subjects: z.array(z.string().min(1)).min(1),
  storage: z.enum(["file", "memory"]).default("file"),
  retention: z.enum(["limits", "interest", "workqueue"]).default("limits"),
  discard: z.enum(["old", "new"]).optional(),
  max_age: duration.optional(),
  max_bytes: size.optional(),
  max_msgs: z.number().int().min(-1).optional(),
  max_msg_size: size.optional(),
  max_msgs_per_subject: z.number().int().min(-1).optional(),
  duplicate_window: duration.optional(),
  num_replicas: z.number().int().min(1).max(5).optional(),
  consumers: z.array(consumerSpecSchema).default([]),
});

export const streamsFileSchema = z.strictObject({
  streams: z.array(streamSpecSchema).superRefine((streams, ctx) => {
    const seen = new Set<string>();
    for (const [i, s] of streams.entries()) {
      if (seen.has(s.name))
        ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate stream ${s.name}` });
      seen.add(s.name);
      const durables = new Set<string>();
      for (const [j, c] of s.consumers.entries()) {
        if (durables.has(c.durable_name))
          ctx.addIssue({
            code: "custom",
            path: [i, "consumers", j, "durable_name"],
            message: `duplicate consumer ${c.durable_name}`,
          });
        durables.add(c.durable_name);
      }
    }
  }),
});

export type StreamSpec = z.output<typeof streamSpecSchema>;
export type ConsumerSpec = z.output<typeof consumerSpecSchema>;

/**
 * Which declared fields an existing stream/consumer can change through the update API (nats-server
 * 2.10). Everything else that differs is reported as drift: changing it means deleting the stream or
 * consumer, which would lose messages or delivery state, so the seeder never does it.
 */
export const STREAM_UPDATABLE = new Set([
  "description",
  "subjects",
  "discard",
  "max_age",
  "max_bytes",
  "max_msgs",
  "max_msg_size",
  "max_msgs_per_subject",
  "duplicate_window",
  "num_replicas",
]);
export const STREAM_IMMUTABLE = new Set(["storage", "retention"]);
export const CONSUMER_UPDATABLE = new Set([
  "description",
  "filter_subject",
  "ack_wait",
  "max_deliver",
  "max_ack_pending",
  "inactive_threshold",
]);
export const CONSUMER_IMMUTABLE = new Set(["ack_policy", "deliver_policy", "replay_policy", "max_waiting"]);

export interface DriftDecision {
  /** "unchanged": nothing to do; "update": send `update`; "drift-only": differences that cannot be fixed. */
  action: "unchanged" | "update" | "drift-only";
  /** Updatable fields that differ, e.g. "max_age 86400s → 604800s". */
  changes: string[];
  /** Fixed fields that differ and are reported, never forced. */
  drift: string[];
  /** The configuration to send: current config with the updatable declared values applied. */
  update: Record<string, unknown>;
}

function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return (
      a.length === b.length &&
      [...a].map(String).sort().join("\u0000") === [...b].map(String).sort().join("\u0000")
    );
  }
  return a === b;
}

function show(key: string, value: unknown): string {
  if (value === undefined) return "(unset)";
  if (
    typeof value === "number" &&
    ["max_age", "duplicate_window", "ack_wait", "inactive_threshold"].includes(key)
  )
    return `${value / 1e9}s`;
  return Array.isArray(value) ? `[${value.join(", ")}]` : String(value);
}

/**
 * Compares only the fields the definition declares ("owned fields") with the server's current
 * configuration and decides what the seeder may do. Pure.
 */
export function decideDrift(
  declared: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
  updatable: ReadonlySet<string>,
): DriftDecision {
  const changes: string[] = [];
  const drift: string[] = [];
  const update: Record<string, unknown> = { ...current };
  for (const [key, want] of Object.entries(declared)) {
    if (want === undefined) continue;
    const have = current[key];
    if (same(want, have)) continue;
    const text = `${key} ${show(key, have)} → ${show(key, want)}`;
    if (updatable.has(key)) {
      changes.push(text);
      update[key] = want;
    } else {
      drift.push(
        `${key} is ${show(key, have)}, declared ${show(key, want)} (NATS cannot change it in place)`,
      );
    }
  }
  const action = changes.length > 0 ? "update" : drift.length > 0 ? "drift-only" : "unchanged";
  return { action, changes, drift, update };
}

/** The stream's declared fields in API form, without the consumers. */
export function streamDeclaredConfig(spec: StreamSpec): Record<string, unknown> {
  const { consumers: _consumers, ...config } = spec;
  return config;
}
