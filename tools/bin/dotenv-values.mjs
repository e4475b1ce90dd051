#!/usr/bin/env node
// The .env values for the lifecycle scripts (infra/scripts/lib.sh), read by tools/src/config/dotenv.mjs with
// Compose's rules, so the scripts pass Compose exactly what it reads itself.
// Usage: dotenv-values.mjs <file>  ->  one `WPDB_DOTENV_<KEY>='<value>'` line per variable, for `eval`.
// An absent file prints nothing; a file Compose cannot read prints `✗ what` + `  fix:` on stderr, exit 1.
// Plain node, no tsx: this runs on every make start/stop/reset/logs.
import { dotenvValues, parseDotenv, readDotenvFile } from "../src/config/dotenv.mjs";

const file = process.argv[2] ?? "";
const read = readDotenvFile(file);
if (read.kind === "unreadable") fail(read.what, read.fix);
if (read.kind === "read") {
  const parsed = parseDotenv(read.text, (name) => process.env[name]);
  if (parsed.error) fail(`${file} line ${parsed.error.line}: ${parsed.error.reason}`, parsed.error.fix);
  const lines = Object.entries(dotenvValues(parsed.entries))
    // Keys with . or - are valid in .env but cannot be shell variables; the scripts never read them.
    .filter(([key]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
    .map(([key, value]) => `WPDB_DOTENV_${key}='${value.replaceAll("'", "'\\''")}'\n`);
  process.stdout.write(lines.join(""));
}

/** @param {string} what @param {string} fix @returns {never} */
function fail(what, fix) {
  process.stderr.write(`✗ ${what}\n${fix ? `  fix: ${fix}\n` : ""}`);
  process.exit(1);
}
