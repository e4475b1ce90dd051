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

const CONTAINER_ROW_FORMAT = `{{.Label "com.docker.compose.project"}}|{{.Label "${WORKING_DIR_LABEL}"}}|{{.Label "com.docker.compose.service"}}`;
let containerRows: Promise<string[] | undefined> | undefined;

/**
 * "project|working dir|service" of every container on the engine; undefined when docker ps fails. Asked once
 * per process: the ownership check, the other stacks and whether the project has containers at all read the
 * same answer (make start's preflight and its steps would otherwise ask the engine each).
 */
function readContainerRows(): Promise<string[] | undefined> {
  containerRows ??= run("docker", ["ps", "-a", "--format", CONTAINER_ROW_FORMAT], { timeoutMs: 5000 }).then(
    (result) => (result.code === 0 ? result.stdout.split("\n") : undefined),
  );
  return containerRows;
}

/** Pure: the project directories of a project's containers, from "project|working dir|service" rows. */
export function projectDirectories(rows: readonly string[], project: string): string[] {
  return rows.flatMap((row) => {
    const [name = "", dir = ""] = row.split("|");
    return name === project ? [dir.trim()] : [];
  });
}

/** Whether the engine has any container of the project; true when it cannot tell (docker ps failed). */
export async function projectHasContainers(project: string): Promise<boolean> {
  const rows = await readContainerRows();
  return rows === undefined || projectDirectories(rows, project).length > 0;
}

/**
 * Refuses a project of the same name whose containers another checkout created: acting on it would read,
 * seed or verify someone else's stack (infra/scripts/lib.sh require_own_project does the same for the scripts).
 */
export async function requireOwnProject(target: ComposeTarget, repoDir = repoRoot): Promise<void> {
  const rows = await readContainerRows();
  if (rows === undefined) return;
  const other = foreignCheckout(projectDirectories(rows, target.projectName), target.projectDirectory);
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
  const rows = await readContainerRows();
  return rows === undefined ? [] : otherStacks(rows, ownDirectory, services);
}
