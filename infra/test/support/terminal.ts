/**
 * A real terminal for tests: an interactive bash in a detached tmux session with its own server, driven the
 * way a user types (keys, Enter, Ctrl-C, closing the window). After each command the shell prints
 * "[terminal: exit N]", so a test reads exit codes off the screen as a user would.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Safety net only: nothing here should take more than a few seconds (engine-tier starts pass a longer one). */
const DEADLINE_MS = 90_000;
const EXIT_MARKER = /\[terminal: exit (\d+)\]/g;

/**
 * The exit code of a make target ended by Ctrl-C: 130. GNU make 4.3 (Debian 12) sometimes races its own
 * SIGINT handling ("make: *** wait: No child processes.  Stop.") and exits 2 instead; the product's own
 * message is printed either way, so only that documented race may replace 130.
 */
export function assertInterrupted(code: number, screen: string): void {
  if (code === 2 && /make: \*\*\* wait: No child processes/.test(screen)) return;
  if (code !== 130)
    throw new Error(`expected exit 130 after Ctrl-C, got ${code}; the terminal shows:\n${screen}`);
}

export interface Terminal {
  /** Types a command line and Enter; resolves with its exit code once the shell prompts again. */
  run(command: string): Promise<number>;
  /** Types a command line and Enter without waiting for it. */
  start(command: string): void;
  /** Types text and Enter, e.g. an answer to a prompt. */
  answer(text: string): void;
  ctrlC(): void;
  /** Everything the terminal showed so far (scrollback included). */
  screen(): string;
  /** Waits until the screen matches; fails naming `what` and showing the screen after the deadline. */
  waitFor(pattern: RegExp, what: string): Promise<void>;
  /** Resolves with the exit code of the command typed last, once it has ended. */
  exitCode(): Promise<number>;
  /** Closes the terminal window: the shell and its jobs get SIGHUP. */
  close(): void;
}

/** Opens the terminal in `dir` (socket, config) with `env` as the shell's environment. */
export async function openTerminal(
  dir: string,
  env: NodeJS.ProcessEnv,
  deadlineMs = DEADLINE_MS,
): Promise<Terminal> {
  const socket = join(dir, "tmux.sock");
  const config = join(dir, "tmux.conf");
  writeFileSync(config, "set -g history-limit 50000\n");
  const tmux = (...args: string[]) => {
    const result = spawnSync("tmux", ["-S", socket, ...args], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`tmux ${args[0]} failed: ${result.stderr}`);
    return result.stdout;
  };
  const shellEnv = {
    ...env,
    PS1: "$ ",
    PROMPT_COMMAND: 'printf "[terminal: exit %s]\\n" $?',
    HISTFILE: "/dev/null",
  };
  const bash = ["bash", "--norc", "--noprofile", "-i"];
  const opened = spawnSync(
    "tmux",
    ["-S", socket, "-f", config, "new-session", "-d", "-s", "main", "-x", "200", "-y", "50", "--", ...bash],
    { env: shellEnv, encoding: "utf8" },
  );
  if (opened.status !== 0) throw new Error(`tmux new-session failed: ${opened.stderr}`);

  const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "main").trimEnd();
  const exits = () => [...screen().matchAll(EXIT_MARKER)].map((m) => Number(m[1]));
  let exitsBefore = 0;
  const waitUntil = async <T>(probe: () => T | undefined, what: string): Promise<T> => {
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what} did not happen; the terminal shows:\n${screen()}`);
      await sleep(100);
    }
  };
  const type = (text: string) => {
    tmux("send-keys", "-t", "main", "-l", text);
    tmux("send-keys", "-t", "main", "Enter");
  };
  const terminal: Terminal = {
    start(command) {
      exitsBefore = exits().length;
      type(command);
    },
    async run(command) {
      terminal.start(command);
      return terminal.exitCode();
    },
    answer: type,
    ctrlC: () => tmux("send-keys", "-t", "main", "C-c"),
    screen,
    async waitFor(pattern, what) {
      await waitUntil(() => (pattern.test(screen()) ? true : undefined), what);
    },
    exitCode: () =>
      waitUntil(() => {
        const seen = exits();
        return seen.length > exitsBefore ? seen.at(-1) : undefined;
      }, "the command's end"),
    close: () => {
      spawnSync("tmux", ["-S", socket, "kill-server"]);
    },
  };
  try {
    await waitUntil(() => (exits().length > 0 ? true : undefined), "the shell's first prompt");
  } catch (error) {
    terminal.close();
    throw error;
  }
  return terminal;
}
