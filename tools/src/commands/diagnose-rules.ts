/**
 * What `make start` says after a failed `compose up --wait` about each service that is not up: pure functions
 * of the engine's answers (docker ps, docker inspect) and the Compose file's memory limit. start.ts does the
 * I/O and prints.
 */
import type { MemoryLimit } from "../docker/compose-file.ts";
import type { ComposeContainer } from "../docker/containers.ts";
import type { ContainerDetails } from "../docker/inspect.ts";

export type FailureKind =
  | "missing"
  | "never-started"
  | "paused"
  | "oom"
  | "killed"
  | "exited"
  | "stopped"
  | "restarting"
  | "unhealthy"
  | "recovering"
  | "starting";

export interface ServiceDiagnosis {
  service: string;
  kind: FailureKind;
  /** A few words for the summary line, e.g. "killed for memory". */
  label: string;
  /** One line: what the engine says is wrong with it. */
  what: string;
  /** Facts that explain it, e.g. the failing healthcheck's output. */
  details: string[];
  /** Whether its last log lines help (a container that never ran has none). */
  showLogs: boolean;
  /** What to do; absent for a service that was only caught up in another one's failure. */
  fix?: string;
}

export interface ServiceEvidence {
  service: string;
  container: ComposeContainer | undefined;
  details: ContainerDetails | undefined;
  memory: MemoryLimit | undefined;
}

export interface DiagnosisContext {
  project: string;
  /** Set when the diagnosis follows a failed `compose up --wait` that had this many seconds. */
  startLimitSeconds?: number;
}

/** The output of a healthcheck as one short line: its last three lines, at most 300 characters. */
export function healthcheckLine(check: { exitCode: number; output: string }): string {
  const lines = check.output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const text = lines.slice(-3).join(" | ") || "(no output)";
  return `last healthcheck (exit ${check.exitCode}): ${text.length > 300 ? `${text.slice(0, 297)}...` : text}`;
}

export function memoryFix(memory: MemoryLimit | undefined): string {
  if (memory?.variable)
    return `raise ${memory.variable} in .env (now ${memory.value}), then make start; make doctor checks that Docker has that much memory`;
  if (memory)
    return `raise its mem_limit (${memory.value}) in infra/docker-compose.yml, then make start; make doctor checks that Docker has that much memory`;
  return "raise its mem_limit in infra/docker-compose.yml, then make start";
}

/** The fix for a container the engine could not start, from the reason it gave (State.Error). */
export function neverStartedFix(error: string): string {
  if (/port is already allocated|address already in use/i.test(error))
    return "a port it publishes is taken: make doctor names who holds it and the .env variable that moves it";
  if (/setting rlimit|rlimit type 7/i.test(error))
    return "the engine cannot grant the open-files limit (it runs without CAP_SYS_RESOURCE): set OPENSEARCH_NOFILE in .env to its limit (ulimit -Hn where dockerd runs), then make start";
  if (/mount|bind source path|no such file or directory/i.test(error))
    return "a file or folder it mounts is missing or wrong: make doctor checks the bind paths; restore infra/config (git checkout -- infra/config)";
  return "fix what the engine reports above, then make start";
}

const mebibytes = (bytes: number) => `${Math.round(bytes / 1024 ** 2)} MiB`;

const logsFix = (service: string, what: string) =>
  `read ${what} above, fix the cause, then make start (more: make logs SERVICE=${service})`;

type Verdict = Omit<ServiceDiagnosis, "service">;

/** Every state but "still starting", which depends on whether anything else failed. */
function verdictOf(evidence: ServiceEvidence, context: DiagnosisContext): Verdict | "starting" | undefined {
  const { service, container, details } = evidence;
  if (!container)
    return {
      kind: "missing",
      label: "no container",
      what:
        context.startLimitSeconds === undefined
          ? "has no container: it was never started (or was removed)"
          : "has no container: Compose did not create it (see the compose output above)",
      details: [],
      showLogs: false,
      fix: "make start",
    };
  const state = details?.status || container.state;
  const exitCode = details?.exitCode ?? container.exitCode;
  const health = details?.lastHealthcheck ? [healthcheckLine(details.lastHealthcheck)] : [];
  switch (state) {
    case "created": {
      const error = details?.error ?? "";
      return {
        kind: "never-started",
        label: "never started",
        what: `was created but never started: ${error || "the engine gave no reason (docker inspect shows no State.Error)"}`,
        details: [],
        showLogs: false,
        fix: neverStartedFix(error),
      };
    }
    case "paused":
      return {
        kind: "paused",
        label: "paused",
        what: "is paused: its processes are frozen and answer nothing",
        details: [],
        showLogs: false,
        fix: `docker compose -p ${context.project} unpause ${service}`,
      };
    case "running":
      if (container.health === "starting") return "starting";
      if (container.health !== "unhealthy") return undefined;
      // Docker keeps "unhealthy" after an unpause until the next check, though the last one passed.
      if (details?.failingStreak === 0 && details.lastHealthcheck?.exitCode === 0)
        return {
          kind: "recovering",
          label: "recovering",
          what: "reports unhealthy, yet its last healthcheck passed (after a pause the engine keeps that state until its next check)",
          details: [],
          showLogs: false,
          fix: "make start again: its next healthcheck clears it",
        };
      return {
        kind: "unhealthy",
        label: "unhealthy",
        what: "is unhealthy: its healthcheck fails",
        details: health,
        showLogs: true,
        fix: logsFix(service, "its healthcheck output and log lines"),
      };
    default:
      break;
  }
  // exited, dead, restarting (a crash loop): the exit code and the OOM flag say why it is down.
  if (details?.oomKilled) {
    // The limit the engine enforced, else the one the Compose file sets.
    const limit = details.memoryLimitBytes > 0 ? mebibytes(details.memoryLimitBytes) : evidence.memory?.value;
    return {
      kind: "oom",
      label: "killed for memory",
      what: `was killed for memory (exit code ${exitCode}, OOM killer): it needs more than its limit${limit ? ` of ${limit}` : ""}`,
      details: [],
      showLogs: true,
      fix: memoryFix(evidence.memory),
    };
  }
  if (state === "restarting")
    return {
      kind: "restarting",
      label: `restarting (exit code ${exitCode})`,
      what: `keeps restarting (last exit code ${exitCode})`,
      details: health,
      showLogs: true,
      fix: logsFix(service, "its last log lines"),
    };
  if (exitCode === 137)
    return {
      kind: "killed",
      label: "killed (exit code 137)",
      what: "was killed (exit code 137, SIGKILL), not for memory: by docker kill, or because it did not stop in time",
      details: [],
      showLogs: true,
      fix: "make start starts it again",
    };
  if (exitCode === 0)
    return {
      kind: "stopped",
      label: "stopped",
      what: "is stopped (exit code 0)",
      details: [],
      showLogs: true,
      fix: "make start",
    };
  return {
    kind: "exited",
    label: `exited (code ${exitCode})`,
    what: `exited with code ${exitCode}: its log lines say why (e.g. a broken data directory or config)`,
    details: [],
    showLogs: true,
    fix: logsFix(service, "its last log lines"),
  };
}

/**
 * One diagnosis per service that is not up. A service still starting is the cause only when nothing else
 * failed: after a failed start that means the start limit ran out; otherwise it was merely interrupted.
 */
export function diagnoseServices(
  evidence: readonly ServiceEvidence[],
  context: DiagnosisContext,
): ServiceDiagnosis[] {
  const verdicts = evidence.map((e) => ({ e, verdict: verdictOf(e, context) }));
  const otherFailure = verdicts.some((v) => v.verdict !== undefined && v.verdict !== "starting");
  return verdicts.flatMap(({ e, verdict }): ServiceDiagnosis[] => {
    if (verdict === undefined) return [];
    if (verdict !== "starting") return [{ service: e.service, ...verdict }];
    const health = e.details?.lastHealthcheck ? [healthcheckLine(e.details.lastHealthcheck)] : [];
    const limit = context.startLimitSeconds;
    if (limit !== undefined && otherFailure)
      return [
        {
          service: e.service,
          kind: "starting",
          label: "still starting",
          what: "was still starting when the start stopped (not the cause)",
          details: [],
          showLogs: false,
        },
      ];
    if (limit !== undefined)
      return [
        {
          service: e.service,
          kind: "starting",
          label: "not healthy in time",
          what: `did not become healthy within the start limit (${limit}s)`,
          details: health,
          showLogs: true,
          fix: `on a slow machine raise STACK_START_TIMEOUT in .env (now ${limit}); make doctor checks memory and CPU`,
        },
      ];
    return [
      {
        service: e.service,
        kind: "starting",
        label: "starting",
        what: "is still starting: its healthcheck has not passed yet",
        details: health,
        showLogs: true,
        fix: "make wait waits for it",
      },
    ];
  });
}

/** The closing message: what failed (a timeout and an early failure read differently) and the fixes. */
/**
 * Pure: every service that is not up runs and only fails (or failed) its healthcheck, so its next check may pass:
 * Compose gives up at the first unhealthy container, also one whose cause was just fixed (or that was unpaused),
 * while Docker re-checks it only at its next interval. Nothing crashed that waiting could hide.
 */
export function healthcheckMayPass(diagnoses: readonly ServiceDiagnosis[]): boolean {
  return diagnoses.length > 0 && diagnoses.every((d) => d.kind === "recovering" || d.kind === "unhealthy");
}

export function diagnosisSummary(
  diagnoses: readonly ServiceDiagnosis[],
  context: DiagnosisContext,
): { what: string; fixes: string[] } {
  const causes = diagnoses.filter((d) => d.fix !== undefined);
  const list = causes.map((d) => `${d.service} ${d.label}`).join(", ");
  const limit = context.startLimitSeconds;
  const what =
    limit === undefined
      ? `not up: ${list}`
      : causes.every((d) => d.kind === "starting")
        ? `The stack did not become healthy within ${limit}s (STACK_START_TIMEOUT): ${list}`
        : `The start failed: ${list}`;
  const distinct = [...new Set(causes.map((d) => d.fix as string))];
  const fixes =
    distinct.length === 1
      ? distinct
      : causes
          .filter((d, i) => causes.findIndex((c) => c.fix === d.fix) === i)
          .map((d) => `${d.service}: ${d.fix}`);
  return { what, fixes };
}
