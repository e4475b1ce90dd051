import { request as requestHttp } from "node:http";
import { request as requestHttps } from "node:https";
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
  /** Accept a self-signed certificate (https only). */
  insecureTls?: boolean;
  /** Accept the response (status and body); return the detail or throw NotReadyError. */
  accept?: (status: number, body: string) => string;
}

/** Redirects an attempt follows, as fetch did (a URL from .env may point at an http → https hop). */
const MAX_REDIRECTS = 3;

/** One HTTP readiness attempt with the per-attempt timeout. */
export async function httpCheck(check: HttpCheck): Promise<string> {
  let answer = await httpRequest(check);
  for (let hop = 0; hop < MAX_REDIRECTS && answer.location !== undefined; hop++)
    answer = await httpRequest({
      ...check,
      url: new URL(answer.location, check.url).href,
      method: "GET",
      body: undefined,
    });
  const { status, body } = answer;
  if (check.accept) return check.accept(status, body);
  if (status >= 200 && status < 300) return `HTTP ${status}`;
  throw new NotReadyError(`HTTP ${status}${body ? `: ${body.slice(0, 120).trim()}` : ""}`);
}

/**
 * One request through node:http(s), not fetch: undici costs 30 ms to load and more CPU a request, and the
 * probes run beside `compose up --wait`, when the containers' healthchecks need the CPU.
 */
function httpRequest(check: HttpCheck): Promise<{ status: number; body: string; location?: string }> {
  const url = new URL(check.url);
  const send = url.protocol === "https:" ? requestHttps : requestHttp;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: check.method ?? "GET",
        headers: { connection: "close", ...check.headers },
        signal: AbortSignal.timeout(PROBE_ATTEMPT_TIMEOUT_MS),
        ...(check.insecureTls ? { rejectUnauthorized: false } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          const body = Buffer.concat(chunks).toString("utf8");
          const { location } = response.headers;
          resolve(status >= 300 && status < 400 && location ? { status, body, location } : { status, body });
        });
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(check.body);
  });
}

/** Wrong credentials as the wait loop tells them apart (classifyError: "auth"): final, not waited out. */
export function credentialsRejected(service: string, status: number): Error {
  return Object.assign(new Error(`${service} rejected the credentials (HTTP ${status})`), {
    statusCode: status,
  });
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
