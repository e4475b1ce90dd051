import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { DATA_SERVICES, engineVolumeName } from "../../src/snapshot/data-services.ts";
import {
  checksumProblems,
  compatibility,
  formatAge,
  imageVersion,
  majorVersion,
  type ServiceImage,
} from "../../src/snapshot/manifest.ts";
import { parseManifest } from "../../src/snapshot/manifest-schema.ts";
import { defaultSnapshotName, snapshotNameProblem } from "../../src/snapshot/naming.ts";
import { parseDuKibibytes, spaceShortfall } from "../../src/snapshot/space.ts";
import { tarLooksComplete } from "../../src/snapshot/tar.ts";

const image = (service: string, ref: string): ServiceImage => ({
  service,
  image: ref,
  version: imageVersion(ref),
});
const STACK = [
  image("postgres", "postgres:16.15-alpine3.24"),
  image("minio", "quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z"),
  image("opensearch", "opensearchproject/opensearch:3.8.0"),
  image("nats", "nats:2.14.7-alpine"),
];
const swap = (service: string, ref: string) =>
  STACK.map((i) => (i.service === service ? image(service, ref) : i));

describe("snapshot names", () => {
  test("the default name is the local date and time, without characters a filesystem refuses", () => {
    const name = defaultSnapshotName(new Date(2026, 0, 5, 9, 7, 3));
    assert.equal(name, "2026-01-05_09-07-03");
    assert.equal(snapshotNameProblem(name), undefined);
  });

  test("names that could leave the folder, hide, or look unfinished are refused", () => {
    for (const name of ["../etc", "a/b", ".hidden", "", "with space", "x.partial", "a".repeat(65)])
      assert.ok(snapshotNameProblem(name), `"${name}" was accepted`);
    for (const name of ["before-migration", "v1.2_ok", "A"])
      assert.equal(snapshotNameProblem(name), undefined);
  });
});

describe("which volumes a snapshot holds", () => {
  test("the four data services' modules, with one image able to archive them and the major-bound ones", () => {
    assert.deepEqual(
      DATA_SERVICES.map((s) => `${s.service}=${s.volume}:${s.mountPath}`),
      [
        "postgres=postgres-data:/var/lib/postgresql/data",
        "minio=minio-data:/data",
        "opensearch=opensearch-data:/usr/share/opensearch/data",
        "nats=nats-data:/data",
      ],
    );
    assert.deepEqual(
      DATA_SERVICES.filter((s) => s.archiver).map((s) => s.service),
      ["postgres"],
    );
    assert.deepEqual(
      DATA_SERVICES.filter((s) => s.majorBound).map((s) => s.service),
      ["postgres", "opensearch"],
    );
    assert.equal(engineVolumeName("wallpaperdb", "nats-data"), "wallpaperdb_nats-data");
  });
});

describe("whether a snapshot fits the running stack", () => {
  test("image tags are read from full references", () => {
    assert.equal(
      imageVersion("quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z"),
      "RELEASE.2025-09-07T16-13-09Z",
    );
    assert.equal(imageVersion("localhost:5000/postgres:16.1@sha256:abc"), "16.1");
    assert.equal(imageVersion("postgres"), "latest");
    assert.equal(majorVersion("16.15-alpine3.24"), 16);
    assert.equal(majorVersion("RELEASE.2025-09-07T16-13-09Z"), undefined);
  });

  test("the same images fit without a word", () => {
    assert.deepEqual(compatibility(STACK, STACK), { refusals: [], notes: [] });
  });

  test("another Postgres or OpenSearch major is refused, naming both images", () => {
    const pg17 = compatibility(swap("postgres", "postgres:17.2-alpine"), STACK);
    assert.equal(pg17.refusals.length, 1);
    assert.match(pg17.refusals[0] ?? "", /postgres:17\.2-alpine.*postgres:16\.15-alpine3\.24.*another major/);
    const os2 = compatibility(swap("opensearch", "opensearchproject/opensearch:2.19.0"), STACK);
    assert.match(os2.refusals[0] ?? "", /^opensearch:/);
  });

  test("a minor Postgres update or another NATS or MinIO release restores, with a note", () => {
    const minor = compatibility(swap("postgres", "postgres:16.4-alpine"), STACK);
    assert.deepEqual(minor.refusals, []);
    assert.match(minor.notes[0] ?? "", /saved with postgres:16\.4-alpine/);
    assert.deepEqual(compatibility(swap("nats", "nats:3.0.0-alpine"), STACK).refusals, []);
  });

  test("a service the stack does not run cannot be restored into", () => {
    const result = compatibility(STACK, STACK.slice(1));
    assert.match(result.refusals[0] ?? "", /no postgres container/);
  });
});

describe("archive checksums", () => {
  const archives = [
    { service: "postgres", volume: "postgres-data", file: "postgres.tar", bytes: 10, sha256: "a".repeat(64) },
    { service: "nats", volume: "nats-data", file: "nats.tar", bytes: 5, sha256: "b".repeat(64) },
  ];
  test("every archive as written passes", () => {
    const onDisk = new Map(archives.map((a) => [a.file, { bytes: a.bytes, sha256: a.sha256 }]));
    assert.deepEqual(checksumProblems(archives, onDisk), []);
  });
  test("a missing, truncated or altered archive is named", () => {
    const onDisk = new Map([
      ["postgres.tar", { bytes: 10, sha256: "c".repeat(64) }],
      ["nats.tar", undefined],
    ]);
    assert.deepEqual(checksumProblems(archives, onDisk), [
      "postgres.tar does not match its sha256 in the manifest",
      "nats.tar is missing",
    ]);
    const short = new Map([["postgres.tar", { bytes: 9, sha256: "a".repeat(64) }]]);
    assert.match(checksumProblems(archives.slice(0, 1), short)[0] ?? "", /9 bytes, the manifest says 10/);
  });
});

describe("the manifest", () => {
  test("a damaged manifest says what is wrong instead of passing", () => {
    assert.match((parseManifest("{") as { problem: string }).problem, /not JSON/);
    const noArchives = JSON.stringify({ schemaVersion: 1, name: "x" });
    assert.ok("problem" in parseManifest(noArchives));
    const pathInFile = {
      schemaVersion: 1,
      name: "x",
      createdAt: "2026-01-01T00:00:00Z",
      project: "p",
      stoppedSeconds: 1,
      services: [],
      migrations: [],
      archives: [
        { service: "nats", volume: "nats-data", file: "../x.tar", bytes: 1, sha256: "a".repeat(64) },
      ],
    };
    assert.match(
      (parseManifest(JSON.stringify(pathInFile)) as { problem: string }).problem,
      /archives\.0\.file/,
    );
  });
  test("ages read as a person says them", () => {
    assert.equal(formatAge(5_000), "5 seconds ago");
    assert.equal(formatAge(3_600_000), "1 hour ago");
    assert.equal(formatAge(3 * 86_400_000), "3 days ago");
  });
});

describe("free space for a snapshot", () => {
  const MiB = 1024 ** 2;
  const sizes = [
    { service: "postgres", bytes: 400 * MiB },
    { service: "opensearch", bytes: 600 * MiB },
  ];
  test("refuses when the folder's disk cannot hold the archives with a margin, and says how much is needed", () => {
    assert.deepEqual(spaceShortfall(sizes, 1000 * MiB), { needed: 1164 * MiB, free: 1000 * MiB });
    assert.equal(spaceShortfall(sizes, 1164 * MiB), undefined);
    assert.equal(spaceShortfall([], 64 * MiB), undefined);
  });
  test("reads du's sizes per volume, and nothing when one is missing", () => {
    assert.deepEqual(parseDuKibibytes("12\t/volumes/1\n3\t/volumes/0\n", 2), [3 * 1024, 12 * 1024]);
    assert.equal(parseDuKibibytes("du: /volumes/1: Permission denied\n3\t/volumes/0\n", 2), undefined);
  });
});

describe("an archive counts as complete only with tar's end-of-archive marker", () => {
  test("a whole archive from tar passes; one cut short, empty or cut inside a block does not", () => {
    const dir = mkdtempSync(join(tmpdir(), "wpdb-tar-"));
    try {
      writeFileSync(join(dir, "row"), "x".repeat(3000));
      const archive = execFileSync("tar", ["-C", dir, "-cf", "-", "."]);
      assert.equal(tarLooksComplete(archive.length, archive), true);
      const cutAtBlock = archive.subarray(0, 1536);
      assert.equal(tarLooksComplete(cutAtBlock.length, cutAtBlock), false);
      const cutInside = archive.subarray(0, archive.length - 100);
      assert.equal(tarLooksComplete(cutInside.length, cutInside), false);
      assert.equal(tarLooksComplete(0, Buffer.alloc(0)), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
