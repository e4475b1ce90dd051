import { CommanderError } from "commander";
import { ConfigError, EnvFileError } from "./config/errors.ts";
import { MASK, maskSecretsInText, maskUrl } from "./output/mask.ts";
import { SeedFileError } from "./seed/result.ts";

/** A failure the user can act on: what happened, where, and the next thing to do. */
export class UserError extends Error {
  readonly where: string | undefined;
  readonly fix: string;
  readonly exitCode: number;
  constructor(what: string, options: { where?: string; fix: string; exitCode?: number; cause?: unknown }) {
    super(what, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "UserError";
    this.where = options.where;
    this.fix = options.fix;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Secrets registered here (from the Config) are masked in every message the runner prints. */
const knownSecrets = new Set<string>();
export function registerSecrets(secrets: readonly string[]): void {
  for (const s of secrets) knownSecrets.add(s);
}
export function maskText(text: string): string {
  return maskSecretsInText(text, [...knownSecrets]);
}

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  name?: unknown;
  message?: unknown;
  statusCode?: unknown;
  meta?: { statusCode?: unknown };
  cause?: unknown;
  errors?: unknown;
}

function errorFields(error: unknown): ErrorLike {
  return typeof error === "object" && error !== null ? (error as ErrorLike) : { message: String(error) };
}

/** Collects the `code`s of an error, its cause chain and AggregateError members (Node's happy-eyeballs). */
export function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || typeof error !== "object" || error === null) return [];
  const e = errorFields(error);
  const codes: string[] = [];
  if (typeof e.code === "string") codes.push(e.code);
  if (typeof e.name === "string") codes.push(e.name);
  if (Array.isArray(e.errors)) for (const inner of e.errors) codes.push(...errorCodes(inner, depth + 1));
  if (e.cause !== undefined) codes.push(...errorCodes(e.cause, depth + 1));
  return codes;
}

export type FailureKind = "unreachable" | "unknown-host" | "auth" | "timeout" | "tls" | "other";

const AUTH_CODES = new Set([
  "28P01", // pg: invalid_password
  "28000", // pg: invalid_authorization_specification
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AccessDenied",
  "AUTHORIZATION_VIOLATION", // nats
  "AUTHENTICATION_EXPIRED",
]);

/** Pure classification of a client library error. */
export function classifyError(error: unknown): FailureKind {
  const codes = errorCodes(error);
  const e = errorFields(error);
  const status = typeof e.statusCode === "number" ? e.statusCode : e.meta?.statusCode;
  const message = typeof e.message === "string" ? e.message : "";
  if (codes.some((c) => AUTH_CODES.has(c)) || status === 401 || status === 403) return "auth";
  if (/authorization violation|authentication failed|password authentication/i.test(message)) return "auth";
  // Some clients (OpenSearch's ConnectionError) only carry the errno in the message text.
  if (
    codes.some((c) => ["ECONNREFUSED", "ECONNRESET", "CONNECTION_REFUSED", "EPIPE"].includes(c)) ||
    /\b(ECONNREFUSED|ECONNRESET)\b/.test(message)
  )
    return "unreachable";
  if (codes.includes("ENOTFOUND") || codes.includes("EAI_AGAIN") || /\b(ENOTFOUND|EAI_AGAIN)\b/.test(message))
    return "unknown-host";
  if (
    codes.some((c) =>
      ["ETIMEDOUT", "TIMEOUT", "TimeoutError", "AbortError", "UND_ERR_CONNECT_TIMEOUT"].includes(c),
    ) ||
    /timed? ?out/i.test(message)
  )
    return "timeout";
  if (codes.some((c) => /^(ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_VERIFY)/.test(c))) return "tls";
  return "other";
}

function describeCause(error: unknown): string {
  const e = errorFields(error);
  const message = typeof e.message === "string" && e.message !== "" ? e.message : undefined;
  const codes = errorCodes(error);
  return message ?? codes[0] ?? String(error);
}

/** What the user needs to know about one service to fix a failure. */
export interface ServiceContext {
  service: string;
  /** The endpoint that was used (masked before display). */
  endpoint: string;
  /** The .env variables that set the endpoint and the credentials. */
  endpointVariables: string;
  credentialVariables?: string;
  /** What was being done, e.g. "seeding", "probing readiness". */
  action?: string;
}

/** Maps a client error to a UserError naming the service, the endpoint (masked) and the fix. */
export function serviceError(context: ServiceContext, error: unknown): UserError {
  if (error instanceof UserError) return error;
  if (error instanceof SeedFileError) return toUserError(error);
  const where = `${context.service} at ${maskUrl(context.endpoint)}`;
  const doing = context.action ? ` while ${context.action}` : "";
  const logs = `make logs SERVICE=${context.service}`;
  switch (classifyError(error)) {
    case "unreachable":
      return new UserError(`${context.service} is not reachable${doing} (connection refused)`, {
        where,
        fix: `start the stack with \`make start\` (then \`make status\`); if it runs elsewhere, check ${context.endpointVariables} in .env`,
        cause: error,
      });
    case "unknown-host":
      return new UserError(`${context.service}: host name not found${doing}`, {
        where,
        fix: `check ${context.endpointVariables} in .env (inside the dev container the host is the service name, e.g. ${context.service})`,
        cause: error,
      });
    case "auth":
      return new UserError(`${context.service} rejected the credentials${doing}`, {
        where,
        fix: `check ${context.credentialVariables ?? context.endpointVariables} in .env; they must match what the server was first started with (\`make reset\` recreates the volumes with the current .env)`,
        cause: error,
      });
    case "timeout":
      return new UserError(`${context.service} did not answer in time${doing}`, {
        where,
        fix: `see \`${logs}\`; \`make status\` shows whether it is healthy`,
        cause: error,
      });
    case "tls":
      return new UserError(`${context.service}: TLS handshake failed${doing}: ${describeCause(error)}`, {
        where,
        fix: `check the scheme and certificate settings of ${context.endpointVariables}`,
        cause: error,
      });
    default:
      return new UserError(`${context.service} failed${doing}: ${describeCause(error)}`, {
        where,
        fix: `see \`${logs}\`; rerun with DEBUG=1 for details`,
        cause: error,
      });
  }
}

/** Turns any thrown value into the UserError shown to the user. */
export function toUserError(error: unknown): UserError {
  if (error instanceof UserError) return error;
  if (error instanceof CommanderError) {
    return new UserError(error.message.replace(/^error: /, ""), {
      fix: "add --help for usage",
      exitCode: error.exitCode,
      cause: error,
    });
  }
  if (error instanceof ConfigError) {
    const lines = error.problems.map((p) => `${p.variable}=${p.shownValue} (expected ${p.expected})`);
    return new UserError(`invalid configuration: ${lines.join("; ")}`, {
      where: "the root .env file or your shell environment",
      fix: "correct the variable(s) above; .env.example shows a working value for each",
      exitCode: 2,
      cause: error,
    });
  }
  if (error instanceof EnvFileError) {
    const [only] = error.problems;
    return new UserError(error.problems.map((p) => p.what).join("; "), {
      where:
        only?.line !== undefined && error.problems.length === 1 ? `${error.file}:${only.line}` : error.file,
      fix: [...new Set(error.problems.map((p) => p.fix))].join("; "),
      exitCode: 2,
      cause: error,
    });
  }
  if (error instanceof SeedFileError) {
    return new UserError(`invalid seed file: ${error.reason}`, {
      where: error.file,
      fix: error.fix,
      exitCode: 2,
      cause: error,
    });
  }
  return new UserError(`unexpected error: ${describeCause(error)}`, {
    fix: "rerun with DEBUG=1 for the stack trace and report it if it persists",
    cause: error,
  });
}

/** The message printed for a UserError; masked. */
export function formatUserError(error: UserError): string {
  const lines = [`error: ${error.message}`];
  if (error.where) lines.push(`  where: ${error.where}`);
  lines.push(`  fix:   ${error.fix}`);
  return maskText(lines.join("\n"));
}

/** Top-level runner: one clear masked message on failure, non-zero exit, stack only with DEBUG=1. */
export async function runCli(main: () => Promise<number | undefined>): Promise<void> {
  try {
    const code = await main();
    if (code !== undefined) process.exitCode = code;
  } catch (thrown) {
    const error = toUserError(thrown);
    // Commander has printed its usage error (and --help its help) already.
    if (!(thrown instanceof CommanderError)) process.stderr.write(`${formatUserError(error)}\n`);
    if (process.env.DEBUG === "1") {
      const stack = thrown instanceof Error ? (thrown.stack ?? String(thrown)) : String(thrown);
      process.stderr.write(`${maskText(stack)}\n`);
      if (thrown instanceof Error && thrown.cause instanceof Error) {
        process.stderr.write(`caused by: ${maskText(thrown.cause.stack ?? String(thrown.cause))}\n`);
      }
    }
    process.exitCode = error.exitCode;
  }
  // Exit explicitly: a client that gave up on a half-open socket (NATS, MinIO) may still hold it open,
  // and the CLI must not hang after it has said what happened. Drain the output first.
  await Promise.all([drain(process.stdout), drain(process.stderr)]);
  process.exit(process.exitCode ?? 0);
}

function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write("", () => resolve()));
}

export { MASK };
