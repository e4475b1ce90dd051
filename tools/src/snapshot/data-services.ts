import type { DataVolume } from "../services/module.ts";
import { MODULES } from "../services/modules.ts";

/**
 * The services a snapshot saves together: every module that declares application data (their data only
 * makes sense in step: a row without its object, a document without its row is a broken state). The
 * observability services' volumes are disposable and not kept.
 */
export interface DataService extends DataVolume {
  service: string;
}

export const DATA_SERVICES: readonly DataService[] = MODULES.flatMap((m) =>
  m.data ? [{ service: m.name, ...m.data }] : [],
);

/** The engine's name of a Compose volume of this project. */
export const engineVolumeName = (project: string, volume: string): string => `${project}_${volume}`;
