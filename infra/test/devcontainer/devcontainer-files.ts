import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ParseError, parse, printParseErrorCode } from "jsonc-parser";
import { parse as parseYaml } from "yaml";
import { isolatedEnv } from "../support/compose-files.ts";
import { repoRoot } from "../support/paths.ts";

// Shared readers for the dev container tests: the files as a user's clone has them, parsed the way
// the dev container CLI and Compose parse them.

export const devcontainerDir = resolve(repoRoot, ".devcontainer");
export const devcontainerJsonFile = resolve(devcontainerDir, "devcontainer.json");
export const workspaceComposeFile = resolve(devcontainerDir, "docker-compose.workspace.yml");
export const devboxJsonFile = resolve(repoRoot, "devbox.json");

export interface DevContainerConfig {
  dockerComposeFile: string | string[];
  service: string;
  runServices: string[];
  workspaceFolder: string;
  shutdownAction: string;
  initializeCommand: string | string[];
  postCreateCommand: string;
  postStartCommand: string;
  features: Record<string, Record<string, unknown>>;
  containerEnv?: Record<string, string>;
  remoteEnv?: Record<string, string>;
  forwardPorts: (number | string)[];
  portsAttributes: Record<string, { label?: string }>;
  hostRequirements: { cpus: number; memory: string; storage: string };
  customizations: { vscode: { extensions: string[] } };
  [key: string]: unknown;
}

/** Parses JSONC (comments allowed, no trailing commas: the spec's rule) and names every error. */
export function parseJsonc(text: string, where: string): unknown {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: false, disallowComments: false });
  if (errors.length > 0) {
    const list = errors.map((e) => `${printParseErrorCode(e.error)} at offset ${e.offset}`).join(", ");
    throw new Error(`${where} is not valid JSONC: ${list}`);
  }
  return value;
}

export function loadDevcontainer(): DevContainerConfig {
  return parseJsonc(readFileSync(devcontainerJsonFile, "utf8"), devcontainerJsonFile) as DevContainerConfig;
}

export function composeFilesOf(config: DevContainerConfig): string[] {
  const entries = Array.isArray(config.dockerComposeFile)
    ? config.dockerComposeFile
    : [config.dockerComposeFile];
  return entries.map((entry) => resolve(devcontainerDir, entry));
}

export interface ComposeService {
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | null>;
  ports?: { target: number; published?: string }[];
  volumes?: { type: string; source?: string; target: string }[];
  profiles?: string[];
  init?: boolean;
}
export interface ComposeConfig {
  name: string;
  services: Record<string, ComposeService>;
}

/**
 * `docker-compose -f <file> ... config` exactly as the dev container CLI merges the files (project
 * directory = folder of the first file), with every profile active and a scrubbed environment.
 */
export function mergedCompose(
  files: string[],
  envFile = resolve(repoRoot, ".env.example"),
): { status: number | null; stderr: string; config?: ComposeConfig } {
  const result = spawnSync(
    "docker-compose",
    [
      "--env-file",
      envFile,
      ...files.flatMap((f) => ["-f", f]),
      "--profile",
      "core",
      "--profile",
      "observability",
      "--profile",
      "cache",
      "config",
      "--format",
      "json",
    ],
    { cwd: repoRoot, env: isolatedEnv(), encoding: "utf8" },
  );
  if (result.status !== 0) return { status: result.status, stderr: result.stderr };
  return { status: 0, stderr: result.stderr, config: JSON.parse(result.stdout) as ComposeConfig };
}

/** The workspace service as written (not interpolated). */
export function loadWorkspaceCompose(): { services: Record<string, ComposeService> } {
  return parseYaml(readFileSync(workspaceComposeFile, "utf8")) as {
    services: Record<string, ComposeService>;
  };
}

/** Routes of the port relay started by the workspace command: "3000=grafana:3000" → parts. */
export function relayRoutes(command: string): { listenPort: number; service: string; port: number }[] {
  const line = command.split("\n").find((l) => l.includes("port-relay.mjs"));
  if (!line) return [];
  return [...line.matchAll(/\b(\d+)=([a-z0-9-]+):(\d+)\b/g)].map((m) => ({
    listenPort: Number(m[1]),
    service: String(m[2]),
    port: Number(m[3]),
  }));
}

/** Make targets with a `## description` in the Makefile, the ones `make help` lists. */
export function makeTargets(makefile = readFileSync(resolve(repoRoot, "Makefile"), "utf8")): Set<string> {
  return new Set([...makefile.matchAll(/^([a-z][a-z0-9-]*):.*##/gm)].map((m) => String(m[1])));
}

/** Every `make <target>` in a shell command line. */
export function makeTargetsCalled(command: string): string[] {
  return [...command.matchAll(/(?:^|[;&|(\s])make\s+([a-z][a-z0-9-]*)/g)].map((m) => String(m[1]));
}

function filesUnder(dir: string, suffixes: string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path, suffixes);
    return suffixes.some((s) => name.endsWith(s)) ? [path] : [];
  });
}

/** Source text without comments: a variable only named in a comment is not "read". */
function codeOnly(path: string): string {
  const text = readFileSync(path, "utf8");
  if (path.endsWith(".sh")) return text.replace(/(^|\s)#.*$/gm, "$1");
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** The code of the tools (tools/src), the lifecycle scripts (infra/scripts) and the port relay. */
export function readerSources(): string {
  const files = [
    ...filesUnder(resolve(repoRoot, "tools/src"), [".ts"]),
    ...filesUnder(resolve(repoRoot, "infra/scripts"), [".sh"]),
    ...filesUnder(devcontainerDir, [".mjs", ".sh"]),
  ];
  return files.map(codeOnly).join("\n");
}

/**
 * Docker Compose's own variables: read by the `docker compose` the lifecycle scripts run, so they are
 * "read by the scripts" although no script names them.
 */
export const COMPOSE_OWN_VARIABLES = new Set(["COMPOSE_IGNORE_ORPHANS"]);

/** True when the tools, the scripts or Compose (run by the scripts) read `name`. */
export function isReadVariable(name: string, sources: string): boolean {
  if (COMPOSE_OWN_VARIABLES.has(name)) return true;
  return new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).test(sources);
}
