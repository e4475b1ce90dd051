// End-to-end suite for a host with Docker (`make e2e`). Brings the real stack up under its own Compose
// project (wallpaperdb-e2e-<random>) on free, non-default host ports, proves it works (verify, idempotent
// seed, data kept across stop + start, wiped by a confirmed reset), and always removes that project again:
// on success, failure, exception, SIGINT and SIGTERM. It never addresses the developer's project.
//
// It pulls only the images the engine does not have. Without an engine, or with a missing image that
// cannot be pulled, it prints one line and exits 0 (skipped); with E2E_REQUIRED=1 (the GitHub e2e
// workflow and the engine tier) that line is a failure instead.
//
// Two processes: the one make/turbo/npm start is a thin front that runs the real work in a worker in its
// own session and forwards SIGINT/SIGTERM/SIGHUP to it. Turbo SIGKILLs a task's process group right after
// interrupting it; the worker survives that, notices its front is gone (IPC disconnect) and still tears
// its project down.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readEnvFile } from "../../tools/src/config/env.ts";
import { interpolate } from "./images/refs.ts";
import { abortAll, type CommandResult, runCommand } from "./lib/commands.ts";
import {
  type ComposeTarget,
  composeArgs,
  composeFileFacts,
  composeImages,
  teardownArgs,
} from "./lib/compose.ts";
import { presenceMismatches, readMarkers, writeMarkers } from "./lib/markers.ts";
import {
  developerPorts,
  developerProjectNames,
  type E2EPlan,
  e2eVariables,
  isolatedEnvironment,
  isolationViolations,
  machineFit,
  makeProjectName,
  portKeys,
  renderEnvFile,
} from "./lib/plan.ts";
import { E2E_PORT_RANGE, isPortFree, planPorts } from "./lib/ports.ts";
import { describePullPlan, pullFailureContext, pullPlan, type ServiceImage } from "./lib/pull.ts";
import { secondSeedProblem, seedCounts } from "./lib/seed-report.ts";
import {
  engineSkipReason,
  environmentSkipReason,
  isRequired,
  pullSkipReason,
  type SkipReason,
  skipOutcome,
} from "./lib/skip.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const composeFile = join(repoRoot, "infra/docker-compose.yml");
const MINUTE = 60_000;
const WORKER_FLAG = "WALLPAPERDB_E2E_WORKER";
/** Set by an interrupt (signal or lost front): the interrupt handler owns the exit from then on. */
let interrupted = false;
/** Installed once teardown exists; before that an interrupt just exits (nothing was created yet). */
let onInterrupt: ((why: string, exitCode: number) => void) | undefined;

function interrupt(why: string, exitCode: number): void {
  if (onInterrupt) onInterrupt(why, exitCode);
  else process.exit(exitCode);
}

class StepFailure extends Error {}
class Skip extends Error {
  constructor(readonly reason: SkipReason) {
    super(reason.detail);
  }
}

function log(message: string): void {
  process.stdout.write(`e2e: ${message}\n`);
}

/** An env file's values as Compose reads them (the tools' reader); absent or unusable gives none. */
function readEnvValues(path: string): Record<string, string> {
  return readEnvFile(path, process.env).values as Record<string, string>;
}

async function detectCompose(env: NodeJS.ProcessEnv): Promise<string[] | null> {
  const options = { env, cwd: repoRoot, timeoutMs: 20_000 };
  if ((await runCommand("docker", ["compose", "version"], options)).exitCode === 0)
    return ["docker", "compose"];
  if ((await runCommand("docker-compose", ["version"], options)).exitCode === 0) return ["docker-compose"];
  return null;
}

async function main(): Promise<number> {
  const started = Date.now();

  // 1. Is there an engine at all? One line and out when not.
  const info = await runCommand("docker", ["info", "--format", "{{.ServerVersion}}"], {
    env: process.env,
    cwd: repoRoot,
    timeoutMs: 20_000,
  });
  const noEngine = engineSkipReason({
    exitCode: info.timedOut ? null : info.exitCode,
    output: info.output,
    ...(info.spawnError ? { spawnError: info.spawnError } : {}),
  });
  if (noEngine) throw new Skip(noEngine);
  const wrongPlace = environmentSkipReason(process.env);
  if (wrongPlace) throw new Skip(wrongPlace);
  const compose = await detectCompose(process.env);
  if (!compose)
    throw new Skip({ code: "no-compose", detail: "neither docker compose nor docker-compose answers" });

  // 2. The isolated plan: project name and ports that are nobody else's.
  const example = readEnvValues(join(repoRoot, ".env.example"));
  const developerEnv = readEnvValues(join(repoRoot, ".env"));
  const keys = portKeys(example);
  const facts = composeFileFacts(readFileSync(composeFile, "utf8"));
  if (facts.isolationBreakers.length > 0) {
    throw new StepFailure(
      `refusing to run: the Compose file shares resources across projects (${facts.isolationBreakers.join("; ")})`,
    );
  }
  const reservedPorts = developerPorts(keys, example, developerEnv, process.env);
  const span = E2E_PORT_RANGE.max - E2E_PORT_RANGE.min + 1;
  const ports = await planPorts(
    keys,
    {
      range: E2E_PORT_RANGE,
      start: E2E_PORT_RANGE.min + (randomBytes(2).readUInt16BE() % span),
      reserved: reservedPorts,
    },
    (port) => isPortFree(port),
  );
  const plan: E2EPlan = { projectName: makeProjectName(randomBytes(4).toString("hex")), ports };
  const violations = isolationViolations(plan, {
    projectNames: developerProjectNames(developerEnv.COMPOSE_PROJECT_NAME, process.env.COMPOSE_PROJECT_NAME),
    ports: reservedPorts,
  });
  if (violations.length > 0) throw new StepFailure(`refusing to run, not isolated: ${violations.join("; ")}`);

  const workDir = mkdtempSync(join(tmpdir(), "wallpaperdb-e2e-"));
  const envFile = join(workDir, "e2e.env");
  const vars = e2eVariables(example, plan, machineFit(developerEnv, process.env));
  writeFileSync(
    envFile,
    // Only the keys of .env.example (doctor flags others as drift); the endpoint URLs travel in the environment.
    renderEnvFile(
      Object.fromEntries(Object.entries(vars).filter(([key]) => key in example)),
      `WallpaperDB e2e run ${plan.projectName}: generated, deleted after the run.`,
    ),
    { mode: 0o600 },
  );
  const env = isolatedEnvironment(process.env, Object.keys(example), {
    ...vars,
    WALLPAPERDB_ENV_FILE: envFile,
  });
  const target: ComposeTarget = {
    command: compose,
    projectName: plan.projectName,
    composeFile,
    envFile,
    profiles: facts.profiles,
  };
  const [composeBin = "docker"] = compose;

  // 3. From here on the project may exist: teardown is guaranteed, once, whatever happens.
  let teardownPromise: Promise<void> | undefined;
  let projectMayExist = false;
  const teardown = () => {
    teardownPromise ??= (async () => {
      abortAll();
      if (projectMayExist) {
        log(`tearing down project ${plan.projectName} (down -v: its containers, network and volumes only)`);
      }
      const down = await runCommand(composeBin, teardownArgs(target), {
        env,
        cwd: repoRoot,
        timeoutMs: 3 * MINUTE,
      });
      if (down.exitCode !== 0) {
        log(
          `teardown failed; remove it by hand: ${[...compose, "-p", plan.projectName, "down", "-v"].join(" ")}`,
        );
        process.stderr.write(down.output);
      }
      rmSync(workDir, { recursive: true, force: true });
      // The lifecycle scripts' per-project lock (flock file, or mkdir lock without flock); this run's only.
      const lock = join(env.WPDB_LOCK_DIR || join(repoRoot, ".turbo"), `lifecycle-${plan.projectName}.lock`);
      rmSync(lock, { force: true });
      rmSync(`${lock}.d`, { recursive: true, force: true });
    })();
    return teardownPromise;
  };
  onInterrupt = (why, exitCode) => {
    if (interrupted) return; // a second Ctrl-C must not cut the teardown short
    interrupted = true;
    log(`${why}: stopping the running step`);
    void teardown().finally(() => process.exit(exitCode));
  };

  const run = (command: string, args: string[], timeoutMs: number, echo = true) =>
    runCommand(command, args, { env, cwd: repoRoot, timeoutMs, echo });
  const expectOk = (what: string, result: CommandResult) => {
    if (result.exitCode !== 0) {
      const why = result.timedOut ? "timed out" : `exited ${result.exitCode ?? result.spawnError}`;
      throw new StepFailure(`${what} ${why}`);
    }
    return result;
  };
  const tools = (...args: string[]) => ["--import", "tsx", join(repoRoot, "tools/src/cli.ts"), ...args];
  const script = (name: string, ...args: string[]) => [join(repoRoot, "infra/scripts", name), ...args];
  const step = async (name: string, body: () => Promise<void>) => {
    const t0 = Date.now();
    log(`▶ ${name}`);
    await body();
    log(`✓ ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  };

  try {
    const images = composeImages(readFileSync(composeFile, "utf8")).map(({ service, image }) => ({
      service,
      image: interpolate(image, vars),
    }));
    const present = await presentImages(images, env);
    const pull = pullPlan(images, (image) => present.has(image));
    if (pull.missing.length === 0) log(describePullPlan(pull));
    else {
      // Pulling creates nothing in the project; a pull failure is a skip (no registry) and prints one line.
      // Said only when the pull takes a while, so a registry that is plainly unreachable stays one line.
      let said = false;
      const pullNotice = setTimeout(() => {
        said = true;
        log(`${describePullPlan(pull)} (the first run can take minutes)`);
      }, 2000);
      const services = pull.missing.map((i) => i.service);
      const pulled = await run(
        composeBin,
        composeArgs(target, "pull", "--quiet", ...services),
        20 * MINUTE,
        false,
      );
      clearTimeout(pullNotice);
      if (interrupted) return 1;
      if (pulled.exitCode !== 0) {
        const reason = pullSkipReason(pulled.output);
        throw new Skip({ ...reason, detail: `${reason.detail}; ${pullFailureContext(pull)}` });
      }
      if (!said) log(describePullPlan(pull));
    }
    projectMayExist = true;
    log(
      `project ${plan.projectName}, ports ${Object.entries(ports)
        .map(([k, p]) => `${k}=${p}`)
        .join(" ")}`,
    );
    await step("start (start-infra.sh)", async () => {
      expectOk("start-infra.sh", await run("bash", script("start-infra.sh"), 15 * MINUTE));
    });
    await step("verify", async () => {
      expectOk("verify", await run(process.execPath, tools("verify"), 5 * MINUTE));
    });
    await step("second seed changes nothing", async () => {
      const seed = expectOk("seed", await run(process.execPath, tools("seed", "--json"), 3 * MINUTE, false));
      const problem = secondSeedProblem(seedCounts(seed.stdout));
      if (problem) throw new StepFailure(`${problem}\n${seed.output}`);
    });
    const marker = `${plan.projectName}-${Date.now()}`;
    await step("write a row, an object, a document and a stream message", () => writeMarkers(vars, marker));
    await step("stop (stop-infra.sh)", async () => {
      expectOk("stop-infra.sh", await run("bash", script("stop-infra.sh"), 3 * MINUTE));
    });
    await step("start again", async () => {
      expectOk("start-infra.sh", await run("bash", script("start-infra.sh"), 15 * MINUTE));
    });
    await step("the data survived stop + start", async () => {
      const missing = presenceMismatches(await readMarkers(vars, marker), true);
      if (missing.length > 0) throw new StepFailure(missing.join("; "));
    });
    await step("reset --yes (reset-infra.sh)", async () => {
      expectOk("reset-infra.sh --yes", await run("bash", script("reset-infra.sh", "--yes"), 15 * MINUTE));
    });
    await step("the reset wiped the data", async () => {
      const left = presenceMismatches(await readMarkers(vars, marker), false);
      if (left.length > 0) throw new StepFailure(left.join("; "));
    });
    log(`PASSED in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } catch (error) {
    if (!(error instanceof Skip) && !interrupted) await collectLogs(target, env, facts.services);
    throw error;
  } finally {
    await teardown();
  }
}

/** The distinct images `docker image inspect` finds on the engine. */
async function presentImages(images: readonly ServiceImage[], env: NodeJS.ProcessEnv): Promise<Set<string>> {
  const unique = [...new Set(images.map((i) => i.image))];
  const found = await Promise.all(
    unique.map(async (image) => {
      const inspect = await runCommand("docker", ["image", "inspect", "--format", "{{.Id}}", image], {
        env,
        cwd: repoRoot,
        timeoutMs: MINUTE,
      });
      return inspect.exitCode === 0 ? [image] : [];
    }),
  );
  return new Set(found.flat());
}

/** Every service's logs (and `ps`) into E2E_LOGS_DIR before the teardown deletes them. */
async function collectLogs(target: ComposeTarget, env: NodeJS.ProcessEnv, services: string[]): Promise<void> {
  const dir = resolve(process.env.E2E_LOGS_DIR ?? join(repoRoot, "infra/.e2e/logs", target.projectName));
  mkdirSync(dir, { recursive: true });
  const [bin = "docker"] = target.command;
  const options = { env, cwd: repoRoot, timeoutMs: MINUTE };
  const ps = await runCommand(bin, composeArgs(target, "ps", "--all"), options);
  writeFileSync(join(dir, "ps.txt"), ps.output);
  for (const service of services) {
    const logs = await runCommand(
      bin,
      composeArgs(target, "logs", "--no-color", "--timestamps", service),
      options,
    );
    writeFileSync(join(dir, `${service}.log`), logs.output);
  }
  log(`service logs written to ${dir}`);
}

function runWorker(): void {
  // The front's stdout may be gone (killed by turbo): never die of EPIPE before the teardown.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});
  process.on("SIGINT", () => interrupt("SIGINT received", 130));
  process.on("SIGTERM", () => interrupt("SIGTERM received", 143));
  process.on("SIGHUP", () => interrupt("SIGHUP received", 129));
  process.on("disconnect", () => interrupt("the process that started the run is gone", 143));
  process.channel?.unref();
  main()
    .then((code) => {
      if (!interrupted) process.exit(code);
    })
    .catch((error: unknown) => {
      if (interrupted) return; // the signal handler exits once the teardown is done
      if (error instanceof Skip) {
        const outcome = skipOutcome(error.reason, isRequired(process.env));
        process.stdout.write(`${outcome.line}\n`);
        process.exit(outcome.exitCode);
      }
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`e2e: FAILED: ${message}\n`);
      if (process.env.DEBUG === "1" && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    });
}

/** The process make/turbo/npm see: starts the worker in its own session and forwards signals to it. */
function runFront(): void {
  const worker = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    detached: true,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, [WORKER_FLAG]: "1" },
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.on(signal, () => worker.kill(signal));
  worker.on("error", (error) => {
    process.stderr.write(`e2e: FAILED: could not start the harness worker (${error.message})\n`);
    process.exit(1);
  });
  worker.on("exit", (code, signal) => {
    process.exit(code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 1));
  });
}

if (process.env[WORKER_FLAG] === "1") runWorker();
else runFront();
