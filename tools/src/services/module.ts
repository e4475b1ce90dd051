/**
 * What one service module declares: everything the tools know about a service, in its folder
 * tools/src/services/<name>/. Commands iterate over the list in modules.ts and never name a service.
 * A module's index.ts stays light: client libraries are imported inside its functions, on first use.
 */
import type { Config } from "../config/env.ts";
import type { VariableRule } from "../config/schema.ts";
import type { ResourceResult } from "../seed/result.ts";
import type { TelemetryProbe } from "../telemetry/probe.ts";
import type { ReadinessProbe } from "./probe.ts";

export interface PublishedPort {
  /** The .env variable that moves it. */
  variable: string;
  defaultHostPort: number;
  containerPort: number;
  purpose: string;
}

/** The catalog entry: doctor's port checks, status's table, wait's probes and seed use it. */
export interface ServiceDefinition {
  /** The Compose service (also its host name inside the network). */
  name: string;
  /** Its Compose profile. */
  profile: string;
  /** Started only when asked for (PROFILE=<profile>), never by a plain `make start`. */
  optIn?: boolean;
  description: string;
  ports: readonly PublishedPort[];
  /** What a human opens or connects to (status table). Pure: derived from Config only. */
  humanUrl: (config: Config) => string;
  /** The endpoint the readiness probe talks to, when it is not humanUrl (MinIO: S3 API, not the console). */
  probedUrl?: (config: Config) => string;
  /** The user/password to show (the password masked) in the status table, if the service has one. */
  credentials?: (config: Config) => { user: string; password: string };
}

/** What parseConfig hands a slice: values already validated, defaults applied. */
export interface SliceInput {
  /** The validated value of a variable (its schema's output); undefined when unset without a default. */
  value: <T = string>(name: string) => T;
  /** The trimmed text as set; undefined when unset or empty. */
  raw: (name: string) => string | undefined;
  ports: Readonly<Record<string, number>>;
  /** `<scheme>://localhost:<port of the variable>`: the default endpoint of a published port. */
  local: (scheme: string, portVariable: string) => string;
}

/** A service's share of the configuration: its variables, their validation, and the typed slice built. */
export interface ConfigSlice<T extends object> {
  /** Every variable it reads besides its port variables (those come from the catalog entry). */
  variables: Readonly<Record<string, VariableRule>>;
  /** Variables that are wrong together; each entry names the one to fix. */
  conflicts?: (raw: SliceInput["raw"]) => { variable: string; expected: string }[];
  build: (input: SliceInput) => T;
  /** The secret values of the slice, masked wherever they appear. */
  secrets: (slice: T, input: SliceInput) => (string | undefined)[];
}

export interface VerifyContext {
  /** Marks everything a verify run writes. */
  id: string;
  /** The one trace, log record and metric sent through the collector for this run (sent on first use). */
  telemetry: () => TelemetryProbe;
  /** Services whose profile is not started: a check leaves out what depends on them. */
  notStarted: readonly string[];
}

/** A round trip that writes something recognisable, reads it back and removes it again. */
export interface VerifyCheck {
  what: string;
  run: (config: Config, context: VerifyContext) => Promise<string | undefined>;
}

/** A named volume and where the service mounts it. */
export interface VolumeMount {
  volume: string;
  mountPath: string;
}

/** The volume of a data service, and what a snapshot of it needs to know. */
export interface DataVolume extends VolumeMount {
  /** Its on-disk format changes between major versions: a snapshot goes back only into the same major. */
  majorBound?: boolean;
  /**
   * Its image has a shell, tar and cat: snapshots archive every data volume with it and doctor's bind-path
   * self-test reads a file with it, so nothing is pulled.
   */
  archiver?: boolean;
  /** The schema migrations applied to the data, recorded in a snapshot's manifest. */
  appliedMigrations?: (config: Config) => Promise<string[]>;
}

export interface ServiceModule extends ServiceDefinition {
  // biome-ignore lint/suspicious/noExplicitAny: each module's slice has its own shape, merged into Config
  config?: ConfigSlice<any>;
  probe: ReadinessProbe;
  /** Converges the service to config.initDir/<name>/ (`make seed`). */
  seed?: (config: Config) => Promise<ResourceResult[]>;
  verify?: VerifyCheck;
  /** Application data: what the service keeps for the application, and a snapshot must keep. */
  data?: DataVolume;
  /** A volume whose contents can be rebuilt or lost (observability history, cached values). */
  disposable?: VolumeMount & { holds: string };
}
