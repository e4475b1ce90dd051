import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@opensearch-project/opensearch";
import { z } from "zod";
import type { Config } from "../../config/env.ts";
import { type ServiceContext, serviceError } from "../../errors.ts";
import { displayPath, parseSeedText, validateSeedContent } from "../../seed/files.ts";
import { diffMappings, type MappingProperty } from "../../seed/mappings.ts";
import { type ResourceResult, SeedFileError } from "../../seed/result.ts";
import { PROBE_ATTEMPT_TIMEOUT_MS } from "../probe.ts";

export function opensearchContext(config: Config, action?: string): ServiceContext {
  return {
    service: "opensearch",
    endpoint: config.opensearch.url,
    endpointVariables: "OPENSEARCH_URL (or OPENSEARCH_PORT)",
    credentialVariables: "OPENSEARCH_USERNAME / OPENSEARCH_PASSWORD",
    action,
  };
}

export function createOpenSearchClient(config: Config): Client {
  const { url, username, password, tlsInsecure } = config.opensearch;
  return new Client({
    node: url,
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
    ...(url.startsWith("https:") ? { ssl: { rejectUnauthorized: !tlsInsecure } } : {}),
    requestTimeout: PROBE_ATTEMPT_TIMEOUT_MS,
    maxRetries: 0,
  });
}

// ---------------------------------------------------------------- seeding ----

const templateFileSchema = z.looseObject({
  index_patterns: z.union([z.string(), z.array(z.string()).min(1)]),
  template: z
    .looseObject({
      settings: z.record(z.string(), z.unknown()).optional(),
      mappings: z.looseObject({ properties: z.record(z.string(), z.looseObject({})).optional() }).optional(),
      aliases: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  priority: z.number().int().min(0).optional(),
  _meta: z.record(z.string(), z.unknown()).optional(),
});
const indexFileSchema = z.strictObject({
  settings: z.record(z.string(), z.unknown()).optional(),
  mappings: z.looseObject({ properties: z.record(z.string(), z.looseObject({})).optional() }).optional(),
  aliases: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
const indexName = /^[a-z0-9][a-z0-9_.-]*$/;

export interface OpenSearchDefinitions {
  templates: Array<{
    name: string;
    file: string;
    body: z.output<typeof templateFileSchema>;
    checksum: string;
  }>;
  indices: Array<{ name: string; file: string; body: z.output<typeof indexFileSchema> }>;
}

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** Reads and validates infra/init/opensearch/{index-templates,indices}/*.json. The file name is the resource name. */
export async function readOpenSearchDefinitions(initDir: string): Promise<OpenSearchDefinitions> {
  const base = join(initDir, "opensearch");
  const load = async (sub: string) =>
    Promise.all(
      (await jsonFiles(join(base, sub))).map(async (f) => {
        const file = join(base, sub, f);
        const name = f.replace(/\.json$/, "");
        if (!indexName.test(name)) {
          throw new SeedFileError(
            displayPath(file),
            "the file name must be a valid lowercase index/template name",
            "rename the file: the name (without .json) is the index or template name, lowercase letters, digits, '.', '-' or '_'",
          );
        }
        const text = await readFile(file, "utf8");
        return { name, file, text, content: parseSeedText(file, text) };
      }),
    );
  const templates = (await load("index-templates")).map((t) => ({
    name: t.name,
    file: t.file,
    body: validateSeedContent(t.file, t.content, templateFileSchema),
    checksum: createHash("sha256").update(JSON.stringify(t.content)).digest("hex").slice(0, 16),
  }));
  const indices = (await load("indices")).map((i) => ({
    name: i.name,
    file: i.file,
    body: validateSeedContent(i.file, i.content, indexFileSchema),
  }));
  return { templates, indices };
}

function matchesPattern(index: string, patterns: string | string[]): boolean {
  return [patterns].flat().some((p) =>
    new RegExp(
      `^${p
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    ).test(index),
  );
}

const errorType = (error: unknown) =>
  (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;

/**
 * Converges index templates (re-put when the file's checksum differs: always safe, templates only
 * affect new indices) and indices (create if missing; add missing aliases and fields; report type
 * conflicts as drift, never recreate an index).
 */
export async function seedOpenSearch(config: Config, initDir: string): Promise<ResourceResult[]> {
  const definitions = await readOpenSearchDefinitions(initDir);
  const client = createOpenSearchClient(config);
  const results: ResourceResult[] = [];
  try {
    for (const t of definitions.templates) {
      const body = { ...t.body, _meta: { ...t.body._meta, seed_checksum: t.checksum } };
      let current: string | undefined;
      let exists = false;
      try {
        const response = await client.indices.getIndexTemplate({ name: t.name });
        const found = response.body.index_templates?.[0]?.index_template as
          | { _meta?: { seed_checksum?: string } }
          | undefined;
        exists = found !== undefined;
        current = found?._meta?.seed_checksum;
      } catch (error) {
        if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 404) throw error;
      }
      if (current === t.checksum) {
        results.push({ service: "opensearch", kind: "index-template", name: t.name, outcome: "unchanged" });
        continue;
      }
      // Cast: the file is validated by zod here and type-checked against the client's request types in the tests.
      await client.indices.putIndexTemplate({ name: t.name, body: body as never });
      results.push({
        service: "opensearch",
        kind: "index-template",
        name: t.name,
        outcome: exists ? "updated" : "created",
        ...(exists ? { detail: "definition changed" } : {}),
      });
    }

    for (const index of definitions.indices) {
      const exists = (await client.indices.exists({ index: index.name })).body === true;
      if (!exists) {
        try {
          await client.indices.create({ index: index.name, body: index.body as never });
          results.push({ service: "opensearch", kind: "index", name: index.name, outcome: "created" });
          continue;
        } catch (error) {
          // A concurrent seeder created it first: converge the existing index like any other.
          if (errorType(error) !== "resource_already_exists_exception") throw error;
        }
      }
      results.push(await convergeIndex(client, index, definitions.templates));
    }
    return results;
  } catch (error) {
    throw serviceError(opensearchContext(config, "seeding indices"), error);
  } finally {
    await client.close().catch(() => {});
  }
}

/** The indices that currently hold `alias` (empty when it exists nowhere). */
async function aliasHolders(client: Client, alias: string): Promise<string[]> {
  const response = await client.indices.getAlias({ name: alias }, { ignore: [404] });
  if (response.statusCode === 404) return [];
  return Object.keys(response.body as Record<string, unknown>);
}

async function convergeIndex(
  client: Client,
  index: OpenSearchDefinitions["indices"][number],
  templates: OpenSearchDefinitions["templates"],
): Promise<ResourceResult> {
  const notes: string[] = [];
  const drift: string[] = [];
  const declaredAliases = Object.keys(index.body.aliases ?? {});
  if (declaredAliases.length > 0) {
    const response = await client.indices.get({ index: index.name });
    const current = (response.body as Record<string, { aliases?: Record<string, unknown> }>)[index.name];
    const absent = declaredAliases.filter((a) => !(a in (current?.aliases ?? {})));
    // An alias the app has moved to another index (a reindex to wallpapers-v2) is the app's decision
    // (DESIGN §6): report it, never move it back.
    const missing: string[] = [];
    for (const alias of absent) {
      const holders = await aliasHolders(client, alias);
      if (holders.length === 0) missing.push(alias);
      else drift.push(`alias ${alias} is on ${holders.join(", ")}, not ${index.name} (left as is)`);
    }
    if (missing.length > 0) {
      await client.indices.updateAliases({
        body: {
          actions: missing.map((alias) => ({
            add: { index: index.name, alias, ...(index.body.aliases?.[alias] ?? {}) },
          })),
        },
      });
      notes.push(`alias ${missing.join(", ")} added`);
    }
  }
  const template = templates
    .filter((t) => matchesPattern(index.name, t.body.index_patterns))
    .sort((a, b) => (b.body.priority ?? 0) - (a.body.priority ?? 0))[0];
  const declaredProperties = {
    ...(template?.body.template?.mappings?.properties ?? {}),
    ...(index.body.mappings?.properties ?? {}),
  } as Record<string, MappingProperty>;
  if (Object.keys(declaredProperties).length > 0) {
    const response = await client.indices.getMapping({ index: index.name });
    const actual = (
      response.body as Record<string, { mappings?: { properties?: Record<string, MappingProperty> } }>
    )[index.name]?.mappings?.properties;
    const diff = diffMappings(declaredProperties, actual);
    const topLevelMissing = diff.missing.filter((p) => !p.includes("."));
    if (topLevelMissing.length > 0) {
      await client.indices.putMapping({
        index: index.name,
        body: {
          properties: Object.fromEntries(topLevelMissing.map((p) => [p, declaredProperties[p]])),
        } as never,
      });
      notes.push(`field(s) ${topLevelMissing.join(", ")} added`);
    }
    const nestedMissing = diff.missing.filter((p) => p.includes("."));
    if (nestedMissing.length > 0)
      drift.push(`sub-field(s) ${nestedMissing.join(", ")} missing (reindex to add)`);
    for (const conflict of diff.conflicts)
      drift.push(`mapping: ${conflict} (needs a new index and a reindex)`);
  }
  return {
    service: "opensearch",
    kind: "index",
    name: index.name,
    outcome: notes.length > 0 ? "updated" : "unchanged",
    ...(notes.length > 0 ? { detail: notes.join("; ") } : {}),
    ...(drift.length > 0 ? { drift } : {}),
  };
}

export async function verifyOpenSearch(config: Config, id: string): Promise<string> {
  const client = createOpenSearchClient(config);
  // Its own index, outside the seeded template's `wallpapers-*` pattern, removed afterwards.
  const index = "wallpaperdb-verify-probe";
  try {
    await client.index({ index, id, body: { probe: id, at: new Date().toISOString() }, refresh: true });
    const found = await client.search({ index, body: { query: { term: { _id: id } } } });
    const hits = (found.body as { hits?: { hits?: unknown[] } }).hits?.hits ?? [];
    await client.delete({ index, id, refresh: true });
    if (hits.length !== 1) throw new Error(`search found ${hits.length} probe documents instead of 1`);
    return `index ${index}`;
  } catch (error) {
    throw serviceError(opensearchContext(config, "verifying index/search/delete"), error);
  } finally {
    await client.indices.delete({ index }).catch(() => {});
    await client.close().catch(() => {});
  }
}
