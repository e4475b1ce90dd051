import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readEnvFile } from "../../../tools/src/config/env.ts";
import { devcontainerPins } from "../../e2e/images/devcontainer.ts";
import {
  interpolate,
  manifestUrl,
  missingPlatforms,
  parseAuthChallenge,
  parseImageRef,
  pinProblem,
  platformOfConfig,
  readManifest,
  tokenUrl,
} from "../../e2e/images/refs.ts";
import { checkArtifact, checkImage, type Fetch } from "../../e2e/images/registry.ts";
import { verdict } from "../../e2e/images/verdict.ts";
import { composeImages } from "../../e2e/lib/compose.ts";
import { infraDir, repoRoot } from "../support/paths.ts";

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(import.meta.dirname, "fixtures/registry", name), "utf8"));
const challenges = fixture("challenges.json") as Record<string, string>;

describe("image references", () => {
  it("maps Docker Hub short names to registry-1.docker.io and library/", () => {
    assert.deepEqual(parseImageRef("postgres:16.15-alpine3.24"), {
      original: "postgres:16.15-alpine3.24",
      registry: "registry-1.docker.io",
      repository: "library/postgres",
      tag: "16.15-alpine3.24",
    });
    const loki = parseImageRef("grafana/loki:3.7.7");
    assert.equal(loki.repository, "grafana/loki");
    assert.equal(manifestUrl(loki), "https://registry-1.docker.io/v2/grafana/loki/manifests/3.7.7");
    assert.equal(parseImageRef("docker.io/library/nats:2.14.7-alpine").repository, "library/nats");
  });

  it("keeps other registries (quay.io, ghcr.io, mcr, host:port) and digests", () => {
    const minio = parseImageRef("quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z");
    assert.equal(minio.registry, "quay.io");
    assert.equal(minio.repository, "minio/minio");
    assert.equal(minio.tag, "RELEASE.2025-09-07T16-13-09Z");
    assert.equal(
      parseImageRef("mcr.microsoft.com/devcontainers/base:bookworm").registry,
      "mcr.microsoft.com",
    );
    const local = parseImageRef("localhost:5000/team/app:1.2");
    assert.equal(local.registry, "localhost:5000");
    assert.equal(local.repository, "team/app");
    const pinned = parseImageRef(`ghcr.io/org/img:1.0@sha256:${"a".repeat(64)}`);
    assert.equal(manifestUrl(pinned), `https://ghcr.io/v2/org/img/manifests/sha256:${"a".repeat(64)}`);
  });

  it("flags `latest` and an untagged image as unpinned, and rejects nonsense", () => {
    assert.match(pinProblem(parseImageRef("grafana/grafana")) ?? "", /not pinned/);
    assert.match(pinProblem(parseImageRef("grafana/grafana:latest")) ?? "", /not pinned/);
    assert.equal(pinProblem(parseImageRef("grafana/grafana:13.2.1")), null);
    assert.throws(() => parseImageRef("Not An Image"), /not an image reference/);
    assert.throws(() => parseImageRef("UPPER/case:1"), /invalid repository/);
  });

  it("interpolates Compose variables with defaults the way Compose does", () => {
    // biome-ignore-start lint/suspicious/noTemplateCurlyInString: Compose's ${VAR} syntax, not a JS template
    assert.equal(interpolate("postgres:${PG_TAG:-16.15}", {}), "postgres:16.15");
    assert.equal(interpolate("postgres:${PG_TAG:-16.15}", { PG_TAG: "" }), "postgres:16.15");
    assert.equal(interpolate("postgres:${PG_TAG-16.15}", { PG_TAG: "" }), "postgres:");
    assert.equal(interpolate("x:${TAG}-$SUFFIX $$HOME", { TAG: "1", SUFFIX: "a" }), "x:1-a $HOME");
    // biome-ignore-end lint/suspicious/noTemplateCurlyInString: end of Compose syntax
  });
});

describe("registry auth and manifests", () => {
  it("parses the anonymous-token challenges of Docker Hub, quay.io and ghcr.io", () => {
    const hub = parseAuthChallenge(challenges.dockerHub ?? "");
    assert.equal(hub?.scheme, "bearer");
    assert.equal(
      tokenUrl(hub ?? { scheme: "", params: {} }, parseImageRef("postgres:16")),
      "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fpostgres%3Apull",
    );
    const quay = parseAuthChallenge(challenges.quay ?? "");
    assert.equal(
      tokenUrl(quay ?? { scheme: "", params: {} }, parseImageRef("quay.io/minio/minio:RELEASE.1")),
      "https://quay.io/v2/auth?service=quay.io&scope=repository%3Aminio%2Fminio%3Apull",
      "without a scope in the challenge the repository's pull scope is asked",
    );
    assert.equal(tokenUrl({ scheme: "basic", params: { realm: "x" } }, parseImageRef("a:1")), null);
  });

  it("reads platforms from an OCI index, ignoring attestation entries", () => {
    const manifest = readManifest(fixture("oci-index-multiarch.json"));
    assert.deepEqual(manifest, { kind: "index", platforms: ["linux/amd64", "linux/arm", "linux/arm64"] });
    assert.deepEqual(missingPlatforms(manifest.kind === "index" ? manifest.platforms : []), []);
  });

  it("finds linux/arm64 missing from a Docker manifest list that lacks it", () => {
    const manifest = readManifest(fixture("docker-manifest-list-amd64-only.json"));
    assert.equal(manifest.kind, "index");
    assert.deepEqual(missingPlatforms(manifest.kind === "index" ? manifest.platforms : []), ["linux/arm64"]);
  });

  it("reads a single-platform image's platform from its config blob", () => {
    const manifest = readManifest(fixture("docker-manifest-single.json"));
    assert.equal(manifest.kind, "single");
    assert.equal(platformOfConfig(fixture("image-config-amd64.json")), "linux/amd64");
    assert.equal(readManifest({ schemaVersion: 1 }, "text/plain").kind, "unknown");
  });
});

/** A registry replayed from fixtures: answers by URL, counting the requests. */
function replay(routes: Record<string, (headers: Headers) => Response>): Fetch & { calls: string[] } {
  const calls: string[] = [];
  const fake = async (url: string, init?: RequestInit) => {
    calls.push(url);
    const route = routes[url];
    if (!route) throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
    return route(new Headers(init?.headers));
  };
  return Object.assign(fake, { calls });
}
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("checkImage against a replayed registry", () => {
  const ref = parseImageRef("postgres:16.15-alpine3.24");
  const manifest = manifestUrl(ref);
  const token =
    "https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fpostgres%3Apull";

  it("follows the 401 challenge with an anonymous token and accepts amd64 + arm64", async () => {
    const fetchImpl = replay({
      [manifest]: (headers) =>
        headers.get("authorization") === "Bearer anon-token"
          ? json(fixture("oci-index-multiarch.json"), 200, {
              "content-type": "application/vnd.oci.image.index.v1+json",
            })
          : json({ errors: [{ code: "UNAUTHORIZED" }] }, 401, {
              "www-authenticate": challenges.dockerHub ?? "",
            }),
      [token]: () => json({ token: "anon-token" }),
    });
    const result = await checkImage(ref, fetchImpl);
    assert.equal(result.status, "ok", result.detail);
    assert.deepEqual(fetchImpl.calls, [manifest, token, manifest]);
  });

  it("reports a missing tag, a missing arm64 and a rate limit as broken, not as skipped", async () => {
    const notFound = await checkImage(
      ref,
      replay({ [manifest]: () => json({ errors: [{ code: "MANIFEST_UNKNOWN" }] }, 404) }),
    );
    assert.equal(notFound.status, "not-found");
    const amd64Only = await checkImage(
      ref,
      replay({ [manifest]: () => json(fixture("docker-manifest-list-amd64-only.json")) }),
    );
    assert.equal(amd64Only.status, "missing-platforms");
    assert.deepEqual(amd64Only.missing, ["linux/arm64"]);
    const limited = await checkImage(ref, replay({ [manifest]: () => json({}, 429) }));
    assert.equal(limited.status, "error");
    assert.match(limited.detail, /rate-limits/);
  });

  it("checks a single-platform image through its config blob", async () => {
    const single = fixture("docker-manifest-single.json") as { config: { digest: string } };
    const blob = `https://registry-1.docker.io/v2/library/postgres/blobs/${single.config.digest}`;
    const result = await checkImage(
      ref,
      replay({ [manifest]: () => json(single), [blob]: () => json(fixture("image-config-amd64.json")) }),
    );
    assert.equal(result.status, "missing-platforms");
    assert.match(result.detail, /no linux\/arm64 \(has linux\/amd64\)/);
  });

  it("calls a network failure unreachable", async () => {
    const result = await checkImage(ref, replay({}));
    assert.equal(result.status, "unreachable");
    assert.match(result.detail, /registry-1\.docker\.io: ENOTFOUND/);
  });
});

describe("check-images verdict", () => {
  const ok = { service: "postgres", image: "postgres:16", status: "ok" as const, detail: "" };
  const offline = {
    service: "minio",
    image: "quay.io/minio/minio:R",
    status: "unreachable" as const,
    detail: "quay.io: ENOTFOUND",
  };
  const gone = { service: "nats", image: "nats:9", status: "not-found" as const, detail: "tag 9 not found" };

  it("passes when every image exists for both platforms", () => {
    assert.deepEqual(verdict([ok], false).exitCode, 0);
  });
  it("skips (exit 0) when registries cannot be reached, fails with --required", () => {
    assert.equal(verdict([ok, offline], false).exitCode, 0);
    assert.match(
      verdict([ok, offline], false).line,
      /^check-images: SKIPPED: no registry reachable for 1 of 2/,
    );
    assert.equal(verdict([ok, offline], true).exitCode, 1);
  });
  it("fails on a broken pin even when other registries are unreachable", () => {
    const result = verdict([gone, offline], false);
    assert.equal(result.exitCode, 1);
    assert.match(result.line, /nats \(nats:9: not-found\)/);
  });
});

describe("check-images on the real Compose file", () => {
  it("finds a pinned image (never latest) for every service", () => {
    const defaults = readEnvFile(join(repoRoot, ".env.example"), {}).values;
    const images = composeImages(readFileSync(join(infraDir, "docker-compose.yml"), "utf8"));
    assert.ok(images.length >= 10, `only ${images.length} images`);
    for (const { service, image } of images) {
      const ref = parseImageRef(interpolate(image, defaults));
      assert.equal(pinProblem(ref), null, `${service}: ${image}`);
    }
  });

  /** check-images on `composeText`, with a dev container folder holding `devcontainer` (none by default). */
  const runCli = (composeText: string, args: string[] = [], devcontainer: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), "check-images-"));
    const file = join(dir, "compose.yml");
    writeFileSync(file, composeText);
    for (const [name, text] of Object.entries(devcontainer)) writeFileSync(join(dir, name), text);
    const env = { ...process.env };
    delete env.CHECK_IMAGES_REQUIRED;
    const result = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(infraDir, "e2e/check-images.ts"),
        "--compose-file",
        file,
        "--devcontainer-dir",
        dir,
        ...args,
      ],
      { encoding: "utf8", env, timeout: 30_000 },
    );
    rmSync(dir, { recursive: true, force: true });
    return result;
  };

  it("skips with one summary line where the registry is unreachable; --required fails", () => {
    // Port 1 on loopback refuses connections: an unreachable registry on any machine, with or without network.
    const compose = "services:\n  app:\n    image: 127.0.0.1:1/team/app:1.0\n";
    const skipped = runCli(compose);
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.match(skipped.stdout, /^check-images: SKIPPED: no registry reachable for 1 of 1 images/m);
    const required = runCli(compose, ["--required"]);
    assert.equal(required.status, 1);
    assert.match(required.stdout, /^check-images: FAILED \(--required/m);
  });

  it("fails without any network when a service uses latest", () => {
    const result = runCli("services:\n  app:\n    image: grafana/grafana:latest\n");
    assert.equal(result.status, 1);
    assert.match(
      result.stdout,
      /FAILED: 1 of 1 pinned images are broken: app \(grafana\/grafana:latest: unpinned\)/,
    );
  });

  it("checks the dev container's workspace image and its features too", () => {
    const compose = "services:\n  app:\n    image: 127.0.0.1:1/team/app:1.0\n";
    const devcontainer = {
      "docker-compose.workspace.yml":
        "services:\n  workspace:\n    image: 127.0.0.1:1/devcontainers/node:5.2.1-24\n",
      "devcontainer.json":
        '{\n  // JSONC, as the dev container CLI reads it\n  "features": { "127.0.0.1:1/features/dood:1.10.0": {} }\n}\n',
    };
    const offline = runCli(compose, [], devcontainer);
    assert.equal(offline.status, 0, offline.stderr);
    assert.match(offline.stdout, /devcontainer workspace +127\.0\.0\.1:1\/devcontainers\/node:5\.2\.1-24 /);
    assert.match(offline.stdout, /devcontainer feature +127\.0\.0\.1:1\/features\/dood:1\.10\.0 /);
    assert.match(offline.stdout, /^check-images: SKIPPED: no registry reachable for 3 of 3 images/m);
    const latest = runCli(compose, [], {
      ...devcontainer,
      "docker-compose.workspace.yml":
        "services:\n  workspace:\n    image: mcr.microsoft.com/devcontainers/typescript-node:latest\n",
    });
    assert.equal(latest.status, 1);
    assert.match(
      latest.stdout,
      /broken: devcontainer workspace \(mcr\.microsoft\.com\/devcontainers\/typescript-node:latest: unpinned\)/,
    );
  });

  it("the repository's own dev container pins are among the checked ones", () => {
    const pins = devcontainerPins(
      readFileSync(join(repoRoot, ".devcontainer/devcontainer.json"), "utf8"),
      readFileSync(join(repoRoot, ".devcontainer/docker-compose.workspace.yml"), "utf8"),
    );
    assert.deepEqual(
      pins.map((p) => [p.service, p.kind]),
      [
        ["devcontainer workspace", "image"],
        ["devcontainer feature", "feature"],
      ],
    );
    for (const pin of pins) assert.equal(pinProblem(parseImageRef(pin.image)), null, pin.image);
  });
});

describe("checkArtifact (a dev container feature) against a replayed registry", () => {
  const ref = parseImageRef("ghcr.io/devcontainers/features/docker-outside-of-docker:1.10.0");
  it("a published feature is ok whatever platforms it names; a missing one is not-found", async () => {
    const manifest = manifestUrl(ref);
    const published = { schemaVersion: 2, config: { digest: "sha256:c" }, layers: [] };
    const ok = await checkArtifact(
      ref,
      async (url) => new Response(JSON.stringify(url === manifest ? published : {})),
    );
    assert.equal(ok.status, "ok", ok.detail);
    assert.deepEqual(ok.missing, []);
    const gone = await checkArtifact(ref, async () => new Response("{}", { status: 404 }));
    assert.equal(gone.status, "not-found");
    assert.match(gone.detail, /tag 1\.10\.0 not found in ghcr\.io/);
  });
});
