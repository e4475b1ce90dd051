/**
 * Pure decisions on how a running stack differs from what `make start` would create now: the published
 * ports against .env, Compose's config hash against the container's label, the image a container runs
 * against the one its tag names today.
 */
import type { PortVariable } from "../config/env.ts";
import type { ServiceDefinition } from "../config/services.ts";
import type { ComposeContainer } from "../docker/containers.ts";

/** What `docker inspect` tells about a container that decides whether it is current. */
export interface RunningIdentity {
  /** com.docker.compose.config-hash: Compose's hash of the service config the container was created from. */
  configHash: string;
  /** The image reference the container was created from (Config.Image). */
  imageRef: string;
  /** The image id the container runs (.Image). */
  imageId: string;
}

/** What the same service would be created from now. */
export interface WantedIdentity {
  /** `compose config --hash` of the service; undefined when Compose did not say. */
  configHash: string | undefined;
  /** The id the container's image reference names today; undefined when unknown. */
  imageId: string | undefined;
}

export interface ServiceDrift {
  service: string;
  /** One phrase per difference, e.g. "GRAFANA_PORT 3000 -> 36100". */
  differences: string[];
}

/** Pure: the host port each of the service's port variables is published on by the running container. */
export function publishedPorts(
  definition: ServiceDefinition,
  container: ComposeContainer | undefined,
): Partial<Record<PortVariable, number>> {
  const ports: Partial<Record<PortVariable, number>> = {};
  for (const port of definition.ports) {
    const published = container?.publishers.find((p) => p.targetPort === port.containerPort);
    if (published) ports[port.variable] = published.publishedPort;
  }
  return ports;
}

/** Pure: how one service's container differs from what its current config would create. */
export function serviceDifferences(
  definition: ServiceDefinition,
  container: ComposeContainer,
  configuredPorts: Readonly<Record<PortVariable, number>>,
  running: RunningIdentity | undefined,
  wanted: WantedIdentity,
): string[] {
  const published = publishedPorts(definition, container);
  const ports = definition.ports
    .filter(
      (p) => published[p.variable] !== undefined && published[p.variable] !== configuredPorts[p.variable],
    )
    .map((p) => `${p.variable} ${published[p.variable]} -> ${configuredPorts[p.variable]}`);
  const differences = [...ports];
  const hashDiffers =
    running !== undefined &&
    running.configHash !== "" &&
    wanted.configHash !== undefined &&
    running.configHash !== wanted.configHash;
  // A port change also changes the hash: the port says more than "the configuration".
  if (hashDiffers && ports.length === 0)
    differences.push("its configuration (.env or docker-compose.yml) changed");
  if (running && running.imageId !== "" && wanted.imageId !== undefined && running.imageId !== wanted.imageId)
    differences.push(`image ${running.imageRef} was rebuilt or pulled since it started`);
  return differences;
}

/** Pure: the services whose containers differ, in catalog order. */
export function stackDrift(
  catalog: readonly ServiceDefinition[],
  containers: readonly ComposeContainer[],
  configuredPorts: Readonly<Record<PortVariable, number>>,
  running: ReadonlyMap<string, RunningIdentity>,
  wantedHashes: ReadonlyMap<string, string>,
  imageIds: ReadonlyMap<string, string>,
): ServiceDrift[] {
  return catalog.flatMap((definition) => {
    const container = containers.find((c) => c.service === definition.name);
    if (!container) return [];
    const identity = running.get(container.name);
    const differences = serviceDifferences(definition, container, configuredPorts, identity, {
      configHash: wantedHashes.get(definition.name),
      imageId: identity
        ? (imageIds.get(identity.imageRef) ?? imageIds.get(`${identity.imageRef}:latest`))
        : undefined,
    });
    return differences.length > 0 ? [{ service: definition.name, differences }] : [];
  });
}

/** Parses `compose config --hash '*'`: one "service hash" line per service; anything else is ignored. */
export function parseConfigHashes(text: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([a-z0-9][a-z0-9_.-]*)\s+([0-9a-f]{16,})$/.exec(line.trim());
    if (match) hashes.set(match[1] as string, match[2] as string);
  }
  return hashes;
}

/**
 * Parses `docker image inspect --format '{{json .}}'` (one object per line) into image id per tag. Lines that
 * are not such objects (an image that is not there) are skipped.
 */
export function parseImageIds(text: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const line of text.split("\n")) {
    let record: { Id?: unknown; RepoTags?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    if (typeof record?.Id !== "string" || !Array.isArray(record.RepoTags)) continue;
    for (const tag of record.RepoTags) if (typeof tag === "string") ids.set(tag, record.Id);
  }
  return ids;
}

/** Pure: the lines that tell the user what differs and that `make start` applies it. */
export function renderDrift(drift: readonly ServiceDrift[]): string {
  if (drift.length === 0) return "";
  const lines = drift.map((d) => `! ${d.service} differs from what runs: ${d.differences.join("; ")}`);
  const services = drift.map((d) => d.service).join(", ");
  return [...lines, `  make start applies it (recreates only ${services})`].join("\n");
}
