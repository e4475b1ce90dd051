/**
 * The containers of a Compose project as the engine lists them: one `docker ps` filtered by the project's
 * label. `compose ps` reads the Compose file and inspects every container first (0.08 s against 0.015 s
 * for ten services on 2 cores); the engine's list already holds the state, the health and the ports.
 */
import { lastLine, run } from "./exec.ts";

/** One container of the project: what `docker ps` says of it. */
export interface ComposeContainer {
  service: string;
  name: string;
  /** running, exited, restarting, paused, created, dead, removing. */
  state: string;
  /** healthy, unhealthy, starting, or "" when the service has no healthcheck or is not running. */
  health: string;
  /** The exit code of an exited or restarting container; 0 otherwise. */
  exitCode: number;
  /** The engine's sentence: "Up 2 minutes (healthy)", "Exited (1) 3 seconds ago". */
  status: string;
  /** The image reference it was created from. */
  image: string;
  /** The ports published on the host (exposed-only ports are left out). */
  publishers: { url: string; targetPort: number; publishedPort: number; protocol: string }[];
}

const FIELDS = [
  "{{.Names}}",
  '{{.Label "com.docker.compose.service"}}',
  "{{.State}}",
  "{{.Status}}",
  "{{.Image}}",
  "{{.Ports}}",
] as const;
export const CONTAINER_LIST_FORMAT = FIELDS.join("\t");

/**
 * Pure: health and exit code from the engine's status sentence (the daemon writes it: "Up 5 seconds
 * (health: starting)", "Up 1 minute (unhealthy)", "Exited (137) 2 seconds ago", "Restarting (1) ...").
 */
export function parseStatus(status: string): { health: string; exitCode: number } {
  const health = /^Up .*\((healthy|unhealthy|health: starting)\)$/.exec(status)?.[1];
  const code = /^(?:Exited|Restarting) \((-?\d+)\)/.exec(status)?.[1];
  return {
    health: health === undefined ? "" : health === "health: starting" ? "starting" : health,
    exitCode: code === undefined ? 0 : Number(code),
  };
}

/**
 * Pure: the published ports of the engine's port column ("127.0.0.1:5432->5432/tcp, 8888/tcp,
 * [::1]:4317-4318->4317-4318/tcp"); a range stands for one port per number.
 */
export function parsePorts(text: string): ComposeContainer["publishers"] {
  return text
    .split(",")
    .map((entry) => /^(.*):(\d+)(?:-(\d+))?->(\d+)(?:-(\d+))?\/(\w+)$/.exec(entry.trim()))
    .flatMap((match) => {
      if (!match) return [];
      const [, address = "", first = "0", last = first, target = "0", , protocol = "tcp"] = match;
      const url = address.replace(/^\[(.*)\]$/, "$1");
      const count = Number(last) - Number(first) + 1;
      return Array.from({ length: count }, (_, i) => ({
        url,
        targetPort: Number(target) + i,
        publishedPort: Number(first) + i,
        protocol,
      }));
    });
}

/**
 * Pure: the rows of `docker ps --format CONTAINER_LIST_FORMAT`; a row without a Compose service is skipped.
 * Throws on a line of another form rather than report an empty stack.
 */
export function parseContainerList(text: string): ComposeContainer[] {
  return text.split("\n").flatMap((line): ComposeContainer[] => {
    if (line.trim() === "") return [];
    const fields = line.split("\t");
    if (fields.length !== FIELDS.length)
      throw new Error(`unexpected line from docker ps: ${line.slice(0, 120)}`);
    const [names = "", service = "", state = "", status = "", image = "", ports = ""] = fields;
    if (service.trim() === "") return [];
    return [
      {
        service,
        // A container keeps several names only from legacy links: the first is its own.
        name: names.split(",")[0] ?? "",
        state: state.toLowerCase(),
        ...parseStatus(status),
        status,
        image,
        publishers: parsePorts(ports),
      },
    ];
  });
}

/** Every container of the project, running or not; one-off `compose run` containers are left out. */
export async function listProjectContainers(project: string): Promise<ComposeContainer[]> {
  const result = await run(
    "docker",
    [
      "ps",
      "--all",
      "--filter",
      `label=com.docker.compose.project=${project}`,
      "--filter",
      "label=com.docker.compose.oneoff=False",
      "--format",
      CONTAINER_LIST_FORMAT,
    ],
    { timeoutMs: 15_000 },
  );
  if (result.code !== 0)
    throw new Error(
      `docker ps failed: ${result.timedOut ? "no answer within 15 s" : lastLine(result.stderr)}`,
    );
  return parseContainerList(result.stdout);
}
