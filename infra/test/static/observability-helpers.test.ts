import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  composeListeningPorts,
  composeServiceEnvironment,
  leadingComment,
  parseHostPort,
} from "../../src/observability-checks.ts";

describe("observability-checks helpers", () => {
  it("parseHostPort reads URLs (with default ports) and host:port, and refuses the rest", () => {
    assert.deepEqual(parseHostPort("http://loki:3100/otlp"), { host: "loki", port: 3100 });
    assert.deepEqual(parseHostPort("http://minio/minio/health/live"), { host: "minio", port: 80 });
    assert.deepEqual(parseHostPort("https://example.org"), { host: "example.org", port: 443 });
    assert.deepEqual(parseHostPort("tempo:4317"), { host: "tempo", port: 4317 });
    assert.deepEqual(parseHostPort("0.0.0.0:13133"), { host: "0.0.0.0", port: 13133 });
    assert.equal(parseHostPort("tempo"), undefined);
    assert.equal(parseHostPort("ftp://"), undefined);
  });

  it("composeListeningPorts takes the container side of short and long port syntax, and expose", () => {
    const compose = {
      services: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose interpolation syntax, kept literal
        postgres: { ports: ["${BIND_ADDRESS:-127.0.0.1}:${POSTGRES_PORT:-5432}:5432"] },
        dns: { ports: ["53:53/udp"], expose: ["8888", 9999] },
        grafana: { ports: [{ target: 3000, published: "3000" }] },
        worker: {},
      },
    };
    const ports = composeListeningPorts(compose);
    assert.deepEqual([...(ports.get("postgres") ?? [])], [5432]);
    assert.deepEqual([...(ports.get("dns") ?? [])], [53, 8888, 9999]);
    assert.deepEqual([...(ports.get("grafana") ?? [])], [3000]);
    assert.deepEqual([...(ports.get("worker") ?? [])], []);
  });

  it("composeServiceEnvironment reads the map and the list form", () => {
    const compose = {
      services: { a: { environment: { X: "1", Y: "" } }, b: { environment: ["X=1", "Z"] } },
    };
    assert.deepEqual([...composeServiceEnvironment(compose, "a")], ["X", "Y"]);
    assert.deepEqual([...composeServiceEnvironment(compose, "b")], ["X", "Z"]);
    assert.deepEqual([...composeServiceEnvironment(compose, "missing")], []);
  });

  it("leadingComment stops at the first line that is not a comment", () => {
    assert.equal(leadingComment("# one\n#two\n\n# not header\nkey: 1"), "one\ntwo");
    assert.equal(leadingComment("key: 1\n# late"), "");
  });
});
