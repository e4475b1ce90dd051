import type { Command } from "commander";
import type { Config } from "../config/env.ts";
import {
  DEFAULT_PROFILES,
  type Profile,
  probeFor,
  SERVICE_NAMES,
  type ServiceDefinition,
  serviceByName,
  servicesInProfile,
} from "../config/services.ts";
import { type ComposeContainer, listProjectContainers } from "../docker/containers.ts";
import { UserError } from "../errors.ts";
import { printJson, printJsonError } from "../output/json.ts";
import { maskUrl } from "../output/mask.ts";
import { Progress } from "../output/progress.ts";
import { type WaitOutcome, waitForServices } from "../services/wait-loop.ts";
import { type CommandTrace, withCommandTrace } from "../telemetry/tracer.ts";
import { isLoopbackAddress } from "./doctor-rules.ts";
import { listOf, loadCommandConfig, profileOption } from "./shared.ts";
import { readStackContainers, startedProfiles } from "./status.ts";

/** Pause between two probes of a service that is not ready yet. */
export const DEFAULT_PROBE_INTERVAL_MS = 1000;
/** How often a wait asks the engine whether the containers it waits for still run (one docker ps, 15 ms). */
const CONTAINER_CHECK_MS = 2000;

export interface WaitFlags {
  only?: string[];
  profile?: Profile[];
  timeout?: number;
  interval: number;
  json?: boolean;
}

/** Which services the flags select: --only wins, then --profile, else all ten. */
export function selectServices(flags: Pick<WaitFlags, "only" | "profile">): string[] {
  if (flags.only && flags.only.length > 0) return flags.only;
  if (flags.profile && flags.profile.length > 0) {
    const wanted = new Set(flags.profile.flatMap((p) => servicesInProfile(p)));
    return SERVICE_NAMES.filter((s) => wanted.has(s));
  }
  return [...SERVICE_NAMES];
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/**
 * Pure: whether a service's probed endpoint is this stack's container: its published port on this machine, or
 * its Compose host name and container port (inside the dev container). An endpoint elsewhere (e.g. DATABASE_URL
 * to another server) is waited for without asking the engine about a container.
 */
export function servedByStack(definition: ServiceDefinition, config: Config): boolean {
  let url: URL;
  try {
    url = new URL((definition.probedUrl ?? definition.humanUrl)(config));
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port || DEFAULT_PORTS[url.protocol] || 0);
  if (host === definition.name) return definition.ports.some((p) => p.containerPort === port);
  const local = host === "localhost" || isLoopbackAddress(host) || host === config.bindAddress;
  return local && definition.ports.some((p) => config.ports[p.variable] === port);
}

/** A selected service whose container cannot answer: exited, created, dead, paused, or absent (state ""). */
export interface NotRunning {
  service: string;
  state: string;
  exitCode: number;
}

export interface WaitPlan {
  services: string[];
  /** Profiles left out of a default wait because none of their containers runs. */
  notStarted: Profile[];
  notRunning: NotRunning[];
}

/** States a readiness probe can still succeed in; a restarting container may come up by itself. */
const WAITABLE = new Set(["running", "restarting"]);

/**
 * Pure: what `wait` waits for. A default wait covers the profiles the engine runs (all of them when none
 * runs); an explicit selection (--only, --profile) is waited for as asked. A selected service of the stack
 * whose container is not running fails at once instead of being probed until the deadline.
 */
export function planWait(
  selected: readonly string[],
  explicit: boolean,
  stackServices: ReadonlySet<string>,
  containers: readonly ComposeContainer[],
): WaitPlan {
  const started = startedProfiles(containers);
  const narrowed = !explicit && started.length > 0;
  const inStartedProfile = (s: string) => started.some((p) => p === serviceByName(s)?.profile);
  // With nothing started, a default wait covers what a plain `make start` starts.
  const services = narrowed
    ? selected.filter((s) => !stackServices.has(s) || inStartedProfile(s))
    : selected.filter((s) => explicit || !serviceByName(s)?.optIn);
  const notRunning = services
    .filter((s) => stackServices.has(s))
    .flatMap((service): NotRunning[] => {
      const container = containers.find((c) => c.service === service);
      if (container && WAITABLE.has(container.state)) return [];
      return [{ service, state: container?.state ?? "", exitCode: container?.exitCode ?? 0 }];
    });
  return {
    services,
    notStarted: narrowed ? DEFAULT_PROFILES.filter((p) => !started.includes(p)) : [],
    notRunning,
  };
}

/** Pure: the message for services that cannot become ready because their containers do not run. */
export function notRunningError(
  project: string,
  notRunning: readonly NotRunning[],
  anyRunning: boolean,
): UserError {
  const stateOf = (n: NotRunning) =>
    n.state === "" ? "no container" : n.state === "exited" ? `exited, code ${n.exitCode}` : n.state;
  const states = [...new Set(notRunning.map(stateOf))];
  const list = states
    .map(
      (state) =>
        `${notRunning
          .filter((n) => stateOf(n) === state)
          .map((n) => n.service)
          .join(", ")} (${state})`,
    )
    .join("; ");
  const paused = notRunning.filter((n) => n.state === "paused").map((n) => n.service);
  const down = notRunning.filter((n) => n.state !== "paused");
  const profiles = [...new Set(down.map((n) => serviceByName(n.service)?.profile))];
  const start = profiles.length === 1 ? `make start PROFILE=${profiles[0]}` : "make start";
  const exited = down.find((n) => n.state === "exited" && n.exitCode !== 0);
  const fixes = [
    ...(down.length > 0
      ? [`${start}${exited ? ` (why it stopped: make logs SERVICE=${exited.service})` : ""}`]
      : []),
    ...(paused.length > 0 ? [`docker compose -p ${project} unpause ${paused.join(" ")}`] : []),
  ];
  return new UserError(
    anyRunning ? `not running, so never ready: ${list}` : `project ${project} is not running: ${list}`,
    { where: `Compose project ${project}`, fix: fixes.join("; then ") },
  );
}

export function registerWaitCommand(program: Command): void {
  program
    .command("wait")
    .description("Wait until the services answer their readiness probes (in parallel, with live progress)")
    .option(
      "--only <services>",
      `comma-separated services (${SERVICE_NAMES.join(", ")})`,
      listOf(SERVICE_NAMES, "service"),
    )
    .addOption(profileOption("wait for a profile's services"))
    .option("--timeout <seconds>", "overall deadline (default: STACK_START_TIMEOUT from .env, 300)", (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0)
        throw new UserError(`--timeout ${v} is not a positive number of seconds`, {
          fix: "pass e.g. --timeout 120",
        });
      return n;
    })
    .option(
      "--interval <ms>",
      "pause between two probes of a service that is not ready",
      Number,
      DEFAULT_PROBE_INTERVAL_MS,
    )
    .option("--json", "print the result as JSON on stdout")
    .addHelpText(
      "after",
      "\nExamples:\n  make wait\n  tsx src/cli.ts wait --profile core --timeout 120\n  tsx src/cli.ts wait --only postgres,nats",
    )
    .action(async (flags: WaitFlags) => {
      await withCommandTrace("wait", async (trace) => {
        await waitAction(flags, trace);
        return true;
      });
    });
}

/** The services to wait for, after asking the engine about the containers of those this stack serves. */
async function servicesToWait(flags: WaitFlags, config: Config, trace: CommandTrace): Promise<string[]> {
  const selected = selectServices(flags);
  const stack = stackServices(selected, config);
  const explicit = Boolean(flags.only?.length || flags.profile?.length);
  if (stack.size === 0) return planWait(selected, explicit, stack, []).services;
  const { containers } = await readStackContainers(config, trace);
  const plan = planWait(selected, explicit, stack, containers);
  for (const p of plan.notStarted)
    process.stderr.write(`- ${p} not started, not waited for (make start PROFILE=${p} adds it)\n`);
  if (plan.notRunning.length > 0)
    throw notRunningError(config.composeProjectName, plan.notRunning, startedProfiles(containers).length > 0);
  return plan.services;
}

export async function waitAction(flags: WaitFlags, trace: CommandTrace): Promise<void> {
  const config = loadCommandConfig();
  trace.configure(config);
  const services = await servicesToWait(flags, config, trace).catch((error: unknown) => {
    if (flags.json) printJsonError(error);
    throw error;
  });
  await beginWait(services, config, trace, {
    timeoutSeconds: flags.timeout ?? config.stackStartTimeoutSeconds,
    intervalMs: flags.interval,
    json: flags.json,
  }).finished();
}

/** The selected services that are this stack's containers (an endpoint elsewhere has none to watch). */
function stackServices(services: readonly string[], config: Config): Set<string> {
  return new Set(
    services.filter((s) => {
      const definition = serviceByName(s);
      return definition !== undefined && servedByStack(definition, config);
    }),
  );
}

/**
 * Pure: the services seen not running by two checks in a row. One check alone may land while Compose
 * recreates a container (another terminal's make start): between stop and start it is exited or absent.
 */
export function stoppedTwice(previous: readonly NotRunning[], current: readonly NotRunning[]): NotRunning[] {
  return current.filter((n) => previous.some((p) => p.service === n.service));
}

/**
 * Resolves with the error to report once a container the wait is for has stopped running (exited, dead,
 * removed) before it was ready: it would never answer, and its probe would try until the deadline. Never
 * resolves while they run, nor when the engine cannot be asked (the probes go on); ends with the signal.
 */
function containerStopped(
  services: readonly string[],
  config: Config,
  signal: AbortSignal,
  ready: ReadonlySet<string>,
): Promise<UserError> {
  const stack = stackServices(services, config);
  return new Promise((resolve) => {
    if (stack.size === 0 || signal.aborted) return;
    let previous: NotRunning[] = [];
    const check = async () => {
      const watched = [...stack].filter((s) => !ready.has(s));
      if (watched.length === 0) return;
      const containers = await listProjectContainers(config.composeProjectName).catch(() => undefined);
      if (signal.aborted) return;
      const current = containers ? planWait(watched, true, stack, containers).notRunning : [];
      const stopped = stoppedTwice(previous, current);
      if (stopped.length > 0)
        resolve(
          notRunningError(config.composeProjectName, stopped, startedProfiles(containers ?? []).length > 0),
        );
      else {
        previous = current;
        timer = setTimeout(check, CONTAINER_CHECK_MS);
      }
    };
    let timer = setTimeout(check, CONTAINER_CHECK_MS);
    signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  });
}

/** Readiness probes under way (beginWait). */
export interface WaitRun {
  /** Probing ahead: the services are due now. The progress shows, the pauses end, the deadline starts. */
  due(): void;
  /** Ends the probes without a word (the start failed; its own message says why). */
  abandon(): void;
  /** Reports the outcome as `make wait` does: JSON when asked, the error of what is not ready, else "all N ready". */
  finished(): Promise<void>;
}

export interface WaitRunOptions {
  timeoutSeconds: number;
  intervalMs: number;
  json?: boolean | undefined;
  /** Probe beside `compose up --wait`, silently and without a deadline, until due(). */
  ahead?: boolean;
}

/** Starts the readiness probes of `services` in parallel, with live progress on stderr. */
export function beginWait(
  services: readonly string[],
  config: Config,
  trace: CommandTrace,
  options: WaitRunOptions,
): WaitRun {
  const progress = new Progress(services, { held: options.ahead });
  const heartbeat = setInterval(() => progress.heartbeat(), 10_000);
  heartbeat.unref();
  let markDue = () => {};
  const due = options.ahead ? new Promise<void>((resolve) => (markDue = resolve)) : undefined;
  const abandoned = new AbortController();
  const watching = new AbortController();
  const ready = new Set<string>();
  const outcomes = waitForServices(
    services.map((s) => probeFor(s)),
    config,
    {
      deadlineMs: options.timeoutSeconds * 1000,
      intervalMs: options.intervalMs,
      due,
      signal: abandoned.signal,
      // One span per service for its whole wait (how long each took to become ready).
      wrap: (service, run) => trace.step(service, "wait", run),
      onUpdate: (service, state, detail) => {
        if (state === "ready") ready.add(service);
        progress.update(service, state, state === "ready" ? "" : detail);
      },
    },
  ).finally(() => {
    watching.abort();
    clearInterval(heartbeat);
    progress.stop();
  });
  // Abandoned, nobody awaits the outcomes: a failure then must not surface as an unhandled rejection.
  outcomes.catch(() => {});
  // Probing ahead, containers are still being created: watched only once they are due.
  const stopped = (due ?? Promise.resolve()).then(() =>
    containerStopped(services, config, watching.signal, ready),
  );
  return {
    due: () => {
      progress.show();
      markDue();
    },
    abandon: () => {
      watching.abort();
      abandoned.abort();
    },
    finished: async () => {
      const first = await Promise.race([outcomes, stopped]);
      if (first instanceof UserError) {
        abandoned.abort();
        await outcomes;
        if (options.json) printJsonError(first);
        throw first;
      }
      reportWait(first, config, options);
    },
  };
}

function reportWait(outcomes: readonly WaitOutcome[], config: Config, options: WaitRunOptions): void {
  if (options.json) {
    const ok = outcomes.every((o) => o.state === "ready");
    printJson({ outcome: ok ? "success" : "error", services: outcomes });
  }
  const failed = outcomes.filter((o) => o.state === "failed");
  const late = outcomes.filter((o) => o.state === "waiting");
  const at = (service: string) => {
    const definition = serviceByName(service);
    return `${service} at ${maskUrl((definition?.probedUrl ?? definition?.humanUrl)?.(config) ?? "?")}`;
  };
  if (failed.length > 0) {
    const first = failed[0]?.service ?? "";
    throw new UserError(`${failed.map((f) => f.service).join(", ")} rejected the credentials`, {
      where: failed.map((f) => at(f.service)).join("; "),
      fix: `check the user/password variables of ${first} in .env; they must match what its volume was created with (\`make reset\` recreates it)`,
    });
  }
  if (late.length > 0) {
    const first = late[0]?.service ?? "";
    throw new UserError(
      `not ready after ${options.timeoutSeconds}s: ${late.map((l) => `${l.service} (last: ${l.detail})`).join("; ")}`,
      {
        where: late.map((l) => at(l.service)).join("; "),
        fix: `see why with \`make logs SERVICE=${first}\` and \`make status\`; slow machine: raise STACK_START_TIMEOUT in .env`,
      },
    );
  }
  process.stderr.write(`all ${outcomes.length} services ready\n`);
}
