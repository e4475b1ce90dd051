import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { parseConfig } from "../../src/config/env.ts";
import { grafana } from "../../src/services/grafana/index.ts";
import { dashboardsState } from "../../src/services/opensearch-dashboards/index.ts";
import { otelCollector } from "../../src/services/otel-collector/index.ts";
import { httpCheck } from "../../src/services/probe.ts";

const collectorProbe = otelCollector.probe;
const grafanaProbe = grafana.probe;

import { serveOnLoopback } from "../support/http-server.ts";

test("Dashboards counts as ready only when its overall state is green", () => {
  assert.equal(
    dashboardsState(200, JSON.stringify({ status: { overall: { state: "green" } } })),
    "state green",
  );
  assert.throws(
    () => dashboardsState(200, JSON.stringify({ status: { overall: { state: "yellow" } } })),
    /yellow/,
  );
  assert.throws(() => dashboardsState(503, "{}"), /HTTP 503/);
});

let grafanaDatabase = "ok";
let otlpStatus = 200;
let server: { url: string; stop: () => Promise<void> };
const posted: string[] = [];
before(async () => {
  server = await serveOnLoopback((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (req.url === "/api/health") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ database: grafanaDatabase }));
      }
      if (req.method === "POST" && req.url === "/v1/traces") {
        posted.push(`${req.headers["content-type"]} ${body}`);
        res.writeHead(otlpStatus);
        return res.end("{}");
      }
      res.writeHead(404);
      res.end();
    });
  });
});
after(() => server.stop());

test("Grafana is ready only when its database is ok", async () => {
  const config = parseConfig({ GRAFANA_URL: server.url });
  grafanaDatabase = "ok";
  assert.equal(await grafanaProbe.check(config), "database ok");
  grafanaDatabase = "failing";
  await assert.rejects(grafanaProbe.check(config), /database: failing/);
});

test("the collector probe sends an empty OTLP/HTTP JSON export and needs a 2xx", async () => {
  const config = parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: server.url });
  otlpStatus = 200;
  assert.equal(await collectorProbe.check(config), "HTTP 200");
  assert.deepEqual(posted, ['application/json {"resourceSpans":[]}']);
  otlpStatus = 503;
  await assert.rejects(collectorProbe.check(config), /HTTP 503/);
});

test("an HTTP probe follows a redirect, as fetch did (a URL in .env may point at a hop)", async () => {
  const server = createServer((request, response) => {
    if (request.url === "/moved") response.writeHead(302, { location: "/ready" }).end();
    else if (request.url === "/ready") response.writeHead(200).end("ok");
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const { port } = server.address() as AddressInfo;
    assert.equal(await httpCheck({ url: `http://127.0.0.1:${port}/moved` }), "HTTP 200");
    await assert.rejects(httpCheck({ url: `http://127.0.0.1:${port}/gone` }), /HTTP 404/);
  } finally {
    server.close();
  }
});
