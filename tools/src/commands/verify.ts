/**
 * `verify`: proves the running stack end to end. Every probe writes something recognisable, reads it back and
 * removes it again, so a verify run leaves no data behind and never consumes real work.
 * Client libraries are imported inside each check: registering this command costs the other commands nothing.
 */
import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import type { Config } from "../config/env.ts";
import {
  DEFAULT_PROFILES,
  PROFILES,
  type Profile,
  SERVICES,
  serviceByName,
  VERIFIED_SERVICES,
} from "../config/services.ts";
import { requireOwnProject } from "../docker/checkout.ts";
import { composeCommand, composeTarget } from "../docker/compose.ts";
import { listProjectContainers } from "../docker/containers.ts";
import { maskText, UserError } from "../errors.ts";
import type { VerifyContext } from "../services/module.ts";
import { sendTelemetry, type TelemetryProbe } from "../telemetry/probe.ts";
import { type CommandTrace, withCommandTrace } from "../telemetry/tracer.ts";
import { listOf, loadCommandConfig, profileOption } from "./shared.ts";
import { startedProfiles } from "./status.ts";
import { type NotRunning, notRunningError, planWait, servedByStack } from "./wait.ts";

interface Check {
  service: string;
  what: string;
  profile: Profile;
  run: () => Promise<string | undefined>;
}

export interface CheckOutcome {
  service: string;
  what: string;
  ok: boolean;
  ms: number;
  detail?: string;
  fix?: string;
}

// ------------------------------------------------------------------------------ command --

function checksFor(
  config: Config,
  profiles: readonly Profile[],
  only: readonly string[],
  notStarted: readonly Profile[],
): Check[] {
  let telemetry: TelemetryProbe | undefined;
  const context: VerifyContext = {
    id: randomUUID(),
    // Sent once, on the first check that needs it: the backends' checks all look for the same signals.
    telemetry: () => {
      telemetry ??= sendTelemetry(config, context.id);
      return telemetry;
    },
    notStarted: SERVICES.filter((s) => notStarted.includes(s.profile)).map((s) => s.name),
  };
  const wanted = (service: string) => only.length === 0 || only.includes(service);
  return SERVICES.filter((s) => profiles.includes(s.profile) && wanted(s.name)).flatMap((s) => {
    const verify = s.verify;
    if (!verify) return [];
    return [
      { service: s.name, what: verify.what, profile: s.profile, run: () => verify.run(config, context) },
    ];
  });
}

function formatOutcome(o: CheckOutcome, width: number): string {
  const took = o.ms < 1000 ? `${Math.round(o.ms)} ms` : `${(o.ms / 1000).toFixed(1)} s`;
  const head = `${o.ok ? "✓" : "✗"} ${o.service.padEnd(width)}  ${o.what} (${took})`;
  if (o.ok) return `${head}${o.detail ? `: ${o.detail}` : ""}`;
  return `${head}\n    ${o.detail ?? "failed"}${o.fix ? `\n    fix: ${o.fix}` : ""}`;
}

async function runCheck(trace: CommandTrace, check: Check): Promise<CheckOutcome> {
  const started = performance.now();
  try {
    const detail = await trace.step(check.service, "verify", check.run);
    return {
      service: check.service,
      what: check.what,
      ok: true,
      ms: performance.now() - started,
      ...(detail ? { detail } : {}),
    };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof UserError)
      return {
        service: check.service,
        what: check.what,
        ok: false,
        ms,
        detail: `${error.message}${error.where ? ` (${error.where})` : ""}`,
        fix: error.fix,
      };
    return {
      service: check.service,
      what: check.what,
      ok: false,
      ms,
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Runs the checks in parallel and writes one line per check as it finishes, then a summary line. */
export async function runVerify(
  config: Config,
  profiles: readonly Profile[],
  only: readonly string[],
  trace: CommandTrace,
  write: (text: string) => void,
  notStarted: readonly Profile[] = [],
  notRunning: readonly NotRunning[] = [],
): Promise<CheckOutcome[]> {
  // A paused or stopped container cannot answer: say so from the engine instead of timing out on it.
  const checks = checksFor(config, profiles, only, notStarted).map((check) => {
    const down = notRunning.find((n) => n.service === check.service);
    if (!down) return check;
    return {
      ...check,
      run: async (): Promise<string | undefined> => {
        throw notRunningError(config.composeProjectName, [down], true);
      },
    };
  });
  if (checks.length === 0)
    throw new UserError("nothing to verify for this selection", {
      fix: `choose from ${VERIFIED_SERVICES.join(", ")}`,
    });
  const width = Math.max(...checks.map((c) => c.service.length));
  write(`Verifying ${profiles.join(" + ")} (${checks.length} checks)...\n`);
  const outcomes = await Promise.all(
    checks.map(async (check) => {
      const outcome = await runCheck(trace, check);
      write(`${maskText(formatOutcome(outcome, width))}\n`);
      return outcome;
    }),
  );
  const failed = outcomes.filter((o) => !o.ok);
  write(
    failed.length === 0
      ? `✓ all ${outcomes.length} checks passed\n`
      : `✗ ${failed.length} of ${outcomes.length} checks failed: ${failed.map((f) => f.service).join(", ")}\n`,
  );
  return outcomes;
}

/**
 * The profiles to verify: flags, else those the engine runs. When nothing runs here (no engine, or a stack
 * that runs elsewhere) every check runs and says what does not answer. notStarted: profiles that do not run.
 */
async function profilesToVerify(
  config: Config,
  requested: Profile[],
): Promise<{ profiles: Profile[]; notStarted: Profile[]; notRunning: NotRunning[] }> {
  const command = await composeCommand();
  if (command) await requireOwnProject(composeTarget(command, config));
  const containers = command ? await listProjectContainers(config.composeProjectName).catch(() => []) : [];
  const started = startedProfiles(containers);
  const notStarted = started.length > 0 ? PROFILES.filter((p) => !started.includes(p)) : [];
  const profiles = requested.length > 0 ? requested : started.length > 0 ? started : [...DEFAULT_PROFILES];
  const stackServices = new Set(SERVICES.filter((s) => servedByStack(s, config)).map((s) => s.name));
  const inProfiles = SERVICES.filter((s) => profiles.includes(s.profile)).map((s) => s.name);
  const notRunning =
    started.length > 0 ? planWait(inProfiles, true, stackServices, containers).notRunning : [];
  return { profiles, notStarted, notRunning };
}

/** Pure: the line naming a profile verify left out because it is not started, and the command that adds it. */
export function skippedProfileLine(profile: Profile): string {
  const checks = VERIFIED_SERVICES.filter((s) => serviceByName(s)?.profile === profile);
  return `- skipped ${profile} (${checks.join(", ")}): not started; make start PROFILE=${profile} adds it\n`;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description(
      "Prove the running stack end to end: write and read every service, and a telemetry round trip",
    )
    .addOption(profileOption("verify only a profile's services"))
    .option(
      "--only <services>",
      `comma-separated checks (${VERIFIED_SERVICES.join(", ")})`,
      listOf(VERIFIED_SERVICES, "check"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n  make verify\n  tsx src/cli.ts verify --profile core\n  tsx src/cli.ts verify --only postgres,nats",
    )
    .action(async (flags: { profile?: Profile[]; only?: string[] }) => {
      await withCommandTrace("verify", async (trace) => {
        const config = loadCommandConfig();
        trace.configure(config);
        const { profiles, notStarted, notRunning } = await profilesToVerify(config, flags.profile ?? []);
        // An opt-in profile that is not started is not worth a line: nobody asked for it.
        for (const profile of notStarted.filter((p) => DEFAULT_PROFILES.includes(p) && !profiles.includes(p)))
          process.stdout.write(skippedProfileLine(profile));
        const outcomes = await runVerify(
          config,
          profiles,
          flags.only ?? [],
          trace,
          (line) => process.stdout.write(line),
          notStarted,
          notRunning,
        );
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length > 0) process.exitCode = 1;
        return failed.length === 0;
      });
    });
}
