import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { findPostgresBin, locate } from "./binaries.ts";
import { freePort } from "./ports.ts";
import { killOnExit, startProcess, waitUntil } from "./processes.ts";

export interface PostgresServer {
  port: number;
  user: string;
  password: string;
  database: string;
  url: string;
  version: string;
  stop: () => Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, run its binaries as the `postgres` user. */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  return isRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, [...args]];
}

export function postgresAvailability() {
  return locate(
    findPostgresBin(),
    "PostgreSQL server binaries (initdb, postgres)",
    "postgresql (Debian: apt-get install postgresql)",
  );
}

/**
 * Starts a throwaway PostgreSQL cluster on a random loopback port with a temp data dir, password
 * (scram) auth over TCP, fsync off. `stop()` shuts it down and deletes the dir.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error("PostgreSQL binaries not found");
  const base = mkdtempSync(join(tmpdir(), "wpdb-pg-"));
  const data = join(base, "data");
  const user = "wallpaperdb";
  const password = "pg-test-secret-p4ss";
  const pwfile = join(base, "pw");
  writeFileSync(pwfile, `${password}\n`);
  if (isRoot) {
    const { uid, gid } = postgresIds();
    chownSync(base, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const [initCmd, initArgs] = asServerUser(join(bin, "initdb"), [
    "-D",
    data,
    "-U",
    user,
    `--pwfile=${pwfile}`,
    "--auth-host=scram-sha-256",
    "--auth-local=trust",
    "--no-sync",
    "-E",
    "UTF8",
  ]);
  execFileSync(initCmd, initArgs, { stdio: "pipe" });
  const port = await freePort();
  const [cmd, args] = asServerUser(join(bin, "postgres"), [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    base,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
  ]);
  const server = startProcess(cmd, args);
  const database = "wallpaperdb";
  const adminUrl = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`;
  const pidFile = join(data, "postmaster.pid");
  const postmasterPid = () =>
    existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : Number.NaN;
  let unregister = () => {};
  const stop = async () => {
    // runuser does not pass signals on, so signal the postmaster itself (PID from postmaster.pid):
    // SIGINT = fast shutdown. Then wait for the wrapper to exit.
    unregister();
    const pid = postmasterPid();
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, "SIGINT");
      } catch {
        // already gone
      }
    }
    await server.stop("SIGINT");
    rmSync(base, { recursive: true, force: true });
  };
  try {
    await waitUntil("postgres", server, async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      try {
        await client.connect();
        await client.query("SELECT 1");
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    });
    const pid = postmasterPid();
    if (Number.isInteger(pid) && pid > 0) unregister = killOnExit(pid);
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE ${database}`);
    const version =
      (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? "?";
    await client.end();
    return {
      port,
      user,
      password,
      database,
      url: `postgres://${user}:${password}@127.0.0.1:${port}/${database}`,
      version,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

/** Creates an empty database on the server (a clean slate per test without a new cluster). */
export async function createDatabase(server: PostgresServer, name: string): Promise<string> {
  const client = new pg.Client({
    connectionString: `postgres://${server.user}:${server.password}@127.0.0.1:${server.port}/postgres`,
  });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return `postgres://${server.user}:${server.password}@127.0.0.1:${server.port}/${name}`;
}
