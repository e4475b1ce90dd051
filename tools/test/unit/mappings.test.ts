import assert from "node:assert/strict";
import { test } from "node:test";
import { diffMappings } from "../../src/seed/mappings.ts";

test("identical mappings: no difference", () => {
  const m = { title: { type: "text", fields: { keyword: { type: "keyword" } } }, width: { type: "integer" } };
  assert.deepEqual(diffMappings(m, structuredClone(m)), { missing: [], conflicts: [] });
});

test("a declared field the index lacks is missing (addable); extra index fields are ignored", () => {
  assert.deepEqual(
    diffMappings(
      { a: { type: "keyword" }, b: { type: "long" } },
      { a: { type: "keyword" }, z: { type: "text" } },
    ),
    {
      missing: ["b"],
      conflicts: [],
    },
  );
});

test("a type change is a conflict; nested properties and multi-fields are compared with dotted paths", () => {
  const diff = diffMappings(
    {
      width: { type: "integer" },
      meta: { properties: { camera: { type: "keyword" } } },
      title: { type: "text", fields: { raw: { type: "keyword" } } },
    },
    { width: { type: "long" }, meta: { properties: {} }, title: { type: "text" } },
  );
  assert.deepEqual(diff.conflicts, ["width is long, declared integer"]);
  assert.deepEqual(diff.missing, ["meta.camera", "title.raw"]);
});
