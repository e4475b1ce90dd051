/**
 * `verify`: proves the running stack end to end. Every probe writes something recognisable, reads it back and
 * removes it again, so a verify run leaves no data behind and never consumes real work.
 * Client libraries are imported inside each check: registering this command costs the other commands nothing.
 */
import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import type { Config } from "../config/env.ts";
import { PROFILES, type Profile, SERVICES, serviceByName } from "../config/services.ts";
import { requireOwnProject } from "../docker/checkout.ts";
import { composeCommand, composePs, composeTarget } from "../docker/compose.ts";
import { maskText, serviceError, UserError } from "../errors.ts";
import {
  encodeGauge,
  encodeLogs,
  encodeTraces,
  newSpanId,
  newTraceId,
  nowNs,
  postOtlp,
} from "../telemetry/otlp.ts";
import { type CommandTrace, withCommandTrace } from "../telemetry/tracer.ts";
import { listOf, loadCommandConfig, profileOption } from "./shared.ts";
import { startedProfiles } from "./status.ts";
import {
  grafanaHealthOk,
  lokiHasLine,
  planNatsProbe,
  probeLogQuery,
  probeMetricQuery,
  prometheusHasSeries,
  tempoHasTrace,
} from "./verify-rules.ts";
import { type NotRunning, notRunningError, planWait, servedByStack } from "./wait.ts";

/** The JetStream stream and durable consumer seeded from infra/init/nats/streams.yaml. */
export const NATS_STREAM = "WALLPAPERS";
export const NATS_DURABLE = "enrichment";
/** Header that marks a probe message; workers on the stream must ignore messages that carry it. */
export const PROBE_HEADER = "Wallpaperdb-Probe";
/** How long the telemetry round trip may take (collector batching, Loki/Tempo ingestion, Prometheus). */
const TELEMETRY_DEADLINE_MS = 30_000;
const POLL_INTERVAL_MS = 1000;

interface Check {
  service: string;
  what: string;
  profile: Profile;
  run: () => Promise<string | undefined>;
}

export interface CheckOutcome {
  service: string;
  what: string;
  ok: boolean;
  ms: number;
  detail?: string;
  fix?: string;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function httpGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5000) });
  return { status: response.status, body: await response.text() };
}

/** Polls until `found` or the deadline; returns the attempts made. Not found: `failure` says where and what to do. */
async function pollUntil(
  deadlineMs: number,
  attempt: () => Promise<boolean>,
  what: string,
  failure: { where: string; fix: string },
): Promise<number> {
  const until = Date.now() + deadlineMs;
  let attempts = 0;
  let lastError = "";
  while (Date.now() < until) {
    attempts++;
    try {
      if (await attempt()) return attempts;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(POLL_INTERVAL_MS);
  }
  throw new UserError(
    `${what} not found after ${deadlineMs / 1000} s${lastError ? ` (last error: ${lastError})` : ""}`,
    failure,
  );
}

/** What to check when a signal sent through the collector never shows up in its backend. */
function telemetryFailure(backend: string, url: string, signal: string, variable: string) {
  return {
    where: `${backend} at ${url}`,
    fix: `make status (are otel-collector and ${backend} up?); make logs SERVICE=otel-collector, then SERVICE=${backend}; the ${signal} pipeline of infra/config/otel-collector/config.yaml; ${variable} in .env if ${backend} runs elsewhere`,
  };
}

// --------------------------------------------------------------------------------- data --

async function verifyPostgres(config: Config, id: string): Promise<string> {
  const { createPostgresClient, postgresContext } = await import("../services/postgres.ts");
  const client = createPostgresClient(config);
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("BEGIN");
    // DDL is transactional in PostgreSQL: the table and its row vanish with the rollback.
    await client.query(
      "CREATE TABLE wallpaperdb_verify_probe (id text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())",
    );
    await client.query("INSERT INTO wallpaperdb_verify_probe (id) VALUES ($1)", [id]);
    const read = await client.query<{ id: string }>("SELECT id FROM wallpaperdb_verify_probe WHERE id = $1", [
      id,
    ]);
    await client.query("ROLLBACK");
    if (read.rows[0]?.id !== id) throw new Error("the row written was not read back");
    return `database ${config.postgres.database}`;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw serviceError(postgresContext(config, "verifying a write and read"), error);
  } finally {
    await client.end().catch(() => {});
  }
}

async function verifyMinio(config: Config, id: string): Promise<string> {
  const { createS3Client, minioContext } = await import("../services/minio.ts");
  const client = createS3Client(config);
  const bucket = config.s3.bucket;
  const key = `wallpaperdb-verify/${id}.txt`;
  const content = `wallpaperdb verify probe ${id}`;
  try {
    if (!(await client.bucketExists(bucket)))
      throw new UserError(`the bucket ${bucket} does not exist`, {
        where: `minio at ${config.s3.endpoint}`,
        fix: "run `make seed` (MINIO_BUCKET names the bucket)",
      });
    await client.putObject(bucket, key, Buffer.from(content), content.length, {
      "Content-Type": "text/plain",
    });
    const stream = await client.getObject(bucket, key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    await client.removeObject(bucket, key);
    if (Buffer.concat(chunks).toString() !== content)
      throw new Error("the object read back differs from the one written");
    return `bucket ${bucket}`;
  } catch (error) {
    await client.removeObject(bucket, key).catch(() => {});
    throw serviceError(minioContext(config, "verifying put/get/delete"), error);
  }
}

async function verifyOpenSearch(config: Config, id: string): Promise<string> {
  const { createOpenSearchClient, opensearchContext } = await import("../services/opensearch.ts");
  const client = createOpenSearchClient(config);
  // Its own index, outside the seeded template's `wallpapers-*` pattern, removed afterwards.
  const index = "wallpaperdb-verify-probe";
  try {
    await client.index({ index, id, body: { probe: id, at: new Date().toISOString() }, refresh: true });
    const found = await client.search({ index, body: { query: { term: { _id: id } } } });
    const hits = (found.body as { hits?: { hits?: unknown[] } }).hits?.hits ?? [];
    await client.delete({ index, id, refresh: true });
    if (hits.length !== 1) throw new Error(`search found ${hits.length} probe documents instead of 1`);
    return `index ${index}`;
  } catch (error) {
    throw serviceError(opensearchContext(config, "verifying index/search/delete"), error);
  } finally {
    await client.indices.delete({ index }).catch(() => {});
    await client.close().catch(() => {});
  }
}

/** A subject matching `filter` for the probe: a wildcard filter gets `verify.<id>`, a literal one is used as is. */
export function probeSubject(filter: string, id: string): string {
  return filter.replace(/>$/, `verify.${id}`).replace(/\*/g, "verify");
}

async function verifyNats(config: Config, id: string): Promise<string> {
  const { connectNats, natsContext } = await import("../services/nats.ts");
  const { AckPolicy, DeliverPolicy, headers, nanos } = await import("nats");
  const nc = await connectNats(config, "verifying publish/fetch/ack");
  const marker = headers();
  marker.set(PROBE_HEADER, id);
  const body = new TextEncoder().encode(JSON.stringify({ probe: "wallpaperdb-verify", id }));
  let published: number | undefined;
  try {
    const jsm = await nc.jetstreamManager();
    const js = nc.jetstream();
    const stream = await jsm.streams.info(NATS_STREAM).catch(() => undefined);
    if (!stream)
      throw new UserError(`the JetStream stream ${NATS_STREAM} does not exist`, {
        where: `nats at ${config.nats.url}`,
        fix: "run `make seed` (infra/init/nats/streams.yaml defines it)",
      });
    const durable = await jsm.consumers.info(NATS_STREAM, NATS_DURABLE).catch(() => undefined);
    const plan = planNatsProbe(
      durable ? { numPending: durable.num_pending, numAckPending: durable.num_ack_pending } : undefined,
    );
    if (plan.kind === "missing")
      throw new UserError(`the durable consumer ${NATS_DURABLE} of ${NATS_STREAM} does not exist`, {
        where: `nats at ${config.nats.url}`,
        fix: "run `make seed`",
      });

    let consumerName = NATS_DURABLE;
    let subject: string;
    if (plan.kind === "durable") {
      subject = probeSubject(
        durable?.config.filter_subject ?? stream.config.subjects[0] ?? "wallpapers.>",
        id,
      );
    } else {
      subject = probeSubject(stream.config.subjects.find((s) => s.endsWith(">")) ?? "wallpapers.>", id);
      consumerName = `wallpaperdb-verify-${id.slice(0, 8)}`;
      await jsm.consumers.add(NATS_STREAM, {
        name: consumerName,
        filter_subject: subject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        inactive_threshold: nanos(30_000),
      });
    }
    const ack = await js.publish(subject, body, { headers: marker });
    published = ack.seq;
    const consumer = await js.consumers.get(NATS_STREAM, consumerName);
    const message = await consumer.next({ expires: 5000 });
    if (!message) throw new Error(`nothing delivered by consumer ${consumerName} within 5 s`);
    if (message.headers?.get(PROBE_HEADER) !== id) {
      // Real work arrived first (a publisher raced us): hand it back untouched for redelivery.
      message.nak();
      throw new Error(
        `consumer ${consumerName} delivered a real message before the probe; returned it (nak)`,
      );
    }
    if (!(await message.ackAck())) throw new Error("the server did not confirm the ack");
    if (consumerName !== NATS_DURABLE) await jsm.consumers.delete(NATS_STREAM, consumerName).catch(() => {});
    return plan.kind === "durable"
      ? `stream ${NATS_STREAM}, durable ${NATS_DURABLE} (subject ${subject})`
      : `stream ${NATS_STREAM}; durable ${NATS_DURABLE}: ${plan.reason}; verified with an ephemeral consumer`;
  } catch (error) {
    throw serviceError(natsContext(config, "verifying publish/fetch/ack"), error);
  } finally {
    // The probe must not be replayed to a consumer created later (deliver_policy all).
    if (published !== undefined) {
      const jsm = await nc.jetstreamManager().catch(() => undefined);
      await jsm?.streams.deleteMessage(NATS_STREAM, published).catch(() => {});
    }
    await nc.close().catch(() => {});
  }
}

// ---------------------------------------------------------------------------- telemetry --

interface TelemetryProbe {
  verifyId: string;
  traceId: string;
  sent: Promise<void>;
}

/** Sends one trace, one log record and one gauge through the collector, all marked with the verify id. */
function sendTelemetry(config: Config, verifyId: string): TelemetryProbe {
  const traceId = newTraceId();
  const spanId = newSpanId();
  const resource = {
    "service.name": "wallpaperdb-verify",
    "service.namespace": "wallpaperdb",
    "service.instance.id": verifyId,
  };
  const start = nowNs();
  const sent = (async () => {
    const results = await Promise.all([
      postOtlp(
        config.otlpHttpEndpoint,
        "traces",
        encodeTraces(resource, [
          {
            traceId,
            spanId,
            name: "verify probe",
            startNs: start,
            endNs: nowNs(),
            ok: true,
            attributes: { "verify.id": verifyId },
          },
        ]),
        5000,
      ),
      postOtlp(
        config.otlpHttpEndpoint,
        "logs",
        encodeLogs(resource, [
          {
            timeNs: nowNs(),
            body: `wallpaperdb verify probe ${verifyId}`,
            severity: "INFO",
            attributes: { "verify.id": verifyId },
            traceId,
            spanId,
          },
        ]),
        5000,
      ),
      postOtlp(
        config.otlpHttpEndpoint,
        "metrics",
        encodeGauge(resource, {
          name: "wallpaperdb.verify.probe",
          description: "1 for each make verify run",
          value: 1,
          timeNs: nowNs(),
          attributes: { "verify.id": verifyId },
        }),
        5000,
      ),
    ]);
    const failed = results.find((r) => !r.ok);
    if (failed)
      throw new UserError(
        `the collector refused or did not answer an OTLP export (${failed.error ?? `HTTP ${failed.status}`})`,
        {
          where: `otel-collector at ${config.otlpHttpEndpoint}`,
          fix: "make status (is otel-collector up?); make logs SERVICE=otel-collector; OTEL_EXPORTER_OTLP_ENDPOINT in .env",
        },
      );
  })();
  sent.catch(() => {});
  return { verifyId, traceId, sent };
}

async function findInTempo(config: Config, probe: TelemetryProbe): Promise<string> {
  await probe.sent;
  const attempts = await pollUntil(
    TELEMETRY_DEADLINE_MS,
    async () => {
      const { status, body } = await httpGet(`${config.tempoUrl}/api/v2/traces/${probe.traceId}`);
      return tempoHasTrace(status, body);
    },
    `trace ${probe.traceId} in Tempo`,
    telemetryFailure("tempo", config.tempoUrl, "traces", "TEMPO_URL"),
  );
  return `trace ${probe.traceId} (${attempts} ${attempts === 1 ? "query" : "queries"})`;
}

async function findInLoki(config: Config, probe: TelemetryProbe): Promise<string> {
  await probe.sent;
  const query = probeLogQuery(probe.verifyId);
  const start = (BigInt(Date.now()) - 600_000n) * 1_000_000n;
  await pollUntil(
    TELEMETRY_DEADLINE_MS,
    async () => {
      const url = `${config.lokiUrl}/loki/api/v1/query_range?query=${encodeURIComponent(query)}&start=${start}&limit=10`;
      const { status, body } = await httpGet(url);
      return status === 200 && lokiHasLine(body, probe.verifyId);
    },
    `log line ${query} in Loki`,
    telemetryFailure("loki", config.lokiUrl, "logs", "LOKI_URL"),
  );
  return query;
}

async function findInPrometheus(config: Config, probe: TelemetryProbe): Promise<string> {
  await probe.sent;
  const query = probeMetricQuery(probe.verifyId);
  await pollUntil(
    TELEMETRY_DEADLINE_MS,
    async () => {
      const { status, body } = await httpGet(
        `${config.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
      );
      return status === 200 && prometheusHasSeries(body);
    },
    `series ${query} in Prometheus`,
    telemetryFailure("prometheus", config.prometheusUrl, "metrics", "PROMETHEUS_URL"),
  );
  return query;
}

/**
 * Every provisioned datasource answers its own health check, except those of a profile that is not verified
 * (the postgres datasource while core is not started).
 */
async function verifyGrafanaDatasources(config: Config, unverified: readonly string[]): Promise<string> {
  const auth = `Basic ${Buffer.from(`${config.grafana.user}:${config.grafana.password}`).toString("base64")}`;
  // Not reachable at all ("fetch failed"): the service message, with the fix.
  const list = await httpGet(`${config.grafana.url}/api/datasources`, { authorization: auth }).catch(
    (error: unknown) => {
      throw serviceError(
        {
          service: "grafana",
          endpoint: config.grafana.url,
          endpointVariables: "GRAFANA_URL (or GRAFANA_PORT)",
          credentialVariables: "GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD",
          action: "listing its datasources",
        },
        error,
      );
    },
  );
  if (list.status === 401)
    throw new UserError("Grafana rejected the admin credentials", {
      where: `grafana at ${config.grafana.url}`,
      fix: "check GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD in .env (they apply when the grafana-data volume is created; make reset recreates it)",
    });
  if (list.status !== 200) throw new Error(`GET /api/datasources answered HTTP ${list.status}`);
  const datasources = JSON.parse(list.body) as { uid: string; name: string; type: string }[];
  const expected = ["prometheus", "loki", "tempo", "postgres"].filter((uid) => !unverified.includes(uid));
  const missing = expected.filter((uid) => !datasources.some((d) => d.uid === uid));
  const results = await Promise.all(
    datasources
      .filter((d) => !unverified.includes(d.uid))
      .map(async (d) => {
        const health = await httpGet(`${config.grafana.url}/api/datasources/uid/${d.uid}/health`, {
          authorization: auth,
        });
        return { uid: d.uid, ...grafanaHealthOk(health.status, health.body) };
      }),
  );
  const broken = results.filter((r) => !r.ok);
  if (missing.length > 0 || broken.length > 0)
    throw new UserError(
      [
        missing.length > 0 ? `datasource(s) not provisioned: ${missing.join(", ")}` : "",
        ...broken.map((b) => `datasource ${b.uid}: ${b.message}`),
      ]
        .filter((s) => s !== "")
        .join("; "),
      {
        where: `grafana at ${config.grafana.url}`,
        fix: "make status (are prometheus, loki, tempo and postgres up?); provisioning: infra/config/grafana/provisioning/datasources/",
      },
    );
  const skipped = unverified.length > 0 ? ` (not checked: ${unverified.join(", ")}, not started)` : "";
  return `${results.map((r) => `${r.uid} OK`).join(", ")}${skipped}`;
}

// ------------------------------------------------------------------------------ command --

function checksFor(
  config: Config,
  profiles: readonly Profile[],
  only: readonly string[],
  notStarted: readonly Profile[],
): Check[] {
  const id = randomUUID();
  const checks: Check[] = [
    {
      service: "postgres",
      what: "write + read in a rolled-back transaction",
      profile: "core",
      run: () => verifyPostgres(config, id),
    },
    {
      service: "minio",
      what: "put / get / delete of a probe object",
      profile: "core",
      run: () => verifyMinio(config, id),
    },
    {
      service: "opensearch",
      what: "index / search / delete of a probe document",
      profile: "core",
      run: () => verifyOpenSearch(config, id),
    },
    {
      service: "nats",
      what: `publish to ${NATS_STREAM}, fetch + ack with ${NATS_DURABLE}`,
      profile: "core",
      run: () => verifyNats(config, id),
    },
  ];
  const wanted = (service: string) => only.length === 0 || only.includes(service);
  if (profiles.includes("observability") && ["tempo", "loki", "prometheus"].some(wanted)) {
    const probe = sendTelemetry(config, id);
    checks.push(
      {
        service: "tempo",
        what: "a trace sent via the collector, found by id",
        profile: "observability",
        run: () => findInTempo(config, probe),
      },
      {
        service: "loki",
        what: "a log record sent via the collector, found by label",
        profile: "observability",
        run: () => findInLoki(config, probe),
      },
      {
        service: "prometheus",
        what: "a metric sent via the collector, found by name",
        profile: "observability",
        run: () => findInPrometheus(config, probe),
      },
    );
  }
  checks.push({
    service: "grafana",
    what: "health of every datasource",
    profile: "observability",
    run: () => verifyGrafanaDatasources(config, notStarted.includes("core") ? ["postgres"] : []),
  });
  return checks.filter((c) => profiles.includes(c.profile) && wanted(c.service));
}

function formatOutcome(o: CheckOutcome, width: number): string {
  const took = o.ms < 1000 ? `${Math.round(o.ms)} ms` : `${(o.ms / 1000).toFixed(1)} s`;
  const head = `${o.ok ? "✓" : "✗"} ${o.service.padEnd(width)}  ${o.what} (${took})`;
  if (o.ok) return `${head}${o.detail ? `: ${o.detail}` : ""}`;
  return `${head}\n    ${o.detail ?? "failed"}${o.fix ? `\n    fix: ${o.fix}` : ""}`;
}

async function runCheck(trace: CommandTrace, check: Check): Promise<CheckOutcome> {
  const started = performance.now();
  try {
    const detail = await trace.step(check.service, "verify", check.run);
    return {
      service: check.service,
      what: check.what,
      ok: true,
      ms: performance.now() - started,
      ...(detail ? { detail } : {}),
    };
  } catch (error) {
    const ms = performance.now() - started;
    if (error instanceof UserError)
      return {
        service: check.service,
        what: check.what,
        ok: false,
        ms,
        detail: `${error.message}${error.where ? ` (${error.where})` : ""}`,
        fix: error.fix,
      };
    return {
      service: check.service,
      what: check.what,
      ok: false,
      ms,
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

export const VERIFIED_SERVICES = [
  "postgres",
  "minio",
  "opensearch",
  "nats",
  "tempo",
  "loki",
  "prometheus",
  "grafana",
];

/** Runs the checks in parallel and writes one line per check as it finishes, then a summary line. */
export async function runVerify(
  config: Config,
  profiles: readonly Profile[],
  only: readonly string[],
  trace: CommandTrace,
  write: (text: string) => void,
  notStarted: readonly Profile[] = [],
  notRunning: readonly NotRunning[] = [],
): Promise<CheckOutcome[]> {
  // A paused or stopped container cannot answer: say so from the engine instead of timing out on it.
  const checks = checksFor(config, profiles, only, notStarted).map((check) => {
    const down = notRunning.find((n) => n.service === check.service);
    if (!down) return check;
    return {
      ...check,
      run: async (): Promise<string | undefined> => {
        throw notRunningError(config.composeProjectName, [down], true);
      },
    };
  });
  if (checks.length === 0)
    throw new UserError("nothing to verify for this selection", {
      fix: `choose from ${VERIFIED_SERVICES.join(", ")}`,
    });
  const width = Math.max(...checks.map((c) => c.service.length));
  write(`Verifying ${profiles.join(" + ")} (${checks.length} checks)...\n`);
  const outcomes = await Promise.all(
    checks.map(async (check) => {
      const outcome = await runCheck(trace, check);
      write(`${maskText(formatOutcome(outcome, width))}\n`);
      return outcome;
    }),
  );
  const failed = outcomes.filter((o) => !o.ok);
  write(
    failed.length === 0
      ? `✓ all ${outcomes.length} checks passed\n`
      : `✗ ${failed.length} of ${outcomes.length} checks failed: ${failed.map((f) => f.service).join(", ")}\n`,
  );
  return outcomes;
}

/**
 * The profiles to verify: flags, else those the engine runs. When nothing runs here (no engine, or a stack
 * that runs elsewhere) every check runs and says what does not answer. notStarted: profiles that do not run.
 */
async function profilesToVerify(
  config: Config,
  requested: Profile[],
): Promise<{ profiles: Profile[]; notStarted: Profile[]; notRunning: NotRunning[] }> {
  const command = await composeCommand();
  if (command) await requireOwnProject(composeTarget(command, config));
  const containers = command ? await composePs(composeTarget(command, config)).catch(() => []) : [];
  const started = startedProfiles(containers);
  const notStarted = started.length > 0 ? PROFILES.filter((p) => !started.includes(p)) : [];
  const profiles = requested.length > 0 ? requested : PROFILES.filter((p) => !notStarted.includes(p));
  const stackServices = new Set(SERVICES.filter((s) => servedByStack(s, config)).map((s) => s.name));
  const inProfiles = SERVICES.filter((s) => profiles.includes(s.profile)).map((s) => s.name);
  const notRunning =
    started.length > 0 ? planWait(inProfiles, true, stackServices, containers).notRunning : [];
  return { profiles, notStarted, notRunning };
}

/** Pure: the line naming a profile verify left out because it is not started, and the command that adds it. */
export function skippedProfileLine(profile: Profile): string {
  const checks = VERIFIED_SERVICES.filter((s) => serviceByName(s)?.profile === profile);
  return `- skipped ${profile} (${checks.join(", ")}): not started; make start PROFILE=${profile} adds it\n`;
}

export function registerVerifyCommand(program: Command): void {
  program
    .command("verify")
    .description(
      "Prove the running stack end to end: write and read every service, and a telemetry round trip",
    )
    .addOption(profileOption("verify only a profile's services"))
    .option(
      "--only <services>",
      `comma-separated checks (${VERIFIED_SERVICES.join(", ")})`,
      listOf(VERIFIED_SERVICES, "check"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n  make verify\n  tsx src/cli.ts verify --profile core\n  tsx src/cli.ts verify --only postgres,nats",
    )
    .action(async (flags: { profile?: Profile[]; only?: string[] }) => {
      await withCommandTrace("verify", async (trace) => {
        const config = loadCommandConfig();
        trace.configure(config);
        const { profiles, notStarted, notRunning } = await profilesToVerify(config, flags.profile ?? []);
        for (const profile of notStarted.filter((p) => !profiles.includes(p)))
          process.stdout.write(skippedProfileLine(profile));
        const outcomes = await runVerify(
          config,
          profiles,
          flags.only ?? [],
          trace,
          (line) => process.stdout.write(line),
          notStarted,
          notRunning,
        );
        const failed = outcomes.filter((o) => !o.ok);
        if (failed.length > 0) process.exitCode = 1;
        return failed.length === 0;
      });
    });
}
