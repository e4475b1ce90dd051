// @ts-check
/**
 * The one reader of .env files, with the rules of Docker Compose v2 itself (compose-go's dotenv parser and
 * its template substitution, as in Compose 2.26), so that the tools, the lifecycle scripts and Compose read
 * the same value from the same line:
 *   - `KEY=value`, `KEY: value`, an optional `export ` prefix; a line with only `KEY` takes it from the
 *     environment; `#` starts a comment line;
 *   - unquoted values end at the line end or at " #", trailing whitespace (a CRLF's \r too) is dropped;
 *   - '…' is literal (\' is a quote); "…" may span lines, knows \n \t \" \\ \$ … and is interpolated;
 *   - `$VAR`, `${VAR}`, `${VAR:-default}` (also -, :+, +, :?, ?) read the process environment first, then
 *     the lines above; `$$` is a literal `$`.
 * Plain JavaScript, type-checked through JSDoc: the shell scripts run it with bare node
 * (tools/bin/dotenv-values.mjs), which costs 0.1 s where a tsx process costs 0.4 s.
 */
import { readFileSync } from "node:fs";

/**
 * @typedef {object} DotenvEntry
 * @property {string} key
 * @property {string} value What Compose reads.
 * @property {number} line 1-based line of the key.
 * @property {string[]} unsetReferences Variables the value refers to that are not set: Compose warns and
 *   puts an empty string in their place.
 */

/**
 * A line Compose refuses to read; it then reads nothing of the file.
 * @typedef {object} DotenvError
 * @property {number} line
 * @property {string} reason
 * @property {string} fix
 */

/** @typedef {{ entries: DotenvEntry[], error?: DotenvError }} DotenvParse */
/** @typedef {(name: string) => string | undefined} Lookup */

const LITERAL_DOLLAR_FIX = "write a literal $ as $$, or put the whole value in single quotes ('…')";

/** Go's unicode.IsSpace. */
const isUnicodeSpace = (/** @type {string} */ c) =>
  /[\t\n\v\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]/.test(c);
/** compose-go's isSpace: whitespace that is not a line break. */
const isSpace = (/** @type {string} */ c) => /[\t\v\f\r \u0085\u00A0]/.test(c);

const trimEnd = (/** @type {string} */ s) => {
  let end = s.length;
  while (end > 0 && isUnicodeSpace(s.charAt(end - 1))) end--;
  return s.slice(0, end);
};

class TemplateError extends Error {
  /** @param {string} reason @param {string} fix */
  constructor(reason, fix) {
    super(reason);
    this.fix = fix;
  }
}

// compose-go template.DefaultPattern: $$, $name, ${name[modifier]} and the invalid rest of a "${".
// `[^\n]` where Go has `.`: JavaScript's dot also stops at \r.
const PATTERN = "\\$(?:(\\$)|([_a-z][_a-z0-9]*)|\\{(?:([_a-z][_a-z0-9]*(?::?[-+?]([^\\n]*))?)\\}|()))";
const OPERATORS = [":?", "?", ":-", "-", ":+", "+"];

/** The modifier that appears first in a `${…}` expression, as compose-go picks it. */
function firstOperator(/** @type {string} */ expression) {
  let best;
  for (const operator of OPERATORS) {
    const at = expression.indexOf(operator);
    if (at >= 0 && (best === undefined || at < best.at)) best = { operator, at };
  }
  return best?.operator;
}

/** Index of the `}` that closes the first `{`, counting nested braces (compose-go's rule). */
function closingBrace(/** @type {string} */ s) {
  let open = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "}") {
      open--;
      if (open === 0) return i;
    }
    if (s[i] === "{") {
      open++;
      i++;
    }
  }
  return -1;
}

/**
 * compose-go's template.Substitute: replaces every reference, records the names of unset plain references
 * in `unset`, throws TemplateError where Compose fails.
 * @param {string} template @param {Lookup} lookup @param {string[]} unset
 * @returns {string}
 */
function substitute(template, lookup, unset) {
  return template.replace(new RegExp(PATTERN, "gi"), (match) => {
    const operator = firstOperator(match);
    const close = closingBrace(match);
    const rest = close > -1 ? match.slice(close + 1) : "";
    const groups = new RegExp(PATTERN, "i").exec(close > -1 ? match.slice(0, close + 1) : match) ?? [];
    if (groups[1]) return "$";
    const name = groups[2] ?? groups[3];
    if (!name)
      throw new TemplateError(
        `"${match}" is not a valid reference (an unclosed or empty \${…})`,
        LITERAL_DOLLAR_FIX,
      );
    const at = operator === undefined ? -1 : name.indexOf(operator);
    if (groups[2] === undefined && operator !== undefined && at > 0) {
      const variable = name.slice(0, at);
      const argument = substitute(name.slice(at + operator.length), lookup, unset);
      const value = lookup(variable);
      const empty = value === undefined || (operator.startsWith(":") && value === "");
      if (operator.endsWith("?")) {
        if (empty)
          throw new TemplateError(
            `\${${name}} requires ${variable}, which is not set${argument ? `: ${argument}` : ""}`,
            `set ${variable} above this line or in your shell, or ${LITERAL_DOLLAR_FIX}`,
          );
        return value + substitute(rest, lookup, unset);
      }
      const chosen = operator.endsWith("-") ? (empty ? argument : value) : empty ? (value ?? "") : argument;
      return chosen + substitute(rest, lookup, unset);
    }
    const value = lookup(name);
    if (value === undefined) unset.push(name);
    return value ?? "";
  });
}

const ESCAPES = /** @type {Record<string, string>} */ ({
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  '"': '"',
  "\\": "\\",
});

/** compose-go's expandEscapes for double-quoted values: `\$` stays a literal dollar through substitution. */
function expandEscapes(/** @type {string} */ value) {
  return value.replace(/\\(?:([abcfnrtv$"\\])|0(\d{0,3}))/g, (match, single, octal) => {
    if (single === "$") return "$$";
    if (single !== undefined) return ESCAPES[single] ?? match;
    // Go's UnquoteChar takes exactly three octal digits after the backslash ("\0123" is "S").
    if (/^[0-7]{3}$/.test(octal) && Number.parseInt(octal, 8) < 256)
      return String.fromCharCode(Number.parseInt(octal, 8));
    return match;
  });
}

/**
 * Parses .env text the way Compose does. `lookupEnv` is the process environment: it wins over the lines
 * above in `${…}` references, as in Compose. Stops at the first line Compose refuses.
 * @param {string} text @param {Lookup} [lookupEnv]
 * @returns {DotenvParse}
 */
export function parseDotenv(text, lookupEnv = () => undefined) {
  const src = text.startsWith("\uFEFF") ? text.slice(1) : text;
  /** @type {DotenvEntry[]} */
  const entries = [];
  /** @type {Map<string, string>} */
  const seen = new Map();
  /** @type {Lookup} */
  const lookup = (name) => lookupEnv(name) ?? seen.get(name);
  let pos = 0;
  let line = 1;
  const advanceTo = (/** @type {number} */ end) => {
    for (; pos < end; pos++) if (src[pos] === "\n") line++;
  };
  const fail = (/** @type {string} */ reason, /** @type {string} */ fix) => ({
    entries,
    error: { line, reason, fix },
  });

  for (;;) {
    while (pos < src.length && isUnicodeSpace(src.charAt(pos))) advanceTo(pos + 1);
    if (pos >= src.length) break;
    if (src[pos] === "#") {
      const end = src.indexOf("\n", pos);
      if (end === -1) break;
      advanceTo(end);
      continue;
    }
    const keyLine = line;
    const exported = /^export\s+/.exec(src.slice(pos, pos + 64));
    if (exported) {
      advanceTo(pos + "export".length);
      while (pos < src.length && isSpace(src.charAt(pos))) pos++;
    }
    let end = pos;
    let separator = "";
    for (; end < src.length; end++) {
      const c = src.charAt(end);
      if (isSpace(c) || /[_.\-[\]\p{L}\p{N}]/u.test(c)) continue;
      if (c === "=" || c === ":" || c === "\n") {
        separator = c;
        break;
      }
      const firstLine = src.slice(pos).split("\n")[0] ?? "";
      return fail(
        `unexpected character "${c}" in the variable name "${trimEnd(firstLine)}"`,
        "variable names use letters, digits and _ . - only; a value goes after =",
      );
    }
    // A last line without "=" is a key with an empty name to Compose: nothing anyone can read.
    if (separator === "") break;
    const key = trimEnd(src.slice(pos, end));
    if (key.includes(" "))
      return fail(`the variable name "${key}" contains a space`, "remove the space (KEY=value)");
    advanceTo(end + 1);
    if (separator === "\n") {
      const inherited = lookupEnv(key);
      if (inherited !== undefined && key !== "") {
        entries.push({ key, value: inherited, line: keyLine, unsetReferences: [] });
        seen.set(key, inherited);
      }
      continue;
    }
    while (pos < src.length && isSpace(src.charAt(pos))) pos++;
    const quote = src[pos] === "'" || src[pos] === '"' ? src[pos] : undefined;
    /** @type {string[]} */
    const unset = [];
    let value;
    try {
      if (quote === undefined) {
        const newline = src.indexOf("\n", pos);
        const raw = src.slice(pos, newline === -1 ? src.length : newline);
        advanceTo(newline === -1 ? src.length : newline + 1);
        const commentAt = raw.indexOf(" #");
        value = substitute(trimEnd(commentAt === -1 ? raw : raw.slice(0, commentAt)), lookup, unset);
      } else {
        let chars = "";
        let escaped = false;
        let closed = -1;
        for (let i = pos + 1; i < src.length; i++) {
          const c = src.charAt(i);
          if (c !== quote) {
            if (!escaped && c === "\\") {
              escaped = true;
              continue;
            }
            if (escaped) chars += "\\";
            escaped = false;
            chars += c;
            continue;
          }
          if (escaped) {
            escaped = false;
            chars += c;
            continue;
          }
          closed = i;
          break;
        }
        if (closed === -1) {
          const firstLine = src.slice(pos).split("\n")[0] ?? "";
          return fail(
            `the quoted value of ${key} is never closed: ${trimEnd(firstLine)}`,
            `end the value with the same quote it starts with (${quote})`,
          );
        }
        value = quote === '"' ? substitute(expandEscapes(chars), lookup, unset) : chars;
        advanceTo(closed + 1);
      }
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      line = keyLine;
      return fail(`${key}: ${error.message}`, error.fix);
    }
    entries.push({ key, value, line: keyLine, unsetReferences: unset });
    seen.set(key, value);
  }
  return { entries };
}

/** The values as Compose uses them: the last line of a key wins. */
export function dotenvValues(/** @type {readonly DotenvEntry[]} */ entries) {
  return Object.fromEntries(entries.map((e) => [e.key, e.value]));
}

/**
 * Keys set on more than one line, with every line, in file order.
 * @param {readonly DotenvEntry[]} entries
 * @returns {{ key: string, lines: number[] }[]}
 */
export function duplicateKeys(entries) {
  /** @type {Map<string, number[]>} */
  const lines = new Map();
  for (const e of entries) lines.set(e.key, [...(lines.get(e.key) ?? []), e.line]);
  return [...lines].filter(([, at]) => at.length > 1).map(([key, at]) => ({ key, lines: at }));
}

/**
 * Values Compose would read differently from what was obviously meant: a `$` followed by a name that is
 * no variable anyone set (`pa$word1` gives Compose "pa" and a warning).
 * @param {readonly DotenvEntry[]} entries
 * @returns {{ key: string, line: number, references: string[], fix: string }[]}
 */
export function misreadValues(entries) {
  return entries
    .filter((e) => e.unsetReferences.length > 0)
    .map((e) => ({ key: e.key, line: e.line, references: e.unsetReferences, fix: LITERAL_DOLLAR_FIX }));
}

/**
 * @typedef {{ kind: "absent" }
 *   | { kind: "unreadable", what: string, fix: string }
 *   | { kind: "read", text: string }} DotenvFile
 */

/**
 * Reads an env file. Absent is fine (every variable has a default); a directory or a file without read
 * permission is reported with what to do, never as an unexpected error.
 * @param {string} file
 * @returns {DotenvFile}
 */
export function readDotenvFile(file) {
  try {
    return { kind: "read", text: readFileSync(file, "utf8") };
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    if (code === "ENOENT") return { kind: "absent" };
    if (code === "EISDIR")
      return {
        kind: "unreadable",
        what: `${file} is a directory, not an env file`,
        fix: `move it away (mv ${file} ${file}.dir), then run make start: it creates the file from .env.example`,
      };
    if (code === "EACCES" || code === "EPERM")
      return {
        kind: "unreadable",
        what: `${file} cannot be read (permission denied)`,
        fix: `make it readable for your user: chmod u+r ${file}`,
      };
    return { kind: "unreadable", what: `${file} cannot be read (${code ?? String(error)})`, fix: "" };
  }
}
