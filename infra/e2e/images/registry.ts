// Talks to container registries over the Distribution (Registry HTTP API v2) protocol with anonymous pull
// tokens: Docker Hub, quay.io, ghcr.io and mcr.microsoft.com all follow it. No Docker engine needed.
import {
  blobUrl,
  type ImageRef,
  MANIFEST_ACCEPT,
  manifestUrl,
  missingPlatforms,
  parseAuthChallenge,
  platformOfConfig,
  REQUIRED_PLATFORMS,
  readManifest,
  tokenUrl,
} from "./refs.ts";

export type ImageStatus = "ok" | "missing-platforms" | "not-found" | "unreachable" | "error";

export interface ImageCheck {
  status: ImageStatus;
  platforms: string[];
  missing: string[];
  detail: string;
}

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const TIMEOUT_MS = 15_000;

class Unreachable extends Error {}

/** Network-level failures (DNS, TCP, TLS, timeouts) mean "no registry reachable", not "image missing". */
function networkDetail(error: unknown): string | null {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return "timed out";
  if (e.message === "fetch failed" || e.cause?.code)
    return e.cause?.code ?? e.cause?.message ?? "fetch failed";
  return null;
}

async function request(fetchImpl: Fetch, url: string, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetchImpl(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "follow" });
  } catch (error) {
    const detail = networkDetail(error);
    if (detail) throw new Unreachable(`${new URL(url).host}: ${detail}`);
    throw error;
  }
}

/** GET with the anonymous-token dance: try, and on a Bearer challenge fetch a pull token and retry. */
async function authorizedGet(
  fetchImpl: Fetch,
  ref: ImageRef,
  url: string,
  accept: string,
): Promise<Response> {
  const first = await request(fetchImpl, url, { Accept: accept });
  if (first.status !== 401) return first;
  const challenge = parseAuthChallenge(first.headers.get("www-authenticate") ?? "");
  const tokenAt = challenge ? tokenUrl(challenge, ref) : null;
  if (!tokenAt) return first;
  const tokenResponse = await request(fetchImpl, tokenAt, { Accept: "application/json" });
  if (!tokenResponse.ok) return first;
  const body = (await tokenResponse.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) return first;
  return request(fetchImpl, url, { Accept: accept, Authorization: `Bearer ${token}` });
}

const result = (status: ImageStatus, detail: string, platforms: string[] = []): ImageCheck => ({
  status,
  platforms,
  missing: status === "ok" || status === "missing-platforms" ? missingPlatforms(platforms) : [],
  detail,
});

/** The verdict of a manifest request that did not succeed; undefined when it did. */
function failedManifest(ref: ImageRef, response: Response): ImageCheck | undefined {
  if (response.status === 404) return result("not-found", `tag ${ref.tag} not found in ${ref.registry}`);
  // Docker Hub answers 401 (even with a token) for a repository that does not exist: "pull access denied".
  if (response.status === 401 || response.status === 403) {
    return result("not-found", `${ref.registry} denies ${ref.repository}: repository missing or private`);
  }
  if (response.status === 429) return result("error", `${ref.registry} rate-limits anonymous pulls (429)`);
  if (!response.ok) return result("error", `${ref.registry} answered HTTP ${response.status}`);
  return undefined;
}

/**
 * A dev container feature (ghcr.io/devcontainers/features/…:1.10.0) is one OCI artifact that runs in any
 * container, not an image per platform: it only has to exist.
 */
export async function checkArtifact(ref: ImageRef, fetchImpl: Fetch = fetch): Promise<ImageCheck> {
  try {
    const response = await authorizedGet(fetchImpl, ref, manifestUrl(ref), MANIFEST_ACCEPT);
    const published = result("ok", "published (one OCI artifact for every platform)", [
      ...REQUIRED_PLATFORMS,
    ]);
    return failedManifest(ref, response) ?? published;
  } catch (error) {
    if (error instanceof Unreachable) return result("unreachable", error.message);
    return result("error", error instanceof Error ? error.message : String(error));
  }
}

export async function checkImage(ref: ImageRef, fetchImpl: Fetch = fetch): Promise<ImageCheck> {
  try {
    const response = await authorizedGet(fetchImpl, ref, manifestUrl(ref), MANIFEST_ACCEPT);
    const failed = failedManifest(ref, response);
    if (failed) return failed;
    const manifest = readManifest(await response.json(), response.headers.get("content-type") ?? "");
    let platforms: string[];
    if (manifest.kind === "index") {
      platforms = manifest.platforms;
    } else if (manifest.kind === "single") {
      const blob = await authorizedGet(
        fetchImpl,
        ref,
        blobUrl(ref, manifest.configDigest),
        "application/json",
      );
      if (!blob.ok) return result("error", `config blob answered HTTP ${blob.status}`);
      const platform = platformOfConfig(await blob.json());
      platforms = platform ? [platform] : [];
    } else {
      return result("error", `unexpected manifest media type ${manifest.mediaType}`);
    }
    const missing = missingPlatforms(platforms);
    return missing.length === 0
      ? result("ok", platforms.join(" "), platforms)
      : result(
          "missing-platforms",
          `no ${missing.join(", ")} (has ${platforms.join(", ") || "none"})`,
          platforms,
        );
  } catch (error) {
    if (error instanceof Unreachable) return result("unreachable", error.message);
    return result("error", error instanceof Error ? error.message : String(error));
  }
}
