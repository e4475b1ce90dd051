/** Reading OTLP/JSON (OTLP 1.x JSON encoding) the way the backends do, for test doubles and stand-ins. */

export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64: a decimal string in OTLP/JSON, a number from lenient senders. */
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}

export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

function plain(value: OtlpAnyValue | undefined): unknown {
  if (!value) return null;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.kvlistValue)
    return Object.fromEntries((value.kvlistValue.values ?? []).map((kv) => [kv.key, plain(kv.value)]));
  return (
    value.stringValue ?? value.boolValue ?? value.intValue ?? value.doubleValue ?? value.bytesValue ?? null
  );
}

/** A value as text, like the collector's pcommon AsString: scalars as written, arrays and maps as JSON. */
export function anyValueText(value: OtlpAnyValue | undefined): string {
  const unwrapped = plain(value);
  if (unwrapped === null) return "";
  return typeof unwrapped === "object" ? JSON.stringify(unwrapped) : String(unwrapped);
}

/** An attribute list as key -> text. */
export function attributeMap(list: readonly OtlpKeyValue[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, anyValueText(a.value)]));
}
