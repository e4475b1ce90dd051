import type { Config } from "../config/env.ts";
import { classifyError, maskText } from "../errors.ts";
import { PROBE_ATTEMPT_TIMEOUT_MS, type ReadinessProbe, withTimeout } from "./probe.ts";

export type WaitState = "waiting" | "ready" | "failed";

export interface WaitOutcome {
  service: string;
  state: WaitState;
  /** The ready detail, or the last reason it was not ready. */
  detail: string;
  elapsedMs: number;
  attempts: number;
}

export interface WaitOptions {
  deadlineMs: number;
  intervalMs?: number;
  onUpdate?: (service: string, state: WaitState, detail: string) => void;
  /** Wraps each service's whole wait (the command passes a trace step). */
  wrap?: <T>(service: string, run: () => Promise<T>) => Promise<T>;
  now?: () => number;
  /**
   * Probing ahead (beside `compose up --wait`): until `due` resolves nothing is final, wrong credentials
   * included (a service still initialising may answer so), and no deadline runs. When it resolves, the
   * pauses are cut short, so what is ready by then is seen at once, and `deadlineMs` starts.
   */
  due?: Promise<void>;
  /** Ends the wait: pauses are cut short and every service not ready returns as "waiting". */
  signal?: AbortSignal;
}

/** Short reason for a failed attempt, masked: the failure kind for common client errors, else the message. */
export function reasonOf(error: unknown): string {
  switch (classifyError(error)) {
    case "unreachable":
      return "connection refused";
    case "unknown-host":
      return "host name not found";
    case "timeout":
      return "no answer in time";
    case "tls":
      return "TLS handshake failed";
    case "auth":
      return "credentials rejected";
    default: {
      const e = error as { message?: string; code?: string; cause?: { message?: string } };
      const text = e?.cause?.message || e?.message || e?.code || String(error);
      return maskText(text.split("\n")[0] ?? text).slice(0, 160);
    }
  }
}

/**
 * Polls every probe in parallel until it is ready or the overall deadline passes. Each service
 * re-polls on its own, so only what is not ready yet is asked again. Wrong credentials are terminal:
 * they will not fix themselves by waiting.
 */
export async function waitForServices(
  probes: readonly ReadinessProbe[],
  config: Config,
  options: WaitOptions,
): Promise<WaitOutcome[]> {
  const now = options.now ?? Date.now;
  const start = now();
  const interval = options.intervalMs ?? 1000;
  let deadline = options.due ? Number.POSITIVE_INFINITY : start + options.deadlineMs;
  const pauses = new Set<() => void>();
  const endPauses = () => {
    for (const end of pauses) end();
  };
  options.due?.then(() => {
    deadline = now() + options.deadlineMs;
    endPauses();
  });
  options.signal?.addEventListener("abort", endPauses, { once: true });
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        pauses.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      pauses.add(end);
    });

  const one = async (probe: ReadinessProbe): Promise<WaitOutcome> => {
    let attempts = 0;
    let detail = "not probed yet";
    const outcome = (state: WaitState): WaitOutcome => ({
      service: probe.service,
      state,
      detail,
      elapsedMs: now() - start,
      attempts,
    });
    for (;;) {
      attempts++;
      const ahead = deadline === Number.POSITIVE_INFINITY;
      let cutByDeadline = false;
      try {
        // An attempt never outlives the overall deadline (a half-open socket must not stretch the wait).
        detail = await withTimeout(
          probe.check(config),
          ahead ? PROBE_ATTEMPT_TIMEOUT_MS : Math.max(deadline - now(), 1),
          `${probe.service} readiness probe`,
          () => {
            cutByDeadline = !ahead;
          },
        );
        options.onUpdate?.(probe.service, "ready", detail);
        return outcome("ready");
      } catch (error) {
        // An attempt cut short by the deadline says less than the previous attempt's real answer.
        if (!cutByDeadline || attempts === 1) detail = reasonOf(error);
        if (!ahead && classifyError(error) === "auth") {
          options.onUpdate?.(probe.service, "failed", detail);
          return outcome("failed");
        }
        options.onUpdate?.(probe.service, "waiting", detail);
      }
      const remaining = deadline - now();
      if (remaining <= 0 || options.signal?.aborted) return outcome("waiting");
      await pause(Math.min(interval, remaining));
      if (options.signal?.aborted) return outcome("waiting");
    }
  };

  const wrap = options.wrap ?? ((_service, run) => run());
  return Promise.all(probes.map((probe) => wrap(probe.service, () => one(probe))));
}
