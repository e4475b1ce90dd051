import { realpathSync } from "node:fs";
import { basename, dirname } from "node:path";
import { repoRoot } from "../config/env.ts";
import { UserError } from "../errors.ts";
import { type ComposeTarget, composeCommand, composeTarget } from "./compose.ts";
import { run } from "./exec.ts";

/** The label Compose puts on every container: the project directory (this repository's infra/) it came from. */
export const WORKING_DIR_LABEL = "com.docker.compose.project.working_dir";

/** A folder with symlinks resolved where it exists here; the engine host's path (DooD) stays as it is. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Pure: the checkout (repository folder) of the first container created from another project directory. */
export function foreignCheckout(
  workingDirs: readonly string[],
  ownDirectory: string,
  resolvePath: (path: string) => string = canonical,
): string | undefined {
  const own = resolvePath(ownDirectory);
  const other = workingDirs.find((dir) => dir !== "" && resolvePath(dir) !== own);
  return other === undefined ? undefined : checkoutOf(other);
}

/** The checkout (repository folder) of a project directory, which is its infra/ folder. */
function checkoutOf(projectDirectory: string): string {
  return basename(projectDirectory) === "infra" ? dirname(projectDirectory) : projectDirectory;
}

/** Pure: the project name this checkout would get beside another one (the same rule as infra/scripts/lib.sh). */
export function derivedProjectName(project: string, checkoutDir: string): string {
  const folder = basename(checkoutDir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${project}-${folder || "checkout"}`;
}

const ownershipChecks = new Map<string, Promise<void>>();
/**
 * Refuses a project of the same name whose containers another checkout created: acting on it would read,
 * seed or verify someone else's stack (infra/scripts/lib.sh require_own_project does the same for the scripts).
 * Asked once per process: make start's steps (up, wait, seed, status) would otherwise ask the engine each.
 */
export function requireOwnProject(target: ComposeTarget, repoDir = repoRoot): Promise<void> {
  const key = [target.projectName, target.projectDirectory, repoDir].join("\0");
  let check = ownershipChecks.get(key);
  if (!check) {
    check = checkOwnProject(target, repoDir);
    ownershipChecks.set(key, check);
  }
  return check;
}

async function checkOwnProject(target: ComposeTarget, repoDir: string): Promise<void> {
  const result = await run(
    "docker",
    [
      "ps",
      "-a",
      "--filter",
      `label=com.docker.compose.project=${target.projectName}`,
      "--format",
      `{{.Label "${WORKING_DIR_LABEL}"}}`,
    ],
    { timeoutMs: 5000 },
  );
  if (result.code !== 0) return;
  const other = foreignCheckout(
    result.stdout.split("\n").map((l) => l.trim()),
    target.projectDirectory,
  );
  if (other === undefined) return;
  throw new UserError(
    `project ${target.projectName} belongs to another checkout: ${other} (its containers were created there)`,
    {
      fix: `give this checkout a project of its own: set COMPOSE_PROJECT_NAME=${derivedProjectName(target.projectName, repoDir)} and free ports in .env (make doctor checks them), or run make in ${other}`,
    },
  );
}

/** requireOwnProject for the commands that may also run without Compose (seed against remote endpoints). */
export async function requireOwnStack(config: {
  composeProjectName: string;
  envFile: string | undefined;
}): Promise<void> {
  const command = await composeCommand();
  if (command) await requireOwnProject(composeTarget(command, config));
}

/** A stack of this repository's services that another checkout created on the same engine. */
export interface OtherStack {
  project: string;
  checkout: string;
}

/**
 * Pure: from "project|working dir|service" rows of every container, the stacks of this repository's services
 * created from another checkout than `ownDirectory`, one per project and checkout.
 */
export function otherStacks(
  rows: readonly string[],
  ownDirectory: string,
  services: readonly string[],
  resolvePath: (path: string) => string = canonical,
): OtherStack[] {
  const own = resolvePath(ownDirectory);
  const stacks = new Map<string, OtherStack>();
  for (const row of rows) {
    const [project = "", dir = "", service = ""] = row.split("|");
    if (project === "" || dir === "" || !services.includes(service) || resolvePath(dir) === own) continue;
    const checkout = checkoutOf(dir);
    stacks.set(`${project}|${checkout}`, { project, checkout });
  }
  return [...stacks.values()];
}

/** Every stack of this repository's services on the engine that another checkout created. */
export async function readOtherStacks(
  ownDirectory: string,
  services: readonly string[],
): Promise<OtherStack[]> {
  const format = `{{.Label "com.docker.compose.project"}}|{{.Label "${WORKING_DIR_LABEL}"}}|{{.Label "com.docker.compose.service"}}`;
  const result = await run("docker", ["ps", "-a", "--format", format], { timeoutMs: 5000 });
  return result.code === 0 ? otherStacks(result.stdout.split("\n"), ownDirectory, services) : [];
}
