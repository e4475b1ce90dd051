/// <reference path="../../../tools/test/support/s3rver.d.ts" />
// The persistence markers against real servers on loopback (PostgreSQL, nats-server with JetStream, s3rver
// for the S3 API) and, for OpenSearch, a clearly named test double of the four REST calls the marker makes.
// `make e2e` runs the same code against the real stack.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { Client as MinioClient } from "minio";
import { natsAvailability, startNats } from "../../../tools/test/support/nats-server.ts";
import { postgresAvailability, startPostgres } from "../../../tools/test/support/postgres-server.ts";
import { startS3 } from "../../../tools/test/support/s3-server.ts";
import { minioMarker, natsMarker, opensearchMarker, postgresMarker } from "../../e2e/lib/markers.ts";

const skipOf = (availability: { path: string } | { skip: string }) =>
  "skip" in availability ? availability.skip : false;

describe("persistence markers", () => {
  const pgSkip = skipOf(postgresAvailability());
  it("postgres: absent before, present after writing, absent for another run's marker", {
    skip: pgSkip,
  }, async () => {
    const server = await startPostgres();
    try {
      const store = postgresMarker({ DATABASE_URL: server.url });
      assert.equal(await store.has("run-1"), false, "no table yet means absent, not an error");
      await store.write("run-1");
      await store.write("run-1"); // idempotent
      assert.equal(await store.has("run-1"), true);
      assert.equal(await store.has("run-2"), false);
    } finally {
      await server.stop();
    }
  });

  const natsSkip = skipOf(natsAvailability());
  it("nats: absent without the stream, present after publishing, survives a reconnect", {
    skip: natsSkip,
  }, async () => {
    const server = await startNats();
    try {
      const store = natsMarker({ NATS_URL: server.url });
      assert.equal(await store.has("run-1"), false, "stream not found means absent");
      await store.write("run-1");
      assert.equal(await store.has("run-1"), true);
      assert.equal(await natsMarker({ NATS_URL: server.url }).has("run-2"), false);
    } finally {
      await server.stop();
    }
  });

  it("minio (S3 API on s3rver): absent in a missing bucket or without the object, present after put", async () => {
    const s3 = await startS3();
    try {
      const vars = {
        S3_ENDPOINT: s3.endpoint,
        MINIO_ROOT_USER: s3.accessKey,
        MINIO_ROOT_PASSWORD: s3.secretKey,
        MINIO_BUCKET: "wallpapers",
      };
      const store = minioMarker(vars);
      assert.equal(await store.has("run-1"), false, "no bucket means absent");
      const url = new URL(s3.endpoint);
      await new MinioClient({
        endPoint: url.hostname,
        port: Number(url.port),
        useSSL: false,
        accessKey: s3.accessKey,
        secretKey: s3.secretKey,
      }).makeBucket("wallpapers");
      assert.equal(await store.has("run-1"), false, "no object means absent");
      await store.write("run-1");
      assert.equal(await store.has("run-1"), true);
      assert.equal(await store.has("run-2"), false);
    } finally {
      await s3.stop();
    }
  });

  describe("opensearch (TEST DOUBLE of the index/get calls, not OpenSearch)", () => {
    let server: Server;
    let url = "";
    const docs = new Map<string, Record<string, unknown>>();
    const indices = new Set<string>();
    const requests: string[] = [];
    before(async () => {
      server = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const path = new URL(req.url ?? "/", "http://x").pathname;
        requests.push(`${req.method} ${req.url}`);
        const [index = "", type, id] = path.split("/").filter(Boolean);
        const send = (status: number, body?: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(body === undefined ? "" : JSON.stringify(body));
        };
        if (!type && req.method === "HEAD") return send(indices.has(index) ? 200 : 404);
        if (!type && req.method === "PUT") {
          indices.add(index);
          return send(200, { acknowledged: true, index });
        }
        if (type === "_doc" && id && (req.method === "PUT" || req.method === "POST")) {
          indices.add(index);
          docs.set(`${index}/${id}`, JSON.parse(Buffer.concat(chunks).toString()));
          return send(201, { _index: index, _id: id, result: "created" });
        }
        if (type === "_doc" && id && req.method === "GET") {
          if (!indices.has(index)) {
            const reason = `no such index [${index}]`;
            return send(404, { error: { type: "index_not_found_exception", reason }, status: 404 });
          }
          const source = docs.get(`${index}/${id}`);
          return send(source ? 200 : 404, {
            _index: index,
            _id: id,
            found: !!source,
            ...(source ? { _source: source } : {}),
          });
        }
        send(400, { error: `unexpected ${req.method} ${req.url}` });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it("absent without the index, present after indexing (refresh=true, replicas 0 on one node)", async () => {
      const store = opensearchMarker({ OPENSEARCH_URL: url });
      assert.equal(await store.has("run-1"), false, "index_not_found means absent");
      await store.write("run-1");
      assert.equal(await store.has("run-1"), true);
      assert.equal(await store.has("run-2"), false);
      assert.ok(
        requests.some((r) => /^PUT \/e2e-marker\/_doc\/marker\?refresh=true$/.test(r)),
        requests.join("\n"),
      );
    });
  });
});
