/**
 * Reading a snapshot's manifest.json: zod, loaded only by the snapshot commands that read one (every other
 * command starts without it).
 */
import { z } from "zod";
import type { Manifest } from "./manifest.ts";

const manifestSchema = z.object({
  schemaVersion: z.literal(1),
  name: z.string(),
  createdAt: z.string(),
  project: z.string(),
  stoppedSeconds: z.number(),
  services: z.array(z.object({ service: z.string(), image: z.string(), version: z.string() })),
  migrations: z.array(z.string()),
  archives: z.array(
    z.object({
      service: z.string(),
      volume: z.string(),
      file: z.string().regex(/^[\w.-]+$/),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});

/** The manifest in `text`, or the reason it is not one. */
export function parseManifest(text: string): { manifest: Manifest } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message})` };
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: `${issue?.path.join(".") || "document"}: ${issue?.message ?? "invalid"}` };
  }
  return { manifest: parsed.data as Manifest };
}
