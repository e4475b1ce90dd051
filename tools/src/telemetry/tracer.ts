import { hostname } from "node:os";
import {
  type Attributes,
  encodeTraces,
  newSpanId,
  newTraceId,
  nowNs,
  postOtlp,
  type SpanRecord,
} from "./otlp.ts";

/** Upper bound a command ever waits for its own telemetry: a missing collector refuses at once on loopback. */
export const FLUSH_CAP_MS = 300;

/** Telemetry is off with OTEL_SDK_DISABLED=true (the OpenTelemetry convention) or WALLPAPERDB_TELEMETRY=off. */
export function telemetryEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (
    env.OTEL_SDK_DISABLED?.toLowerCase() !== "true" && env.WALLPAPERDB_TELEMETRY?.toLowerCase() !== "off"
  );
}

/**
 * Parses a W3C traceparent ("00-<trace id>-<span id>-<flags>"), so the steps of one `make start`
 * (preflight, wait, seed, status: separate processes) can share a trace id.
 */
export function parseTraceparent(
  value: string | undefined,
): { traceId: string; parentSpanId: string } | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(value?.trim() ?? "");
  if (!match || /^0+$/.test(match[1] ?? "") || /^0+$/.test(match[2] ?? "")) return undefined;
  return { traceId: match[1] as string, parentSpanId: match[2] as string };
}

/**
 * The trace of one tools command: a root span for the command and a child span per service step.
 * Sent once at the end, fire-and-forget with a cap of FLUSH_CAP_MS, only when telemetry is enabled.
 */
export class CommandTrace {
  readonly traceId: string;
  readonly rootSpanId = newSpanId();
  private readonly parentSpanId: string | undefined;
  private readonly startNs = nowNs();
  private readonly spans: SpanRecord[] = [];
  private endpoint: string | undefined;
  private ended = false;

  constructor(
    readonly command: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** How long flush() waits at most (tests that check delivery give a loaded machine more time). */
    private readonly flushCapMs = FLUSH_CAP_MS,
  ) {
    const parent = parseTraceparent(env.TRACEPARENT);
    this.traceId = parent?.traceId ?? newTraceId();
    this.parentSpanId = parent?.parentSpanId;
  }

  /** Enables sending once the config (and so the collector's endpoint) is known. */
  configure(config: { otlpHttpEndpoint: string }): void {
    if (telemetryEnabled(this.env)) this.endpoint = config.otlpHttpEndpoint;
  }

  /** Runs one step as a child span named "<service> <step>". */
  async step<T>(
    service: string,
    name: string,
    fn: () => Promise<T>,
    attributes: Attributes = {},
  ): Promise<T> {
    const startNs = nowNs();
    const record = (ok: boolean, error?: unknown) =>
      this.spans.push({
        traceId: this.traceId,
        spanId: newSpanId(),
        parentSpanId: this.rootSpanId,
        name: `${service} ${name}`,
        startNs,
        endNs: nowNs(),
        ok,
        ...(error === undefined
          ? {}
          : { errorMessage: error instanceof Error ? error.message : String(error) }),
        attributes: { "wallpaperdb.service": service, "wallpaperdb.step": name, ...attributes },
        kind: 3,
      });
    try {
      const result = await fn();
      record(true);
      return result;
    } catch (error) {
      record(false, error);
      throw error;
    }
  }

  end(ok: boolean, error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.spans.push({
      traceId: this.traceId,
      spanId: this.rootSpanId,
      ...(this.parentSpanId ? { parentSpanId: this.parentSpanId } : {}),
      name: `wallpaperdb-infra ${this.command}`,
      startNs: this.startNs,
      endNs: nowNs(),
      ok,
      ...(error === undefined
        ? {}
        : { errorMessage: error instanceof Error ? error.message : String(error) }),
      attributes: { "wallpaperdb.command": this.command },
    });
  }

  /** The spans recorded so far (tests). */
  recorded(): readonly SpanRecord[] {
    return this.spans;
  }

  /**
   * A lifecycle script runs its tools process under its TRACEPARENT; that process also sends the
   * script's own root span (WALLPAPERDB_TRACE_ROOT="<name>@<start epoch ms>"), so the trace has a root.
   */
  private scriptRootSpan(): SpanRecord | undefined {
    const match = /^(.+)@(\d{10,})$/.exec(this.env.WALLPAPERDB_TRACE_ROOT ?? "");
    if (!match || !this.parentSpanId) return undefined;
    const ok = this.spans.every((s) => s.ok);
    return {
      traceId: this.traceId,
      spanId: this.parentSpanId,
      name: match[1] as string,
      startNs: BigInt(match[2] as string) * 1_000_000n,
      endNs: nowNs(),
      ok,
      attributes: { "wallpaperdb.command": match[1] as string },
    };
  }

  /**
   * Sends the trace; resolves within the flush cap (FLUSH_CAP_MS) whatever the collector does. Never throws.
   */
  async flush(): Promise<void> {
    if (!this.endpoint || this.spans.length === 0) return;
    if (!this.ended) this.end(true);
    const root = this.scriptRootSpan();
    if (root) this.spans.push(root);
    const resource = {
      "service.name": "wallpaperdb-infra-tools",
      "service.namespace": "wallpaperdb",
      "host.name": hostname(),
      "process.pid": process.pid,
    };
    const result = await postOtlp(
      this.endpoint,
      "traces",
      encodeTraces(resource, this.spans),
      this.flushCapMs,
    );
    if (this.env.DEBUG === "1")
      process.stderr.write(
        `telemetry: trace ${this.traceId} ${result.ok ? "sent" : `not sent (${result.error ?? result.status})`}\n`,
      );
  }
}

export function commandTrace(command: string): CommandTrace {
  return new CommandTrace(command);
}

/**
 * Runs a command's body inside its own trace: the trace ends with the body's verdict (false when it throws)
 * and is flushed whatever happens.
 */
export async function withCommandTrace(
  command: string,
  body: (trace: CommandTrace) => Promise<boolean>,
  trace = commandTrace(command),
): Promise<void> {
  try {
    trace.end(await body(trace));
  } catch (error) {
    trace.end(false, error);
    throw error;
  } finally {
    await trace.flush();
  }
}
