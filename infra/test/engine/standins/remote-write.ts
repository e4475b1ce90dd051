/**
 * Prometheus remote write 1.0 without a dependency: the protobuf WriteRequest written by hand (only the
 * fields a sample needs) and snappy's block format made of literal elements only, which every snappy
 * decoder accepts (it is simply uncompressed). Debian's Prometheus build has no OTLP receiver, so the
 * collector stand-in delivers metrics this way.
 */

export interface Series {
  /** Includes __name__. */
  labels: Readonly<Record<string, string>>;
  samples: readonly { value: number; timestampMs: number }[];
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  // Division, not bit operations: timestamps in ms exceed 32 bits.
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited field (wire type 2): strings and embedded messages. */
const lengthDelimited = (field: number, payload: Uint8Array) =>
  Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);

const label = (name: string, value: string) =>
  Buffer.concat([lengthDelimited(1, Buffer.from(name)), lengthDelimited(2, Buffer.from(value))]);

function sample(value: number, timestampMs: number): Buffer {
  const double = Buffer.alloc(8);
  double.writeDoubleLE(value);
  // value: field 1, wire type 1 (64-bit); timestamp: field 2, varint.
  return Buffer.concat([Buffer.from([0x09]), double, Buffer.from([0x10]), varint(timestampMs)]);
}

/** The protobuf WriteRequest; labels sorted by name, as remote write requires. */
export function encodeWriteRequest(series: readonly Series[]): Buffer {
  return Buffer.concat(
    series.map((one) => {
      const labels = Object.entries(one.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => lengthDelimited(1, label(name, value)));
      const samples = one.samples.map((s) => lengthDelimited(2, sample(s.value, s.timestampMs)));
      return lengthDelimited(1, Buffer.concat([...labels, ...samples]));
    }),
  );
}

/** Snappy block format: the uncompressed length, then the data as literal elements. */
export function snappyLiteral(data: Uint8Array): Buffer {
  const parts: Buffer[] = [varint(data.length)];
  const MAX_LITERAL = 65_536;
  for (let offset = 0; offset < data.length; offset += MAX_LITERAL) {
    const chunk = data.subarray(offset, offset + MAX_LITERAL);
    const n = chunk.length - 1;
    // Tag byte: low two bits 00 = literal; lengths from 61 on follow the tag in 1 or 2 bytes.
    const tag = n < 60 ? [n << 2] : n < 256 ? [60 << 2, n] : [61 << 2, n & 0xff, n >> 8];
    parts.push(Buffer.from(tag), Buffer.from(chunk));
  }
  return Buffer.concat(parts);
}

/** POSTs the series to a remote-write endpoint; resolves with the status (throws when unreachable). */
export async function remoteWrite(
  url: string,
  series: readonly Series[],
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-encoding": "snappy",
      "content-type": "application/x-protobuf",
      "x-prometheus-remote-write-version": "0.1.0",
      "user-agent": "wpdb-standin-otelcol",
    },
    body: snappyLiteral(encodeWriteRequest(series)),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}
