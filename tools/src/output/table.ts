import Table from "cli-table3";
import { maskText } from "../errors.ts";

/** Renders rows as a compact table (no colours, so it reads the same in CI logs). Cells are masked. */
export function renderTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const table = new Table({
    head: [...head],
    style: { head: [], border: [], compact: true },
    wordWrap: false,
  });
  for (const row of rows) table.push(row.map((cell) => maskText(cell)));
  return table.toString();
}
