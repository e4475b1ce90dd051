// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose ${VAR:-default} expressions.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkCompose,
  formatViolations,
  parseByteSize,
  parseEnvExample,
  type RuleId,
  STACK_CONTRACT,
  TOP_LEVEL,
} from "../../src/compose-rules.ts";
import { loadCompose, loadEnvExample } from "../support/compose-files.ts";

type Service = Record<string, unknown> & {
  ports?: unknown[];
  volumes?: unknown[];
  healthcheck?: Record<string, unknown>;
  depends_on?: unknown;
  environment?: Record<string, unknown>;
};

const envExample = loadEnvExample();

function service(compose: Record<string, unknown>, name: string): Service {
  const services = compose.services as Record<string, Service>;
  const found = services[name];
  assert.ok(found, `test setup: no service ${name}`);
  return found;
}

/** Breaks an in-memory copy of the real file and asserts the rule rejects it, naming the service. */
function assertRejected(
  rule: RuleId,
  serviceName: string,
  breakIt: (compose: Record<string, unknown>) => void,
  env = envExample,
): void {
  const compose = loadCompose();
  breakIt(compose);
  const violations = checkCompose(compose, env);
  const hit = violations.find((v) => v.rule === rule && v.service === serviceName);
  assert.ok(
    hit,
    `expected a ${rule} violation for ${serviceName}, got:\n${formatViolations(violations) || "none"}`,
  );
  assert.ok(hit.message.includes(serviceName) && hit.message.includes(rule), hit.message);
}

describe("infra/docker-compose.yml follows the stack rules", () => {
  it("has no violation as committed", () => {
    const violations = checkCompose(loadCompose(), envExample);
    assert.deepEqual(violations, [], formatViolations(violations));
  });

  it("declares exactly the ten services of the contract", () => {
    assert.deepEqual(
      Object.keys(loadCompose().services as object).sort(),
      Object.keys(STACK_CONTRACT.services).sort(),
    );
  });
});

describe("each rule rejects a broken copy, naming the service and the rule", () => {
  it("top-level-name: the project must be called wallpaperdb", () => {
    assertRejected("top-level-name", TOP_LEVEL, (c) => {
      c.name = "something-else";
    });
    assertRejected("top-level-name", TOP_LEVEL, (c) => {
      delete c.name;
    });
  });

  it("no-container-name: a fixed container name is refused", () => {
    assertRejected("no-container-name", "nats", (c) => {
      service(c, "nats").container_name = "nats";
    });
  });

  it("service-set: a missing or an extra service is refused", () => {
    assertRejected("service-set", "loki", (c) => {
      delete (c.services as Record<string, unknown>).loki;
    });
    assertRejected("service-set", "redis", (c) => {
      (c.services as Record<string, unknown>).redis = { ...service(c, "nats"), image: "redis:7.4.1" };
    });
  });

  it("profiles: every service carries exactly its contract profile", () => {
    assertRejected("profiles", "grafana", (c) => {
      service(c, "grafana").profiles = ["core"];
    });
    assertRejected("profiles", "postgres", (c) => {
      delete service(c, "postgres").profiles;
    });
  });

  it("host-ports: the port must come from its own variable with the .env.example default", () => {
    assertRejected("host-ports", "postgres", (c) => {
      service(c, "postgres").ports = ["${BIND_ADDRESS:-127.0.0.1}:${POSTGRES_PORT:-55432}:5432"];
    });
    assertRejected("host-ports", "minio", (c) => {
      service(c, "minio").ports = ["${BIND_ADDRESS:-127.0.0.1}:${MINIO_API_PORT:-9000}:9000"];
    });
    assertRejected("host-ports", "grafana", (c) => {
      service(c, "grafana").ports = ["${BIND_ADDRESS:-127.0.0.1}:${LOKI_PORT:-3000}:3000"];
    });
    assertRejected("host-ports", "grafana", (c) => {
      service(c, "grafana").ports = ["${BIND_ADDRESS:-127.0.0.1}:3000:3000"];
    });
    assertRejected("host-ports", "nats", (c) => {
      service(c, "nats").ports?.push("${BIND_ADDRESS:-127.0.0.1}:${NATS_CLUSTER_PORT:-4248}:4248");
    });
  });

  it("bind-address: every published port binds to ${BIND_ADDRESS:-127.0.0.1}", () => {
    assertRejected("bind-address", "postgres", (c) => {
      service(c, "postgres").ports = ["${POSTGRES_PORT:-5432}:5432"];
    });
    assertRejected("bind-address", "minio", (c) => {
      service(c, "minio").ports = [
        "0.0.0.0:${MINIO_API_PORT:-9000}:9000",
        "${BIND_ADDRESS:-127.0.0.1}:${MINIO_CONSOLE_PORT:-9001}:9001",
      ];
    });
    assertRejected("bind-address", "loki", (c) => {
      service(c, "loki").ports = [{ target: 3100, published: "${LOKI_PORT:-3100}" }];
    });
  });

  it("unique-host-ports: no host port is published twice", () => {
    assertRejected("unique-host-ports", "tempo", (c) => {
      service(c, "tempo").ports = ["${BIND_ADDRESS:-127.0.0.1}:${TEMPO_PORT:-3100}:3200"];
    });
  });

  it("internal-ports: Tempo OTLP, OpenSearch 9600, collector 13133 and the like stay unpublished", () => {
    assertRejected("internal-ports", "tempo", (c) => {
      service(c, "tempo").ports?.push("${BIND_ADDRESS:-127.0.0.1}:4319:4317");
    });
    assertRejected("internal-ports", "opensearch", (c) => {
      service(c, "opensearch").ports?.push("${BIND_ADDRESS:-127.0.0.1}:9600:9600");
    });
    assertRejected("internal-ports", "otel-collector", (c) => {
      service(c, "otel-collector").ports?.push("13133");
    });
  });

  it("named-volumes: each plan volume is declared and mounted at the image's data dir", () => {
    assertRejected("named-volumes", "postgres", (c) => {
      service(c, "postgres").volumes = ["postgres-data:/var/lib/postgresql"];
    });
    assertRejected("named-volumes", "tempo", (c) => {
      service(c, "tempo").volumes = ["./config/tempo/tempo.yaml:/etc/tempo/tempo.yaml:ro"];
    });
    assertRejected("named-volumes", TOP_LEVEL, (c) => {
      delete (c.volumes as Record<string, unknown>)["nats-data"];
    });
    assertRejected("named-volumes", "minio", (c) => {
      service(c, "minio").volumes = ["postgres-data:/data"];
    });
  });

  it("config-mounts: config files are bound read-only at the agreed paths", () => {
    assertRejected("config-mounts", "prometheus", (c) => {
      service(c, "prometheus").volumes = [
        "prometheus-data:/prometheus",
        "./config/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml",
      ];
    });
    assertRejected("config-mounts", "grafana", (c) => {
      const s = service(c, "grafana");
      s.volumes = s.volumes?.filter((v) => !String(v).includes("dashboards"));
    });
  });

  it("image-pinned: latest, untagged, bare major/minor and variable images are refused", () => {
    for (const image of [
      "grafana/grafana:latest",
      "grafana/grafana",
      "grafana/grafana:13",
      "grafana/grafana:13.2",
      "grafana/grafana:${GRAFANA_TAG:-13.2.1}",
    ]) {
      assertRejected("image-pinned", "grafana", (c) => {
        service(c, "grafana").image = image;
      });
    }
    assertRejected("image-pinned", "postgres", (c) => {
      service(c, "postgres").image = "postgres:16-alpine";
    });
    assertRejected("image-pinned", "nats", (c) => {
      service(c, "nats").image = "nats:alpine";
    });
  });

  it("image-pinned accepts exact tags, MinIO release tags and digests", () => {
    const compose = loadCompose();
    service(compose, "grafana").image = `grafana/grafana:13.2.1@sha256:${"a".repeat(64)}`;
    service(compose, "minio").image = "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z";
    service(compose, "prometheus").image = "localhost:5000/prom/prometheus:v3.14.0";
    const violations = checkCompose(compose, envExample).filter((v) => v.rule === "image-pinned");
    assert.deepEqual(violations, []);
  });

  it("healthcheck: required with all five timings, except on the collector", () => {
    assertRejected("healthcheck", "loki", (c) => {
      delete service(c, "loki").healthcheck;
    });
    assertRejected("healthcheck", "nats", (c) => {
      service(c, "nats").healthcheck = { disable: true };
    });
    for (const timing of ["interval", "timeout", "retries", "start_period", "start_interval"]) {
      assertRejected("healthcheck", "postgres", (c) => {
        delete service(c, "postgres").healthcheck?.[timing];
      });
    }
    assertRejected("healthcheck", "otel-collector", (c) => {
      service(c, "otel-collector").healthcheck = {
        test: ["CMD", "wget", "-qO-", "http://127.0.0.1:13133/"],
        interval: "10s",
        timeout: "5s",
        retries: 3,
        start_period: "5s",
        start_interval: "1s",
      };
    });
  });

  it("depends-on-target: every dependency exists", () => {
    assertRejected("depends-on-target", "grafana", (c) => {
      service(c, "grafana").depends_on = { mimir: { condition: "service_healthy" } };
    });
  });

  it("depends-on-cycle: dependencies form no cycle", () => {
    assertRejected("depends-on-cycle", "prometheus", (c) => {
      service(c, "prometheus").depends_on = { grafana: { condition: "service_healthy" } };
    });
  });

  it("depends-on-condition: healthchecked targets need service_healthy, the collector service_started", () => {
    assertRejected("depends-on-condition", "opensearch-dashboards", (c) => {
      service(c, "opensearch-dashboards").depends_on = ["opensearch"];
    });
    assertRejected("depends-on-condition", "grafana", (c) => {
      service(c, "grafana").depends_on = { "otel-collector": { condition: "service_healthy" } };
    });
  });

  it("depends-on-profile: no dependency crosses profiles", () => {
    assertRejected("depends-on-profile", "grafana", (c) => {
      service(c, "grafana").depends_on = { postgres: { condition: "service_healthy" } };
    });
  });

  it("env-default: every ${VAR} has a default equal to .env.example's", () => {
    assertRejected("env-default", "postgres", (c) => {
      service(c, "postgres").environment = { POSTGRES_PASSWORD: "${POSTGRES_PASSWORD}" };
    });
    assertRejected("env-default", "postgres", (c) => {
      service(c, "postgres").environment = { POSTGRES_PASSWORD: "${POSTGRES_PASSWORD:-secret}" };
    });
    assertRejected("env-default", "minio", (c) => {
      service(c, "minio").environment = { MINIO_ROOT_USER: "$MINIO_ROOT_USER" };
    });
    assertRejected("env-default", "loki", (c) => {
      service(c, "loki").ports = ["${BIND_ADDRESS:-0.0.0.0}:${LOKI_PORT:-3100}:3100"];
    });
  });

  it("env-default ignores $$ escapes meant for the container shell", () => {
    const compose = loadCompose();
    service(compose, "postgres").healthcheck = {
      ...service(compose, "postgres").healthcheck,
      test: ["CMD-SHELL", "pg_isready -U $${POSTGRES_USER} $$HOME"],
    };
    assert.deepEqual(checkCompose(compose, envExample), []);
  });

  it("env-documented: a variable must be in .env.example with a comment line above it", () => {
    assertRejected("env-documented", "nats", (c) => {
      service(c, "nats").environment = { NATS_TOKEN: "${NATS_TOKEN:-}" };
    });
    const undocumented = parseEnvExample("# Host port of Grafana.\n\nGRAFANA_PORT=3000\n");
    const env = new Map([
      ...envExample,
      ["GRAFANA_PORT", undocumented.get("GRAFANA_PORT") ?? { value: "", documented: true }],
    ]);
    assertRejected("env-documented", "grafana", () => {}, env);
  });

  it("memory-limit: every service has a memory limit", () => {
    assertRejected("memory-limit", "tempo", (c) => {
      delete service(c, "tempo").mem_limit;
    });
    assertRejected("memory-limit", "tempo", (c) => {
      service(c, "tempo").mem_limit = "a lot";
    });
  });

  it("memory-budget: the limits add up to at most 4.5 GiB", () => {
    assertRejected("memory-budget", "(all services)", (c) => {
      service(c, "grafana").mem_limit = "2g";
    });
  });

  it("accepts deploy.resources.limits.memory as a memory limit too", () => {
    const compose = loadCompose();
    const tempo = service(compose, "tempo");
    delete tempo.mem_limit;
    tempo.deploy = { resources: { limits: { memory: "192m" } } };
    assert.deepEqual(checkCompose(compose, envExample), []);
  });
});

describe("helpers", () => {
  it("parseByteSize reads Docker sizes in binary units", () => {
    assert.equal(parseByteSize("512m"), 512 * 1024 ** 2);
    assert.equal(parseByteSize("1g"), 1024 ** 3);
    assert.equal(parseByteSize("256mb"), 256 * 1024 ** 2);
    assert.equal(parseByteSize(1048576), 1048576);
    assert.equal(parseByteSize("lots"), undefined);
  });

  it("parseEnvExample keeps values and notices a missing comment line", () => {
    const entries = parseEnvExample("# Port.\nA=1\nB=two\n\n# Empty on purpose.\nC=\n");
    assert.deepEqual(entries.get("A"), { value: "1", documented: true });
    assert.deepEqual(entries.get("B"), { value: "two", documented: false });
    assert.deepEqual(entries.get("C"), { value: "", documented: true });
  });
});
