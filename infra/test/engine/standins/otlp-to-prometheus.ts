/**
 * OTLP/JSON metrics -> Prometheus series, pure, the way Prometheus' own OTLP receiver translates them
 * (default strategy UnderscoreEscapingWithSuffixes; names by prometheusNameForOtlpMetric): data point
 * attributes and promoted resource attributes become labels, service.name/namespace become `job`,
 * service.instance.id `instance`, the rest of the resource goes to `target_info`. Delta sums and
 * exponential histograms are dropped with a reason (Prometheus drops deltas without a feature flag).
 */
import { attributeMap, type OtlpKeyValue } from "../../../../tools/test/support/otlp-json.ts";
import { prometheusNameForOtlpMetric } from "../../../src/observability-checks.ts";
import type { Series } from "./remote-write.ts";

type Int64 = string | number;

interface NumberPoint {
  attributes?: OtlpKeyValue[];
  timeUnixNano?: Int64;
  asDouble?: number;
  asInt?: Int64;
  flags?: number;
}

interface HistogramPoint extends NumberPoint {
  count?: Int64;
  sum?: number;
  bucketCounts?: Int64[];
  explicitBounds?: number[];
}

interface SummaryPoint extends NumberPoint {
  count?: Int64;
  sum?: number;
  quantileValues?: { quantile?: number; value?: number }[];
}

/** Enums arrive as numbers in OTLP/JSON; lenient senders write their names. */
type Temporality = number | string | undefined;

export interface OtlpMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints?: NumberPoint[] };
  sum?: { dataPoints?: NumberPoint[]; aggregationTemporality?: Temporality; isMonotonic?: boolean };
  histogram?: { dataPoints?: HistogramPoint[]; aggregationTemporality?: Temporality };
  exponentialHistogram?: unknown;
  summary?: { dataPoints?: SummaryPoint[] };
}

export interface ResourceMetrics {
  resource?: { attributes?: OtlpKeyValue[] };
  scopeMetrics?: { metrics?: OtlpMetric[] }[];
}

/** The `otlp:` block of prometheus.yml that the translation honours. */
export interface OtlpTranslation {
  promote: readonly string[];
  promoteAll: boolean;
  ignore: readonly string[];
  keepIdentifying: boolean;
}

export const NO_PROMOTION: OtlpTranslation = {
  promote: [],
  promoteAll: false,
  ignore: [],
  keepIdentifying: false,
};

export function otlpTranslationFrom(prometheusConfig: unknown): OtlpTranslation {
  const otlp = ((prometheusConfig as { otlp?: Record<string, unknown> } | null)?.otlp ?? {}) as Record<
    string,
    unknown
  >;
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  return {
    promote: list(otlp.promote_resource_attributes),
    promoteAll: otlp.promote_all_resource_attributes === true,
    ignore: list(otlp.ignore_resource_attributes),
    keepIdentifying: otlp.keep_identifying_resource_attributes === true,
  };
}

/** Prometheus' label-name rule for OTLP attributes. */
export function normalizeLabel(name: string): string {
  const label = name.replace(/[^a-zA-Z0-9_]/g, "_");
  if (/^[0-9]/.test(label)) return `key_${label}`;
  if (label.startsWith("_") && !label.startsWith("__")) return `key${label}`;
  return label;
}

const IDENTIFYING = ["service.name", "service.namespace", "service.instance.id"];
const CUMULATIVE = new Set<Temporality>([2, "AGGREGATION_TEMPORALITY_CUMULATIVE"]);
/** OTLP data point flag: the point carries no recorded value. */
const NO_RECORDED_VALUE = 1;

const timestampMs = (time: Int64 | undefined, now: number) =>
  time === undefined || String(time) === "0" ? now : Number(BigInt(time) / 1_000_000n);
const pointValue = (point: NumberPoint) =>
  point.asInt !== undefined ? Number(point.asInt) : (point.asDouble ?? 0);

export interface Translated {
  series: Series[];
  /** One line per metric that Prometheus would not ingest, with why. */
  dropped: string[];
}

export function translateMetrics(
  resources: readonly ResourceMetrics[],
  translation: OtlpTranslation,
  now = Date.now(),
): Translated {
  const series: Series[] = [];
  const dropped: string[] = [];
  for (const resource of resources) {
    const attributes = attributeMap(resource.resource?.attributes);
    const serviceName = attributes["service.name"];
    const namespace = attributes["service.namespace"];
    const identity: Record<string, string> = {};
    if (serviceName !== undefined) identity.job = namespace ? `${namespace}/${serviceName}` : serviceName;
    if (attributes["service.instance.id"] !== undefined)
      identity.instance = attributes["service.instance.id"];
    const promotedNames = translation.promoteAll
      ? Object.keys(attributes).filter((name) => !translation.ignore.includes(name))
      : translation.promote.filter((name) => name in attributes);
    const promoted = Object.fromEntries(
      promotedNames.map((name) => [normalizeLabel(name), attributes[name] as string]),
    );
    let latest = 0;

    const emit = (name: string, point: NumberPoint, value: number, extra: Record<string, string> = {}) => {
      if (((point.flags ?? 0) & NO_RECORDED_VALUE) !== 0) return;
      const labels: Record<string, string> = {};
      for (const [key, text] of Object.entries(attributeMap(point.attributes)))
        labels[normalizeLabel(key)] = text;
      for (const [key, text] of Object.entries(promoted)) labels[key] ??= text;
      Object.assign(labels, identity, extra, { __name__: name });
      const at = timestampMs(point.timeUnixNano, now);
      latest = Math.max(latest, at);
      series.push({ labels, samples: [{ value, timestampMs: at }] });
    };

    for (const scope of resource.scopeMetrics ?? []) {
      for (const metric of scope.metrics ?? []) {
        const unit = metric.unit ?? "";
        if (metric.gauge) {
          const name = prometheusNameForOtlpMetric(metric.name, unit, "gauge");
          for (const point of metric.gauge.dataPoints ?? []) emit(name, point, pointValue(point));
        } else if (metric.sum) {
          if (metric.sum.isMonotonic && !CUMULATIVE.has(metric.sum.aggregationTemporality)) {
            dropped.push(`${metric.name}: delta sum (Prometheus ingests cumulative sums only)`);
            continue;
          }
          const name = prometheusNameForOtlpMetric(
            metric.name,
            unit,
            metric.sum.isMonotonic ? "counter" : "updowncounter",
          );
          for (const point of metric.sum.dataPoints ?? []) emit(name, point, pointValue(point));
        } else if (metric.histogram) {
          if (!CUMULATIVE.has(metric.histogram.aggregationTemporality)) {
            dropped.push(`${metric.name}: delta histogram (Prometheus ingests cumulative histograms only)`);
            continue;
          }
          const base = prometheusNameForOtlpMetric(metric.name, unit, "histogram");
          for (const point of metric.histogram.dataPoints ?? []) {
            const bounds = point.explicitBounds ?? [];
            let cumulative = 0;
            for (const [i, count] of (point.bucketCounts ?? []).entries()) {
              cumulative += Number(count);
              emit(`${base}_bucket`, point, cumulative, {
                le: i < bounds.length ? String(bounds[i]) : "+Inf",
              });
            }
            if ((point.bucketCounts ?? []).length === 0)
              emit(`${base}_bucket`, point, Number(point.count ?? 0), { le: "+Inf" });
            if (point.sum !== undefined) emit(`${base}_sum`, point, point.sum);
            emit(`${base}_count`, point, Number(point.count ?? 0));
          }
        } else if (metric.summary) {
          const base = prometheusNameForOtlpMetric(metric.name, unit, "histogram");
          for (const point of metric.summary.dataPoints ?? []) {
            for (const q of point.quantileValues ?? [])
              emit(base, point, q.value ?? 0, { quantile: String(q.quantile ?? 0) });
            emit(`${base}_sum`, point, point.sum ?? 0);
            emit(`${base}_count`, point, Number(point.count ?? 0));
          }
        } else if (metric.exponentialHistogram) {
          dropped.push(`${metric.name}: exponential histograms are not implemented by the stand-in`);
        }
      }
    }

    const described = Object.entries(attributes).filter(
      ([name]) => translation.keepIdentifying || !IDENTIFYING.includes(name),
    );
    if (latest > 0 && Object.keys(identity).length > 0 && described.length > 0) {
      const labels: Record<string, string> = Object.fromEntries(
        described.map(([k, v]) => [normalizeLabel(k), v]),
      );
      Object.assign(labels, identity, { __name__: "target_info" });
      series.push({ labels, samples: [{ value: 1, timestampMs: latest }] });
    }
  }
  return { series, dropped };
}
