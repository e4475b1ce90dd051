import type { ComposeServiceSpec } from "../docker/compose-file.ts";

/**
 * The services a snapshot saves together: their data only makes sense in step (a row without its object,
 * a document without its row is a broken state). The observability services' data is not kept.
 */
export const SNAPSHOT_SERVICES = ["postgres", "minio", "opensearch", "nats"] as const;
export type SnapshotService = (typeof SNAPSHOT_SERVICES)[number];

/** A data service and the named volume that holds its data, as the Compose file declares them. */
export interface DataService {
  service: SnapshotService;
  /** The volume's key in the Compose file (postgres-data); the engine's name is `<project>_<key>`. */
  volume: string;
  mountPath: string;
}

/** The named volume of one service's `volumes:` list (short "name:/path[:mode]" or long syntax). */
function namedVolume(entries: readonly unknown[]): { volume: string; mountPath: string } | undefined {
  for (const entry of entries) {
    if (typeof entry === "string") {
      const [source, target] = entry.split(":");
      // A bind mount starts with . / or ~; a named volume is a bare name.
      if (source && target && /^[A-Za-z0-9][\w.-]*$/.test(source))
        return { volume: source, mountPath: target };
    } else if (typeof entry === "object" && entry !== null) {
      const long = entry as { type?: unknown; source?: unknown; target?: unknown };
      if (long.type === "volume" && typeof long.source === "string" && typeof long.target === "string")
        return { volume: long.source, mountPath: long.target };
    }
  }
  return undefined;
}

/** Pure: each snapshotted service's volume from the Compose file's services; names the ones without one. */
export function dataServices(specs: Readonly<Record<string, ComposeServiceSpec>>): {
  services: DataService[];
  withoutVolume: SnapshotService[];
} {
  const services: DataService[] = [];
  const withoutVolume: SnapshotService[] = [];
  for (const service of SNAPSHOT_SERVICES) {
    const found = namedVolume(specs[service]?.volumes ?? []);
    if (found) services.push({ service, ...found });
    else withoutVolume.push(service);
  }
  return { services, withoutVolume };
}

/** The engine's name of a Compose volume of this project. */
export const engineVolumeName = (project: string, volume: string): string => `${project}_${volume}`;
