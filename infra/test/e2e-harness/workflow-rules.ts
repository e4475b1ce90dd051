// Rules for .github/workflows/*.yml, pure so each can be shown to fail on a bad example.
import { parse } from "yaml";

export interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  env?: Record<string, unknown>;
  jobs?: Record<string, Job>;
}
export interface Job {
  "runs-on"?: unknown;
  "timeout-minutes"?: number;
  container?: { image?: string } | string;
  env?: Record<string, unknown>;
  permissions?: unknown;
  steps?: Step[];
  uses?: string;
}
export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export function parseWorkflow(text: string): Workflow {
  return (parse(text) ?? {}) as Workflow;
}

/** Every `uses:` value in the parsed document (job-level reusable workflows and steps). */
export function usesValues(workflow: Workflow): string[] {
  return Object.values(workflow.jobs ?? {}).flatMap((job) => [
    ...(job.uses ? [job.uses] : []),
    ...(job.steps ?? []).flatMap((step) => (step.uses ? [step.uses] : [])),
  ]);
}

const PINNED = /^\s*(?:-\s+)?uses:\s*([\w.-]+\/[\w./-]+)@([0-9a-f]{40})\s+#\s*v\d+(?:\.\d+)*\S*\s*$/;

/** Lines whose `uses:` is not `owner/repo@<40-hex SHA> # vX.Y.Z` (local ./ actions are exempt). */
export function unpinnedUses(text: string): string[] {
  return text
    .split("\n")
    .filter((line) => /^\s*(?:-\s+)?uses:/.test(line))
    .filter((line) => !/uses:\s*["']?\.\//.test(line))
    .filter((line) => !PINNED.test(line))
    .map((line) => line.trim());
}

/** action (owner/repo[/path]) -> SHAs used for it in the given texts. */
export function pinsByAction(texts: readonly string[]): Map<string, Set<string>> {
  const pins = new Map<string, Set<string>>();
  for (const line of texts.flatMap((t) => t.split("\n"))) {
    const match = PINNED.exec(line);
    if (!match) continue;
    const [, action = "", sha = ""] = match;
    pins.set(action, (pins.get(action) ?? new Set()).add(sha));
  }
  return pins;
}

/** What is wrong with the workflow's permissions: missing at the top, or write access anywhere. */
export function permissionProblems(workflow: Workflow): string[] {
  const problems: string[] = [];
  const top = workflow.permissions as Record<string, string> | string | undefined;
  if (top === undefined) problems.push("no top-level permissions");
  else if (typeof top === "string" || top.contents !== "read")
    problems.push("top-level permissions are not contents: read");
  const scopes = [top, ...Object.values(workflow.jobs ?? {}).map((j) => j.permissions)];
  for (const scope of scopes) {
    if (scope === "write-all") problems.push("write-all");
    if (scope && typeof scope === "object") {
      for (const [key, value] of Object.entries(scope)) if (value === "write") problems.push(`${key}: write`);
    }
  }
  return problems;
}

/** Jobs without a timeout (a hung job would burn 6 hours of runner time). */
export function jobsWithoutTimeout(workflow: Workflow): string[] {
  return Object.entries(workflow.jobs ?? {})
    .filter(([, job]) => typeof job["timeout-minutes"] !== "number")
    .map(([name]) => name);
}

export function steps(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? []);
}
