/** What a seed run did to one resource. */
export type Outcome = "created" | "updated" | "unchanged";

export interface ResourceResult {
  service: string;
  /** e.g. "migration", "bucket", "index-template", "stream". */
  kind: string;
  name: string;
  outcome: Outcome;
  /** Short human detail (what was updated). */
  detail?: string;
  /** Differences the seeder found but must not fix (reported, never forced). */
  drift?: string[];
}

/** A seed definition the user must correct: the file (as shown to users), what is wrong, and how to fix it. */
export class SeedFileError extends Error {
  readonly file: string;
  readonly reason: string;
  readonly fix: string;
  constructor(file: string, reason: string, fix: string) {
    super(`${file}: ${reason}`);
    this.name = "SeedFileError";
    this.file = file;
    this.reason = reason;
    this.fix = fix;
  }
}
