/**
 * The part of LogQL the Loki stand-in answers, pure: a stream selector with = != =~ !~ matchers, then
 * line filters (|= != |~ !~) and label filters on labels or structured metadata (`| trace_id="..."`).
 * Anything else (parsers, formatters, metric queries) is refused with a message saying so.
 */

type Op = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  name: string;
  op: Op;
  value: string;
}

export type Stage =
  | { kind: "line"; op: "|=" | "!=" | "|~" | "!~"; value: string }
  | ({ kind: "label" } & Matcher);

export interface LogQuery {
  matchers: Matcher[];
  stages: Stage[];
}

export class LogQLError extends Error {
  override name = "LogQLError";
}

const TOKEN = /\s*(?:(\{|\}|,|\|=|\|~|!=|!~|=~|=|\|)|("(?:[^"\\]|\\.)*"|`[^`]*`)|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(query: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < query.length) {
    if (/^\s*$/.test(query.slice(TOKEN.lastIndex))) break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(query);
    if (!match)
      throw new LogQLError(
        `parse error at position ${start + 1}: the Loki stand-in does not understand "${query.slice(start)}"`,
      );
    tokens.push((match[1] ?? match[2] ?? match[3]) as string);
  }
  return tokens;
}

function stringValue(token: string | undefined): string {
  if (token?.startsWith("`")) return token.slice(1, -1);
  if (token?.startsWith('"')) return JSON.parse(token) as string;
  throw new LogQLError(`parse error: expected a quoted string, found ${token ?? "the end of the query"}`);
}

const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`);

export function matcherHolds(matcher: Matcher, actual: string | undefined): boolean {
  const value = actual ?? "";
  switch (matcher.op) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    case "=~":
      return anchored(matcher.value).test(value);
    case "!~":
      return !anchored(matcher.value).test(value);
  }
}

export function parseLogQuery(query: string): LogQuery {
  if (!query.trim().startsWith("{"))
    throw new LogQLError(
      "parse error: the Loki stand-in answers log queries only ({...} selector first; no metric queries)",
    );
  const tokens = tokenize(query);
  let at = 1;
  const next = () => tokens[at++];
  const matchers: Matcher[] = [];
  const matcher = (): Matcher => {
    const name = next();
    const op = next();
    if (!name || !/^[A-Za-z_]/.test(name) || !["=", "!=", "=~", "!~"].includes(op ?? ""))
      throw new LogQLError(
        `parse error: expected a label matcher such as name="value", found ${name} ${op ?? ""}`,
      );
    return { name, op: op as Op, value: stringValue(next()) };
  };
  while (tokens[at] !== "}") {
    matchers.push(matcher());
    if (tokens[at] === ",") at++;
    else if (tokens[at] !== "}")
      throw new LogQLError(`parse error: expected , or } in the selector, found ${tokens[at] ?? "the end"}`);
  }
  at++;
  // Loki refuses selectors that every stream matches.
  if (!matchers.some((m) => !matcherHolds(m, "")))
    throw new LogQLError(
      "queries require at least one regexp or equality matcher that does not have an empty-compatible value",
    );
  const stages: Stage[] = [];
  while (at < tokens.length) {
    const token = next();
    if (token === "|=" || token === "!=" || token === "|~" || token === "!~") {
      stages.push({ kind: "line", op: token, value: stringValue(next()) });
    } else if (token === "|") {
      if (!/^[A-Za-z_]/.test(tokens[at] ?? "") || !["=", "!=", "=~", "!~"].includes(tokens[at + 1] ?? ""))
        throw new LogQLError(
          `parse error: the Loki stand-in supports only label filters after |, not | ${tokens[at] ?? ""}`,
        );
      stages.push({ kind: "label", ...matcher() });
    } else {
      throw new LogQLError(`parse error: unexpected ${token}`);
    }
  }
  return { matchers, stages };
}

/** Whether one entry (its line, its stream labels plus structured metadata) passes the stages. */
export function passesStages(
  stages: readonly Stage[],
  line: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  return stages.every((stage) => {
    if (stage.kind === "label") return matcherHolds(stage, labels[stage.name]);
    const found =
      stage.op === "|=" || stage.op === "!="
        ? line.includes(stage.value)
        : new RegExp(stage.value).test(line);
    return stage.op.startsWith("|") ? found : !found;
  });
}
