/**
 * `start`: make start after the shell's checks (engine, own project, lock, profiles, Compose), in one process:
 * the preflight, `compose up --wait` with its output on the terminal, after a failed one the diagnosis and at
 * most one more try, then the readiness probes, the seeds and the status table. One node start-up instead of
 * one per step: the start's overhead over a bare `compose up --wait`.
 */
import { spawn } from "node:child_process";
import type { Command } from "commander";
import type { Config } from "../config/env.ts";
import { DEFAULT_PROFILES, type Profile } from "../config/services.ts";
import { type ComposeTarget, composeBaseArgs, composeLogsTail, profileArgs } from "../docker/compose.ts";
import { memoryLimitOf, nextHealthcheckSeconds, readComposeServices } from "../docker/compose-file.ts";
import type { ComposeContainer } from "../docker/containers.ts";
import { inspectContainers } from "../docker/inspect.ts";
import { type CommandTrace, withCommandTrace } from "../telemetry/tracer.ts";
import {
  type DiagnosisContext,
  diagnoseServices,
  diagnosisSummary,
  healthcheckMayPass,
  type ServiceDiagnosis,
} from "./diagnose-rules.ts";
import { reportPreflight, runDoctor } from "./doctor.ts";
import { seedAction } from "./seed.ts";
import { loadCommandConfig, profileOption, readEnvironment } from "./shared.ts";
import {
  buildStatusReport,
  readStackTarget,
  renderStatusTable,
  type StatusReport,
  showStatus,
  statusAction,
} from "./status.ts";
import { beginWait, DEFAULT_PROBE_INTERVAL_MS, selectServices } from "./wait.ts";

/** What the engine says after a failed `compose up --wait`. */
export type Diagnosis =
  /** every service is up by now */
  | "healthy"
  /** the only services not up have passed their healthcheck since */
  | "recovering"
  /** a service is down for a reason the diagnosis has printed */
  | "failed";

/**
 * Pure: what follows a failed `compose up --wait` (the `attempt`th). Compose stops at the first container it
 * sees unhealthy, also at a stale state (Docker keeps "unhealthy" after an unpause until the next check):
 * once that has cleared, Compose gets one more try; refused again, the stack is stuck in Compose's view.
 */
export function afterFailedUp(diagnosis: Diagnosis, attempt: number): "again" | "fail" | "stuck" {
  if (diagnosis === "failed") return "fail";
  return attempt === 1 ? "again" : "stuck";
}

/** `compose up --detach --wait` with Compose's own progress on the terminal; true when every service is healthy. */
function composeUp(
  target: ComposeTarget,
  profiles: readonly Profile[],
  timeoutSeconds: number,
): Promise<boolean> {
  const args = [
    ...composeBaseArgs(target),
    ...profileArgs(profiles),
    ...["up", "--detach", "--wait", "--wait-timeout", String(timeoutSeconds)],
  ];
  return new Promise((done) => {
    const compose = spawn(target.command[0] ?? "docker", args, { stdio: "inherit" });
    compose.once("error", () => done(false));
    compose.once("exit", (code) => done(code === 0));
  });
}

const DIAGNOSE_LOG_LINES = 30;
// Compose 2.26 starts every log line with ESC[2K (erase line), even with --no-color.
const TERMINAL_CODES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g");

/** Pure: the diagnosis of one service as printed, with its last log lines when they help. */
export function renderDiagnosis(diagnosis: ServiceDiagnosis, logs: string | undefined): string {
  // A service only caught up in another one's failure is not marked as failed.
  const mark = diagnosis.fix === undefined ? "…" : "✗";
  const lines = [
    `\n${mark} ${diagnosis.service} ${diagnosis.what}`,
    ...diagnosis.details.map((d) => `  ${d}`),
  ];
  if (logs !== undefined) {
    const shown = logs.replace(TERMINAL_CODES, "").trimEnd();
    const logLines = shown === "" ? [] : shown.split("\n");
    lines.push(
      ...(logLines.length === 0
        ? [`  (${diagnosis.service} has written no log lines)`]
        : [
            `  last ${logLines.length === 1 ? "log line" : `${logLines.length} log lines`} of ${diagnosis.service}:`,
            ...logLines.map((line) => `  | ${line}`),
          ]),
      `  more: make logs SERVICE=${diagnosis.service}`,
    );
  }
  return lines.join("\n");
}

async function logTail(target: ComposeTarget, service: string): Promise<string> {
  try {
    return await composeLogsTail(target, service, DIAGNOSE_LOG_LINES);
  } catch (error) {
    return `(could not read its logs: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Polls the engine until none of the containers reports unhealthy any more; false when the deadline passes. */
async function untilNotUnhealthy(names: readonly string[], deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const details = await inspectContainers(names);
    if (names.every((name) => details.get(name)?.health === "healthy")) return true;
    await new Promise((done) => setTimeout(done, 1000));
  }
  return false;
}

/**
 * For each service that is not up: what the engine says (state, exit code, OOM kill, the reason it never
 * started, the failing healthcheck's output) and its last log lines; then the summary with the fixes.
 */
async function diagnose(
  target: ComposeTarget,
  report: StatusReport,
  containers: readonly ComposeContainer[],
  context: DiagnosisContext,
): Promise<{
  text: string;
  summary: ReturnType<typeof diagnosisSummary>;
  recovering: { names: string[]; seconds: number };
}> {
  const down = report.services.filter((s) => !s.ok);
  const containerOf = (service: string) => containers.find((c) => c.service === service);
  const names = down.map((s) => containerOf(s.service)?.name).filter((n): n is string => Boolean(n));
  const [details, specs] = await Promise.all([inspectContainers(names), readComposeServices()]);
  const env = readEnvironment().merged;
  const diagnoses = diagnoseServices(
    down.map((s) => {
      const container = containerOf(s.service);
      return {
        service: s.service,
        container,
        details: container ? details.get(container.name) : undefined,
        memory: memoryLimitOf(specs[s.service], env),
      };
    }),
    context,
  );
  const logs = await Promise.all(
    diagnoses.map((d) => (d.showLogs ? logTail(target, d.service) : Promise.resolve(undefined))),
  );
  return {
    text: diagnoses.map((d, i) => renderDiagnosis(d, logs[i])).join("\n"),
    summary: diagnosisSummary(diagnoses, context),
    recovering: healthcheckMayPass(diagnoses)
      ? {
          names: diagnoses.map((d) => containerOf(d.service)?.name).filter((n): n is string => Boolean(n)),
          seconds: Math.max(...diagnoses.map((d) => nextHealthcheckSeconds(specs[d.service]))),
        }
      : { names: [], seconds: 0 },
  };
}

/**
 * After a failed `compose up --wait`: the status table, then for each service that is not up what the engine
 * says and its last log lines, with the fixes; nothing more when the only ones left have just recovered.
 */
async function diagnoseFailedUp(
  config: Config,
  profiles: readonly Profile[],
  startLimitSeconds: number,
  trace: CommandTrace,
): Promise<Diagnosis> {
  const { report, target, containers } = await showStatus({ profile: [...profiles] }, config, trace);
  if (report.ok) return "healthy";
  const context = { project: report.project, startLimitSeconds };
  const { text, summary, recovering } = await trace.step("docker", "diagnose", () =>
    diagnose(target, report, containers, context),
  );
  if (
    recovering.names.length > 0 &&
    (await untilNotUnhealthy(recovering.names, (recovering.seconds + 1) * 1000))
  )
    return "recovering";
  process.stdout.write(`${text}\n`);
  process.stderr.write(`\n✗ ${summary.what}\n${summary.fixes.map((f) => `  fix: ${f}\n`).join("")}`);
  return "failed";
}

/** Compose up, and after a failure the diagnosis and at most one more try; true when every service is healthy. */
async function upUntilHealthy(
  config: Config,
  target: ComposeTarget,
  profiles: readonly Profile[],
  trace: CommandTrace,
): Promise<boolean> {
  const timeoutSeconds = config.stackStartTimeoutSeconds;
  process.stderr.write(
    `Starting ${profiles.join(" ")} (project ${config.composeProjectName}, waiting up to ${timeoutSeconds}s for health)...\n`,
  );
  for (let attempt = 1; ; attempt++) {
    if (await trace.step("docker", "compose up", () => composeUp(target, profiles, timeoutSeconds)))
      return true;
    const next = afterFailedUp(await diagnoseFailedUp(config, profiles, timeoutSeconds, trace), attempt);
    if (next === "fail") return false;
    if (next === "stuck") {
      process.stderr.write(
        "✗ Compose still reports a service unhealthy although its healthcheck passes.\n  fix: make start again; 'make status' shows what the engine reports.\n",
      );
      return false;
    }
    process.stderr.write(
      "Starting once more: a service Compose saw unhealthy has passed its healthcheck since.\n",
    );
  }
}

/**
 * The preflight, printing only problems; an already healthy stack (as configured) gets its status table, and
 * nothing is started.
 */
async function preflight(
  profiles: readonly Profile[],
  trace: CommandTrace,
): Promise<"blocked" | "already-running" | "clear" | "clear, containers running"> {
  const checked = await runDoctor({ profiles: [...profiles], preflight: true }, trace);
  reportPreflight(checked);
  const { report, config, containers } = checked;
  if (!report.ok) return "blocked";
  if (!report.stackRunning)
    return containers.some((c) => c.state === "running") ? "clear, containers running" : "clear";
  const status = buildStatusReport(config, containers, report.profiles);
  process.stdout.write(
    "The stack already runs and is healthy; nothing to start (run 'make seed' to re-apply seeds).\n",
  );
  process.stdout.write(
    `Project ${status.project} (${status.profiles.join(" + ")}):\n${renderStatusTable(status)}\n`,
  );
  return "already-running";
}

/** How long Compose and the engine take to create the containers of a cold start (10 services, 2 cores). */
const CONTAINERS_CREATED_MS = 1000;

interface StartFlags {
  profile?: Profile[];
  wait: boolean;
  seed: boolean;
  skipPreflight?: boolean;
}

async function startAction(flags: StartFlags, trace: CommandTrace): Promise<boolean> {
  // The scripts always name the profiles; run by hand, those a plain make start starts.
  const profiles = flags.profile?.length ? flags.profile : [...DEFAULT_PROFILES];
  const checked = flags.skipPreflight ? "clear" : await preflight(profiles, trace);
  if (checked === "already-running") return true;
  if (checked === "blocked") {
    process.exitCode = 1;
    return false;
  }
  const config = loadCommandConfig();
  trace.configure(config);
  const target = await readStackTarget(config, trace);
  // The readiness probes run beside `compose up --wait`, so that little is left when it returns (silent until
  // then; what answered meanwhile is not asked again). They begin once Compose and the engine have had the
  // CPU to create the containers, or when Compose is done, if sooner; while containers of the project run,
  // only when Compose is done: it may be replacing them, and a probe would pass against the old one. (A
  // skipped preflight is make reset's, which has just removed the project.)
  let composeReturned = () => {};
  const returned = new Promise<void>((resolve) => (composeReturned = resolve));
  const created =
    checked === "clear, containers running"
      ? returned
      : Promise.race([
          returned,
          new Promise<void>((resolve) => setTimeout(resolve, CONTAINERS_CREATED_MS).unref()),
        ]);
  const readiness = created.then(() =>
    flags.wait
      ? beginWait(selectServices({ profile: [...profiles] }), config, trace, {
          timeoutSeconds: config.stackStartTimeoutSeconds,
          intervalMs: DEFAULT_PROBE_INTERVAL_MS,
          ahead: true,
        })
      : undefined,
  );
  const up = await upUntilHealthy(config, target, profiles, trace);
  composeReturned();
  const probes = await readiness;
  if (!up) {
    probes?.abandon();
    process.exitCode = 1;
    return false;
  }
  probes?.due();
  await probes?.finished();
  // Every seeded service (postgres, minio, opensearch, nats) is in the core profile.
  if (flags.seed && profiles.includes("core")) await seedAction({}, trace);
  return statusAction({ profile: [...profiles] }, trace, { converged: true });
}

export function registerStartCommand(program: Command): void {
  program
    .command("start")
    .description(
      "make start after the scripts' checks: preflight, compose up --wait, then wait, seed and the status table",
    )
    .addOption(profileOption("start a profile's services"))
    .option("--no-wait", "skip the readiness probes after `compose up --wait` (tests, benchmark)")
    .option("--no-seed", "skip seeding (tests, benchmark; run `make seed` later)")
    .option("--skip-preflight", "skip the preflight (make reset ran it before deleting anything)")
    .addHelpText(
      "after",
      "\nRun by infra/scripts/start-infra.sh (make start), which holds the lifecycle lock.",
    )
    .action(async (flags: StartFlags) => {
      await withCommandTrace("start", (trace) => startAction(flags, trace));
    });
}
