import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parseConfigHashes,
  parseImageIds,
  type RunningIdentity,
  renderDrift,
  stackDrift,
} from "../../src/commands/drift-rules.ts";
import { withPublishedPorts } from "../../src/commands/status.ts";
import { PORT_DEFAULTS, parseConfig } from "../../src/config/env.ts";
import { SERVICES } from "../../src/config/services.ts";
import type { ComposeContainer } from "../../src/docker/containers.ts";

const running = (service: string, published: [number, number][]): ComposeContainer => ({
  service,
  name: `wallpaperdb-${service}-1`,
  state: "running",
  health: "healthy",
  exitCode: 0,
  status: "Up 1 minute (healthy)",
  image: "",
  publishers: published.map(([publishedPort, targetPort]) => ({
    url: "127.0.0.1",
    targetPort,
    publishedPort,
    protocol: "tcp",
  })),
});

const identity = (overrides: Partial<RunningIdentity> = {}): RunningIdentity => ({
  configHash: "aaaaaaaaaaaaaaaa",
  imageRef: "grafana/grafana:11.2.0",
  imageId: "sha256:old",
  ...overrides,
});

const grafana = running("grafana", [[3000, 3000]]);
const identities = new Map([[grafana.name, identity()]]);
const sameHash = new Map([["grafana", "aaaaaaaaaaaaaaaa"]]);
const sameImage = new Map([["grafana/grafana:11.2.0", "sha256:old"]]);

describe("drift between the running stack and its configuration", () => {
  it("names a port moved in .env with the port it runs on and the one it would get", () => {
    const ports = { ...PORT_DEFAULTS, GRAFANA_PORT: 36100 };
    const drift = stackDrift(
      SERVICES,
      [grafana],
      ports,
      identities,
      new Map([["grafana", "bbbbbbbbbbbbbbbb"]]),
      sameImage,
    );
    assert.deepEqual(drift, [{ service: "grafana", differences: ["GRAFANA_PORT 3000 -> 36100"] }]);
    assert.match(renderDrift(drift), /grafana differs from what runs: GRAFANA_PORT 3000 -> 36100/);
    assert.match(renderDrift(drift), /make start applies it \(recreates only grafana\)/);
  });

  it("reports a changed config hash and a rebuilt image, and nothing for a current container", () => {
    const changed = stackDrift(
      SERVICES,
      [grafana],
      PORT_DEFAULTS,
      identities,
      new Map([["grafana", "cccccccccccccccc"]]),
      new Map([["grafana/grafana:11.2.0", "sha256:new"]]),
    );
    assert.deepEqual(changed[0]?.differences, [
      "its configuration (.env or docker-compose.yml) changed",
      "image grafana/grafana:11.2.0 was rebuilt or pulled since it started",
    ]);
    assert.deepEqual(stackDrift(SERVICES, [grafana], PORT_DEFAULTS, identities, sameHash, sameImage), []);
  });

  it("claims no difference it cannot see (no label, no hash from Compose, image not found)", () => {
    const unknown = new Map([[grafana.name, identity({ configHash: "", imageId: "" })]]);
    assert.deepEqual(stackDrift(SERVICES, [grafana], PORT_DEFAULTS, unknown, sameHash, sameImage), []);
    assert.deepEqual(stackDrift(SERVICES, [grafana], PORT_DEFAULTS, identities, new Map(), new Map()), []);
  });

  it("shows the URL a container answers on, not the port .env names since", () => {
    const env = withPublishedPorts({ GRAFANA_PORT: "36100" }, [grafana]);
    assert.equal(parseConfig(env).grafana.url, "http://localhost:3000");
    assert.equal(
      parseConfig(withPublishedPorts({ GRAFANA_PORT: "36100" }, [])).grafana.url,
      "http://localhost:36100",
    );
  });

  it("reads Compose's hashes and the engine's image ids, skipping what is not theirs", () => {
    const hashes = parseConfigHashes(
      "grafana 0123456789abcdef0123\nno such service\n\npostgres fedcba9876543210\n",
    );
    assert.deepEqual(
      [...hashes],
      [
        ["grafana", "0123456789abcdef0123"],
        ["postgres", "fedcba9876543210"],
      ],
    );
    const ids = parseImageIds(`{"Id":"sha256:1","RepoTags":["a:1","b:2"]}\nError: No such image: c\n`);
    assert.deepEqual(
      [...ids],
      [
        ["a:1", "sha256:1"],
        ["b:2", "sha256:1"],
      ],
    );
  });
});
