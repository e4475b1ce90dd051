import { maskText, toUserError } from "../errors.ts";

let printed = false;

/** Machine output for --json: one JSON document on stdout, masked; logs go to stderr. */
export function printJson(value: unknown): void {
  printed = true;
  process.stdout.write(`${maskText(JSON.stringify(value, null, 2))}\n`);
}

/**
 * The --json document when a command fails before it has a report (no engine, invalid .env, a bad
 * option): a script reading stdout still gets JSON, exactly one document (nothing when the command has
 * printed its own). The same message also goes to stderr as usual.
 */
export function printJsonError(thrown: unknown): void {
  if (printed) return;
  const error = toUserError(thrown);
  printJson({
    schemaVersion: 1,
    ok: false,
    error: { message: error.message, ...(error.where ? { where: error.where } : {}), fix: error.fix },
  });
}
