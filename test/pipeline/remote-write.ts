// A Prometheus remote-write (1.0) receiver for the naming oracle: what the collector's
// prometheusremotewrite exporter pushes, decoded without dependencies (snappy block format, then the
// `prometheus.WriteRequest` protobuf: timeseries → labels). Listens on 127.0.0.1 only.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScrapedSeries } from './pipeline.js';

export interface RemoteWriteReceiver {
  url: string;
  series: ScrapedSeries[];
  /** Requests that could not be decoded (content type and reason), for failure messages. */
  errors: string[];
  close(): Promise<void>;
}

export async function startRemoteWriteReceiver(): Promise<RemoteWriteReceiver> {
  const series: ScrapedSeries[] = [];
  const errors: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = snappyDecode(Buffer.concat(chunks));
        series.push(...decodeWriteRequest(body));
        res.writeHead(204);
      } catch (err) {
        errors.push(`${req.headers['content-type'] ?? '?'}: ${(err as Error).message}`);
        res.writeHead(400);
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/write`,
    series,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function varint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [result, pos];
    shift += 7;
  }
}

/** Snappy block format (what remote write uses; not the framed stream format). */
export function snappyDecode(input: Buffer): Buffer {
  const [length, start] = varint(input, 0);
  const out = Buffer.alloc(length);
  let o = 0;
  let i = start;
  while (i < input.length) {
    const tag = input[i++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = input.readUIntLE(i, bytes);
        i += bytes;
      }
      len += 1;
      input.copy(out, o, i, i + len);
      i += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = 4 + ((tag >> 2) & 7);
      offset = ((tag >> 5) << 8) | input[i++];
    } else if (kind === 2) {
      len = (tag >> 2) + 1;
      offset = input.readUInt16LE(i);
      i += 2;
    } else {
      len = (tag >> 2) + 1;
      offset = input.readUInt32LE(i);
      i += 4;
    }
    if (offset === 0 || offset > o) throw new Error('bad snappy copy offset');
    for (let k = 0; k < len; k++) out[o + k] = out[o - offset + k];
    o += len;
  }
  if (o !== length) throw new Error(`snappy length mismatch: ${o} != ${length}`);
  return out;
}

/** Length-delimited fields of one protobuf message, by field number. */
function fields(buf: Buffer): { no: number; data: Buffer }[] {
  const out: { no: number; data: Buffer }[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = varint(buf, pos);
    pos = next;
    const no = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) pos = varint(buf, pos)[1];
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, at] = varint(buf, pos);
      out.push({ no, data: buf.subarray(at, at + len) });
      pos = at + len;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

/** WriteRequest { repeated TimeSeries timeseries = 1; } TimeSeries { repeated Label labels = 1; ... } Label { name = 1; value = 2; } */
export function decodeWriteRequest(body: Buffer): ScrapedSeries[] {
  return fields(body)
    .filter((f) => f.no === 1)
    .map((ts) => {
      const labels: Record<string, string> = {};
      for (const l of fields(ts.data).filter((f) => f.no === 1)) {
        const parts = fields(l.data);
        const name = parts.find((p) => p.no === 1)?.data.toString('utf8') ?? '';
        labels[name] = parts.find((p) => p.no === 2)?.data.toString('utf8') ?? '';
      }
      const { __name__: name = '', ...rest } = labels;
      return { name, labels: rest };
    });
}
