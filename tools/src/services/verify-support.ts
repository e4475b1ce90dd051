/** Helpers of the verify checks that poll a backend over HTTP. */
import { UserError } from "../errors.ts";

const POLL_INTERVAL_MS = 1000;
/** How long the telemetry round trip may take (collector batching, Loki/Tempo ingestion, Prometheus). */
export const TELEMETRY_DEADLINE_MS = 30_000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export async function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
}

/** Polls until `found` or the deadline; returns the attempts made. Not found: `failure` says where and what to do. */
export async function pollUntil(
  deadlineMs: number,
  attempt: () => Promise<boolean>,
  what: string,
  failure: { where: string; fix: string },
): Promise<number> {
  const until = Date.now() + deadlineMs;
  let attempts = 0;
  let lastError = "";
  while (Date.now() < until) {
    attempts++;
    try {
      if (await attempt()) return attempts;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new UserError(
    `${what} not found after ${deadlineMs / 1000} s${lastError ? ` (last error: ${lastError})` : ""}`,
    failure,
  );
}

/** What to check when a signal sent through the collector never shows up in its backend. */
export function telemetryFailure(backend: string, url: string, signal: string, variable: string) {
  return {
    where: `${backend} at ${url}`,
    fix: `make status (are otel-collector and ${backend} up?); make logs SERVICE=otel-collector, then SERVICE=${backend}; the ${signal} pipeline of infra/config/otel-collector/config.yaml; ${variable} in .env if ${backend} runs elsewhere`,
  };
}
