// When the e2e suite cannot run here (no Docker engine, images that cannot be pulled) it says so in one line
// and exits 0 as skipped; with E2E_REQUIRED=1 (CI with a real engine) the same finding is a failure.

export type SkipReason = {
  code: "no-engine" | "no-compose" | "images-unavailable" | "in-dev-container";
  detail: string;
};

export function isRequired(env: Record<string, string | undefined>): boolean {
  return /^(1|true|yes)$/i.test(env.E2E_REQUIRED ?? "");
}

/** The first meaningful line of a command's output, for one-line messages. */
export function firstLine(text: string): string {
  const line = text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.length > 0 && !/^(WARN|warning)\b/i.test(l));
  return (line ?? "").replace(/\s+/g, " ").slice(0, 240);
}

/** `docker info` result -> null when an engine answered, else why not. */
export function engineSkipReason(probe: {
  exitCode: number | null;
  output: string;
  spawnError?: string;
}): SkipReason | null {
  if (probe.spawnError) {
    return {
      code: "no-engine",
      detail: `no Docker engine: the docker CLI is not installed (${probe.spawnError})`,
    };
  }
  if (probe.exitCode === 0 && probe.output.trim() !== "") return null;
  if (probe.exitCode === null)
    return { code: "no-engine", detail: "no Docker engine (docker info did not answer in time)" };
  return {
    code: "no-engine",
    detail: `no Docker engine reachable (${firstLine(probe.output) || `docker info exited ${probe.exitCode}`})`,
  };
}

// What a pull failure looks like when the registry itself cannot be reached (DNS, TCP, TLS, proxy), as
// opposed to a reachable registry answering that a tag or repository does not exist.
const UNREACHABLE =
  /no such host|dial tcp|i\/o timeout|connection refused|network is unreachable|TLS handshake timeout|Client\.Timeout|Temporary failure in name resolution|proxyconnect|EOF$|server misbehaving|context deadline exceeded/im;
const MISSING = /manifest unknown|not found|pull access denied|repository does not exist|unauthorized/i;

/**
 * Inside the dev container (Docker-outside-of-Docker) the e2e project's ports are published on the Docker
 * host, not in this container, and its network is not the workspace's: the suite must run on the host.
 */
export function environmentSkipReason(env: Record<string, string | undefined>): SkipReason | null {
  if (!env.HOST_WORKSPACE_FOLDER) return null;
  return {
    code: "in-dev-container",
    detail:
      "make e2e runs on the Docker host, not inside the dev container (the e2e stack's ports are published on the host)",
  };
}

/** `compose pull` failure output -> the one-line reason for the skip (or, when required, the failure). */
export function pullSkipReason(output: string): SkipReason {
  const lines = output
    .split("\n")
    .filter((l) => /error|denied|unknown|timeout|refused|no such host/i.test(l));
  const unreachable = lines.find((l) => UNREACHABLE.test(l));
  if (unreachable) {
    return { code: "images-unavailable", detail: `no registry reachable (${firstLine(unreachable)})` };
  }
  const missing = lines.find((l) => MISSING.test(l));
  if (missing) {
    return {
      code: "images-unavailable",
      detail: `a pinned image cannot be pulled (${firstLine(missing)}); run npm run check-images -w infra`,
    };
  }
  return {
    code: "images-unavailable",
    detail: `images cannot be pulled (${firstLine(output) || "no output"})`,
  };
}

const FIX: Record<SkipReason["code"], string> = {
  "no-engine": "start Docker Engine or Docker Desktop, then run make e2e again",
  "no-compose": "install Docker Compose v2 (the docker compose plugin), then run make e2e again",
  "images-unavailable": "check the network or registry access, then run make e2e again",
  "in-dev-container": "run make e2e in a terminal on the host",
};

/** The one line to print and the exit code: 0 for a skip, 1 when the run is required. */
export function skipOutcome(reason: SkipReason, required: boolean): { line: string; exitCode: number } {
  if (required) {
    return {
      line: `e2e: FAILED (E2E_REQUIRED=1, so this is not a skip): ${reason.detail}; ${FIX[reason.code]}`,
      exitCode: 1,
    };
  }
  return { line: `e2e: SKIPPED: ${reason.detail}; ${FIX[reason.code]}`, exitCode: 0 };
}
