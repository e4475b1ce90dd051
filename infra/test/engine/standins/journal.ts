/**
 * An append-only store for what the log and trace stand-ins ingest: one JSON line per record in a file
 * per UTC day, appended before the push is answered (so it survives a SIGKILL; a line torn by a
 * crash mid-write is skipped on reading), whole days deleted once older than the retention.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const DAY_MS = 86_400_000;
const FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

export class Journal<T> {
  constructor(
    private readonly directory: string,
    private readonly retentionMs: number,
  ) {
    mkdirSync(directory, { recursive: true });
  }

  /** Every record still within the retention, oldest day first; expired days are deleted. */
  load(now = Date.now()): T[] {
    const records: T[] = [];
    for (const name of readdirSync(this.directory).sort()) {
      const day = FILE.exec(name)?.[1];
      if (!day) continue;
      const file = join(this.directory, name);
      if (Date.parse(day) + DAY_MS < now - this.retentionMs) {
        rmSync(file, { force: true });
        continue;
      }
      const text = readFileSync(file, "utf8");
      // Ends the torn line, so the next append starts a line of its own.
      if (text !== "" && !text.endsWith("\n")) appendFileSync(file, "\n");
      for (const line of text.split("\n")) {
        if (line === "") continue;
        try {
          records.push(JSON.parse(line) as T);
        } catch {
          // the tail of a write cut short by a crash
        }
      }
    }
    return records;
  }

  append(records: readonly T[], now = Date.now()): void {
    if (records.length === 0) return;
    const day = new Date(now).toISOString().slice(0, 10);
    appendFileSync(
      join(this.directory, `${day}.jsonl`),
      records.map((r) => `${JSON.stringify(r)}\n`).join(""),
    );
  }
}
