/** A snapshot being written lives in `<name>.partial/`: an interrupted one never looks complete. */
export const PARTIAL_SUFFIX = ".partial";
export const MANIFEST_FILE = "manifest.json";

const pad = (n: number) => String(n).padStart(2, "0");

/** The default name: local date and time, safe on every filesystem (no colons), sorting by age. */
export function defaultSnapshotName(now: Date): string {
  const date = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
  return `${date}_${pad(now.getHours())}-${pad(now.getMinutes())}-${pad(now.getSeconds())}`;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Why `name` cannot name a snapshot folder, or undefined when it can. */
export function snapshotNameProblem(name: string): string | undefined {
  if (!NAME.test(name))
    return `snapshot name "${name}" is not allowed: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`;
  if (name.endsWith(PARTIAL_SUFFIX))
    return `snapshot name "${name}" ends in ${PARTIAL_SUFFIX}, kept for unfinished snapshots`;
  return undefined;
}

/** The archive file of one volume inside a snapshot folder. */
export const archiveFile = (service: string): string => `${service}.tar`;
