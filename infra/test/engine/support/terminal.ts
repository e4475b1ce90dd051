/**
 * A real terminal for the engine tier: a bash inside its own tmux server (private socket), typed into with
 * send-keys and read with capture-pane, as a user at a keyboard would. Prompts, Ctrl-C and "the terminal
 * was closed" are then what they are for a person, not what a pipe makes of them.
 */
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

let counter = 0;

export class Terminal {
  private constructor(private readonly socket: string) {}

  /** A bash in `cwd` with exactly `env` (the tmux server is started with it, so the shell inherits it). */
  static open(cwd: string, env: NodeJS.ProcessEnv): Terminal {
    const socket = `wpdb-engine-${process.pid}-${++counter}`;
    const started = spawnSync(
      "tmux",
      [
        "-L",
        socket,
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-x",
        "200",
        "-y",
        "50",
        "-c",
        cwd,
        "bash --norc -i",
      ],
      { env: { ...env, PS1: "$ ", TERM: "xterm-256color" }, encoding: "utf8" },
    );
    if (started.status !== 0) throw new Error(`tmux could not start: ${started.stderr}`);
    return new Terminal(socket);
  }

  private tmux(args: readonly string[]): string {
    const result = spawnSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** Types a line and presses Enter. */
  type(line: string): void {
    this.tmux(["send-keys", "-t", "0", "-l", line]);
    this.tmux(["send-keys", "-t", "0", "Enter"]);
  }

  /** Presses a key (tmux names: C-c, C-d, Enter). */
  press(key: string): void {
    this.tmux(["send-keys", "-t", "0", key]);
  }

  /** What the screen and its scrollback show now. */
  screen(): string {
    return this.tmux(["capture-pane", "-p", "-J", "-S", "-500", "-t", "0"]);
  }

  /** Waits until the screen matches; fails with the screen after `timeoutMs` (a safety net, not a timing). */
  async waitFor(pattern: RegExp, timeoutMs = 180_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}; screen:\n${screen}`);
      await sleep(250);
    }
  }

  /** Runs a command line and waits for it to end; returns its exit code and the screen. */
  async run(line: string, timeoutMs?: number): Promise<{ code: number; screen: string }> {
    const marker = `__done_${Date.now()}_${++counter}`;
    this.type(`${line}; echo "${marker}=$?"`);
    const screen = await this.waitFor(new RegExp(`^${marker}=(\\d+)`, "m"), timeoutMs);
    const code = Number(new RegExp(`^${marker}=(\\d+)`, "m").exec(screen)?.[1]);
    return { code, screen };
  }

  /** Closes the terminal as a user closing the window does (the shell and its jobs get SIGHUP). */
  close(): void {
    spawnSync("tmux", ["-L", this.socket, "kill-server"], { stdio: "ignore" });
  }
}
