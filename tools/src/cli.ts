#!/usr/bin/env -S node --import tsx
/**
 * Entry point of the WallpaperDB infra tools: `tsx tools/src/cli.ts <command>`.
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

// Every --json mode prints one JSON document in every outcome: a command that fails before its own
// report (invalid .env, bad option) gets the error document.
const json = process.argv.includes("--json");
await runCli(async () => {
  await buildProgram()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      // --help and --version end with exit code 0: no error document for them.
      if (json && !(error instanceof CommanderError && error.exitCode === 0)) printJsonError(error);
      throw error;
    });
  return undefined;
});
