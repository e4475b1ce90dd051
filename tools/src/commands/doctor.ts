import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { resolve } from "node:path";
import type { Command } from "commander";
import { type Config, ConfigError, parseConfig, readEnvFile, repoRoot } from "../config/env.ts";
import { DEFAULT_PROFILES, PROFILES, type Profile, SERVICE_NAMES, SERVICES } from "../config/services.ts";
import { derivedProjectName, projectHasContainers, readOtherStacks } from "../docker/checkout.ts";
import { composeTarget, detectCompose, parseComposeVersion } from "../docker/compose.ts";
import { interpolate, readComposeServices } from "../docker/compose-file.ts";
import { type ComposeContainer, listProjectContainers } from "../docker/containers.ts";
import { type EngineInfo, engineFix, probeEngineOnce } from "../docker/engine.ts";
import { run } from "../docker/exec.ts";
import { formatVersion } from "../docker/version.ts";
import { registerSecrets } from "../errors.ts";
import { printJson, printJsonError } from "../output/json.ts";
import { commandTrace, withCommandTrace } from "../telemetry/tracer.ts";
import {
  architectureFinding,
  bindAddressFinding,
  composeVersionFinding,
  type DoctorReport,
  diskFinding,
  driftFindings,
  duplicatePortFindings,
  engineVersionFinding,
  envDrift,
  envDriftFindings,
  envFileFindings,
  envInvalidFinding,
  type Finding,
  identityFindings,
  maxMapCountFinding,
  memoryFinding,
  type PortPlanEntry,
  type PortProbe,
  parseByteSize,
  parseLsofListeners,
  parseSsListeners,
  portFindings,
  portPlan,
  renderFindings,
  suggestPort,
  summarize,
  takenPortProbe,
} from "./doctor-rules.ts";
import type { ServiceDrift } from "./drift-rules.ts";
import { profileOption, readEnvironment } from "./shared.ts";
import { conditionOf, readStackDrift, wantedConfigHashes } from "./status.ts";

type Env = Record<string, string | undefined>;

/** A usable config even when some values are invalid: those fall back to their defaults (and are reported). */
function configAndProblems(env: Env, file: string | undefined): { config: Config; problems: Finding[] } {
  try {
    return { config: parseConfig(env, file), problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const withoutInvalid = { ...env };
    for (const p of error.problems) delete withoutInvalid[p.variable];
    return { config: parseConfig(withoutInvalid, file), problems: [envInvalidFinding(error.problems)] };
  }
}

interface ComposeFacts {
  memoryBudgetBytes: number;
  images: Record<string, string>;
}

async function readComposeFacts(env: Env, profiles: readonly Profile[]): Promise<ComposeFacts> {
  const facts: ComposeFacts = { memoryBudgetBytes: 0, images: {} };
  for (const [name, service] of Object.entries(await readComposeServices())) {
    if (service.image) facts.images[name] = interpolate(service.image, env);
    if (!(service.profiles ?? []).some((p) => profiles.includes(p as Profile))) continue;
    const limit =
      service.mem_limit === undefined
        ? undefined
        : parseByteSize(interpolate(String(service.mem_limit), env));
    facts.memoryBudgetBytes += limit ?? 256 * 1024 ** 2;
  }
  return facts;
}

/** Tries to bind the port where Docker will publish it: the most faithful "is it free" test. */
function bindProbe(
  host: string,
  port: number,
): Promise<"free" | "taken" | "no-permission" | { error: string }> {
  return new Promise((done) => {
    const server = createServer();
    server.unref();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") done("taken");
      else if (error.code === "EACCES") done("no-permission");
      else done({ error: error.code ?? error.message });
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => done("free")));
  });
}

/** Who listens on which port, where the OS tells: ss on Linux, lsof on macOS. One call for all ports. */
async function listeningOwners(): Promise<Map<number, string>> {
  if (process.platform === "linux") {
    const ss = await run("ss", ["-ltnpH"], { timeoutMs: 3000 });
    if (ss.code === 0) return parseSsListeners(ss.stdout);
  }
  const lsof = await run("lsof", ["-nP", "-iTCP", "-sTCP:LISTEN", "-Fpcn"], { timeoutMs: 3000 });
  return lsof.code === 0 || lsof.stdout !== "" ? parseLsofListeners(lsof.stdout) : new Map();
}

/** A container of ANOTHER Compose project (another checkout?) that publishes the port. */
async function containerPublishing(port: number): Promise<string | undefined> {
  const result = await run(
    "docker",
    ["ps", "--filter", `publish=${port}`, "--format", '{{.Names}}\t{{.Label "com.docker.compose.project"}}'],
    { timeoutMs: 3000 },
  );
  const [name, project] = (result.stdout.trim().split("\n")[0] ?? "").split("\t");
  if (result.code !== 0 || !name) return undefined;
  return project
    ? `container ${name} of Compose project "${project}" (stop it: docker compose -p ${project} stop)`
    : `container ${name}`;
}

async function probePorts(
  plan: readonly PortPlanEntry[],
  bindAddress: string,
  containers: readonly ComposeContainer[],
  engineReachable: boolean,
): Promise<Map<number, PortProbe>> {
  const probes = new Map<number, PortProbe>();
  let owners: Map<number, string> | undefined;
  for (const entry of plan) {
    const ours = containers.find(
      (c) => c.state === "running" && c.publishers.some((p) => p.publishedPort === entry.port),
    );
    if (ours) {
      probes.set(entry.port, { kind: "held-by-stack", container: ours.name });
      continue;
    }
    const result = await bindProbe(bindAddress, entry.port);
    if (result === "free") probes.set(entry.port, { kind: "free" });
    else if (result === "no-permission") probes.set(entry.port, { kind: "no-permission" });
    else if (result === "taken") {
      owners ??= await listeningOwners();
      const container = engineReachable ? await containerPublishing(entry.port) : undefined;
      probes.set(entry.port, takenPortProbe(owners.get(entry.port), container, engineReachable));
    } else probes.set(entry.port, { kind: "bad-address", message: `${bindAddress}: ${result.error}` });
  }
  return probes;
}

function diskCheck(engine: EngineInfo, dood: boolean): Finding {
  const where = engine.dockerRootDir || "/var/lib/docker";
  if (dood || /docker desktop/i.test(engine.operatingSystem) || !existsSync(where))
    return diskFinding(undefined, undefined, `${where} is inside the engine's VM or host`);
  try {
    const stats = statfsSync(where);
    return diskFinding(stats.bavail * stats.bsize, stats.blocks * stats.bsize, where);
  } catch {
    return diskFinding(undefined, undefined, where);
  }
}

function maxMapCount(engine: EngineInfo): Finding {
  // The engine's kernel is this machine's only on a native Linux engine (or a dev container sharing it).
  const applicable =
    process.platform === "linux" &&
    engine.osType === "linux" &&
    !/docker desktop/i.test(engine.operatingSystem);
  let value: number | undefined;
  try {
    value = Number(readFileSync("/proc/sys/vm/max_map_count", "utf8").trim());
  } catch {
    value = undefined;
  }
  return maxMapCountFinding(value, applicable);
}

/**
 * Docker-outside-of-Docker: the engine resolves bind mounts on ITS host. Write a token into this checkout and
 * have a container read it back through HOST_WORKSPACE_FOLDER; a wrong path shows before anything starts.
 */
async function bindPathSelfTest(hostWorkspaceFolder: string, image: string | undefined): Promise<Finding> {
  // The literal ${localWorkspaceFolder} is devcontainer.json syntax, not a template placeholder.
  const base = {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: devcontainer.json variable syntax, shown to the user
    fix: 'set HOST_WORKSPACE_FOLDER to this repository\'s path on the Docker host (devcontainer.json: "HOST_WORKSPACE_FOLDER": "${localWorkspaceFolder}"); a "clone in volume" workspace cannot be bind-mounted: clone to a host folder',
  };
  if (!image)
    return {
      code: "BIND_PATH_UNVERIFIED",
      status: "warn",
      title: "bind-path self-test skipped: no image found in the Compose file",
      blocking: false,
      ...base,
    };
  const token = randomBytes(12).toString("hex");
  const dir = resolve(repoRoot, "tmp");
  const name = `.bind-probe-${token}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, name), token);
  const hostPath = `${hostWorkspaceFolder.replace(/\/+$/, "")}/tmp/${name}`;
  try {
    const result = await run(
      "docker",
      [
        "run",
        "--rm",
        "--pull",
        "missing",
        "--network",
        "none",
        "--entrypoint",
        "cat",
        "--mount",
        `type=bind,src=${hostPath},dst=/probe,readonly`,
        image,
        "/probe",
      ],
      { timeoutMs: 120_000 },
    );
    const data = { hostWorkspaceFolder, hostPath };
    if (result.code === 0 && result.stdout.trim() === token)
      return {
        code: "BIND_PATH_OK",
        status: "pass",
        title: `bind mounts resolve on the Docker host (HOST_WORKSPACE_FOLDER=${hostWorkspaceFolder})`,
        blocking: false,
        data,
      };
    if (
      /bind source path does not exist|invalid mount config|no such file/i.test(result.stderr) ||
      result.code === 0
    )
      return {
        code: "BIND_PATH_WRONG",
        status: "fail",
        title: `HOST_WORKSPACE_FOLDER=${hostWorkspaceFolder} is not this checkout on the Docker host: the config files would be missing or empty in the containers`,
        blocking: true,
        ...base,
        data,
      };
    return {
      code: "BIND_PATH_UNVERIFIED",
      status: "warn",
      title: `bind-path self-test could not run (${result.stderr.trim().split("\n").pop() ?? result.code})`,
      blocking: false,
      ...base,
      data,
    };
  } finally {
    rmSync(resolve(dir, name), { force: true });
  }
}

export interface DoctorOptions {
  profiles: Profile[];
  preflight: boolean;
}

export interface DoctorRun {
  report: DoctorReport;
  /** What the checks saw, so `start` can print the status of an already running stack itself. */
  config: Config;
  containers: ComposeContainer[];
  /** The services whose containers differ from what `make start` would create now. */
  drift: ServiceDrift[];
}

async function composeCommandAndVersion(): Promise<{
  command: readonly string[] | undefined;
  composeVersion: string | undefined;
}> {
  const compose = await detectCompose();
  const parsed = compose ? parseComposeVersion(compose.versionText) : undefined;
  return { command: compose?.command, composeVersion: parsed ? formatVersion(parsed) : undefined };
}

export async function runDoctor(options: DoctorOptions, trace = commandTrace("doctor")): Promise<DoctorRun> {
  const profiles =
    options.profiles.length > 0
      ? PROFILES.filter((p) => options.profiles.includes(p))
      : [...DEFAULT_PROFILES];
  const environment = readEnvironment();
  const { config, problems } = configAndProblems(
    environment.merged,
    environment.reading.exists ? environment.reading.file : undefined,
  );
  registerSecrets(config.secrets);
  trace.configure(config);
  const findings: Finding[] = [...envFileFindings(environment.reading), ...problems];
  const hostWorkspaceFolder = process.env.HOST_WORKSPACE_FOLDER?.trim() || undefined;

  // Independent probes run at once: with a real engine each `docker` call costs 50-200 ms.
  const [engine, compose] = await Promise.all([
    trace.step("docker", "engine", () => probeEngineOnce(3000)),
    trace.step("docker", "compose version", () => composeCommandAndVersion()),
  ]);
  const { command, composeVersion } = compose;
  if (engine.reachable) {
    findings.push({
      code: "ENGINE_OK",
      status: "pass",
      title: `Docker engine reachable: ${engine.info.operatingSystem || engine.info.osType}, ${engine.info.cpus} CPUs`,
      blocking: false,
      data: { serverVersion: engine.info.serverVersion, operatingSystem: engine.info.operatingSystem },
    });
    findings.push(engineVersionFinding(engine.info.serverVersion));
  } else {
    findings.push({
      code: "ENGINE_UNREACHABLE",
      status: "fail",
      title: `cannot reach a Docker engine (${engine.reason})`,
      fix: engineFix(engine),
      blocking: true,
    });
  }

  findings.push(composeVersionFinding(command, composeVersion));

  let facts: Promise<ComposeFacts> | undefined;
  let containers: ComposeContainer[] = [];
  let drift: ServiceDrift[] = [];
  if (engine.reachable && command && composeVersion) {
    const target = composeTarget(command, config);
    // The engine's containers first (one docker ps): the other stacks, and whether Compose need be asked about
    // this project at all. Nothing of it yet (a first start): no container list, no drift, 0.2-0.4 s sooner.
    const listing = Promise.all([
      trace.step("docker", "other stacks", () => readOtherStacks(target.projectDirectory, SERVICE_NAMES)),
      projectHasContainers(target.projectName).then((any) =>
        any
          ? Promise.all([
              wantedConfigHashes(target),
              trace
                .step("docker", "containers", () => listProjectContainers(target.projectName))
                .catch((): ComposeContainer[] => []),
            ])
          : undefined,
      ),
    ]);
    // Parsing the Compose file takes 0.1-0.3 s of this thread: done while those docker calls run.
    facts = readComposeFacts(environment.merged, profiles);
    const [others, project] = await listing;
    if (project) {
      const [hashes, listed] = project;
      containers = listed;
      if (containers.length > 0)
        drift = await trace.step("docker", "drift", () =>
          readStackDrift(target, config, containers, Promise.resolve(hashes)),
        );
    }
    const identity = { project: config.composeProjectName, checkout: repoRoot, ports: config.ports };
    findings.push(
      ...identityFindings(identity, others, derivedProjectName(config.composeProjectName, repoRoot)),
    );
  }
  findings.push(...driftFindings(drift));

  const plan = portPlan(SERVICES, config.ports, profiles);
  findings.push(...duplicatePortFindings(plan));
  if (hostWorkspaceFolder) {
    findings.push({
      code: "PORTS_SKIPPED",
      status: "skip",
      title:
        "host ports not checked: under Docker-outside-of-Docker they are bound on the Docker host, not here",
      blocking: false,
    });
  } else {
    const probes = await trace.step("host", "ports", () =>
      probePorts(plan, config.bindAddress, containers, engine.reachable),
    );
    const planned = new Set(plan.map((p) => p.port));
    const taken = (p: number) => probes.get(p)?.kind === "taken";
    findings.push(...portFindings(plan, probes, (port) => suggestPort(port, taken, planned)));
  }
  const exposed = bindAddressFinding(config.bindAddress);
  if (exposed) findings.push(exposed);

  const composeFacts = await (facts ?? readComposeFacts(environment.merged, profiles));
  if (engine.reachable) {
    findings.push(memoryFinding(engine.info.memTotalBytes, composeFacts.memoryBudgetBytes, profiles));
    findings.push(diskCheck(engine.info, hostWorkspaceFolder !== undefined));
    findings.push(maxMapCount(engine.info));
    findings.push(architectureFinding(engine.info.architecture, engine.info.operatingSystem));
  }

  const exampleKeys = Object.keys(readEnvFile(resolve(repoRoot, ".env.example"), {}).values);
  const { reading } = environment;
  // Drift means nothing for a file that could not be read at all (reported above).
  const unreadable = reading.problems.length > 0 && Object.keys(reading.values).length === 0;
  if (!unreadable)
    findings.push(...envDriftFindings(reading.exists, envDrift(exampleKeys, Object.keys(reading.values))));

  if (hostWorkspaceFolder && engine.reachable) {
    const image = composeFacts.images[SERVICES.find((s) => s.data?.archiver)?.name ?? ""];
    findings.push(
      await trace.step("docker", "bind-path self-test", () => bindPathSelfTest(hostWorkspaceFolder, image)),
    );
  }

  const selected = SERVICES.filter((s) => profiles.includes(s.profile));
  const stackRunning =
    containers.length > 0 &&
    selected.every((s) => conditionOf(containers.find((c) => c.service === s.name)) === "up");
  return {
    // A stack that differs from its configuration is not done: start recreates what differs.
    report: summarize(config.composeProjectName, profiles, findings, stackRunning && drift.length === 0),
    config,
    containers,
    drift,
  };
}

/** Pure: what make start is about to recreate on a running stack, and why. */
export function renderRecreation(drift: readonly ServiceDrift[]): string {
  return [
    "The running stack differs from its configuration; Compose recreates only these:",
    ...drift.map((d) => `  ${d.service}: ${d.differences.join("; ")}`),
  ].join("\n");
}

/**
 * The preflight's output (stderr): only the problems, what a start would recreate, and when something blocks,
 * that nothing was started. `start` and `doctor --preflight` (reset, before it deletes anything) print it.
 */
export function reportPreflight({ report, drift }: DoctorRun): void {
  const shown = report.findings.filter(
    (f) => (f.status === "fail" || f.status === "warn") && f.code !== "STACK_DRIFT",
  );
  if (shown.length > 0) process.stderr.write(`${renderFindings(shown)}\n`);
  if (report.ok && drift.length > 0) process.stderr.write(`${renderRecreation(drift)}\n`);
  if (!report.ok)
    process.stderr.write(
      `✗ ${report.blocking} blocking problem(s): nothing was started. Fix them, then run make start again.\n`,
    );
}

interface DoctorFlags {
  json?: boolean;
  profile?: Profile[];
  preflight?: boolean;
}

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description(
      "Check Docker, Compose, ports, memory, disk, vm.max_map_count, CPU and .env drift; exit 1 on blocking findings",
    )
    .option("--json", "print the report as JSON on stdout (shape: tools/src/commands/doctor.schema.json)")
    .addOption(profileOption("check for a profile's services only"))
    .option("--preflight", "print only problems: the checks make start and make reset run first")
    .addHelpText(
      "after",
      "\nExamples:\n  make doctor\n  make doctor JSON=1\n  tsx src/cli.ts doctor --profile core",
    )
    .action(async (flags: DoctorFlags) => {
      await withCommandTrace(flags.preflight ? "preflight" : "doctor", async (trace) => {
        const checked = await runDoctor(
          { profiles: flags.profile ?? [], preflight: Boolean(flags.preflight) },
          trace,
        ).catch((error: unknown) => {
          // Even a doctor that cannot run leaves a JSON document on stdout for the script reading it.
          if (flags.json) printJsonError(error);
          throw error;
        });
        const { report } = checked;
        if (flags.json) printJson(report);
        else if (flags.preflight) reportPreflight(checked);
        else {
          process.stdout.write(
            `Doctor: project ${report.project}, profiles ${report.profiles.join(" + ")}\n`,
          );
          process.stdout.write(`${renderFindings(report.findings)}\n`);
          process.stdout.write(
            `${report.ok ? "✓" : "✗"} ${report.blocking} blocking problem(s), ${report.warnings} warning(s)\n`,
          );
        }
        if (!report.ok) process.exitCode = 1;
        return report.ok;
      });
    });
}
