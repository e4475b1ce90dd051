import assert from "node:assert/strict";
import { test } from "node:test";
import { stripVTControlCharacters } from "node:util";
import { Progress } from "../../src/output/progress.ts";
import { renderTable } from "../../src/output/table.ts";

const fakeStream = (isTTY: boolean) => {
  const written: string[] = [];
  const stream = {
    isTTY,
    columns: 120,
    write: (s: string) => written.push(s) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
};

test("not a TTY: one plain line per state change with elapsed time, and a heartbeat of what still waits", () => {
  let now = 0;
  const { stream, written } = fakeStream(false);
  const progress = new Progress(["postgres", "nats"], { stream, now: () => now });
  now = 1200;
  progress.update("postgres", "waiting", "connection refused");
  progress.update("postgres", "waiting", "connection refused");
  now = 3400;
  progress.update("postgres", "ready");
  progress.heartbeat();
  progress.stop();
  const text = stripVTControlCharacters(written.join(""));
  assert.deepEqual(text.trimEnd().split("\n"), [
    "… postgres  waiting 1.2s: connection refused",
    "✔ postgres  ready after 3.4s",
    "still waiting (3.4s): nats",
  ]);
  assert.ok(!written.join("").includes("\x1b[2K"), "no line-clearing codes outside a TTY");
});

test("on a TTY the lines are redrawn in place", () => {
  const { stream, written } = fakeStream(true);
  const progress = new Progress(["loki"], { stream });
  progress.update("loki", "ready");
  progress.stop();
  assert.ok(
    written.some((w) => w.includes("\x1b[1A")),
    "cursor moves up to redraw",
  );
});

test("held progress writes nothing until shown, then where each item stands, with its time from the start", () => {
  let now = 0;
  const { stream, written } = fakeStream(false);
  const progress = new Progress(["postgres", "nats", "loki"], { stream, now: () => now, held: true });
  now = 800;
  progress.update("postgres", "waiting", "connection refused");
  now = 2100;
  progress.update("postgres", "ready");
  progress.update("nats", "waiting", "connection refused");
  now = 10_000;
  progress.heartbeat();
  assert.deepEqual(written, [], "nothing while held (Compose's progress owns the terminal)");
  progress.show();
  now = 11_500;
  progress.update("nats", "ready");
  progress.stop();
  assert.deepEqual(stripVTControlCharacters(written.join("")).trimEnd().split("\n"), [
    "✔ postgres  ready after 2.1s",
    "… nats      waiting 10.0s: connection refused",
    "✔ nats      ready after 11.5s",
  ]);
});

test("held progress whose items all settled before it was shown is drawn once on a TTY, then never again", async () => {
  const { stream, written } = fakeStream(true);
  const progress = new Progress(["loki", "nats"], { stream, held: true });
  progress.update("loki", "ready");
  progress.update("nats", "ready");
  progress.stop();
  progress.show();
  const drawn = written.length;
  assert.ok(drawn > 0, "shown once");
  assert.match(stripVTControlCharacters(written.join("")), /loki\s+ready after/);
  // The live redraw runs every 250 ms: a second of silence means no timer is left drawing over what follows.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(written.length, drawn);
});

test("held progress abandoned before it is shown leaves the terminal untouched", () => {
  const { stream, written } = fakeStream(true);
  const progress = new Progress(["loki"], { stream, held: true });
  progress.update("loki", "waiting", "connection refused");
  progress.stop();
  assert.deepEqual(written, []);
});

test("tables mask passwords in URLs", () => {
  const table = renderTable(["service", "url"], [["postgres", "postgres://u:secret99@localhost:5432/db"]]);
  assert.ok(!table.includes("secret99"));
  assert.match(table, /postgres:\/\/u:\*\*\*\*@localhost:5432\/db/);
});
