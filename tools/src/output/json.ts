import { maskText, toUserError } from "../errors.ts";

/** Machine output for --json: one JSON document on stdout, masked; logs go to stderr. */
export function printJson(value: unknown): void {
  process.stdout.write(`${maskText(JSON.stringify(value, null, 2))}\n`);
}

/**
 * The --json document when a command fails before it has a report (no engine, invalid .env): a script
 * reading stdout still gets JSON. The same message also goes to stderr as usual.
 */
export function printJsonError(thrown: unknown): void {
  const error = toUserError(thrown);
  printJson({
    schemaVersion: 1,
    ok: false,
    error: { message: error.message, ...(error.where ? { where: error.where } : {}), fix: error.fix },
  });
}
