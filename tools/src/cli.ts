#!/usr/bin/env -S node --import tsx
/**
 * Entry point of the WallpaperDB infra tools: `tsx tools/src/cli.ts <command>`.
 * Each command lives in commands/<name>.ts and exports one register function;
 * adding a command is one import plus one line in COMMANDS.
 */
import { Command } from "commander";
import { registerDoctorCommand } from "./commands/doctor.ts";
import { registerSeedCommand } from "./commands/seed.ts";
import { registerStatusCommand } from "./commands/status.ts";
import { registerVerifyCommand } from "./commands/verify.ts";
import { registerWaitCommand } from "./commands/wait.ts";
import { runCli } from "./errors.ts";

const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerWaitCommand,
  registerSeedCommand,
  registerStatusCommand,
  registerDoctorCommand,
  registerVerifyCommand,
];

export function buildProgram(): Command {
  const program = new Command("wallpaperdb-infra")
    .description("Wait for, seed and check the WallpaperDB local infrastructure (reads the root .env).")
    .showHelpAfterError("(add --help for usage)")
    .enablePositionalOptions();
  for (const register of COMMANDS) register(program);
  return program;
}

await runCli(async () => {
  await buildProgram().parseAsync(process.argv);
  return undefined;
});
