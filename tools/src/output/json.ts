import { maskText } from "../errors.ts";

/** Machine output for --json: one JSON document on stdout, masked; logs go to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${maskText(JSON.stringify(value, null, 2))}\n`);
}
