/**
 * Engine tier: make snapshot and make restore on one checkout's core stack, against the real engine. The four
 * data services are saved together and come back exactly; a damaged archive and a snapshot of another
 * Postgres major are refused before anything is stopped; Ctrl-C during a snapshot keeps nothing that looks
 * complete and leaves the stack running; make reset removes what a killed restore left. Steps run in order,
 * each from the state the previous one left.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Client as OpenSearchClient } from "@opensearch-project/opensearch";
import { Client as MinioClient } from "minio";
import { connect } from "nats";
import pg from "pg";
import { markerStores } from "../../e2e/lib/markers.ts";
import type { RunResult } from "../support/fake-docker/fake-docker.ts";
import { openTerminal } from "../support/terminal.ts";
import { type Checkout, makeCheckout } from "./support/checkout.ts";
import { containers, docker, engineTier, ensureImages } from "./support/engine.ts";

const DATA = ["minio", "nats", "opensearch", "postgres"];
const ALL_THERE = { postgres: true, minio: true, opensearch: true, nats: true };
const NONE_THERE = { postgres: false, minio: false, opensearch: false, nats: false };

const ok = (result: RunResult) => assert.equal(result.code, 0, result.output);

/** Deletes what markers.ts writes in each store: the table, the object, the index and the stream. */
async function deleteMarkers(vars: Record<string, string>): Promise<void> {
  const client = new pg.Client({ connectionString: vars.DATABASE_URL });
  await client.connect();
  await client.query("DROP TABLE e2e_marker");
  await client.end();
  const s3 = new URL(vars.S3_ENDPOINT ?? "");
  await new MinioClient({
    endPoint: s3.hostname,
    port: Number(s3.port),
    useSSL: false,
    accessKey: vars.MINIO_ROOT_USER ?? "",
    secretKey: vars.MINIO_ROOT_PASSWORD ?? "",
  }).removeObject(vars.MINIO_BUCKET ?? "", "e2e/marker.txt");
  await new OpenSearchClient({ node: vars.OPENSEARCH_URL ?? "" }).indices.delete({ index: "e2e-marker" });
  const nc = await connect({ servers: vars.NATS_URL ?? "" });
  await (await nc.jetstreamManager()).streams.delete("E2E_MARKER");
  await nc.close();
}

describe("engine tier: make snapshot and make restore", engineTier(), () => {
  let co: Checkout;
  let vars: Record<string, string>;
  const saved = `saved-${process.pid}`;
  const changed = `changed-${process.pid}`;
  const presence = async (marker: string) => {
    const found: Record<string, boolean> = {};
    for (const store of markerStores(vars)) found[store.service] = await store.has(marker);
    return found;
  };
  const snapshotDir = (name: string) => join(co.dir, ".snapshots", name);
  const dataRunning = () =>
    containers(co.project)
      .filter((c) => DATA.includes(c.service))
      .map((c) => `${c.service} ${c.state}`);
  const ALL_RUNNING = DATA.map((s) => `${s} running`);

  before(async () => {
    ensureImages();
    co = await makeCheckout("snapshots");
    vars = co.variables();
    ok(await co.make(["start", "PROFILE=core"]));
  });
  after(async () => {
    await co?.destroy();
  });

  it("make snapshot saves the four services with a manifest of images, migrations, sizes and sha256", async () => {
    for (const store of markerStores(vars)) await store.write(saved);
    const result = await co.make(["snapshot", `NAME=${saved}`]);
    ok(result);
    assert.match(result.output, /postgres .* in \d+\.\ds/);
    assert.match(result.output, /services stopped for \d+\.\ds/);
    const manifest = JSON.parse(readFileSync(join(snapshotDir(saved), "manifest.json"), "utf8"));
    assert.deepEqual(manifest.services.map((s: { service: string }) => s.service).sort(), DATA);
    assert.ok(manifest.migrations.includes("0001_wallpapers.sql"), manifest.migrations);
    for (const archive of manifest.archives) {
      assert.match(archive.sha256, /^[0-9a-f]{64}$/);
      assert.ok(archive.bytes > 0);
    }
    assert.deepEqual(dataRunning(), ALL_RUNNING);
    const list = await co.make(["snapshots"]);
    ok(list);
    assert.match(list.output, new RegExp(`${saved}.*postgres 16`));
  });

  it("make restore brings back all four exactly after they were changed and deleted", async () => {
    for (const store of markerStores(vars)) await store.write(changed);
    assert.deepEqual(await presence(changed), ALL_THERE);
    await deleteMarkers(vars);
    assert.deepEqual(await presence(changed), NONE_THERE);
    const refused = await co.make(["restore", `NAME=${saved}`]);
    assert.equal(refused.code, 2, refused.output);
    assert.match(refused.output, /CONFIRM=1/);
    const result = await co.make(["restore", `NAME=${saved}`, "CONFIRM=1"]);
    ok(result);
    assert.match(result.output, /Restored snapshot/);
    assert.deepEqual(dataRunning(), ALL_RUNNING);
    assert.deepEqual(await presence(saved), ALL_THERE);
  });

  it("a damaged archive is refused by its checksum before anything is stopped or replaced", async () => {
    for (const store of markerStores(vars)) await store.write(changed);
    const broken = snapshotDir("broken");
    cpSync(snapshotDir(saved), broken, { recursive: true });
    const archive = join(broken, "nats.tar");
    const bytes = readFileSync(archive);
    bytes[100] = (bytes[100] ?? 0) ^ 0xff;
    writeFileSync(archive, bytes);
    const result = await co.make(["restore", "NAME=broken", "CONFIRM=1"]);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /nats\.tar does not match its sha256/);
    assert.match(result.output, /snapshot "broken" is damaged; nothing was changed/);
    assert.doesNotMatch(result.output, /Stopping/);
    assert.deepEqual(await presence(changed), ALL_THERE);
  });

  it("a snapshot its folder's disk cannot hold is refused with the sizes, before anything is stopped", async () => {
    // A filesystem that reports no free block (procfs): the check refuses before the folder is even made.
    const result = await co.make(["snapshot", "NAME=nowhere"], {
      env: { SNAPSHOT_DIR: "/proc/wpdb-snapshots" },
    });
    assert.equal(result.code, 2, result.output);
    assert.match(
      result.output,
      /not enough free space for the snapshot: it needs about [\d.]+ MB \(postgres [\d.]+ [KMG]B, minio .*\), 0 B are free\n\s+where: \/proc\/wpdb-snapshots\n\s+fix:\s+free space on that disk .*SNAPSHOT_DIR/,
    );
    assert.doesNotMatch(result.output, /Stopping/);
    assert.deepEqual(dataRunning(), ALL_RUNNING);
  });

  it("a snapshot of another Postgres major is refused with the fix", async () => {
    const other = snapshotDir("other-major");
    cpSync(snapshotDir(saved), other, { recursive: true });
    const file = join(other, "manifest.json");
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    for (const s of manifest.services)
      if (s.service === "postgres")
        Object.assign(s, { image: "postgres:17.2-alpine", version: "17.2-alpine" });
    writeFileSync(file, JSON.stringify(manifest));
    const result = await co.make(["restore", "NAME=other-major", "CONFIRM=1"]);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /postgres:17\.2-alpine.*another major version/);
    assert.match(result.output, /fix:.*infra\/docker-compose\.yml/);
    assert.deepEqual(await presence(changed), ALL_THERE);
  });

  it("in a terminal, make restore asks (no: nothing changes) and make snapshot-rm asks (yes: deleted)", async () => {
    const term = await openTerminal(co.dir, { ...co.env, TERM: "xterm" }, 300_000);
    try {
      assert.equal(await term.run(`cd ${co.dir}`), 0);
      term.start(`make restore NAME=${saved}`);
      await term.waitFor(/Type "yes" to continue/, "the restore's prompt");
      term.answer("no");
      assert.equal(await term.exitCode(), 2, term.screen());
      assert.match(term.screen(), /cancelled; nothing was changed/);
      assert.doesNotMatch(term.screen(), /Stopping/);
      term.start("make snapshot-rm NAME=other-major");
      await term.waitFor(/deletes the snapshot .*other-major[\s\S]*Type "yes"/, "snapshot-rm's prompt");
      term.answer("yes");
      assert.equal(await term.exitCode(), 0, term.screen());
    } finally {
      term.close();
    }
    assert.ok(!existsSync(snapshotDir("other-major")));
    assert.deepEqual(await presence(changed), ALL_THERE);
  });

  it("make snapshot-rm deletes one only when confirmed", async () => {
    const refused = await co.make(["snapshot-rm", "NAME=broken"]);
    assert.equal(refused.code, 2, refused.output);
    assert.ok(existsSync(snapshotDir("broken")));
    ok(await co.make(["snapshot-rm", "NAME=broken", "CONFIRM=1"]));
    assert.ok(!existsSync(snapshotDir("broken")));
  });

  /** Restore's staging volumes (<volume>-restore) of the project, by name: also one without a label. */
  const stagingVolumes = () =>
    docker(["volume", "ls", "-q", "--filter", `name=${co.project}_`])
      .split("\n")
      .filter((v) => v.endsWith("-restore"));

  /** Runs make with `args` and sends it `signal` (the whole group, as a terminal does) once `when` is printed. */
  const interruptedMake = (args: string[], when: RegExp, signal: NodeJS.Signals = "SIGINT") =>
    co.makeActingWhen(args, when, (group) => process.kill(-group, signal));

  it("Ctrl-C during make restore leaves the previous data or the whole snapshot, never a mix", async (t) => {
    const { code, output } = await interruptedMake(["restore", `NAME=${saved}`, "CONFIRM=1"], /unpacked in/);
    assert.equal(code, 130, output);
    // Ctrl-C ends the command once the services are started again, without waiting for them.
    ok(await co.make(["wait", "PROFILE=core"]));
    const before = await presence(changed);
    const restored = await presence(saved);
    const keptPrevious = /before any data was replaced; the previous data is kept/.test(output);
    t.diagnostic(
      keptPrevious ? "interrupted while unpacking" : "interrupted during the swap, which completed",
    );
    if (keptPrevious) assert.deepEqual(before, ALL_THERE, output);
    else {
      // The signal came once every archive was unpacked: the swap went through first.
      assert.match(output, /after the data was replaced/);
      assert.deepEqual(restored, ALL_THERE, output);
    }
    assert.deepEqual(dataRunning(), ALL_RUNNING);
    assert.deepEqual(stagingVolumes(), [], "staging volumes left behind");
  });

  it("Ctrl-C during make snapshot keeps no complete-looking snapshot and starts the services again", async () => {
    const { code, output } = await interruptedMake(["snapshot", "NAME=cut"], /stopped in/);
    assert.equal(code, 130, output);
    assert.match(output, /interrupted \(Ctrl-C\); no snapshot was kept/);
    const folders = readdirSync(join(co.dir, ".snapshots"));
    assert.ok(!folders.some((f) => f.startsWith("cut")), folders.join(", "));
    assert.deepEqual(dataRunning(), ALL_RUNNING);
    ok(await co.make(["wait", "PROFILE=core"]));
  });

  it("make reset removes the staging volumes a killed make restore left", async () => {
    // SIGKILL: the restore has no chance to clean up, as when the machine goes down.
    await interruptedMake(["restore", `NAME=${saved}`, "CONFIRM=1"], /unpacked in/, "SIGKILL");
    const left = stagingVolumes();
    assert.notDeepEqual(left, [], "the killed restore left no staging volume: nothing to test");
    // Its helper container may still be unpacking into one; reset removes volumes once nothing uses them.
    const deadline = Date.now() + 300_000;
    while (left.some((v) => docker(["ps", "-q", "--filter", `volume=${v}`]).trim() !== "")) {
      assert.ok(Date.now() < deadline, "a helper container kept a staging volume for 5 minutes");
      await new Promise((done) => setTimeout(done, 500));
    }
    ok(await co.make(["reset", "PROFILE=core", "CONFIRM=1"]));
    assert.deepEqual(stagingVolumes(), []);
    assert.deepEqual(dataRunning(), ALL_RUNNING);
  });
});
