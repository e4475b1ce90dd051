import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { encodeGauge, encodeLogs, encodeTraces, newSpanId, newTraceId } from "../../src/telemetry/otlp.ts";
import {
  CommandTrace,
  parseTraceparent,
  telemetryEnabled,
  withCommandTrace,
} from "../../src/telemetry/tracer.ts";

function listen(
  handler: (req: IncomingMessage, body: string, respond: (code: number) => void) => void,
): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () =>
      handler(req, body, (code) => {
        res.statusCode = code;
        res.end("{}");
      }),
    );
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

const endpointOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe("OTLP/JSON encoding", () => {
  it("writes hex ids, nanosecond strings and typed attributes", () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    assert.match(traceId, /^[0-9a-f]{32}$/);
    assert.match(spanId, /^[0-9a-f]{16}$/);
    const body = encodeTraces({ "service.name": "t" }, [
      {
        traceId,
        spanId,
        name: "x",
        startNs: 1n,
        endNs: 2n,
        ok: false,
        errorMessage: "boom",
        attributes: { n: 3, f: 0.5, b: true },
      },
    ]) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
    const span = body.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    assert.equal(span?.startTimeUnixNano, "1");
    assert.deepEqual(span?.status, { code: 2, message: "boom" });
    assert.deepEqual(span?.attributes, [
      { key: "n", value: { intValue: "3" } },
      { key: "f", value: { doubleValue: 0.5 } },
      { key: "b", value: { boolValue: true } },
    ]);
  });

  it("encodes a log record and a gauge", () => {
    const logs = JSON.stringify(
      encodeLogs({ "service.name": "t" }, [{ timeNs: 5n, body: "hi", severity: "INFO" }]),
    );
    assert.match(logs, /"severityNumber":9/);
    const gauge = JSON.stringify(encodeGauge({}, { name: "probe", description: "d", value: 1, timeNs: 5n }));
    assert.match(gauge, /"gauge":\{"dataPoints":\[\{"timeUnixNano":"5","asDouble":1/);
  });
});

/** A cap no loopback delivery misses, however busy the machine: only a safety net, never reached. */
const DELIVERY_CAP_MS = 30_000;

describe("command traces", () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
  });

  it("sends a root span and one child span per step to <endpoint>/v1/traces", async () => {
    let received: { url?: string; body?: string } = {};
    const server = await listen((req, body, respond) => {
      received = { url: req.url, body };
      respond(200);
    });
    servers.push(server);
    const trace = new CommandTrace("status", {}, DELIVERY_CAP_MS);
    trace.configure({ otlpHttpEndpoint: endpointOf(server) });
    await trace.step("postgres", "probe", async () => 1);
    await assert.rejects(trace.step("nats", "probe", async () => Promise.reject(new Error("down"))));
    trace.end(false);
    await trace.flush();
    assert.equal(received.url, "/v1/traces");
    const spans = JSON.parse(received.body ?? "{}").resourceSpans[0].scopeSpans[0].spans as {
      name: string;
      parentSpanId?: string;
      spanId: string;
      status: { code: number };
    }[];
    assert.deepEqual(spans.map((s) => s.name).sort(), [
      "nats probe",
      "postgres probe",
      "wallpaperdb-infra status",
    ]);
    const root = spans.find((s) => s.name === "wallpaperdb-infra status");
    assert.ok(spans.filter((s) => s !== root).every((s) => s.parentSpanId === root?.spanId));
    assert.equal(spans.find((s) => s.name === "nats probe")?.status.code, 2);
  });

  it("withCommandTrace rethrows a failing command's error and still sends its trace, marked as failed", async () => {
    const bodies: string[] = [];
    const server = await listen((_req, body, respond) => {
      bodies.push(body);
      respond(200);
    });
    servers.push(server);
    const failure = new Error("postgres is down");
    await assert.rejects(
      withCommandTrace(
        "seed",
        async (trace) => {
          trace.configure({ otlpHttpEndpoint: endpointOf(server) });
          throw failure;
        },
        new CommandTrace("seed", {}, DELIVERY_CAP_MS),
      ),
      (thrown) => thrown === failure,
    );
    assert.equal(bodies.length, 1, "the trace of a failed command was not sent");
    const root = JSON.parse(bodies[0] ?? "{}").resourceSpans[0].scopeSpans[0].spans[0];
    assert.equal(root.name, "wallpaperdb-infra seed");
    assert.equal(root.status.code, 2);
  });

  // Without the cap flush() would wait forever here: the timeout is only the safety net of that failure.
  it("gives up on a collector that never answers instead of holding the command", {
    timeout: 60_000,
  }, async () => {
    let received = false;
    const server = await listen(() => {
      received = true; // and never responds
    });
    servers.push(server);
    const trace = new CommandTrace("status", {});
    trace.configure({ otlpHttpEndpoint: endpointOf(server) });
    trace.end(true);
    await trace.flush();
    assert.equal(received, true, "the trace was sent");
    server.closeAllConnections();
  });

  it("returns when nothing listens, and sends nothing when disabled", async () => {
    const trace = new CommandTrace("status", {});
    trace.configure({ otlpHttpEndpoint: "http://127.0.0.1:9" });
    trace.end(true);
    await trace.flush();
    assert.equal(telemetryEnabled({ OTEL_SDK_DISABLED: "true" }), false);
    assert.equal(telemetryEnabled({ WALLPAPERDB_TELEMETRY: "off" }), false);
    assert.equal(telemetryEnabled({}), true);
  });

  it("the last process of a lifecycle script also sends the script's root span", async () => {
    let body = "";
    const server = await listen((_req, received, respond) => {
      body = received;
      respond(200);
    });
    servers.push(server);
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const startedMs = Date.now() - 2000;
    const trace = new CommandTrace(
      "status",
      { TRACEPARENT: parent, WALLPAPERDB_TRACE_ROOT: `make start@${startedMs}` },
      DELIVERY_CAP_MS,
    );
    trace.configure({ otlpHttpEndpoint: endpointOf(server) });
    trace.end(true);
    await trace.flush();
    const spans = JSON.parse(body).resourceSpans[0].scopeSpans[0].spans as {
      name: string;
      spanId: string;
      parentSpanId?: string;
      startTimeUnixNano: string;
    }[];
    const root = spans.find((s) => s.name === "make start");
    assert.equal(root?.spanId, "b7ad6b7169203331");
    assert.equal(root?.parentSpanId, undefined);
    assert.equal(root?.startTimeUnixNano, String(BigInt(startedMs) * 1_000_000n));
    assert.equal(spans.find((s) => s.name === "wallpaperdb-infra status")?.parentSpanId, "b7ad6b7169203331");
  });

  it("joins the trace of a parent process through TRACEPARENT", () => {
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    assert.deepEqual(parseTraceparent(parent), {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      parentSpanId: "b7ad6b7169203331",
    });
    assert.equal(
      new CommandTrace("wait", { TRACEPARENT: parent }).traceId,
      "0af7651916cd43dd8448eb211c80319c",
    );
    assert.equal(parseTraceparent("00-00000000000000000000000000000000-b7ad6b7169203331-01"), undefined);
    assert.equal(parseTraceparent("garbage"), undefined);
  });
});
