import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  architectureFinding,
  bindAddressFinding,
  composeVersionFinding,
  diskFinding,
  duplicatePortFindings,
  engineVersionFinding,
  envDrift,
  envDriftFindings,
  GiB,
  maxMapCountFinding,
  memoryFinding,
  type PortProbe,
  parseByteSize,
  parseLsofListeners,
  parseSsListeners,
  portFindings,
  portPlan,
  renderFindings,
  suggestPort,
  summarize,
  takenPortProbe,
} from "../../src/commands/doctor-rules.ts";
import { PORT_DEFAULTS } from "../../src/config/env.ts";
import { SERVICES } from "../../src/config/services.ts";
import { interpolate } from "../../src/docker/compose-file.ts";

describe("engine and Compose versions", () => {
  it("needs Engine 25+ (healthcheck start_interval) and blocks older ones", () => {
    assert.equal(engineVersionFinding("25.0.0").status, "pass");
    const old = engineVersionFinding("24.0.7");
    assert.equal(old.code, "ENGINE_TOO_OLD");
    assert.equal(old.blocking, true);
    assert.match(old.fix ?? "", /25/);
  });

  it("needs Compose 2.24+, accepts the standalone binary, and blocks when Compose is missing", () => {
    assert.equal(composeVersionFinding(["docker-compose"], "2.26.1").code, "COMPOSE_OK");
    assert.equal(composeVersionFinding(["docker", "compose"], "2.23.3").code, "COMPOSE_TOO_OLD");
    const missing = composeVersionFinding(undefined, undefined);
    assert.equal(missing.code, "COMPOSE_MISSING");
    assert.equal(missing.blocking, true);
  });
});

describe("port plan", () => {
  const plan = portPlan(SERVICES, PORT_DEFAULTS, ["core", "observability"]);

  it("covers every host port of the contract, each with its service and .env variable", () => {
    const everyProfile = portPlan(SERVICES, PORT_DEFAULTS, ["core", "observability", "cache"]);
    assert.deepEqual(everyProfile.map((p) => p.variable).sort(), Object.keys(PORT_DEFAULTS).sort());
    // The opt-in cache's port is planned only when its profile is chosen.
    assert.deepEqual(
      everyProfile.filter((p) => !plan.some((q) => q.variable === p.variable)),
      [{ variable: "CACHE_PORT", port: 6379, service: "cache", purpose: "RESP (Redis protocol)" }],
    );
    assert.deepEqual(
      plan.find((p) => p.port === 5432),
      { variable: "POSTGRES_PORT", port: 5432, service: "postgres", purpose: "SQL" },
    );
  });

  it("covers only the chosen profile", () => {
    const core = portPlan(SERVICES, PORT_DEFAULTS, ["core"]);
    assert.ok(
      core.every((p) =>
        ["postgres", "minio", "opensearch", "opensearch-dashboards", "nats"].includes(p.service),
      ),
    );
    assert.ok(!core.some((p) => p.variable === "GRAFANA_PORT"));
  });

  it("blocks two variables set to the same port", () => {
    const clash = portPlan(SERVICES, { ...PORT_DEFAULTS, GRAFANA_PORT: 5432 }, ["core", "observability"]);
    const [finding] = duplicatePortFindings(clash);
    assert.equal(finding?.code, "PORT_DUPLICATE");
    assert.match(finding?.title ?? "", /POSTGRES_PORT.*GRAFANA_PORT|GRAFANA_PORT.*POSTGRES_PORT/);
    assert.deepEqual(duplicatePortFindings(plan), []);
  });

  it("passes ports that are free or held by this stack", () => {
    const probes = new Map<number, PortProbe>([
      [5432, { kind: "held-by-stack", container: "wallpaperdb-postgres-1" }],
    ]);
    const findings = portFindings(plan, probes, (p) => p + 10000);
    assert.deepEqual(
      findings.map((f) => f.code),
      ["PORTS_OK"],
    );
    assert.match(findings[0]?.title ?? "", /12 free, 1 held by this stack/);
  });

  it("names the port, its service, the owner and the variable that moves it when something else holds it", () => {
    const probes = new Map<number, PortProbe>([
      [5432, { kind: "taken", owner: { description: "postgres (pid 812)" } }],
    ]);
    const [taken] = portFindings(plan, probes, () => 15432);
    assert.equal(taken?.code, "PORT_TAKEN");
    assert.equal(taken?.blocking, true);
    assert.match(taken?.title ?? "", /5432.*postgres.*POSTGRES_PORT.*postgres \(pid 812\)/);
    assert.match(taken?.fix ?? "", /POSTGRES_PORT=15432/);
    assert.ok(!portFindings(plan, probes, () => 1).some((f) => f.code === "PORTS_OK"));
  });

  it("still blocks when the OS does not say who holds the port", () => {
    const [taken] = portFindings(plan, new Map([[3000, { kind: "taken", owner: undefined }]]), () => 13000);
    assert.match(taken?.title ?? "", /another program/);
  });

  it("with the engine not answering, ports held by docker-proxy are one note, not conflicts to move", () => {
    const probes = new Map<number, PortProbe>(
      plan.map((p) => [p.port, takenPortProbe(`docker-proxy (pid ${p.port})`, undefined, false)]),
    );
    const findings = portFindings(plan, probes, (p) => p + 10000);
    assert.deepEqual(
      findings.map((f) => [f.code, f.status, f.blocking]),
      [["PORTS_HELD_BY_ENGINE", "skip", false]],
    );
    assert.match(findings[0]?.title ?? "", /^13 host port\(s\) not checked: 5432, .*held by docker-proxy/);
    assert.doesNotMatch(findings[0]?.fix ?? "", /move|\.env/);
  });

  it("when the engine answers, a port is named with the container that publishes it, docker-proxy or not", () => {
    const foreign = 'container other-grafana-1 of Compose project "other"';
    assert.deepEqual(takenPortProbe("docker-proxy (pid 9)", foreign, true), {
      kind: "taken",
      owner: { description: foreign },
    });
    assert.deepEqual(takenPortProbe("docker-proxy (pid 9)", undefined, true), {
      kind: "taken",
      owner: { description: "docker-proxy (pid 9)" },
    });
    assert.deepEqual(takenPortProbe("postgres (pid 812)", undefined, false), {
      kind: "taken",
      owner: { description: "postgres (pid 812)" },
    });
  });

  it("suggests a replacement that is in range, not taken and not another planned port", () => {
    assert.equal(suggestPort(5432), 15432);
    assert.equal(
      suggestPort(5432, (p) => p === 15432),
      25432,
    );
    assert.equal(suggestPort(60000), 60001);
    assert.equal(
      suggestPort(5432, () => false, new Set([15432, 25432])),
      5433,
    );
  });
});

describe("port owners from the OS", () => {
  it("reads ss -ltnpH, with and without process information", () => {
    const owners = parseSsListeners(
      [
        'LISTEN 0      244        127.0.0.1:5432       0.0.0.0:*    users:(("postgres",pid=812,fd=6))',
        "LISTEN 0      4096               *:3000             *:*",
        'LISTEN 0      511             [::1]:9000          [::]:*    users:(("node",pid=99,fd=20))',
      ].join("\n"),
    );
    assert.equal(owners.get(5432), "postgres (pid 812)");
    assert.equal(owners.get(9000), "node (pid 99)");
    assert.match(owners.get(3000) ?? "", /another user/);
  });

  it("reads lsof -F field output (macOS)", () => {
    const owners = parseLsofListeners(
      "p501\ncControlCenter\nn*:5000\np812\ncpostgres\nn127.0.0.1:5432\nn[::1]:5432\n",
    );
    assert.equal(owners.get(5432), "postgres (pid 812)");
    assert.equal(owners.get(5000), "ControlCenter (pid 501)");
  });
});

describe("memory, disk, kernel, architecture", () => {
  it("parses Compose byte sizes", () => {
    assert.equal(parseByteSize("512m"), 512 * 1024 ** 2);
    assert.equal(parseByteSize("1g"), GiB);
    assert.equal(parseByteSize("1.5G"), 1.5 * GiB);
    assert.equal(parseByteSize("268435456"), 268435456);
    assert.equal(parseByteSize("lots"), undefined);
  });

  it("warns (not blocks) when Docker has less memory than the budget plus headroom", () => {
    assert.equal(memoryFinding(8 * GiB, 3 * GiB, ["core"]).status, "pass");
    const low = memoryFinding(2 * GiB, 3 * GiB, ["core", "observability"]);
    assert.equal(low.code, "MEMORY_LOW");
    assert.equal(low.blocking, false);
    assert.match(low.fix ?? "", /PROFILE=core/);
    assert.equal(memoryFinding(3.2 * GiB, 3 * GiB, ["core"]).code, "MEMORY_LOW");
  });

  it("blocks a nearly full disk, warns a low one, and skips where it cannot measure", () => {
    assert.equal(diskFinding(1 * GiB, 100 * GiB, "/var/lib/docker").code, "DISK_FULL");
    assert.equal(diskFinding(8 * GiB, 100 * GiB, "/var/lib/docker").code, "DISK_LOW");
    assert.equal(diskFinding(100 * GiB, 200 * GiB, "/var/lib/docker").code, "DISK_OK");
    assert.equal(
      diskFinding(20 * GiB, 200 * GiB, "/var/lib/docker").code,
      "DISK_LOW",
      "90% used: OpenSearch watermark",
    );
    assert.equal(diskFinding(12 * GiB, 100 * GiB, "/var/lib/docker").code, "DISK_LOW");
    assert.equal(diskFinding(undefined, undefined, "VM").status, "skip");
  });

  it("warns on a low vm.max_map_count only where the engine shares this kernel", () => {
    assert.equal(maxMapCountFinding(65530, true).code, "MAX_MAP_COUNT_LOW");
    assert.equal(maxMapCountFinding(65530, true).blocking, false);
    assert.equal(maxMapCountFinding(262144, true).code, "MAX_MAP_COUNT_OK");
    assert.equal(maxMapCountFinding(65530, false).status, "skip");
  });

  it("accepts amd64 and arm64 and warns on anything else", () => {
    assert.equal(architectureFinding("x86_64", "Ubuntu").code, "ARCH_OK");
    assert.match(architectureFinding("aarch64", "Docker Desktop").title, /UseSVE=0/);
    assert.equal(architectureFinding("s390x", "RHEL").code, "ARCH_UNSUPPORTED");
  });
});

describe(".env drift", () => {
  it("lists missing keys and unknown keys, with a suggestion for typos", () => {
    const drift = envDrift(
      ["POSTGRES_PORT", "GRAFANA_PORT", "NATS_PORT"],
      ["POSTGRES_PROT", "NATS_PORT", "DATABASE_URL"],
    );
    assert.deepEqual(drift.missing, ["POSTGRES_PORT", "GRAFANA_PORT"]);
    assert.deepEqual(drift.unknown, [
      { key: "POSTGRES_PROT", didYouMean: "POSTGRES_PORT" },
      { key: "DATABASE_URL", didYouMean: undefined },
    ]);
    const findings = envDriftFindings(true, drift);
    assert.deepEqual(
      findings.map((f) => f.code),
      ["ENV_MISSING_KEYS", "ENV_UNKNOWN_KEYS"],
    );
    assert.match(findings[1]?.title ?? "", /did you mean POSTGRES_PORT/);
    assert.ok(
      findings.every((f) => !f.blocking),
      "drift alone never blocks: defaults apply",
    );
  });

  it("passes a .env in step with .env.example and warns when there is none", () => {
    assert.deepEqual(
      envDriftFindings(true, envDrift(["A"], ["A"])).map((f) => f.code),
      ["ENV_OK"],
    );
    assert.equal(envDriftFindings(false, envDrift(["A"], [])).at(0)?.code, "ENV_FILE_MISSING");
  });
});

describe("summary and interpolation", () => {
  const LIMIT = `\${OPENSEARCH_MEM_LIMIT:-1g}`;
  it("is ok only without blocking findings and counts warnings", () => {
    const report = summarize(
      "wallpaperdb",
      ["core"],
      [memoryFinding(1, 3 * GiB, ["core"]), engineVersionFinding("28.0.0")],
      false,
    );
    assert.deepEqual([report.ok, report.blocking, report.warnings], [true, 0, 1]);
    assert.equal(summarize("w", ["core"], [engineVersionFinding("20.10.0")], false).ok, false);
  });

  it("interpolates VAR-with-default references as Compose does (empty counts as unset)", () => {
    assert.equal(interpolate(LIMIT, {}), "1g");
    assert.equal(interpolate(LIMIT, { OPENSEARCH_MEM_LIMIT: "2g" }), "2g");
    assert.equal(interpolate(LIMIT, { OPENSEARCH_MEM_LIMIT: "" }), "1g");
    assert.equal(interpolate(`nats:\${TAG}`, { TAG: "2.14" }), "nats:2.14");
  });
});

describe("BIND_ADDRESS exposure", () => {
  it("loopback addresses pass silently", () => {
    for (const address of ["127.0.0.1", "127.0.1.1", "::1", "::ffff:127.0.0.1"])
      assert.equal(bindAddressFinding(address), undefined, address);
  });
  it("any other address is a non-blocking warning (!) naming the variable and the loopback fix", () => {
    for (const address of ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5"]) {
      const found = bindAddressFinding(address);
      assert.equal(found?.code, "BIND_ADDRESS_EXPOSED", address);
      assert.equal(found?.status, "warn");
      assert.equal(found?.blocking, false);
      assert.match(
        found?.title ?? "",
        new RegExp(`BIND_ADDRESS=${address.replace(/\./g, "\\.")} is not a loopback`),
      );
      assert.match(found?.fix ?? "", /BIND_ADDRESS=127\.0\.0\.1/);
      assert.match(renderFindings(found ? [found] : []), /^! /);
    }
  });
});
