/**
 * Seed benchmark (prints figures, asserts nothing): cold and warm seed of postgres + minio (S3) + nats,
 * median of 5, in-process and as the whole `make seed ONLY=postgres,minio,nats` command, against the
 * test harness servers (real PostgreSQL and nats-server; s3rver for S3). Run: `npm run bench -w tools`.
 * Targets on a 2-core machine: warm in-process < 0.3 s, whole warm command < 1.5 s, cold in-process < 1 s.
 */
import { spawn } from "node:child_process";
import { connect } from "nats";
import { runSeed } from "../src/commands/seed.ts";
import { parseConfig, repoRoot } from "../src/config/env.ts";
import { type NatsServer, startNats } from "../test/support/nats-server.ts";
import { createDatabase, type PostgresServer, startPostgres } from "../test/support/postgres-server.ts";
import { type S3Server, startS3 } from "../test/support/s3-server.ts";

const RUNS = 5;
const SERVICES = ["postgres", "minio", "nats"] as const;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

async function main() {
  let pg: PostgresServer | undefined;
  let nats: NatsServer | undefined;
  let s3: S3Server | undefined;
  try {
    [pg, nats, s3] = await Promise.all([startPostgres(), startNats(), startS3()]);
    const pgServer = pg;
    const natsUrl = nats.url;
    let run = 0;
    /** A target with nothing seeded yet: new database, new bucket, no stream. */
    const coldEnv = async (): Promise<Record<string, string>> => {
      run++;
      const nc = await connect({ servers: natsUrl });
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete("WALLPAPERS").catch(() => false);
      await nc.close();
      return {
        DATABASE_URL: await createDatabase(pgServer, `bench_${run}`),
        MINIO_BUCKET: `wallpapers-bench-${run}`,
        NATS_URL: natsUrl,
        S3_ENDPOINT: s3?.endpoint ?? "",
        S3_ACCESS_KEY: "S3RVER",
        S3_SECRET_KEY: "S3RVER",
      };
    };
    const inProcess = async (env: Record<string, string>) => {
      const started = performance.now();
      const outcomes = await runSeed(parseConfig(env), SERVICES);
      const elapsed = performance.now() - started;
      const failed = outcomes.find((o) => o.error);
      if (failed) throw failed.error;
      return { elapsed, outcomes: outcomes.flatMap((o) => o.resources.map((r) => r.outcome)) };
    };
    // Asynchronous on purpose: s3rver runs in this process, so a blocking spawnSync would deadlock it.
    const command = (cmd: string, args: string[], env: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const child = spawn(cmd, args, {
          cwd: repoRoot,
          env: { ...process.env, WALLPAPERDB_ENV_FILE: "/dev/null", ...env },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let output = "";
        child.stdout.on("data", (c) => {
          output += c;
        });
        child.stderr.on("data", (c) => {
          output += c;
        });
        child.on("close", (code) => {
          const elapsed = performance.now() - started;
          if (code === 0) resolve(elapsed);
          else reject(new Error(`${cmd} ${args.join(" ")} failed (exit ${code}):\n${output}`));
        });
      });

    const rows: Array<[string, number[]]> = [];
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const env = await coldEnv();
      const first = await inProcess(env);
      if (first.outcomes.some((o) => o !== "created"))
        throw new Error(`cold run was not cold: ${first.outcomes}`);
      cold.push(first.elapsed);
      const again = await inProcess(env);
      if (again.outcomes.some((o) => o !== "unchanged"))
        throw new Error(`warm run changed something: ${again.outcomes}`);
      warm.push(again.elapsed);
    }
    rows.push(["in-process cold (target < 1 s)", cold], ["in-process warm (target < 0.3 s)", warm]);

    const makeArgs = ["seed", "ONLY=postgres,minio,nats"];
    const cliArgs = ["--import", "tsx", "tools/src/cli.ts", "seed", "--only", "postgres,minio,nats"];
    const makeCold: number[] = [];
    const makeWarm: number[] = [];
    const cliWarm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const env = await coldEnv();
      makeCold.push(await command("make", makeArgs, env));
      makeWarm.push(await command("make", makeArgs, env));
      cliWarm.push(await command(process.execPath, cliArgs, env));
    }
    rows.push(
      ["`make seed ONLY=postgres,minio,nats` cold", makeCold],
      ["`make seed ONLY=postgres,minio,nats` warm (target < 1.5 s)", makeWarm],
      ["`node --import tsx tools/src/cli.ts seed` warm (no make/turbo)", cliWarm],
    );

    console.log(`seed benchmark: postgres ${pgServer.version}, nats-server, s3rver; median of ${RUNS}`);
    for (const [label, samples] of rows) {
      console.log(
        `${label.padEnd(66)} ${fmt(median(samples)).padStart(9)}   [${samples.map(fmt).join(", ")}]`,
      );
    }
  } finally {
    await Promise.all([pg?.stop(), nats?.stop(), s3?.stop()]);
  }
}

await main();
