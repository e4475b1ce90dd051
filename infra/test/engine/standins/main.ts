#!/usr/bin/env node
/**
 * Entry point of the engine tier's stand-in servers (one bundle for every image). The program name
 * picks the service when the image links the bundle under the binary's real name (/usr/bin/loki,
 * /tempo, mc, ...); otherwise the first argument does: `node standin.mjs loki -config.file=...`.
 */
import { basename } from "node:path";
import { refuse } from "./runtime.ts";

type Run = (args: readonly string[]) => Promise<number | undefined>;

const SERVICES: Record<string, () => Promise<Run>> = {
  minio: async () => (await import("./minio.ts")).runMinio,
  mc: async () => (await import("./minio.ts")).runMc,
  opensearch: async () => (await import("./opensearch.ts")).runOpenSearch,
  "opensearch-dashboards": async () => (await import("./opensearch-dashboards.ts")).runDashboards,
  "otelcol-contrib": async () => (await import("./otel-collector.ts")).runCollector,
  loki: async () => (await import("./loki.ts")).runLoki,
  tempo: async () => (await import("./tempo.ts")).runTempo,
  grafana: async () => (await import("./grafana.ts")).runGrafana,
};

async function main(argv: readonly string[]): Promise<number | undefined> {
  const program = basename(argv[1] ?? "").replace(/\.(mjs|ts)$/, "");
  const [name, args] = program in SERVICES ? [program, argv.slice(2)] : [argv[2] ?? "", argv.slice(3)];
  const load = SERVICES[name];
  if (!load) {
    refuse(`unknown stand-in "${name}"`, `use one of ${Object.keys(SERVICES).join(", ")}`);
    return 2;
  }
  return (await load())(args);
}

main(process.argv).then(
  (code) => {
    // A server resolves without a code and keeps running until a signal stops it.
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    const { code, path } = error as NodeJS.ErrnoException;
    const message = error instanceof Error ? error.message : String(error);
    if (code === "EACCES" || code === "EPERM" || code === "EROFS")
      refuse(
        message,
        `make ${path ?? "the data folder"} writable for uid ${process.getuid?.()} (a named volume takes the image's ownership; a bind mount needs a chown)`,
      );
    else if (code === "ENOENT" && path) refuse(message, `mount or create ${path}`);
    else refuse(message, "rerun with DEBUG=1 for the stack trace");
    if (process.env.DEBUG === "1") console.error(error);
    process.exit(1);
  },
);
