import { type Command, Option } from "commander";
import {
  PROFILES,
  type Profile,
  SERVICE_NAMES,
  serviceByName,
  servicesInProfile,
} from "../config/services.ts";
import { UserError } from "../errors.ts";
import { printJson } from "../output/json.ts";
import { maskUrl } from "../output/mask.ts";
import { Progress } from "../output/progress.ts";
import { probeFor } from "../services/registry.ts";
import { waitForServices } from "../services/wait-loop.ts";
import { type CommandTrace, withCommandTrace } from "../telemetry/tracer.ts";
import { listOf, loadCommandConfig } from "./shared.ts";

interface WaitFlags {
  only?: string[];
  profile?: Profile[];
  timeout?: number;
  interval: number;
  json?: boolean;
}

/** Which services to wait for: --only wins, then --profile, else all ten. */
export function selectServices(flags: Pick<WaitFlags, "only" | "profile">): string[] {
  if (flags.only && flags.only.length > 0) return flags.only;
  if (flags.profile && flags.profile.length > 0) {
    const wanted = new Set(flags.profile.flatMap((p) => servicesInProfile(p)));
    return SERVICE_NAMES.filter((s) => wanted.has(s));
  }
  return [...SERVICE_NAMES];
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
    .addOption(
      new Option("--profile <profile>", "wait for a profile's services (repeatable)")
        .choices(PROFILES)
        .argParser((value: string, previous: Profile[] | undefined) => [
          ...(previous ?? []),
          value as Profile,
        ]),
    )
    .option("--timeout <seconds>", "overall deadline (default: STACK_START_TIMEOUT from .env, 300)", (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0)
        throw new UserError(`--timeout ${v} is not a positive number of seconds`, {
          fix: "pass e.g. --timeout 120",
        });
      return n;
    })
    .option("--interval <ms>", "pause between two probes of a service that is not ready", Number, 1000)
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

async function waitAction(flags: WaitFlags, trace: CommandTrace): Promise<void> {
  const config = loadCommandConfig();
  trace.configure(config);
  const services = selectServices(flags);
  const timeoutSeconds = flags.timeout ?? config.stackStartTimeoutSeconds;
  const progress = new Progress(services);
  const heartbeat = setInterval(() => progress.heartbeat(), 10_000);
  heartbeat.unref();
  let outcomes: Awaited<ReturnType<typeof waitForServices>>;
  try {
    outcomes = await waitForServices(
      services.map((s) => probeFor(s)),
      config,
      {
        deadlineMs: timeoutSeconds * 1000,
        intervalMs: flags.interval,
        // One span per service for its whole wait (how long each took to become ready).
        wrap: (service, run) => trace.step(service, "wait", run),
        onUpdate: (service, state, detail) =>
          progress.update(service, state, state === "ready" ? "" : detail),
      },
    );
  } finally {
    clearInterval(heartbeat);
    progress.stop();
  }
  if (flags.json) {
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
      `not ready after ${timeoutSeconds}s: ${late.map((l) => `${l.service} (last: ${l.detail})`).join("; ")}`,
      {
        where: late.map((l) => at(l.service)).join("; "),
        fix: `see why with \`make logs SERVICE=${first}\` and \`make status\`; slow machine: raise STACK_START_TIMEOUT in .env`,
      },
    );
  }
  process.stderr.write(`all ${outcomes.length} services ready\n`);
}
