import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { repoRoot } from "../config/env.ts";
import { SeedFileError } from "./result.ts";

/** Path shown to users: relative to the repository root when inside it. */
export function displayPath(file: string): string {
  const rel = relative(repoRoot, file);
  return rel.startsWith("..") ? file : rel;
}

type Issue = z.core.$ZodIssue;
type PathPart = PropertyKey;

/**
 * The issue that explains a failed union: the branch that got furthest into the value (a policy document
 * with a bad Statement), else one whose type matched (for `policy: privat`, the enum's message rather
 * than zod's bare "Invalid input"), with the full path.
 */
function explained(issue: Issue, prefix: readonly PathPart[] = []): { path: PathPart[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union") {
    const rank = ([first]: Issue[]) =>
      first ? first.path.length * 2 + (first.code === "invalid_type" && first.path.length === 0 ? 0 : 1) : -1;
    const [first] = [...issue.errors].sort((a, b) => rank(b) - rank(a))[0] ?? [];
    if (first) return explained(first, path);
  }
  return { path, message: issue.message };
}

function valueAt(content: unknown, path: readonly PathPart[]): unknown {
  return path.reduce<unknown>(
    (node, part) =>
      node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[part] : undefined,
    content,
  );
}

/** Formats the first zod issue as `at buckets[0].policy: <message> (got "privat")`. */
export function describeIssue(error: z.ZodError, content?: unknown): string {
  const issue = error.issues[0];
  if (!issue) return "invalid content";
  const { path, message } = explained(issue);
  const shown = path.reduce<string>(
    (acc, part) =>
      typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part),
    "",
  );
  const value = valueAt(content, path);
  const got = ["string", "number", "boolean"].includes(typeof value) ? ` (got ${JSON.stringify(value)})` : "";
  return `${shown ? `at ${shown}: ` : ""}${message}${got}`;
}

/** Validates already parsed content; throws SeedFileError naming the file and the reason. */
export function validateSeedContent<S extends z.ZodType>(
  file: string,
  content: unknown,
  schema: S,
): z.output<S> {
  const result = schema.safeParse(content);
  if (!result.success)
    throw new SeedFileError(
      displayPath(file),
      describeIssue(result.error, content),
      "correct the value (the header of each file under infra/init/ describes its fields), then run `make seed` again",
    );
  return result.data;
}

/** Parses YAML (or JSON, which is YAML) text; syntax errors become SeedFileError with the line. */
export function parseSeedText(file: string, text: string): unknown {
  try {
    if (file.endsWith(".json")) return JSON.parse(text);
    return parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? String(error);
    throw new SeedFileError(
      displayPath(file),
      `not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${message}`,
      "correct the syntax at the position shown, then run `make seed` again",
    );
  }
}

/** Reads a seed file's text; an unreadable file is a SeedFileError naming it. */
export async function readSeedText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new SeedFileError(
      displayPath(file),
      `cannot read it: ${(error as NodeJS.ErrnoException).code ?? error}`,
      "restore the file (it ships with the repository) or point WALLPAPERDB_INIT_DIR at a folder that has it",
    );
  }
}

export async function readSeedFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>> {
  return validateSeedContent(file, parseSeedText(file, await readSeedText(file)), schema);
}
/** Replaces ${NAME} placeholders from `vars`; an unknown name is a seed-file error. */
export function interpolate(file: string, text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (value === undefined) {
      throw new SeedFileError(
        displayPath(file),
        `unknown placeholder \${${name}}`,
        `use one of the available placeholders: ${Object.keys(vars)
          .map((v) => `\${${v}}`)
          .join(", ")}`,
      );
    }
    return value;
  });
}
