// Turns per-image results into the command's outcome. A broken pin (tag gone, platform missing, `latest`)
// always fails; registries that cannot be reached make the check "skipped" (exit 0) unless it is required.
import type { ImageStatus } from "./registry.ts";

export interface CheckedImage {
  service: string;
  image: string;
  status: ImageStatus | "unpinned";
  detail: string;
}

export function verdict(
  results: readonly CheckedImage[],
  required: boolean,
): { exitCode: number; line: string } {
  const broken = results.filter((r) => r.status !== "ok" && r.status !== "unreachable");
  const unreachable = results.filter((r) => r.status === "unreachable");
  if (broken.length > 0) {
    const names = broken.map((r) => `${r.service} (${r.image}: ${r.status})`).join(", ");
    return {
      exitCode: 1,
      line: `check-images: FAILED: ${broken.length} of ${results.length} pinned images are broken: ${names}; pin a tag that exists for linux/amd64 and linux/arm64`,
    };
  }
  if (unreachable.length > 0) {
    const hosts = [...new Set(unreachable.map((r) => r.detail))].join("; ");
    const what = `no registry reachable for ${unreachable.length} of ${results.length} images (${hosts})`;
    return required
      ? { exitCode: 1, line: `check-images: FAILED (--required, so this is not a skip): ${what}` }
      : { exitCode: 0, line: `check-images: SKIPPED: ${what}; run it where the registries are reachable` };
  }
  return {
    exitCode: 0,
    line: `check-images: OK: all ${results.length} pinned images exist for linux/amd64 and linux/arm64`,
  };
}
