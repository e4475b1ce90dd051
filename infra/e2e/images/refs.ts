// Pure parts of the image-pin check: image references, registry API URLs, auth challenges, and the
// platforms a manifest list / OCI index publishes.

export interface ImageRef {
  /** As written in the Compose file, after interpolation. */
  original: string;
  /** Host of the registry API (docker.io is served by registry-1.docker.io). */
  registry: string;
  /** Repository path inside the registry (Docker Hub official images get library/). */
  repository: string;
  tag: string;
  digest?: string;
}

const DOCKER_HUB_API = "registry-1.docker.io";

export function parseImageRef(reference: string): ImageRef {
  const original = reference.trim();
  if (!original || /\s/.test(original)) throw new Error(`not an image reference: "${reference}"`);
  let rest = original;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  // A first path component with a dot or a colon, or "localhost", names a registry (Docker's own rule).
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  const hasRegistry = slash >= 0 && (/[.:]/.test(first) || first === "localhost");
  let registry = hasRegistry ? first : "docker.io";
  let path = hasRegistry ? rest.slice(slash + 1) : rest;
  let tag = "latest";
  const colon = path.lastIndexOf(":");
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
  }
  if (registry === "docker.io" || registry === "index.docker.io") {
    registry = DOCKER_HUB_API;
    if (!path.includes("/")) path = `library/${path}`;
  }
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(path)) {
    throw new Error(`invalid repository "${path}" in "${original}"`);
  }
  return { original, registry, repository: path, tag, ...(digest ? { digest } : {}) };
}

/** The pin rule of the design: an exact tag, never latest (a digest pin is fine too). */
export function pinProblem(ref: ImageRef): string | null {
  if (ref.digest) return null;
  if (ref.tag === "latest") return `${ref.original} is not pinned (tag latest)`;
  return null;
}

export function manifestUrl(ref: ImageRef): string {
  return `https://${ref.registry}/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}`;
}

export function blobUrl(ref: ImageRef, digest: string): string {
  return `https://${ref.registry}/v2/${ref.repository}/blobs/${digest}`;
}

export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header such as `Bearer realm="https://auth.docker.io/token",service="…"`. */
export function parseAuthChallenge(header: string): AuthChallenge | null {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return null;
  const params: Record<string, string> = {};
  for (const [, key, quoted, bare] of (match[2] ?? "").matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[(key as string).toLowerCase()] = quoted ?? bare ?? "";
  }
  return { scheme: (match[1] as string).toLowerCase(), params };
}

/** Anonymous token URL for a Bearer challenge (pull scope on the repository when the challenge has none). */
export function tokenUrl(challenge: AuthChallenge, ref: ImageRef): string | null {
  if (challenge.scheme !== "bearer" || !challenge.params.realm) return null;
  const url = new URL(challenge.params.realm);
  if (challenge.params.service) url.searchParams.set("service", challenge.params.service);
  url.searchParams.set("scope", challenge.params.scope ?? `repository:${ref.repository}:pull`);
  return url.toString();
}

export type Platform = string; // "linux/amd64", "linux/arm64"

interface Descriptor {
  mediaType?: string;
  digest?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export type ManifestKind =
  | { kind: "index"; platforms: Platform[] }
  | { kind: "single"; configDigest: string }
  | { kind: "unknown"; mediaType: string };

const INDEX_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);

/**
 * What a manifest response says about platforms. Index entries without a real platform are skipped:
 * BuildKit's attestation manifests appear as unknown/unknown and are not runnable images.
 */
export function readManifest(body: unknown, contentType = ""): ManifestKind {
  const doc = (body ?? {}) as { mediaType?: string; manifests?: Descriptor[]; config?: Descriptor };
  const mediaType = doc.mediaType ?? contentType.split(";")[0]?.trim() ?? "";
  if (INDEX_TYPES.has(mediaType) || (Array.isArray(doc.manifests) && !doc.config)) {
    const platforms = new Set<Platform>();
    for (const entry of doc.manifests ?? []) {
      const os = entry.platform?.os;
      const arch = entry.platform?.architecture;
      if (!os || !arch || os === "unknown" || arch === "unknown") continue;
      if (entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest") continue;
      platforms.add(`${os}/${arch}`);
    }
    return { kind: "index", platforms: [...platforms].sort() };
  }
  if (doc.config?.digest) return { kind: "single", configDigest: doc.config.digest };
  return { kind: "unknown", mediaType: mediaType || "(none)" };
}

/** The platform of a single-image config blob ({ "os": "linux", "architecture": "amd64", … }). */
export function platformOfConfig(config: unknown): Platform | null {
  const doc = (config ?? {}) as { os?: string; architecture?: string };
  return doc.os && doc.architecture ? `${doc.os}/${doc.architecture}` : null;
}

export const REQUIRED_PLATFORMS: readonly Platform[] = ["linux/amd64", "linux/arm64"];

export function missingPlatforms(published: readonly Platform[], required = REQUIRED_PLATFORMS): Platform[] {
  return required.filter((platform) => !published.includes(platform));
}

/** Replaces ${VAR}, ${VAR:-default}, ${VAR-default} and $VAR the way Compose does ($$ is a literal $). */
export function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, name?: string, colon?: string, fallback?: string, bare?: string) => {
      if (whole === "$$") return "$";
      const key = (name ?? bare) as string;
      const value = vars[key];
      if (fallback !== undefined) {
        const unset = value === undefined || (colon === ":" && value === "");
        return unset ? fallback : value;
      }
      return value ?? "";
    },
  );
}
