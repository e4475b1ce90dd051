import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { probeSubject } from "../../src/services/nats/client.ts";
import {
  grafanaHealthOk,
  lokiHasLine,
  planNatsProbe,
  probeLogQuery,
  probeMetricQuery,
  prometheusHasSeries,
  tempoHasTrace,
} from "../../src/services/verify-rules.ts";

describe("verify's reading of the backends", () => {
  it("counts a Tempo trace as found only with at least one resource span", () => {
    assert.equal(tempoHasTrace(200, JSON.stringify({ trace: { resourceSpans: [{}] } })), true);
    assert.equal(tempoHasTrace(200, JSON.stringify({ trace: { resourceSpans: [] } })), false, "empty trace");
    assert.equal(tempoHasTrace(200, JSON.stringify({ batches: [{}] })), true, "v1 shape");
    assert.equal(tempoHasTrace(404, "trace not found"), false);
    assert.equal(tempoHasTrace(200, "not json"), false);
  });

  it("finds the probe line in Loki only when a returned line carries the marker", () => {
    const body = (line: string) =>
      JSON.stringify({ data: { result: [{ stream: {}, values: [["1", line]] }] } });
    assert.equal(lokiHasLine(body("wallpaperdb verify probe abc"), "abc"), true);
    assert.equal(lokiHasLine(body("some other line"), "abc"), false);
    assert.equal(lokiHasLine(JSON.stringify({ data: { result: [] } }), "abc"), false);
  });

  it("finds the Prometheus series only in a successful, non-empty vector", () => {
    assert.equal(prometheusHasSeries(JSON.stringify({ status: "success", data: { result: [{}] } })), true);
    assert.equal(prometheusHasSeries(JSON.stringify({ status: "success", data: { result: [] } })), false);
    assert.equal(prometheusHasSeries(JSON.stringify({ status: "error", data: { result: [{}] } })), false);
  });

  it("queries by the names TELEMETRY.md documents", () => {
    assert.equal(probeMetricQuery("id1"), 'wallpaperdb_verify_probe{verify_id="id1"}');
    assert.equal(probeLogQuery("id1"), '{service_name="wallpaperdb-verify", service_instance_id="id1"}');
  });

  it("reads Grafana's datasource health", () => {
    assert.deepEqual(grafanaHealthOk(200, '{"status":"OK","message":"Data source is working"}'), {
      ok: true,
      message: "Data source is working",
    });
    assert.equal(grafanaHealthOk(400, '{"status":"ERROR","message":"dial tcp: refused"}').ok, false);
    assert.equal(grafanaHealthOk(500, "<html>").ok, false);
  });
});

describe("NATS probe plan", () => {
  it("uses the durable only when it holds no real work", () => {
    assert.deepEqual(planNatsProbe({ numPending: 0, numAckPending: 0 }), { kind: "durable" });
    assert.equal(planNatsProbe({ numPending: 3, numAckPending: 0 }).kind, "ephemeral");
    assert.equal(planNatsProbe({ numPending: 0, numAckPending: 1 }).kind, "ephemeral");
    assert.equal(planNatsProbe(undefined).kind, "missing");
  });

  it("derives a probe subject inside the filter", () => {
    assert.equal(probeSubject("wallpapers.uploaded", "x"), "wallpapers.uploaded");
    assert.equal(probeSubject("wallpapers.>", "x"), "wallpapers.verify.x");
    assert.equal(probeSubject("wallpapers.*.v1", "x"), "wallpapers.verify.v1");
  });
});
