/**
 * One HTTP request with a hard deadline, for probes. Never throws: a network failure comes back as a sentence
 * that says what happened in the user's terms (nothing listens, unknown host, no answer, TLS), never a stack.
 * Credentials in the URL become a Basic header and are never part of what is returned.
 */

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
  kind: 'refused' | 'dns' | 'timeout' | 'tls' | 'reset' | 'protocol' | 'other';
}

export type HttpResult = HttpAnswer | HttpFailure;

export interface HttpRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  timeoutMs: number;
  /** Bodies beyond this many bytes are cut (probes read small JSON answers). */
  maxBody?: number;
}

/** The URL as shown to the user: without user and password. */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    const text = u.toString();
    return u.pathname === '/' && !u.search && !u.hash ? text.slice(0, -1) : text;
  } catch {
    return String(url).replace(/\/\/[^/@]*@/, '//');
  }
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
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  try {
    // Loaded on first use: a static check never pays for the HTTP client.
    const { request } = await import('undici');
    const res = await request(url, {
      method: req.method ?? 'GET',
      headers,
      body: req.body,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    const max = req.maxBody ?? 4 * 1024 * 1024;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > max) break;
      chunks.push(chunk as Buffer);
    }
    const type = res.headers['content-type'];
    return { ok: true, status: res.statusCode, contentType: String(Array.isArray(type) ? type[0] : (type ?? '')), body: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    return networkFailure(err, url, req.timeoutMs);
  }
}

/** A failed connection or exchange in words. Shared with the gRPC client. */
export function networkFailure(err: unknown, url: URL, timeoutMs: number): HttpFailure {
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  // Wrapped errors (a cancelled HTTP/2 stream, undici's fetch) carry the socket's code on their cause.
  const codes = [e?.code, e?.cause?.code].filter((c): c is string => typeof c === 'string');
  const has = (re: RegExp) => codes.some((c) => re.test(c));
  const message = String(e?.cause?.message ?? e?.message ?? err);
  const where = hostPort(url);
  if (has(/^ECONNREFUSED$/)) return { ok: false, kind: 'refused', error: `connection refused: nothing listens on ${where}` };
  if (has(/^(ENOTFOUND|EAI_AGAIN)$/)) return { ok: false, kind: 'dns', error: `host ${url.hostname} not found (DNS)` };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || has(/TIMEOUT|^ETIMEDOUT$/)) {
    return { ok: false, kind: 'timeout', error: `no answer from ${where} within ${Math.round(timeoutMs / 100) / 10} s` };
  }
  if (has(/^ERR_TLS|^ERR_SSL|CERT|SELF_SIGNED|^EPROTO$/) || /wrong version number|certificate|SSL routines/i.test(message)) {
    const plainServer = /wrong version number|packet length too long|http request/i.test(message);
    return {
      ok: false,
      kind: 'tls',
      error: plainServer ? `TLS handshake failed: ${where} speaks plain HTTP, not https` : `TLS handshake with ${where} failed: ${message}`,
    };
  }
  if (e?.name === 'HTTPParserError') return { ok: false, kind: 'protocol', error: `${where} does not answer in HTTP/1.1 (an HTTP/2-only gRPC port such as 4317?)` };
  if (has(/^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/) || /other side closed|socket hang up/i.test(message)) {
    return { ok: false, kind: 'reset', error: `${where} closed the connection without an HTTP answer` };
  }
  return { ok: false, kind: 'other', error: `${where}: ${message}` };
}

/** Parses a JSON answer; undefined when it is not JSON. */
export function jsonBody<T = unknown>(a: HttpAnswer): T | undefined {
  try {
    return JSON.parse(a.body) as T;
  } catch {
    return undefined;
  }
}
