// Local OTLP receivers that record what Claude Code actually sends: an HTTP/1.1 sink
// (http/json and http/protobuf) and an h2c gRPC sink. Plus dependency-free decoders
// for the few fields the tests look at (signal, metric names, temporality).
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createH2Server, type Http2Session, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type Signal = 'metrics' | 'logs' | 'traces';
export type Temporality = 'delta' | 'cumulative';

/**
 * Header values of a request. Kept behind a private field so that a test failure
 * message (vitest pretty-prints objects) or console.log never shows tokens.
 */
export class HeaderValues {
  readonly #values: Map<string, string>;
  constructor(entries: Iterable<[string, string]>) {
    this.#values = new Map(entries);
  }
  get(name: string): string | undefined {
    return this.#values.get(name.toLowerCase());
  }
  names(): string[] {
    return [...this.#values.keys()];
  }
  toJSON(): string {
    return `[${this.#values.size} header values hidden]`;
  }
}

export interface SinkRecord {
  transport: 'http' | 'grpc';
  port: number;
  method: string;
  path: string;
  /** All lowercased header names, pseudo-headers (gRPC) included. */
  headerNames: string[];
  /** Lowercased name → value. Never print these: they may hold credentials. */
  headers: HeaderValues;
  contentType?: string;
  /** Request body, de-chunked and un-gzipped; for gRPC the payload of the framed message(s). */
  body: Buffer;
}

export interface Sink {
  port: number;
  url: string;
  records: SinkRecord[];
  /** Connections a client still holds open: once Claude has exited and this is 0, nothing more can arrive. */
  openConnections(): number;
  close(): Promise<void>;
}

function toHeaderValues(headers: IncomingMessage['headers'] | H2Headers): HeaderValues {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    entries.push([name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value)]);
  }
  return new HeaderValues(entries);
}

function maybeGunzip(body: Buffer, encoding: string | undefined): Buffer {
  return encoding?.toLowerCase() === 'gzip' && body.length > 0 ? gunzipSync(body) : body;
}

/** HTTP/1.1 OTLP sink. Node's parser de-chunks Transfer-Encoding: chunked bodies (2.1.197 sends those). */
export async function startHttpSink(): Promise<Sink> {
  const records: SinkRecord[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = toHeaderValues(req.headers);
      const contentType = headers.get('content-type');
      records.push({
        transport: 'http',
        port,
        method: req.method ?? '',
        path: req.url ?? '/',
        headerNames: headers.names(),
        headers,
        contentType,
        body: maybeGunzip(Buffer.concat(chunks), headers.get('content-encoding')),
      });
      // An empty ExportXServiceResponse: {} in JSON, zero bytes in protobuf.
      const json = contentType?.includes('json') ?? false;
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  // A gRPC client talking to this HTTP/1.1 sink makes the parser error out; just drop it.
  server.on('clientError', (_err, socket) => socket.destroy());
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    records,
    openConnections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Strips gRPC length-prefixed framing (1 byte compressed flag, 4 bytes big-endian length). */
export function decodeGrpcFrames(data: Buffer, encoding?: string): Buffer {
  const messages: Buffer[] = [];
  let offset = 0;
  while (offset + 5 <= data.length) {
    const compressed = data[offset] === 1;
    const length = data.readUInt32BE(offset + 1);
    const message = data.subarray(offset + 5, offset + 5 + length);
    messages.push(compressed ? maybeGunzip(message, encoding ?? 'gzip') : message);
    offset += 5 + length;
  }
  // Export RPCs are unary, so there is one message; concatenating protobuf messages merges them anyway.
  return Buffer.concat(messages);
}

/** h2c (cleartext HTTP/2) gRPC sink answering every call with an empty message and grpc-status 0. */
export async function startGrpcSink(): Promise<Sink> {
  const records: SinkRecord[] = [];
  const server = createH2Server();
  // close() waits for open sessions and the exporter keeps one alive, so track them to destroy.
  const sessions = new Set<Http2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, rawHeaders) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const headers = toHeaderValues(rawHeaders);
      records.push({
        transport: 'grpc',
        port,
        method: headers.get(':method') ?? '',
        path: headers.get(':path') ?? '/',
        headerNames: headers.names(),
        headers,
        contentType: headers.get('content-type'),
        body: decodeGrpcFrames(Buffer.concat(chunks), headers.get('grpc-encoding')),
      });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0])); // one uncompressed, zero-length message
    });
    stream.on('error', () => undefined);
  });
  server.on('sessionError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    records,
    openConnections: () => sessions.size,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
      }),
  };
}

// ---------------------------------------------------------------------------
// Decoding. JSON bodies are read as OTLP/JSON; everything else (http/protobuf and
// the unframed gRPC payload) with a minimal protobuf wire-format walker.

interface WireField {
  no: number;
  wire: number;
  /** Varint value (wire type 0). Precision above 2^53 is irrelevant here: only enums are read. */
  int?: number;
  /** Payload of a length-delimited field (wire type 2). */
  bytes?: Buffer;
}

function readVarint(buf: Buffer, offset: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = offset; i < buf.length; i++) {
    const b = buf[i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new Error('truncated varint');
}

/** Top-level fields of one protobuf message. Throws on malformed input. */
function wireFields(buf: Buffer): WireField[] {
  const out: WireField[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const [key, afterKey] = readVarint(buf, offset);
    const no = Math.floor(key / 8);
    const wire = key % 8;
    offset = afterKey;
    if (wire === 0) {
      const [int, next] = readVarint(buf, offset);
      out.push({ no, wire, int });
      offset = next;
    } else if (wire === 1) {
      out.push({ no, wire });
      offset += 8;
    } else if (wire === 2) {
      const [len, start] = readVarint(buf, offset);
      if (start + len > buf.length) throw new Error('truncated field');
      out.push({ no, wire, bytes: buf.subarray(start, start + len) });
      offset = start + len;
    } else if (wire === 5) {
      out.push({ no, wire });
      offset += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  if (offset > buf.length) throw new Error('truncated fixed-width field');
  return out;
}

function sub(buf: Buffer, no: number): Buffer[] {
  return wireFields(buf).flatMap((f) => (f.no === no && f.bytes ? [f.bytes] : []));
}

/** resource_X(1) → scope_X(2) → items(2): same shape for metrics, logs and spans. */
function protoItems(body: Buffer): Buffer[] {
  return sub(body, 1).flatMap((resource) => sub(resource, 2).flatMap((scope) => sub(scope, 2)));
}

function isJson(record: SinkRecord): boolean {
  return record.transport === 'http' && (record.contentType ?? '').includes('json');
}

interface JsonMetric {
  name?: string;
  sum?: { aggregationTemporality?: number | string };
}

function jsonMetrics(record: SinkRecord): JsonMetric[] {
  const doc = JSON.parse(record.body.toString('utf8')) as {
    resourceMetrics?: { scopeMetrics?: { metrics?: JsonMetric[] }[] }[];
  };
  return (doc.resourceMetrics ?? []).flatMap((rm) => (rm.scopeMetrics ?? []).flatMap((sm) => sm.metrics ?? []));
}

function temporalityName(value: number | string | undefined): Temporality | undefined {
  if (value === 1 || value === 'AGGREGATION_TEMPORALITY_DELTA') return 'delta';
  if (value === 2 || value === 'AGGREGATION_TEMPORALITY_CUMULATIVE') return 'cumulative';
  return undefined;
}

/** Aggregation temporality of every sum metric in a metrics export, in body order. */
export function metricsTemporality(record: SinkRecord): Temporality[] {
  if (isJson(record)) {
    return jsonMetrics(record).flatMap((m) => {
      const t = m.sum ? temporalityName(m.sum.aggregationTemporality) : undefined;
      return t ? [t] : [];
    });
  }
  // Metric.sum = 7 → Sum.aggregation_temporality = 2
  return protoItems(record.body).flatMap((metric) =>
    sub(metric, 7).flatMap((sum) => {
      const field = wireFields(sum).find((f) => f.no === 2 && f.wire === 0);
      const t = temporalityName(field?.int);
      return t ? [t] : [];
    }),
  );
}

/** Names of the metrics in a metrics export (Metric.name = 1). */
export function metricNames(record: SinkRecord): string[] {
  if (isJson(record)) return jsonMetrics(record).flatMap((m) => (m.name ? [m.name] : []));
  return protoItems(record.body).flatMap((metric) => sub(metric, 1).map((b) => b.toString('utf8')));
}

/**
 * What the body is. The body decides, not the path, because misconfigured endpoints
 * send logs to paths like /v1/metrics/v1/logs or /. JSON: the top-level key. Protobuf:
 * all three requests share the outer shape, so the first item is sniffed: a Span starts
 * with a 16-byte trace_id and 8-byte span_id; a LogRecord has fixed64 timestamps or a
 * varint severity_number (2); a Metric has a name (1) and a data oneof (5, 7, 9, 10, 11).
 * Falls back to the path for empty or undecodable bodies.
 */
export function signalOf(record: SinkRecord): Signal | undefined {
  try {
    const fromBody = isJson(record) ? jsonSignal(record.body) : protoSignal(record.body);
    if (fromBody) return fromBody;
  } catch {
    // fall through to the path
  }
  return pathSignal(record.path);
}

function jsonSignal(body: Buffer): Signal | undefined {
  const doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  if ('resourceMetrics' in doc) return 'metrics';
  if ('resourceLogs' in doc) return 'logs';
  if ('resourceSpans' in doc) return 'traces';
  return undefined;
}

function protoSignal(body: Buffer): Signal | undefined {
  const first = protoItems(body)[0];
  if (!first) return undefined;
  const fields = wireFields(first);
  const has = (no: number, wire: number, len?: number) => fields.some((f) => f.no === no && f.wire === wire && (len === undefined || f.bytes?.length === len));
  if (has(1, 2, 16) && has(2, 2, 8)) return 'traces';
  if (fields.some((f) => f.wire === 1) || has(2, 0)) return 'logs';
  if (has(1, 2) && [5, 7, 9, 10, 11].some((no) => has(no, 2))) return 'metrics';
  return undefined;
}

export function pathSignal(path: string): Signal | undefined {
  const p = path.toLowerCase();
  if (/\/v1\/metrics\/?$|metricsservice\/export$/.test(p)) return 'metrics';
  if (/\/v1\/logs\/?$|logsservice\/export$/.test(p)) return 'logs';
  if (/\/v1\/traces\/?$|traceservice\/export$/.test(p)) return 'traces';
  return undefined;
}
