/**
 * The forms a variable may take (a parser with the sentence a message shows), shared by the config loader
 * and by each service module's configuration slice. No service names here. Plain functions, not zod: every
 * command validates the configuration first, and loading zod took 30 ms of each one's start.
 */
import { isIP } from "node:net";

/** The value a variable's text stands for, or undefined when the text does not have the form. */
export type Parse<T = unknown> = (raw: string) => T | undefined;

export interface VariableRule {
  parse: Parse;
  expected: string;
  /** Used when the variable is unset or empty (the value .env.example documents). */
  default?: string;
  /** Shown as **** in every message. */
  secret?: boolean;
}

export const matching =
  (pattern: RegExp): Parse<string> =>
  (raw) =>
    pattern.test(raw) ? raw : undefined;

export const atLeastCharacters =
  (length: number): Parse<string> =>
  (raw) =>
    raw.length >= length ? raw : undefined;

/**
 * Digits only: Number() would also take 1e3, 0x1F90 or 5432.0, which Compose then receives literally.
 */
export const wholeNumber =
  (min: number, max: number): Parse<number> =>
  (raw) => {
    if (!/^\d{1,6}$/.test(raw)) return undefined;
    const value = Number(raw);
    return value >= min && value <= max ? value : undefined;
  };
export const port = wholeNumber(1, 65535);
export const PORT_RULE: VariableRule = { parse: port, expected: "a TCP port number between 1 and 65535" };
const BOOLEANS = new Map([
  ["true", true],
  ["1", true],
  ["yes", true],
  ["false", false],
  ["0", false],
  ["no", false],
]);
const bool: Parse<boolean> = (raw) => BOOLEANS.get(raw);

/** Pure: whether the text is a URL of one of the schemes with a host, whose parts decode. */
export function isUrlWithScheme(value: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(value);
    // The credentials and database name are percent-decoded later; malformed escapes (`p%zz`) fail here.
    for (const part of [url.username, url.password, url.pathname]) decodeURIComponent(part);
    return schemes.includes(url.protocol.replace(/:$/, "")) && url.hostname !== "";
  } catch {
    return false;
  }
}
export const urlWithScheme =
  (schemes: readonly string[]): Parse<string> =>
  (raw) =>
    isUrlWithScheme(raw, schemes) ? raw : undefined;
/** Compose's port binding needs an address, not a host name. */
export const ipAddress: Parse<string> = (raw) => (isIP(raw) !== 0 ? raw : undefined);

export const URL_HTTP: VariableRule = {
  parse: urlWithScheme(["http", "https"]),
  expected: "an http:// or https:// URL",
};
export const TRUE_OR_FALSE: VariableRule = { parse: bool, expected: "true or false" };
export const nonEmptyRule = (what: string, extra: Partial<VariableRule> = {}): VariableRule => ({
  parse: atLeastCharacters(1),
  expected: `a non-empty ${what}`,
  ...extra,
});
