// Which images the e2e run pulls: only the ones the engine does not have. A host whose images are all
// present (built locally, or pulled by an earlier run) needs no registry at all.

export interface ServiceImage {
  service: string;
  /** After interpolation, as the engine names it. */
  image: string;
}

export interface PullPlan {
  /** Distinct images the engine already has, in Compose file order. */
  present: string[];
  /** The services whose image is missing: exactly what `compose pull` gets. */
  missing: ServiceImage[];
}

export function pullPlan(images: readonly ServiceImage[], isPresent: (image: string) => boolean): PullPlan {
  const present = [...new Set(images.map((i) => i.image).filter(isPresent))];
  return { present, missing: images.filter((i) => !present.includes(i.image)) };
}

const distinctMissing = (plan: PullPlan) => [...new Set(plan.missing.map((i) => i.image))];

/** The line that says which images were present and what is pulled. */
export function describePullPlan(plan: PullPlan): string {
  const present = plan.present.length > 0 ? plan.present.join(", ") : "none";
  const missing = distinctMissing(plan);
  if (missing.length === 0)
    return `all ${plan.present.length} images are present locally (${present}); nothing to pull`;
  return `pulling ${missing.length} missing image(s): ${missing.join(", ")}; present locally: ${present}`;
}

/** Appended to a pull failure, so its one line still says what was missing and what was there. */
export function pullFailureContext(plan: PullPlan): string {
  return `missing locally: ${distinctMissing(plan).join(", ")} (${plan.present.length} other image(s) present)`;
}
