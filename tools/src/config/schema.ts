/**
 * The forms a variable may take (zod schemas with the sentence a message shows), shared by the config loader
 * and by each service module's configuration slice. No service names here.
 */
import { isIP } from "node:net";
import { z } from "zod";

export interface VariableRule {
  schema: z.ZodType;
  expected: string;
  /** Used when the variable is unset or empty (the value .env.example documents). */
  default?: string;
  /** Shown as **** in every message. */
  secret?: boolean;
}

/**
 * Digits only: Number() would also take 1e3, 0x1F90 or 5432.0, which Compose then receives literally.
 */
export const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
export const port = wholeNumber(1, 65535);
export const PORT_RULE: VariableRule = { schema: port, expected: "a TCP port number between 1 and 65535" };
const nonEmpty = z.string().min(1);
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => ["true", "1", "yes"].includes(v));
export const urlWithScheme = (schemes: readonly string[]) =>
  z.string().refine((value) => {
    try {
      const url = new URL(value);
      // The credentials and database name are percent-decoded later; malformed escapes (`p%zz`) fail here.
      for (const part of [url.username, url.password, url.pathname]) decodeURIComponent(part);
      return schemes.includes(url.protocol.replace(/:$/, "")) && url.hostname !== "";
    } catch {
      return false;
    }
  });
/** Compose's port binding needs an address, not a host name. */
export const ipAddress = z.string().refine((value) => isIP(value) !== 0);

export const URL_HTTP: VariableRule = {
  schema: urlWithScheme(["http", "https"]),
  expected: "an http:// or https:// URL",
};
export const TRUE_OR_FALSE: VariableRule = { schema: bool, expected: "true or false" };
export const nonEmptyRule = (what: string, extra: Partial<VariableRule> = {}): VariableRule => ({
  schema: nonEmpty,
  expected: `a non-empty ${what}`,
  ...extra,
});
