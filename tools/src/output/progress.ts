import pc from "picocolors";
import { maskText } from "../errors.ts";

export type ItemState = "waiting" | "ready" | "failed";

interface Item {
  state: ItemState;
  detail: string;
  /** Milliseconds from start until the item settled. */
  settledAfterMs: number | undefined;
  /** Plain mode: whether a line was printed for this item yet. */
  reported: boolean;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Force plain (non-live) output; defaults to !stream.isTTY. */
  plain?: boolean;
  now?: () => number;
  /** Record the updates but show nothing until show() (while Compose's own progress owns the terminal). */
  held?: boolean;
}

export function formatElapsed(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Per-item progress on stderr. On a TTY one live line per item is redrawn in place
 * ("ready after 3.2s" / "waiting 12.0s: <last reason>"); otherwise one plain line per state change.
 */
export class Progress {
  private readonly items = new Map<string, Item>();
  private readonly stream: NodeJS.WriteStream;
  private readonly live: boolean;
  private readonly now: () => number;
  private readonly startedAt: number;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private held: boolean;
  private stopped = false;

  constructor(names: readonly string[], options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.live = !(options.plain ?? !this.stream.isTTY);
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.held = options.held ?? false;
    for (const name of names)
      this.items.set(name, { state: "waiting", detail: "", settledAfterMs: undefined, reported: false });
    if (!this.held) this.startShowing();
  }

  /** Held progress: shows where every item stands now (plain: one line each reported so far), then goes on live. */
  show(): void {
    if (!this.held) return;
    this.held = false;
    if (!this.live)
      for (const [name, item] of this.items)
        if (item.reported) this.stream.write(`${this.line(name, item)}\n`);
    this.startShowing();
  }

  private startShowing(): void {
    if (!this.live) return;
    this.draw();
    // Stopped while held (every item settled before it was shown): drawn once, never redrawn over what follows.
    if (this.stopped) return;
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  update(name: string, state: ItemState, detail = ""): void {
    const item = this.items.get(name);
    if (!item) return;
    const changed = item.state !== state || !item.reported;
    item.reported = true;
    item.state = state;
    item.detail = detail;
    if (state !== "waiting" && item.settledAfterMs === undefined)
      item.settledAfterMs = this.now() - this.startedAt;
    if (this.held) return;
    if (this.live) this.draw();
    else if (changed) this.stream.write(`${this.line(name, item)}\n`);
  }

  /** Plain mode: a periodic summary of what is still waiting, so CI logs show the wait is alive. */
  heartbeat(): void {
    if (this.live || this.held) return;
    const waiting = [...this.items].filter(([, i]) => i.state === "waiting").map(([n]) => n);
    if (waiting.length > 0)
      this.stream.write(
        `still waiting (${formatElapsed(this.now() - this.startedAt)}): ${waiting.join(", ")}\n`,
      );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.live && !this.held) this.draw();
  }

  private line(name: string, item: Item): string {
    const elapsed = formatElapsed(item.settledAfterMs ?? this.now() - this.startedAt);
    const width = Math.max(...[...this.items.keys()].map((k) => k.length));
    const label = name.padEnd(width);
    const detail = item.detail ? `: ${maskText(item.detail)}` : "";
    switch (item.state) {
      case "ready":
        return `${pc.green("✔")} ${label}  ready after ${elapsed}${detail}`;
      case "failed":
        return `${pc.red("✖")} ${label}  failed after ${elapsed}${detail}`;
      default:
        return `${pc.yellow("…")} ${label}  waiting ${elapsed}${detail}`;
    }
  }

  private draw(): void {
    const lines = [...this.items].map(([name, item]) =>
      this.line(name, item).slice(0, (this.stream.columns || 200) - 1),
    );
    if (this.drawnLines > 0) this.stream.write(`\x1b[${this.drawnLines}A`);
    this.stream.write(`${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
    this.drawnLines = lines.length;
  }
}
