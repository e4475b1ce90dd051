import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { repoRoot } from "../../src/config/env.ts";

/**
 * Compile-time check of the OpenSearch seed bodies against @opensearch-project/opensearch's request
 * types. JSON imports lose literal types ("keyword" becomes string), so each file's text is pasted as
 * an object literal into a virtual TypeScript module, annotated with the request body type, and
 * type-checked by the TypeScript compiler (excess-property and literal checks included).
 */
const toolsDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
const initDir = join(repoRoot, "infra/init/opensearch");

interface Body {
  label: string;
  typeName: "Indices_PutIndexTemplate_RequestBody" | "Indices_Create_RequestBody";
  json: string;
}

function typeErrors(bodies: readonly Body[]): string[] {
  const fileName = join(toolsDir, "test/unit/__opensearch_body_check__.ts");
  const source = [
    'import type { API } from "@opensearch-project/opensearch";',
    ...bodies.map((b, i) => `// ${b.label}\nexport const body${i}: API.${b.typeName} = ${b.json};`),
  ].join("\n");
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName
      ? ts.createSourceFile(name, source, language)
      : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === fileName || fileExists.call(host, name);
  host.readFile = (name) => (name === fileName ? source : readFile.call(host, name));
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const label = source
      .split("\n")
      .slice(0, line)
      .reverse()
      .find((l) => l.startsWith("// "));
    return `${label?.slice(3) ?? "?"}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}

const filesOf = (sub: string, typeName: Body["typeName"]): Body[] =>
  readdirSync(join(initDir, sub))
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({ label: `${sub}/${f}`, typeName, json: readFileSync(join(initDir, sub, f), "utf8") }));

const realBodies = [
  ...filesOf("index-templates", "Indices_PutIndexTemplate_RequestBody"),
  ...filesOf("indices", "Indices_Create_RequestBody"),
];
const brokenBodies: Body[] = [
  {
    label: "broken/bad-type",
    typeName: "Indices_PutIndexTemplate_RequestBody",
    json: '{ "index_patterns": ["x-*"], "template": { "mappings": { "properties": { "a": { "type": "keywrd" } } } } }',
  },
  { label: "broken/bad-key", typeName: "Indices_Create_RequestBody", json: '{ "alias": { "x": {} } }' },
];

describe("OpenSearch seed bodies satisfy the official client's request types", () => {
  // One compiler run for all bodies (loading the client's declarations dominates the time).
  let errors: string[] = [];
  before(() => {
    errors = typeErrors([...realBodies, ...brokenBodies]);
  });

  test("every index template and index file type-checks", () => {
    assert.ok(realBodies.length >= 2, "the template and the index are checked");
    assert.deepEqual(
      errors.filter((e) => !e.startsWith("broken/")),
      [],
    );
  });

  test("the check catches a misspelt field type and an unknown key (it can fail)", () => {
    assert.ok(
      errors.some((e) => e.startsWith("broken/bad-type:")),
      errors.join("\n"),
    );
    assert.ok(
      errors.some((e) => e.startsWith("broken/bad-key:")),
      errors.join("\n"),
    );
  });
});
