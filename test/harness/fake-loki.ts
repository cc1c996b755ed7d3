// A test double for Loki: Loki cannot be installed on this machine (no Docker, no Debian package), so this
// server implements the part of Loki's documented HTTP API the doctor and the collector use, nothing more:
//   GET  /ready                                  200 "ready" (503 with Loki's wording while `starting`)
//   POST /otlp/v1/logs                           OTLP/HTTP logs, protobuf or JSON, gzip or not (what otlphttp sends)
//   GET  /loki/api/v1/labels                     {"status":"success","data":[label names seen]} (Grafana's health check)
//   GET  /loki/api/v1/label/service_name/values  {"status":"success","data":[...]}
//   GET  /loki/api/v1/query_range                streams for `{service_name="x"}`, optionally `|= "text"` or `!= "text"`, newest first,
//                                                at most `limit` lines (other LogQL: 400)
// As Loki's OTLP ingestion does, the resource attribute service.name becomes the stream label service_name and
// the log body becomes the line. Sources: grafana-loki.md §9–§10 in ../shared/reference, and the Loki HTTP API
// reference (https://grafana.com/docs/loki/latest/reference/loki-http-api/).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface LokiEntry {
  labels: Record<string, string>;
  timeNs: bigint;
  line: string;
}

export interface FakeLoki {
  url: string;
  entries: LokiEntry[];
  /** While true, /ready answers 503 like a Loki whose services are still starting. */
  starting: boolean;
  close(): Promise<void>;
}

export async function startFakeLoki(): Promise<FakeLoki> {
  const entries: LokiEntry[] = [];
  const state = { starting: false };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://loki');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && url.pathname === '/ready') {
        return state.starting ? send(503, 'Some services are not Running:\nStarting: 1\n', 'text/plain') : send(200, 'ready\n', 'text/plain');
      }
      if (req.method === 'POST' && url.pathname === '/otlp/v1/logs') {
        let body = await readBody(req);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const type = String(req.headers['content-type'] ?? '');
        if (type.startsWith('application/x-protobuf')) entries.push(...decodeLogsProtobuf(body));
        else if (type.startsWith('application/json')) entries.push(...decodeLogsJson(JSON.parse(body.toString('utf8'))));
        else return send(415, `unsupported content type: ${type}\n`, 'text/plain');
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'GET' && url.pathname === '/loki/api/v1/labels') {
        return send(200, { status: 'success', data: [...new Set(entries.flatMap((e) => Object.keys(e.labels)))].sort() });
      }
      if (req.method === 'GET' && url.pathname === '/loki/api/v1/label/service_name/values') {
        return send(200, { status: 'success', data: [...new Set(entries.map((e) => e.labels.service_name).filter(Boolean))].sort() });
      }
      if (req.method === 'GET' && url.pathname === '/loki/api/v1/query_range') {
        const m = /^\{service_name="((?:[^"\\]|\\.)*)"\}(?:\s*(\|=|!=)\s*"((?:[^"\\]|\\.)*)")?$/.exec(url.searchParams.get('query') ?? '');
        if (!m) return send(400, 'parse error: this fake Loki understands {service_name="x"}, optionally |= "text" (or != "text"), only\n', 'text/plain');
        const [service, text] = [m[1], m[3] ?? ''].map((s) => s.replace(/\\(.)/g, '$1'));
        const keep = m[2] !== '!=';
        const start = BigInt(url.searchParams.get('start') ?? '0');
        const end = BigInt(url.searchParams.get('end') ?? String(BigInt(Date.now()) * 1_000_000n));
        const limit = Number(url.searchParams.get('limit') ?? '100');
        const hits = entries
          .filter((e) => e.labels.service_name === service && e.line.includes(text) === keep && e.timeNs >= start && e.timeNs <= end)
          .sort((a, b) => (a.timeNs < b.timeNs ? 1 : a.timeNs > b.timeNs ? -1 : 0))
          .slice(0, limit);
        const result = hits.length ? [{ stream: hits[0].labels, values: hits.map((e) => [String(e.timeNs), e.line]) }] : [];
        return send(200, { status: 'success', data: { resultType: 'streams', result } });
      }
      send(404, '404 page not found\n', 'text/plain');
    } catch (err) {
      send(400, `${(err as Error).message}\n`, 'text/plain');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    entries,
    get starting() {
      return state.starting;
    },
    set starting(v: boolean) {
      state.starting = v;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// --- OTLP logs, protobuf (opentelemetry-proto logs/v1/logs.proto): just the fields Loki turns into streams.

interface Field {
  no: number;
  wire: number;
  bytes?: Buffer;
  varint?: bigint;
}

function* fields(buf: Buffer): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated protobuf');
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const wire = key & 7;
    const no = key >> 3;
    if (wire === 0) yield { no, wire, varint: varint() };
    else if (wire === 1) {
      yield { no, wire, varint: buf.readBigUInt64LE(i) };
      i += 8;
    } else if (wire === 2) {
      const len = Number(varint());
      yield { no, wire, bytes: buf.subarray(i, i + len) };
      i += len;
    } else if (wire === 5) i += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

/** AnyValue → string (string_value = 1; other kinds as Loki would print them, roughly). */
function anyValue(buf: Buffer): string {
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) return f.bytes.toString('utf8');
    if (f.varint !== undefined) return String(f.varint);
  }
  return '';
}

function keyValue(buf: Buffer): [string, string] {
  let key = '';
  let value = '';
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) key = f.bytes.toString('utf8');
    if (f.no === 2 && f.bytes) value = anyValue(f.bytes);
  }
  return [key, value];
}

function decodeLogsProtobuf(buf: Buffer): LokiEntry[] {
  const out: LokiEntry[] = [];
  for (const rl of fields(buf)) {
    if (rl.no !== 1 || !rl.bytes) continue; // LogsData.resource_logs
    const resource: Record<string, string> = {};
    const records: { timeNs: bigint; line: string }[] = [];
    for (const f of fields(rl.bytes)) {
      if (f.no === 1 && f.bytes) for (const a of fields(f.bytes)) if (a.no === 1 && a.bytes) Object.assign(resource, Object.fromEntries([keyValue(a.bytes)]));
      if (f.no === 2 && f.bytes) {
        for (const s of fields(f.bytes)) {
          if (s.no !== 2 || !s.bytes) continue; // ScopeLogs.log_records
          let timeNs = 0n;
          let observedNs = 0n;
          let line = '';
          for (const r of fields(s.bytes)) {
            if (r.no === 1) timeNs = r.varint ?? 0n;
            if (r.no === 11) observedNs = r.varint ?? 0n;
            if (r.no === 5 && r.bytes) line = anyValue(r.bytes);
          }
          records.push({ timeNs: timeNs || observedNs, line });
        }
      }
    }
    out.push(...records.map((r) => ({ labels: streamLabels(resource), ...r })));
  }
  return out;
}

interface JsonAnyValue {
  stringValue?: string;
  intValue?: string | number;
}

function decodeLogsJson(doc: {
  resourceLogs?: {
    resource?: { attributes?: { key: string; value: JsonAnyValue }[] };
    scopeLogs?: { logRecords?: { timeUnixNano?: string; observedTimeUnixNano?: string; body?: JsonAnyValue }[] }[];
  }[];
}): LokiEntry[] {
  const out: LokiEntry[] = [];
  for (const rl of doc.resourceLogs ?? []) {
    const resource = Object.fromEntries((rl.resource?.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? String(a.value.intValue ?? '')]));
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        out.push({ labels: streamLabels(resource), timeNs: BigInt(r.timeUnixNano || r.observedTimeUnixNano || '0'), line: r.body?.stringValue ?? '' });
      }
    }
  }
  return out;
}

/** Loki's default OTLP label mapping: a few resource attributes become labels, dots become underscores. */
function streamLabels(resource: Record<string, string>): Record<string, string> {
  const labels: Record<string, string> = { service_name: resource['service.name'] ?? 'unknown_service' };
  for (const k of ['service.namespace', 'service.instance.id', 'deployment.environment']) if (resource[k]) labels[k.replace(/\./g, '_')] = resource[k];
  return labels;
}
