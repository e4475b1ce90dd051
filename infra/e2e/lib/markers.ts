// Data the suite writes to prove persistence: a row, an object, an indexed document and a stream message,
// each carrying the run's unique marker. They survive stop + start (named volumes kept) and are gone after
// a confirmed reset (volumes deleted). Each check answers present/absent, or throws when the service
// cannot say (so "absent" never hides a service that is down).
import { Client as OpenSearchClient } from "@opensearch-project/opensearch";
import { Client as MinioClient } from "minio";
import { connect, type NatsConnection, StorageType, StringCodec } from "nats";
import pg from "pg";

const TABLE = "e2e_marker";
const OBJECT_KEY = "e2e/marker.txt";
const INDEX = "e2e-marker";
const STREAM = "E2E_MARKER";
const SUBJECT = "e2e.marker";

export type MarkerPresence = Record<"postgres" | "minio" | "opensearch" | "nats", boolean>;

type Vars = Record<string, string>;

/** One service's marker: write it, and tell whether it is there. */
export interface MarkerStore {
  service: keyof MarkerPresence;
  write: (marker: string) => Promise<void>;
  has: (marker: string) => Promise<boolean>;
}

function errorCode(error: unknown): string {
  const e = error as { code?: unknown; api_error?: { err_code?: number }; meta?: { statusCode?: number } };
  return String(e.api_error?.err_code ?? e.meta?.statusCode ?? e.code ?? "");
}

export function postgresMarker(vars: Vars): MarkerStore {
  const withClient = async <T>(use: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: vars.DATABASE_URL, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  };
  return {
    service: "postgres",
    write: (marker) =>
      withClient(async (client) => {
        await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (marker text PRIMARY KEY)`);
        await client.query(`INSERT INTO ${TABLE} (marker) VALUES ($1) ON CONFLICT DO NOTHING`, [marker]);
      }),
    has: (marker) =>
      withClient(async (client) => {
        const table = await client.query("SELECT to_regclass($1) AS t", [`public.${TABLE}`]);
        if (!table.rows[0]?.t) return false;
        const rows = await client.query(`SELECT 1 FROM ${TABLE} WHERE marker = $1`, [marker]);
        return rows.rowCount === 1;
      }),
  };
}

export function minioMarker(vars: Vars): MarkerStore {
  const endpoint = new URL(vars.S3_ENDPOINT ?? `http://127.0.0.1:${vars.MINIO_API_PORT}`);
  const client = new MinioClient({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port || (endpoint.protocol === "https:" ? 443 : 80)),
    useSSL: endpoint.protocol === "https:",
    accessKey: vars.MINIO_ROOT_USER ?? "",
    secretKey: vars.MINIO_ROOT_PASSWORD ?? "",
  });
  const bucket = vars.MINIO_BUCKET ?? "";
  return {
    service: "minio",
    write: async (marker) => {
      await client.putObject(bucket, OBJECT_KEY, Buffer.from(marker));
    },
    has: async (marker) => {
      try {
        const stream = await client.getObject(bucket, OBJECT_KEY);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString("utf8") === marker;
      } catch (error) {
        if (/^(NoSuchKey|NoSuchBucket|NotFound)$/.test(errorCode(error))) return false;
        throw error;
      }
    },
  };
}

export function opensearchMarker(vars: Vars): MarkerStore {
  const client = new OpenSearchClient({ node: vars.OPENSEARCH_URL ?? "", requestTimeout: 10000 });
  return {
    service: "opensearch",
    write: async (marker) => {
      const exists = await client.indices.exists({ index: INDEX });
      if (!exists.body) {
        // One node: replicas would leave the index yellow forever.
        await client.indices.create({ index: INDEX, body: { settings: { number_of_replicas: 0 } } });
      }
      await client.index({ index: INDEX, id: "marker", body: { marker }, refresh: true });
    },
    has: async (marker) => {
      const doc = await client.get({ index: INDEX, id: "marker" }, { ignore: [404] });
      const body = doc.body as { found?: boolean; _source?: { marker?: string } };
      return body.found === true && body._source?.marker === marker;
    },
  };
}

export function natsMarker(vars: Vars): MarkerStore {
  const withConnection = async <T>(use: (nc: NatsConnection) => Promise<T>): Promise<T> => {
    const nc = await connect({
      servers: vars.NATS_URL ?? "",
      timeout: 5000,
      ...(vars.NATS_USER ? { user: vars.NATS_USER, pass: vars.NATS_PASSWORD ?? "" } : {}),
    });
    try {
      return await use(nc);
    } finally {
      await nc.close();
    }
  };
  return {
    service: "nats",
    write: (marker) =>
      withConnection(async (nc) => {
        const jsm = await nc.jetstreamManager();
        await jsm.streams.add({
          name: STREAM,
          subjects: [SUBJECT],
          storage: StorageType.File,
          num_replicas: 1,
        });
        await nc.jetstream().publish(SUBJECT, StringCodec().encode(marker));
      }),
    has: (marker) =>
      withConnection(async (nc) => {
        const jsm = await nc.jetstreamManager();
        try {
          const message = await jsm.streams.getMessage(STREAM, { last_by_subj: SUBJECT });
          return StringCodec().decode(message.data) === marker;
        } catch (error) {
          // 10059: stream not found; 10037: no message found.
          if (/^(10059|10037)$/.test(errorCode(error))) return false;
          throw error;
        }
      }),
  };
}

export function markerStores(vars: Vars): MarkerStore[] {
  return [postgresMarker(vars), minioMarker(vars), opensearchMarker(vars), natsMarker(vars)];
}

export async function writeMarkers(vars: Vars, marker: string): Promise<void> {
  for (const store of markerStores(vars)) await store.write(marker);
}

export async function readMarkers(vars: Vars, marker: string): Promise<MarkerPresence> {
  const presence: Partial<MarkerPresence> = {};
  for (const store of markerStores(vars)) presence[store.service] = await store.has(marker);
  return presence as MarkerPresence;
}

/** Which services disagree with the expectation, as a readable list (empty when all agree). */
export function presenceMismatches(presence: MarkerPresence, expected: boolean): string[] {
  return Object.entries(presence)
    .filter(([, present]) => present !== expected)
    .map(([service]) => `${service}: marker ${expected ? "missing" : "still present"}`);
}
