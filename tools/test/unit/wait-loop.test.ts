import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { selectServices } from "../../src/commands/wait.ts";
import { parseConfig } from "../../src/config/env.ts";
import { SERVICE_NAMES } from "../../src/config/services.ts";
import type { ReadinessProbe } from "../../src/services/probe.ts";
import { waitForServices } from "../../src/services/wait-loop.ts";

const config = parseConfig({});
const probe = (service: ReadinessProbe["service"], answers: Array<string | Error>) => {
  let calls = 0;
  return {
    calls: () => calls,
    probe: {
      service,
      checks: "scripted",
      check: async () => {
        const answer = answers[Math.min(calls++, answers.length - 1)];
        if (answer instanceof Error) throw answer;
        return answer ?? "";
      },
    } satisfies ReadinessProbe,
  };
};
const refused = () => Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });

describe("waitForServices", () => {
  test("re-polls only the services that are not ready yet", async () => {
    const fast = probe("postgres", ["ready"]);
    const slow = probe("nats", [refused(), refused(), "ready"]);
    const outcomes = await waitForServices([fast.probe, slow.probe], config, {
      deadlineMs: 5000,
      intervalMs: 10,
    });
    assert.deepEqual(
      outcomes.map((o) => [o.service, o.state, o.attempts]),
      [
        ["postgres", "ready", 1],
        ["nats", "ready", 3],
      ],
    );
    assert.equal(fast.calls(), 1, "a ready service is not probed again");
  });

  test("the overall deadline ends the wait with the last reason of what is still waiting", async () => {
    const never = probe("opensearch", [refused()]);
    const started = Date.now();
    const [outcome] = await waitForServices([never.probe], config, { deadlineMs: 200, intervalMs: 20 });
    assert.equal(outcome?.state, "waiting");
    assert.equal(outcome?.detail, "connection refused");
    assert.ok(Date.now() - started < 5000, "the deadline is honoured");
    assert.ok((outcome?.attempts ?? 0) > 2);
  });

  test("a probe that never answers (half-open socket) does not stretch the wait past the deadline", async () => {
    const hung: ReadinessProbe = { service: "nats", checks: "hangs", check: () => new Promise(() => {}) };
    const started = Date.now();
    const [outcome] = await waitForServices([hung], config, { deadlineMs: 300, intervalMs: 20 });
    // The probe never settles: returning at all is the deadline at work.
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    assert.equal(outcome?.state, "waiting");
    assert.equal(outcome?.detail, "no answer in time");
  });

  test("rejected credentials are terminal: no waiting until the deadline", async () => {
    const auth = probe("postgres", [
      Object.assign(new Error("password authentication failed"), { code: "28P01" }),
    ]);
    const [outcome] = await waitForServices([auth.probe], config, { deadlineMs: 10_000, intervalMs: 10 });
    assert.equal(outcome?.state, "failed");
    assert.equal(auth.calls(), 1);
  });

  test("reports progress for each state change", async () => {
    const events: string[] = [];
    const p = probe("loki", [refused(), "ok"]);
    await waitForServices([p.probe], config, {
      deadlineMs: 1000,
      intervalMs: 5,
      onUpdate: (s, state, detail) => events.push(`${s} ${state} ${detail}`),
    });
    assert.deepEqual(events, ["loki waiting connection refused", "loki ready ok"]);
  });
});

describe("waitForServices probing ahead (beside compose up --wait)", () => {
  test("before `due` nothing is final, wrong credentials included, and no deadline runs", async () => {
    const rejected = Object.assign(new Error("password authentication failed"), { code: "28P01" });
    const initialising = probe("postgres", [rejected, rejected, "ready"]);
    const [outcome] = await waitForServices([initialising.probe], config, {
      deadlineMs: 1,
      intervalMs: 5,
      due: new Promise(() => {}),
    });
    assert.equal(outcome?.state, "ready", "a 1 ms deadline would have ended it had it run before due");
    assert.equal(initialising.calls(), 3);
  });

  test("`due` ends the pause at once: what became ready meanwhile is seen without waiting an interval", async () => {
    const late = probe("nats", [refused(), "ready"]);
    let markDue = () => {};
    const due = new Promise<void>((resolve) => (markDue = resolve));
    const waiting = waitForServices([late.probe], config, { deadlineMs: 60_000, intervalMs: 3_600_000, due });
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(late.calls(), 1, "one attempt, then the hour-long pause");
    markDue();
    const [outcome] = await waiting;
    assert.equal(outcome?.state, "ready");
    assert.equal(late.calls(), 2);
  });

  test("after `due` wrong credentials are final again and the deadline runs", async () => {
    const rejected = Object.assign(new Error("password authentication failed"), { code: "28P01" });
    const auth = probe("postgres", [rejected]);
    const [outcome] = await waitForServices([auth.probe], config, {
      deadlineMs: 60_000,
      intervalMs: 5,
      due: Promise.resolve(),
    });
    assert.equal(outcome?.state, "failed");
  });

  test("an aborted wait ends its pauses and returns what is not ready as waiting", async () => {
    const never = probe("opensearch", [refused()]);
    const abandoned = new AbortController();
    const waiting = waitForServices([never.probe], config, {
      deadlineMs: 60_000,
      intervalMs: 3_600_000,
      due: new Promise(() => {}),
      signal: abandoned.signal,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    abandoned.abort();
    const [outcome] = await waiting;
    assert.equal(outcome?.state, "waiting");
    assert.equal(outcome?.detail, "connection refused");
  });
});

describe("which services `wait` waits for", () => {
  test("every service by default (planWait narrows it), a profile's services with --profile, exactly --only", () => {
    assert.deepEqual(selectServices({}), [...SERVICE_NAMES]);
    assert.deepEqual(selectServices({ profile: ["cache"] }), ["cache"]);
    assert.deepEqual(selectServices({ profile: ["observability"] }), [
      "otel-collector",
      "prometheus",
      "loki",
      "tempo",
      "grafana",
    ]);
    assert.deepEqual(selectServices({ profile: ["core"] }), [
      "postgres",
      "minio",
      "opensearch",
      "opensearch-dashboards",
      "nats",
    ]);
    assert.deepEqual(selectServices({ only: ["nats"], profile: ["core"] }), ["nats"]);
  });
});
