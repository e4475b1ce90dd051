/** What a tar archive written by `tar -cf` ends with, checked before a snapshot counts it as complete. */
export const TAR_BLOCK = 512;
/** The end-of-archive marker: two blocks of zeros. */
export const TAR_END_BYTES = 2 * TAR_BLOCK;

/**
 * Pure: whether a stream of `bytes` bytes ending in `tail` is a whole archive. tar writes whole blocks and
 * ends with the marker, so a stream cut short (an engine that dropped the container's output) fails here
 * although `docker run` exited 0.
 */
export function tarLooksComplete(bytes: number, tail: Uint8Array): boolean {
  if (bytes < TAR_END_BYTES || bytes % TAR_BLOCK !== 0 || tail.length < TAR_END_BYTES) return false;
  return tail.subarray(tail.length - TAR_END_BYTES).every((byte) => byte === 0);
}
