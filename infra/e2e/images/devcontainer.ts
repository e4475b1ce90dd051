// The dev container's pins, for the image-pin check: the workspace image (its Compose file, or an
// "image" in devcontainer.json) and every feature of devcontainer.json. A tag nobody can pull breaks the
// dev container, and its CI workflow, at the first step.
import { parse as parseJsonc } from "jsonc-parser";
import { composeImages } from "../lib/compose.ts";

export interface Pin {
  /** What uses it, as the check prints it. */
  service: string;
  image: string;
  /** A feature is one OCI artifact (no platforms to check); an image must exist for every platform. */
  kind: "image" | "feature";
}

/** `devcontainerJson` is JSONC (comments allowed); either text may be absent (no dev container). */
export function devcontainerPins(
  devcontainerJson: string | undefined,
  workspaceCompose: string | undefined,
): Pin[] {
  const config = (devcontainerJson ? parseJsonc(devcontainerJson) : {}) as {
    image?: unknown;
    features?: Record<string, unknown>;
  };
  const images = workspaceCompose ? composeImages(workspaceCompose) : [];
  return [
    ...images.map(
      ({ service, image }): Pin => ({ service: `devcontainer ${service}`, image, kind: "image" }),
    ),
    ...(typeof config.image === "string"
      ? [{ service: "devcontainer image", image: config.image, kind: "image" as const }]
      : []),
    ...Object.keys(config.features ?? {}).map(
      (feature): Pin => ({ service: "devcontainer feature", image: feature, kind: "feature" }),
    ),
  ];
}
