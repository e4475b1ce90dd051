#!/usr/bin/env -S node --import tsx
/**
 * Entry point of the WallpaperDB infra tools: `tsx tools/src/cli.ts <command>`, or several commands in a
 * row: `<command> [args] + <command> [args]`.
 * Each command lives in commands/<name>.ts and exports one register function;
 * adding a command is one import plus one line in COMMANDS.
 */
import { Command, CommanderError } from "commander";
import { registerDoctorCommand } from "./commands/doctor.ts";
import { registerSeedCommand } from "./commands/seed.ts";
import { registerSnapshotCommands } from "./commands/snapshot.ts";
import { registerStartCommand } from "./commands/start.ts";
import { registerStatusCommand } from "./commands/status.ts";
import { registerVerifyCommand } from "./commands/verify.ts";
import { registerWaitCommand } from "./commands/wait.ts";
import { runCli } from "./errors.ts";
import { printJsonError } from "./output/json.ts";

const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerStartCommand,
  registerWaitCommand,
  registerSeedCommand,
  registerStatusCommand,
  registerDoctorCommand,
  registerVerifyCommand,
  registerSnapshotCommands,
];

export function buildProgram(): Command {
  const program = new Command("wallpaperdb-infra")
    .description("Wait for, seed and check the WallpaperDB local infrastructure (reads the root .env).")
    .showHelpAfterError("(add --help for usage)")
    .enablePositionalOptions()
    // A usage error ends in runCli like any other failure (so --json still gets its document).
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

/** Separates the commands of a chain: `wait --profile core + seed + status`. */
export const CHAIN_SEPARATOR = "+";

/** Pure: the commands of a chain, each with its own arguments (one command: a chain of one). */
export function splitChain(args: readonly string[]): string[][] {
  const commands: string[][] = [[]];
  for (const arg of args) {
    if (arg === CHAIN_SEPARATOR) commands.push([]);
    else commands[commands.length - 1]?.push(arg);
  }
  return commands.filter((command) => command.length > 0);
}

/**
 * Runs the commands of a chain one after another in this process, stopping at the first that fails (as the
 * shell's `set -e` would): make start's steps after Compose cost one node start-up instead of one each.
 * Only the last one sends the lifecycle script's root span (WALLPAPERDB_TRACE_ROOT).
 */
async function runChain(argv: readonly string[]): Promise<void> {
  const [node = "node", script = "cli", ...args] = argv;
  const commands = splitChain(args);
  const traceRoot = process.env.WALLPAPERDB_TRACE_ROOT;
  for (const [index, command] of commands.entries()) {
    if (index < commands.length - 1) delete process.env.WALLPAPERDB_TRACE_ROOT;
    else if (traceRoot !== undefined) process.env.WALLPAPERDB_TRACE_ROOT = traceRoot;
    // Every --json mode prints one JSON document in every outcome: a command that fails before its own
    // report (invalid .env, bad option) gets the error document.
    const json = command.includes("--json");
    await buildProgram()
      .parseAsync([node, script, ...command])
      .catch((error: unknown) => {
        // --help and --version end with exit code 0: no error document for them.
        if (json && !(error instanceof CommanderError && error.exitCode === 0)) printJsonError(error);
        throw error;
      });
    if (process.exitCode) return;
  }
}

await runCli(async () => {
  await runChain(process.argv);
  return undefined;
});
