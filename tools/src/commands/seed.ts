import type { Command } from "commander";
import type { Config } from "../config/env.ts";
import { SEEDED_SERVICES, serviceByName } from "../config/services.ts";
import { requireOwnStack } from "../docker/checkout.ts";
import { formatUserError, toUserError, UserError } from "../errors.ts";
import { printJson } from "../output/json.ts";
import { renderTable } from "../output/table.ts";
import type { ResourceResult } from "../seed/result.ts";
import { type CommandTrace, withCommandTrace } from "../telemetry/tracer.ts";
import { listOf, loadCommandConfig } from "./shared.ts";

export interface SeedFlags {
  only?: string[];
  json?: boolean;
}

export interface ServiceSeedOutcome {
  service: string;
  resources: ResourceResult[];
  error?: UserError;
  elapsedMs: number;
}

/** Wraps each service's seeding (the command passes a trace step; tests and the benchmark pass nothing). */
export type StepWrapper = <T>(service: string, run: () => Promise<T>) => Promise<T>;
const noWrap: StepWrapper = (_service, run) => run();

/** Seeds the chosen services in parallel; a failure of one does not stop the others. */
export async function runSeed(
  config: Config,
  services: readonly string[],
  wrap: StepWrapper = noWrap,
): Promise<ServiceSeedOutcome[]> {
  return Promise.all(
    services.map(async (service): Promise<ServiceSeedOutcome> => {
      const started = performance.now();
      try {
        const seed = serviceByName(service)?.seed;
        if (!seed) throw new Error(`${service} has no seeder`);
        const resources = await wrap(service, () => seed(config));
        return { service, resources, elapsedMs: performance.now() - started };
      } catch (error) {
        return { service, resources: [], error: toUserError(error), elapsedMs: performance.now() - started };
      }
    }),
  );
}

export function resultRows(outcomes: readonly ServiceSeedOutcome[]): string[][] {
  const rows: string[][] = [];
  for (const o of outcomes) {
    for (const r of o.resources) {
      const notes = [r.detail, ...(r.drift ?? []).map((d) => `DRIFT: ${d}`)].filter(Boolean).join("; ");
      rows.push([r.service, r.kind, r.name, r.outcome, notes]);
    }
    if (o.error) rows.push([o.service, "-", "-", "FAILED", o.error.message]);
  }
  return rows;
}

/** One line: "seeded postgres, nats: 1 created, 2 unchanged; 1 with drift (see DRIFT notes)". */
export function summarize(services: readonly string[], outcomes: readonly ServiceSeedOutcome[]): string {
  const resources = outcomes.flatMap((o) => o.resources);
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const parts = ["created", "updated", "unchanged"]
    .filter((k) => counts.has(k))
    .map((k) => `${counts.get(k)} ${k}`);
  const drifted = resources.filter((r) => r.drift && r.drift.length > 0).length;
  const drift = drifted > 0 ? `; ${drifted} with drift (see DRIFT notes)` : "";
  return `seeded ${services.join(", ")}: ${parts.join(", ") || "nothing declared"}${drift}`;
}

export function registerSeedCommand(program: Command): void {
  program
    .command("seed")
    .description("Converge the services to infra/init/<service>/ (creates what is missing; never drops data)")
    .option(
      "--only <services>",
      `comma-separated subset of ${SEEDED_SERVICES.join(", ")}`,
      listOf(SEEDED_SERVICES, "seedable service"),
    )
    .option("--json", "print the per-resource result as JSON on stdout")
    .addHelpText(
      "after",
      "\nEach resource is reported as created, updated or unchanged; differences the seeder must not fix are\n" +
        "reported as DRIFT. Examples:\n  make seed\n  make seed ONLY=postgres,nats\n  tsx src/cli.ts seed --only minio --json",
    )
    .action(async (flags: SeedFlags) => {
      await withCommandTrace("seed", async (trace) => {
        await seedAction(flags, trace);
        return true;
      });
    });
}

export async function seedAction(flags: SeedFlags, trace: CommandTrace): Promise<void> {
  const config = loadCommandConfig();
  trace.configure(config);
  const services = flags.only ?? SEEDED_SERVICES;
  await requireOwnStack(config);
  const outcomes = await runSeed(config, services, (service, run) => trace.step(service, "seed", run));
  const failed = outcomes.filter((o) => o.error);
  if (flags.json) {
    printJson({
      outcome: failed.length === 0 ? "success" : "error",
      resources: outcomes.flatMap((o) => o.resources),
      errors: failed.map((o) => ({
        service: o.service,
        message: o.error?.message,
        where: o.error?.where,
        fix: o.error?.fix,
      })),
    });
  } else {
    // With nothing seeded the error messages below say it all; a table of FAILED rows adds noise.
    if (outcomes.some((o) => o.resources.length > 0))
      process.stdout.write(
        `${renderTable(["service", "kind", "resource", "result", "notes"], resultRows(outcomes))}\n`,
      );
  }
  if (failed.length === 1 && failed[0]?.error) throw failed[0].error;
  if (failed.length > 1) {
    for (const o of failed.slice(1)) if (o.error) process.stderr.write(`${formatUserError(o.error)}\n`);
    throw failed[0]?.error ?? new UserError("seed failed", { fix: "rerun with DEBUG=1" });
  }
  (flags.json ? process.stderr : process.stdout).write(`${summarize(services, outcomes)}\n`);
}
