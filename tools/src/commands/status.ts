import type { Command } from "commander";
import { type Config, type PortVariable, parseConfig } from "../config/env.ts";
import {
  DEFAULT_PROFILES,
  hostPort,
  PROFILES,
  type Profile,
  SERVICES,
  type ServiceDefinition,
  serviceByName,
  servicesInProfile,
} from "../config/services.ts";
import { requireOwnProject } from "../docker/checkout.ts";
import {
  type ComposeTarget,
  composeCommand,
  composeRun,
  composeTarget,
  profileArgs,
} from "../docker/compose.ts";
import { type ComposeContainer, listProjectContainers } from "../docker/containers.ts";
import { ENGINE_FIX, type EngineProbe, engineFix, probeEngine, probeEngineOnce } from "../docker/engine.ts";
import { run } from "../docker/exec.ts";
import { inspectContainers } from "../docker/inspect.ts";
import { UserError } from "../errors.ts";
import { printJson, printJsonError } from "../output/json.ts";
import { MASK, maskUrl } from "../output/mask.ts";
import { renderTable } from "../output/table.ts";
import { type CommandTrace, withCommandTrace } from "../telemetry/tracer.ts";
import {
  parseConfigHashes,
  parseImageIds,
  publishedPorts,
  renderDrift,
  type ServiceDrift,
  stackDrift,
} from "./drift-rules.ts";
import { loadCommandConfig, profileOption, readEnvironment } from "./shared.ts";

/** How a service looks to a user: up, or the reason it is not. */
export type Condition = "up" | "starting" | "unhealthy" | "stopped" | "missing";

export interface ServiceStatus {
  service: string;
  profile: Profile;
  condition: Condition;
  ok: boolean;
  /** Container state as the engine reports it ("" when there is no container). */
  state: string;
  /** healthy | unhealthy | starting | "none" (no healthcheck) | "" (no container). */
  health: string;
  /** The engine's status text, e.g. "Up 2 minutes (healthy)". */
  detail: string;
  url: string;
  user: string | null;
  password: string | null;
  ports: { variable: string; hostPort: number; containerPort: number }[];
}

export interface StatusReport {
  schemaVersion: 1;
  project: string;
  ok: boolean;
  profiles: Profile[];
  /** Profiles left out because none of their containers runs (only when no --profile was given). */
  notStarted: Profile[];
  services: ServiceStatus[];
  /** Services whose containers differ from what .env, the Compose file and the images say now. */
  drift: ServiceDrift[];
}

/** Pure: what a container's state and health mean to a user. */
export function conditionOf(container: ComposeContainer | undefined): Condition {
  if (!container) return "missing";
  if (container.state !== "running") return container.state === "restarting" ? "unhealthy" : "stopped";
  if (container.health === "unhealthy") return "unhealthy";
  if (container.health === "starting") return "starting";
  return "up";
}

/** Container states the engine keeps alive: a profile with one of them was started. */
const ALIVE = new Set(["running", "restarting", "paused"]);

/** Pure: the profiles the engine runs, i.e. with at least one container running, restarting or paused. */
export function startedProfiles(containers: readonly ComposeContainer[]): Profile[] {
  const started = new Set(
    containers.filter((c) => ALIVE.has(c.state)).map((c) => serviceByName(c.service)?.profile),
  );
  return PROFILES.filter((p) => started.has(p));
}

/**
 * Pure: which profiles to report. Flags win; otherwise the profiles the engine runs, so a stack started with
 * PROFILE=core is not reported as broken for its stopped observability containers; when none runs, the profiles
 * a plain `make start` starts.
 */
export function expectedProfiles(
  requested: readonly Profile[],
  containers: readonly ComposeContainer[],
): Profile[] {
  if (requested.length > 0) return PROFILES.filter((p) => requested.includes(p));
  const started = startedProfiles(containers);
  return started.length > 0 ? started : [...DEFAULT_PROFILES];
}

/**
 * Pure: the environment with each port variable set to the host port its container publishes, so the URLs
 * shown are the ones that answer, whatever .env says since.
 */
export function withPublishedPorts(
  env: Record<string, string | undefined>,
  containers: readonly ComposeContainer[],
  catalog: readonly ServiceDefinition[] = SERVICES,
): Record<string, string | undefined> {
  const published: Partial<Record<PortVariable, number>> = {};
  for (const definition of catalog)
    Object.assign(
      published,
      publishedPorts(
        definition,
        containers.find((c) => c.service === definition.name),
      ),
    );
  return { ...env, ...Object.fromEntries(Object.entries(published).map(([k, v]) => [k, String(v)])) };
}

/** Pure: the report for the chosen profiles from the container list and the config the containers run with. */
export function buildStatusReport(
  config: Config,
  containers: readonly ComposeContainer[],
  requested: readonly Profile[],
  drift: readonly ServiceDrift[] = [],
): StatusReport {
  const profiles = expectedProfiles(requested, containers);
  const services = SERVICES.filter((s) => profiles.includes(s.profile)).map((definition): ServiceStatus => {
    const container = containers.find((c) => c.service === definition.name);
    const condition = conditionOf(container);
    const credentials = definition.credentials?.(config);
    return {
      service: definition.name,
      profile: definition.profile,
      condition,
      ok: condition === "up",
      state: container?.state ?? "",
      health: container ? container.health || "none" : "",
      detail: container?.status ?? "no container (not started)",
      url: maskUrl(definition.humanUrl(config)),
      user: credentials?.user ?? null,
      password: credentials ? MASK : null,
      ports: definition.ports.map((p) => ({
        variable: p.variable,
        hostPort: hostPort(config.ports, p),
        containerPort: p.containerPort,
      })),
    };
  });
  return {
    schemaVersion: 1,
    project: config.composeProjectName,
    ok: services.every((s) => s.ok),
    profiles,
    notStarted: requested.length > 0 ? [] : DEFAULT_PROFILES.filter((p) => !profiles.includes(p)),
    services,
    drift: drift.filter((d) => services.some((s) => s.service === d.service)),
  };
}

/** Pure: one line per profile that was left out, with the command that adds it. */
export function renderNotStarted(report: StatusReport): string {
  return report.notStarted
    .map(
      (p) => `- ${p} not started (${servicesInProfile(p).join(", ")}): add it with make start PROFILE=${p}`,
    )
    .join("\n");
}

/** Pure: the closing message when something is not up; `running` is false when no profile runs at all. */
export function notUpMessage(report: StatusReport, running: boolean): { what: string; fix: string } {
  const down = report.services.filter((s) => !s.ok);
  if (!running) return { what: `project ${report.project} is not running`, fix: "make start" };
  const profiles = [...new Set(down.map((s) => s.profile))];
  const start = profiles.length === 1 ? `make start PROFILE=${profiles[0]}` : "make start";
  return {
    what: `not up: ${down.map((s) => `${s.service} (${s.condition})`).join(", ")}`,
    fix: `${start} (then make status); why: make logs SERVICE=${down[0]?.service}`,
  };
}

const MARK: Record<Condition, string> = {
  up: "✓",
  starting: "…",
  unhealthy: "✗",
  stopped: "✗",
  missing: "✗",
};

export function renderStatusTable(report: StatusReport): string {
  const rows = report.services.map((s) => [
    `${MARK[s.condition]} ${s.service}`,
    s.condition === "missing" ? "not created" : s.state,
    s.health,
    s.url,
    s.user === null ? "" : `${s.user} / ${MASK}`,
  ]);
  return renderTable(["SERVICE", "STATE", "HEALTH", "URL", "USER / PASSWORD"], rows);
}

/** The target of this checkout, or a clear error when Compose is missing (`engine`: what docker info said). */
function targetOrError(
  command: readonly string[] | undefined,
  config: Config,
  engine: EngineProbe,
): ComposeTarget {
  if (command) return composeTarget(command, config);
  throw new UserError(
    engine.reachable
      ? "Docker Compose v2 is not installed (neither 'docker compose' nor 'docker-compose')"
      : `cannot reach a Docker engine (${engine.reason})`,
    {
      fix: engine.reachable
        ? "install the Compose plugin (https://docs.docker.com/compose/install/) or use the dev container"
        : ENGINE_FIX,
    },
  );
}

/** The project's containers, turning a missing engine into the engine pointer. */
export async function readContainers(target: ComposeTarget): Promise<ComposeContainer[]> {
  try {
    return await listProjectContainers(target.projectName);
  } catch (error) {
    const engine = await probeEngine();
    if (!engine.reachable)
      throw new UserError(`cannot reach a Docker engine (${engine.reason})`, {
        fix: ENGINE_FIX,
        cause: error,
      });
    throw new UserError(`could not list the containers of project ${target.projectName}`, {
      where: "docker ps",
      fix: "run `make doctor`; rerun with DEBUG=1 for details",
      cause: error,
    });
  }
}

/**
 * The target of this checkout's own project. The engine first, so a hung engine is reported within
 * probeEngine's 3 s and not after every compose call timed out; finding Compose asks only the CLI, so it
 * runs meanwhile (each docker call costs 0.1-0.5 s). Another checkout's project is refused before any
 * compose call reaches it.
 */
export async function readStackTarget(config: Config, trace: CommandTrace): Promise<ComposeTarget> {
  const [engine, command] = await Promise.all([
    trace.step("docker", "engine", () => probeEngineOnce()),
    trace.step("docker", "resolve compose", () => composeCommand()),
  ]);
  if (!engine.reachable)
    throw new UserError(`cannot reach a Docker engine (${engine.reason})`, { fix: engineFix(engine) });
  const target = targetOrError(command, config, engine);
  await trace.step("docker", "checkout", () => requireOwnProject(target));
  return target;
}

export async function readStackContainers(
  config: Config,
  trace: CommandTrace,
): Promise<{ target: ComposeTarget; containers: ComposeContainer[] }> {
  const target = await readStackTarget(config, trace);
  return { target, containers: await trace.step("docker", "containers", () => readContainers(target)) };
}

/** Compose's hash of every service's config as it would create it now; none when Compose does not say. */
export async function wantedConfigHashes(target: ComposeTarget): Promise<Map<string, string>> {
  try {
    return parseConfigHashes((await composeRun(target, [...profileArgs(), "config", "--hash", "*"])).stdout);
  } catch {
    return new Map();
  }
}

/**
 * How the containers differ from what `make start` would create now: ports against .env, the config hash
 * Compose labels each container with against `compose config --hash`, the image id against the tag's.
 */
export async function readStackDrift(
  target: ComposeTarget,
  config: Config,
  containers: readonly ComposeContainer[],
  // Needs only the target: a caller may have asked it beside the container list.
  configHashes: Promise<Map<string, string>> = wantedConfigHashes(target),
): Promise<ServiceDrift[]> {
  // The image references the container list gave: their ids are asked beside the containers' inspect.
  const listedRefs = containers.map((c) => c.image);
  const [details, hashes, listedImages] = await Promise.all([
    inspectContainers(containers.map((c) => c.name)),
    configHashes,
    imageIds(listedRefs),
  ]);
  const unlisted = [...details.values()].map((d) => d.imageRef).filter((r) => !listedRefs.includes(r));
  const images = new Map([...listedImages, ...(await imageIds(unlisted))]);
  return stackDrift(SERVICES, containers, config.ports, details, hashes, images);
}

/** The id each image reference names today (`docker image inspect`); none for references not there. */
async function imageIds(refs: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(refs.filter((r) => r !== ""))];
  if (unique.length === 0) return new Map();
  const result = await run("docker", ["image", "inspect", "--format", "{{json .}}", ...unique], {
    timeoutMs: 15_000,
  });
  return parseImageIds(result.stdout);
}

interface StatusFlags {
  json?: boolean;
  profile?: Profile[];
}

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("Show each service's state, health, URL and user (password masked); exit 1 if any is not up")
    .option("--json", "print the report as JSON on stdout (shape: tools/src/commands/status.schema.json)")
    .addOption(profileOption("report only a profile's services"))
    .addHelpText(
      "after",
      "\nExamples:\n  make status\n  make status JSON=1\n  tsx src/cli.ts status --profile core",
    )
    .action(async (flags: StatusFlags) => {
      await withCommandTrace("status", async (trace) => {
        try {
          return await statusAction(flags, trace);
        } catch (error) {
          if (flags.json) printJsonError(error);
          throw error;
        }
      });
    });
}

/** What `status` shows of this checkout's stack: the report and what it was built from. */
export interface ShownStatus {
  report: StatusReport;
  target: ComposeTarget;
  containers: ComposeContainer[];
}

/**
 * Asks the engine and prints the report (the table, or the JSON document); the verdict is the caller's.
 * `converged`: Compose has just brought every container of the profiles to the Compose file, the .env and
 * the images (a successful `compose up`), so there is no drift to look for.
 */
export async function showStatus(
  flags: StatusFlags,
  config: Config,
  trace: CommandTrace,
  { converged = false } = {},
): Promise<ShownStatus> {
  const target = await readStackTarget(config, trace);
  // Compose's wanted config hashes need only the target: asked beside the container list.
  const hashes = converged ? undefined : wantedConfigHashes(target);
  const containers = await trace.step("docker", "containers", () => readContainers(target));
  const drift = hashes
    ? await trace.step("docker", "drift", () => readStackDrift(target, config, containers, hashes))
    : [];
  const running = parseConfig(withPublishedPorts(readEnvironment().merged, containers), config.envFile);
  const report = buildStatusReport(running, containers, flags.profile ?? [], drift);
  if (flags.json) printJson(report);
  else {
    process.stdout.write(`Project ${report.project} (${report.profiles.join(" + ")}):\n`);
    process.stdout.write(`${renderStatusTable(report)}\n`);
    if (report.notStarted.length > 0) process.stdout.write(`${renderNotStarted(report)}\n`);
    if (report.drift.length > 0) process.stdout.write(`${renderDrift(report.drift)}\n`);
  }
  return { report, target, containers };
}

/** `status`: the report, and when something is not up, what and the fix (exit 1). */
export async function statusAction(
  flags: StatusFlags,
  trace: CommandTrace,
  options: { converged?: boolean } = {},
): Promise<boolean> {
  const config = loadCommandConfig();
  trace.configure(config);
  const { report, containers } = await showStatus(flags, config, trace, options);
  if (report.ok) return true;
  process.exitCode = 1;
  if (!flags.json) {
    const { what, fix } = notUpMessage(report, startedProfiles(containers).length > 0);
    process.stderr.write(`✗ ${what}\n  fix: ${fix}\n`);
  }
  return false;
}
