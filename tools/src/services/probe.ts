import type { Config } from "../config/env.ts";

/** Per-attempt limit of one readiness probe; the overall deadline belongs to the wait loop. */
export const PROBE_ATTEMPT_TIMEOUT_MS = 5000;

/**
 * A readiness probe: resolves with a short detail when the service is ready, throws (with the reason) when not.
 * Probes look at the real readiness signal (a query, an API answer), not an open TCP port: a port opens
 * long before Postgres accepts queries or OpenSearch has a usable cluster state.
 */
export interface ReadinessProbe {
  service: string;
  /** What is checked, for humans ("SELECT 1", "GET /-/ready"). */
  checks: string;
  check: (config: Config) => Promise<string>;
}

export class NotReadyError extends Error {
  override name = "NotReadyError";
}

/**
 * Rejects with a TimeoutError-coded error if `promise` does not settle within `ms`; `onTimeout` lets the
 * caller close the socket of the abandoned call.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onTimeout?: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`${what} timed out after ${ms} ms`);
      (error as Error & { code: string }).code = "ETIMEDOUT";
      onTimeout?.();
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HttpCheck {
  url: string;
  method?: "GET" | "POST";
  body?: string;
  headers?: Record<string, string>;
  /** Accept the response (status and body); return the detail or throw NotReadyError. */
  accept?: (status: number, body: string) => string;
}

/** One HTTP readiness attempt with the per-attempt timeout. */
export async function httpCheck(check: HttpCheck): Promise<string> {
  const response = await fetch(check.url, {
    method: check.method ?? "GET",
    body: check.body,
    headers: check.headers,
    signal: AbortSignal.timeout(PROBE_ATTEMPT_TIMEOUT_MS),
  });
  const body = await response.text();
  if (check.accept) return check.accept(response.status, body);
  if (response.status >= 200 && response.status < 300) return `HTTP ${response.status}`;
  throw new NotReadyError(`HTTP ${response.status}${body ? `: ${body.slice(0, 120).trim()}` : ""}`);
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
