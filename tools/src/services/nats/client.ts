import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AckPolicy,
  type ConnectionOptions,
  type ConsumerConfig,
  connect,
  credsAuthenticator,
  DeliverPolicy,
  ErrorCode,
  headers,
  type NatsConnection,
  nanos,
  type StreamConfig,
} from "nats";
import type { Config } from "../../config/env.ts";
import { type ServiceContext, serviceError, UserError } from "../../errors.ts";
import { maskUrl } from "../../output/mask.ts";
import { readSeedFile } from "../../seed/files.ts";
import {
  CONSUMER_UPDATABLE,
  type ConsumerSpec,
  decideDrift,
  STREAM_UPDATABLE,
  type StreamSpec,
  streamDeclaredConfig,
  streamsFileSchema,
} from "../../seed/nats-spec.ts";
import type { ResourceResult } from "../../seed/result.ts";
import { PROBE_ATTEMPT_TIMEOUT_MS, type ReadinessProbe, withTimeout } from "../probe.ts";
import { planNatsProbe } from "../verify-rules.ts";
import { NATS_DURABLE, NATS_STREAM, PROBE_HEADER } from "./index.ts";

export function natsContext(config: Config, action?: string): ServiceContext {
  return {
    service: "nats",
    endpoint: config.nats.url,
    endpointVariables: "NATS_URL (or NATS_PORT)",
    credentialVariables: "NATS_USER / NATS_PASSWORD or NATS_CREDS_FILE",
    action,
  };
}

export async function natsConnectionOptions(config: Config): Promise<ConnectionOptions> {
  const { url, user, password, credsFile } = config.nats;
  const options: ConnectionOptions = {
    servers: url,
    name: "wallpaperdb-infra",
    timeout: PROBE_ATTEMPT_TIMEOUT_MS,
    reconnect: false,
    maxReconnectAttempts: 0,
  };
  if (url.startsWith("tls://")) options.tls = {};
  if (user !== undefined) {
    options.user = user;
    if (password !== undefined) options.pass = password;
  }
  if (credsFile !== undefined) {
    let creds: Uint8Array;
    try {
      creds = await readFile(credsFile);
    } catch (error) {
      throw new UserError(`cannot read the NATS credentials file: ${(error as Error).message}`, {
        where: credsFile,
        fix: "set NATS_CREDS_FILE in .env to the path of a readable .creds file",
      });
    }
    options.authenticator = credsAuthenticator(creds);
  }
  return options;
}

/**
 * A server without JetStream answers the JetStream API with 503 (nats.js: ErrorCode.JetStreamNotEnabled);
 * say that, and how to turn it on, instead of "failed: 503".
 */
function natsFailure(config: Config, action: string, error: unknown): UserError {
  if ((error as { code?: unknown }).code !== ErrorCode.JetStreamNotEnabled)
    return serviceError(natsContext(config, action), error);
  return new UserError(
    "nats has JetStream turned off: the streams and consumers of infra/init/nats need it",
    {
      where: `nats at ${maskUrl(config.nats.url)}`,
      fix: "run a nats-server with JetStream: make start does (infra/config/nats/nats.conf has its jetstream block); another server needs -js or a jetstream {} block, or point NATS_URL in .env at one that has it",
      cause: error,
    },
  );
}

/** Connects with the config's credentials; errors become UserErrors naming NATS and the fix. */
export async function connectNats(config: Config, action: string): Promise<NatsConnection> {
  const options = await natsConnectionOptions(config);
  // The client's own timeout does not cover every half-open case; a connection that still
  // completes after our deadline is closed instead of left holding the process open.
  const pending = connect(options);
  try {
    return await withTimeout(pending, PROBE_ATTEMPT_TIMEOUT_MS, "NATS connect");
  } catch (error) {
    pending
      .then(
        (late) => late.close(),
        () => {},
      )
      .catch(() => {});
    throw serviceError(natsContext(config, action), error);
  }
}

export const natsProbe: ReadinessProbe = {
  service: "nats",
  checks: "connect + JetStream account info",
  check: async (config) => {
    const nc = await connectNats(config, "probing readiness");
    try {
      const jsm = await nc.jetstreamManager({ timeout: PROBE_ATTEMPT_TIMEOUT_MS });
      const info = await jsm.getAccountInfo();
      return `JetStream on, ${info.streams} stream(s)`;
    } catch (error) {
      throw natsFailure(config, "probing readiness", error);
    } finally {
      await nc.close().catch(() => {});
    }
  },
};

// ---------------------------------------------------------------- seeding ----

export const streamsFile = (initDir: string) => join(initDir, "nats", "streams.yaml");

/** JetStream API error codes (nats-server errors.json). */
const JS_STREAM_NOT_FOUND = 10059;
const JS_STREAM_NAME_IN_USE = 10058;
const JS_CONSUMER_NOT_FOUND = 10014;
const JS_CONSUMER_EXISTS = 10148;
const JS_CONSUMER_NAME_EXISTS = 10013;

function jsErrorCode(error: unknown): number | undefined {
  const api = (error as { api_error?: { err_code?: number } }).api_error;
  return api?.err_code;
}

type Jsm = Awaited<ReturnType<NatsConnection["jetstreamManager"]>>;

async function streamInfo(jsm: Jsm, name: string): Promise<StreamConfig | undefined> {
  try {
    return (await jsm.streams.info(name)).config;
  } catch (error) {
    if (jsErrorCode(error) === JS_STREAM_NOT_FOUND) return undefined;
    throw error;
  }
}

async function consumerInfo(jsm: Jsm, stream: string, name: string): Promise<ConsumerConfig | undefined> {
  try {
    return (await jsm.consumers.info(stream, name)).config;
  } catch (error) {
    if (jsErrorCode(error) === JS_CONSUMER_NOT_FOUND) return undefined;
    throw error;
  }
}

function resultOf(
  kind: string,
  name: string,
  decision: ReturnType<typeof decideDrift>,
  updated: boolean,
): ResourceResult {
  return {
    service: "nats",
    kind,
    name,
    outcome: updated ? "updated" : "unchanged",
    ...(updated ? { detail: decision.changes.join("; ") } : {}),
    ...(decision.drift.length > 0 ? { drift: decision.drift } : {}),
  };
}

/**
 * JetStream answers an `add` of an existing stream/consumer with the SAME config as a success, so two
 * seeders racing on a fresh server would both report "created". A per-run marker in the metadata makes the
 * configs differ: the loser gets "already in use" (10058/10148) and converges like an existing resource.
 * The marker stays as harmless provenance; the seeder never compares metadata.
 */
const CREATE_MARKER = "wallpaperdb_seed_create_id";
const withCreateMarker = <T extends { metadata?: Record<string, string> }>(config: T): T => ({
  ...config,
  metadata: { ...config.metadata, [CREATE_MARKER]: randomUUID() },
});

/**
 * Info → compare owned fields → add or update. A create race with another seeder (10058/10148)
 * re-reads and converges like an existing resource.
 */
async function convergeStream(jsm: Jsm, spec: StreamSpec): Promise<ResourceResult> {
  const declared = streamDeclaredConfig(spec);
  let current = await streamInfo(jsm, spec.name);
  if (current === undefined) {
    try {
      await jsm.streams.add(withCreateMarker(declared as Partial<StreamConfig>));
      return { service: "nats", kind: "stream", name: spec.name, outcome: "created" };
    } catch (error) {
      if (jsErrorCode(error) !== JS_STREAM_NAME_IN_USE) throw error;
      current = await streamInfo(jsm, spec.name);
      if (current === undefined) throw error;
    }
  }
  const decision = decideDrift(declared, current as unknown as Record<string, unknown>, STREAM_UPDATABLE);
  if (decision.action === "update") {
    await jsm.streams.update(spec.name, decision.update as Partial<StreamConfig>);
    return resultOf("stream", spec.name, decision, true);
  }
  return resultOf("stream", spec.name, decision, false);
}

async function convergeConsumer(jsm: Jsm, stream: string, spec: ConsumerSpec): Promise<ResourceResult> {
  const name = `${stream}/${spec.durable_name}`;
  let current = await consumerInfo(jsm, stream, spec.durable_name);
  if (current === undefined) {
    try {
      await jsm.consumers.add(stream, withCreateMarker(spec as Partial<ConsumerConfig>));
      return { service: "nats", kind: "consumer", name, outcome: "created" };
    } catch (error) {
      const code = jsErrorCode(error);
      if (code !== JS_CONSUMER_EXISTS && code !== JS_CONSUMER_NAME_EXISTS) throw error;
      current = await consumerInfo(jsm, stream, spec.durable_name);
      if (current === undefined) throw error;
    }
  }
  const decision = decideDrift(spec, current as unknown as Record<string, unknown>, CONSUMER_UPDATABLE);
  if (decision.action === "update") {
    await jsm.consumers.update(stream, spec.durable_name, decision.update as Partial<ConsumerConfig>);
    return resultOf("consumer", name, decision, true);
  }
  return resultOf("consumer", name, decision, false);
}

export async function seedNats(config: Config, initDir: string): Promise<ResourceResult[]> {
  const { streams } = await readSeedFile(streamsFile(initDir), streamsFileSchema);
  const nc = await connectNats(config, "seeding streams");
  try {
    const jsm = await nc.jetstreamManager({ timeout: PROBE_ATTEMPT_TIMEOUT_MS });
    const results: ResourceResult[] = [];
    for (const stream of streams) {
      results.push(await convergeStream(jsm, stream));
      for (const consumer of stream.consumers)
        results.push(await convergeConsumer(jsm, stream.name, consumer));
    }
    return results;
  } catch (error) {
    throw natsFailure(config, "seeding streams", error);
  } finally {
    await nc.close().catch(() => {});
  }
}

/** A subject matching `filter` for the probe: a wildcard filter gets `verify.<id>`, a literal one is used as is. */
export function probeSubject(filter: string, id: string): string {
  return filter.replace(/>$/, `verify.${id}`).replace(/\*/g, "verify");
}

export async function verifyNats(config: Config, id: string): Promise<string> {
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
