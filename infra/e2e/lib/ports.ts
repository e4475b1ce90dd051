// Host ports for the e2e stack: a deterministic walk over a port range (pure, given a probe) and the real
// probe that binds a listener to find out whether a port is free right now.
import { createServer } from "node:net";

export interface PortRange {
  min: number;
  max: number;
}

// Below Linux's ephemeral range (32768-60999) and macOS's (49152-65535), so outgoing connections made during
// the run never land on a port the plan picked; above the well-known service ports users tend to run.
export const E2E_PORT_RANGE: PortRange = { min: 20000, max: 29999 };

export type PortProbe = (port: number) => Promise<boolean>;

/**
 * Assigns each key a distinct port from `range`, starting at `start` and wrapping around, skipping reserved
 * ports (the developer's) and every port the probe reports taken. Throws when the range runs out.
 */
export async function planPorts(
  keys: readonly string[],
  options: { range: PortRange; start: number; reserved: ReadonlySet<number> },
  isFree: PortProbe,
): Promise<Record<string, number>> {
  const { range, reserved } = options;
  const size = range.max - range.min + 1;
  if (size <= 0) throw new Error(`empty port range ${range.min}-${range.max}`);
  const assigned: Record<string, number> = {};
  const used = new Set<number>();
  let offset = (((options.start - range.min) % size) + size) % size;
  let tried = 0;
  for (const key of keys) {
    for (;;) {
      if (tried >= size) {
        throw new Error(`no free port left in ${range.min}-${range.max} for ${key}`);
      }
      const port = range.min + offset;
      offset = (offset + 1) % size;
      tried += 1;
      if (reserved.has(port) || used.has(port)) continue;
      if (!(await isFree(port))) continue;
      assigned[key] = port;
      used.add(port);
      break;
    }
  }
  return assigned;
}

/** True when nothing listens on host:port: a listener can bind it right now. */
export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}
