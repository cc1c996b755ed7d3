import type { Dispatcher } from 'undici';
import { displayUrl as shownUrl } from '../util/secrets.js';

/**
 * One HTTP request with a hard deadline, for probes. Never throws: a network failure comes back as a sentence
 * that says what happened in the user's terms (nothing listens, unknown host, no answer, TLS), never a stack.
 * Credentials in the URL become a Basic header and are never part of what is returned.
 *
 * A probed server is untrusted: the deadline covers the whole exchange (a server trickling one byte a second is
 * cut off like a silent one), the answer's headers and body are capped, and a redirect is never followed (it is
 * a failure naming where it points), so credentials only ever go to the URL the user named.
 */

/** Answers larger than this are refused, counted while reading (probes read small JSON answers). */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** An error answer (4xx, 5xx) is read up to this many bytes and cut there: probes show only its first line. */
const MAX_ERROR_TEXT_BYTES = 64 * 1024;
/** The most header bytes an answer may have (undici's maxHeaderSize). */
const MAX_HEADER_BYTES = 32 * 1024;
/** Server text (a status, an error message, a name) shown in a finding is cut to this many characters. */
export const MAX_SERVER_TEXT = 200;

export interface HttpAnswer {
  ok: true;
  status: number;
  contentType: string;
  body: string;
}

export interface HttpFailure {
  ok: false;
  /** What went wrong, e.g. "connection refused: nothing listens on localhost:4318". */
  error: string;
  /** The kind, for probes that word their finding by it. */
  kind: 'refused' | 'dns' | 'timeout' | 'tls' | 'reset' | 'protocol' | 'redirect' | 'too-large' | 'malformed' | 'other';
}

export type HttpResult = HttpAnswer | HttpFailure;

/** A failure's kind as a finding's headline names it ("timed out", "connection refused"); its `error` is the detail. */
export const FAILED_HOW: Record<HttpFailure['kind'], string> = {
  refused: 'connection refused',
  dns: 'host not found',
  timeout: 'timed out',
  tls: 'TLS handshake failed',
  reset: 'connection closed without an answer',
  protocol: 'wrong protocol',
  redirect: 'redirected',
  'too-large': 'answer too large',
  malformed: 'malformed answer',
  other: 'request failed',
};

/** The server did answer, but with nothing a probe reads (a redirect, too much, malformed): no "nothing answers". */
export function answered(f: HttpFailure): boolean {
  return f.kind === 'redirect' || f.kind === 'too-large' || f.kind === 'malformed';
}

export interface HttpRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
  /** An answer beyond this many bytes is a 'too-large' failure; default MAX_ANSWER_BYTES. */
  maxBody?: number;
}

/**
 * Text from a server answer as a finding may show it: strings (and numbers) cut to `max` characters; anything
 * else (objects, arrays, null: a JSON answer of an unexpected shape) is undefined.
 */
export function answerText(value: unknown, max = MAX_SERVER_TEXT): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/** Percent-decoded text; text that is not valid percent-encoding (`%zz`, a cut UTF-8 sequence) stays as it is. */
export function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The URL as shown to the user: without user and password (util/secrets.ts decides how a URL is shown). */
export function displayUrl(url: string | URL): string {
  return shownUrl(url, 'address');
}

export function hostPort(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

export async function httpRequest(target: string | URL, req: HttpRequest): Promise<HttpResult> {
  let url: URL;
  try {
    url = new URL(String(target));
  } catch {
    return { ok: false, kind: 'other', error: `not a URL: ${displayUrl(target)}` };
  }
  const headers: Record<string, string> = { ...req.headers };
  if (url.username || url.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${percentDecoded(url.username)}:${percentDecoded(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const where = hostPort(url);
  const max = req.maxBody ?? MAX_ANSWER_BYTES;
  try {
    // Loaded on first use: a static check never pays for the HTTP client.
    const { request } = await import('undici');
    // undici's request follows no redirect (no redirect interceptor on this dispatcher); the signal bounds the
    // whole exchange, body included, where headersTimeout and bodyTimeout only bound the gaps between bytes.
    const res = await request(url, {
      method: req.method ?? 'GET',
      headers,
      body: req.body,
      dispatcher: await probeAgent(),
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    // Dropping a body (destroy) makes undici emit an abort error on it: expected here, never an uncaught one.
    res.body.on('error', () => {});
    const header = (name: string) => {
      const v = res.headers[name];
      return String(Array.isArray(v) ? v[0] : (v ?? ''));
    };
    if (res.statusCode >= 300 && res.statusCode < 400 && res.statusCode !== 304) {
      res.body.destroy();
      return redirectFailure(url, res.statusCode, header('location'));
    }
    const errorText = res.statusCode >= 400;
    const announced = Number(header('content-length'));
    if (announced > max && !errorText) {
      res.body.destroy();
      return tooLarge(where, max, `${announced} bytes announced`);
    }
    const body = await readBounded(res.body, errorText ? Math.min(max, MAX_ERROR_TEXT_BYTES) : max);
    if (!body.complete && !errorText) return tooLarge(where, max, `more than ${max} bytes`);
    return { ok: true, status: res.statusCode, contentType: header('content-type'), body: body.bytes.toString('utf8') };
  } catch (err) {
    return networkFailure(err, url, req.timeoutMs);
  }
}

let agent: Promise<Dispatcher> | undefined;

/** One connection pool for every probe request, with the header cap. */
function probeAgent(): Promise<Dispatcher> {
  agent ??= import('undici').then(({ Agent }) => new Agent({ maxHeaderSize: MAX_HEADER_BYTES }));
  return agent;
}

/** The one reader of answer bodies: at most `max` bytes; past that, reading stops and the answer is not complete. */
async function readBounded(body: AsyncIterable<Buffer> & { destroy(): unknown }, max: number): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > max) {
      chunks.push(chunk.subarray(0, max - size));
      body.destroy();
      return { bytes: Buffer.concat(chunks), complete: false };
    }
    size += chunk.length;
    chunks.push(chunk);
  }
  return { bytes: Buffer.concat(chunks), complete: true };
}

function tooLarge(where: string, max: number, seen: string): HttpFailure {
  return { ok: false, kind: 'too-large', error: `answer too large from ${where} (${seen}; probes read at most ${Math.round(max / 1024)} KiB)` };
}

function redirectFailure(url: URL, status: number, location: string): HttpFailure {
  let target: string;
  try {
    target = displayUrl(new URL(location, url));
  } catch {
    target = displayUrl(location);
  }
  const to = location ? ` to ${answerText(target)}` : '';
  return { ok: false, kind: 'redirect', error: `${hostPort(url)} redirects (HTTP ${status})${to}; not followed, so credentials go only to the address given` };
}

/** A failed connection or exchange in words. Shared with the gRPC client. */
export function networkFailure(err: unknown, url: URL, timeoutMs: number): HttpFailure {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  // Wrapped errors (a cancelled HTTP/2 stream, undici's fetch) carry the socket's code on their cause.
  const codes = [e?.code, e?.cause?.code].filter((c): c is string => typeof c === 'string');
  const has = (re: RegExp) => codes.some((c) => re.test(c));
  const message = answerText(String(e?.cause?.message ?? e?.message ?? err)) ?? '';
  const where = hostPort(url);
  if (has(/^ECONNREFUSED$/)) return { ok: false, kind: 'refused', error: `connection refused: nothing listens on ${where}` };
  if (has(/^(ENOTFOUND|EAI_AGAIN)$/)) return { ok: false, kind: 'dns', error: `host ${url.hostname} not found (DNS)` };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || has(/TIMEOUT|^ETIMEDOUT$/)) {
    return { ok: false, kind: 'timeout', error: `timed out: no answer from ${where} within ${Math.round(timeoutMs / 100) / 10} s` };
  }
  if (has(/^ERR_TLS|^ERR_SSL|CERT|SELF_SIGNED|^EPROTO$/) || /wrong version number|certificate|SSL routines/i.test(message)) {
    const plainServer = /wrong version number|packet length too long|http request/i.test(message);
    return {
      ok: false,
      kind: 'tls',
      error: plainServer ? `TLS handshake failed: ${where} speaks plain HTTP, not https` : `TLS handshake with ${where} failed: ${message}`,
    };
  }
  if (has(/^UND_ERR_HEADERS_OVERFLOW$/))
    return { ok: false, kind: 'too-large', error: `answer too large from ${where}: its headers pass ${MAX_HEADER_BYTES / 1024} KiB` };
  if (e?.name === 'HTTPParserError')
    return { ok: false, kind: 'protocol', error: `${where} does not answer in HTTP/1.1 (an HTTP/2-only gRPC port such as 4317?)` };
  if (has(/^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/) || /other side closed|socket hang up/i.test(message)) {
    return { ok: false, kind: 'reset', error: `${where} closed the connection without an HTTP answer` };
  }
  return { ok: false, kind: 'other', error: `${where}: ${message}` };
}

/** Reason phrases of the statuses probes meet (RFC 9110), so a status reads as what it is. */
const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** "HTTP 404 Not Found": a status as the server meant it (the number alone for one without a known phrase). */
export function httpStatus(status: number | undefined): string {
  return `HTTP ${status}${status !== undefined && REASONS[status] ? ` ${REASONS[status]}` : ''}`;
}

/** ": <first line of an error answer>", cut to 100 characters; empty when the server said nothing. */
export function serverSays(body: string): string {
  const line = answerText(body.trim().split('\n', 1)[0], 100);
  return line ? `: ${line}` : '';
}

/** Parses a JSON answer; undefined when it is not JSON. */
export function jsonBody<T = unknown>(a: HttpAnswer): T | undefined {
  try {
    return JSON.parse(a.body) as T;
  } catch {
    return undefined;
  }
}
