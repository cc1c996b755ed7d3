import { lazyRequire } from '../util/lazy.js';
import { answerText, networkFailure, percentDecoded, type HttpFailure } from './http.js';

// node:http2 loads only when a gRPC endpoint is probed, not with every command.
const http2 = lazyRequire<typeof import('node:http2')>('node:http2');

/**
 * One unary gRPC call over node:http2, enough for OTLP's Export: a 5-byte frame (uncompressed flag, big-endian
 * length) around the protobuf message, `grpc-status` from the trailers (or the headers of a trailers-only
 * answer). A gRPC library would bring protobuf code generation for one call; this is the whole protocol needed.
 * The server is untrusted: a malformed grpc-status or grpc-message, a reset, or an answer that never ends is a
 * failure in words, never an exception; the answer's body is not kept, and its headers are capped.
 */

/** The most header bytes (HPACK-decoded) an answer may have: HTTP/2's SETTINGS_MAX_HEADER_LIST_SIZE. */
const MAX_HEADER_BYTES = 32 * 1024;

export interface GrpcAnswer {
  ok: true;
  /** grpc-status; undefined when the server answered HTTP/2 without gRPC (e.g. an OTLP/HTTP port). */
  status?: number;
  message: string;
  httpStatus: number;
  contentType: string;
}

export type GrpcResult = GrpcAnswer | HttpFailure;

/** gRPC's status codes (grpc/grpc doc/statuscodes.md). */
export const GRPC_STATUS: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

export function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt8(0, 0);
  frame.writeUInt32BE(message.length, 1);
  Buffer.from(message).copy(frame, 5);
  return frame;
}

/** Calls `path` (`/package.Service/Method`) at `endpoint` (`http://host:port` or `https://…`). */
export function grpcUnary(endpoint: URL, path: string, message: Uint8Array, metadata: Record<string, string>, timeoutMs: number): Promise<GrpcResult> {
  return new Promise((resolve) => {
    let settled = false;
    const origin = `${endpoint.protocol === 'https:' ? 'https' : 'http'}://${endpoint.host}`;
    const { connect, constants } = http2();
    let session: import('node:http2').ClientHttp2Session | undefined;
    const finish = (r: GrpcResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session?.destroy();
      resolve(r);
    };
    // One deadline for the whole call: connecting, headers, a body that never ends, trailers that never come.
    const timer = setTimeout(() => finish(networkFailure({ name: 'TimeoutError' }, endpoint, timeoutMs)), timeoutMs);
    const headers: Record<string, string> = {
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${timeoutMs}m`,
    };
    for (const [k, v] of Object.entries(metadata)) headers[k.toLowerCase()] = v;
    let stream: import('node:http2').ClientHttp2Stream;
    try {
      const options = { settings: { maxHeaderListSize: MAX_HEADER_BYTES }, ...(endpoint.protocol === 'https:' ? { ALPNProtocols: ['h2'] } : {}) };
      session = connect(origin, options);
      session.on('error', (err) => finish(http2Failure(err, endpoint, timeoutMs)));
      stream = session.request(headers);
    } catch (err) {
      finish(http2Failure(err, endpoint, timeoutMs));
      return;
    }
    let httpStatus = 0;
    let contentType = '';
    let statusText: string | undefined;
    let statusMessage = '';
    const read = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) statusText = String(h['grpc-status']);
      // grpc-message is percent-encoded; gRPC says a client shows it raw rather than fail when it does not decode.
      if (h['grpc-message'] !== undefined) statusMessage = answerText(percentDecoded(String(h['grpc-message']))) ?? '';
    };
    stream.on('response', (h) => {
      httpStatus = Number(h[constants.HTTP2_HEADER_STATUS]);
      contentType = answerText(String(h['content-type'] ?? ''), 100) ?? '';
      read(h);
    });
    stream.on('trailers', (h) => read(h));
    stream.on('data', () => {});
    stream.on('error', (err) => finish(http2Failure(err, endpoint, timeoutMs)));
    stream.on('close', () => {
      if (httpStatus === 0) finish({ ok: false, kind: 'reset', error: `${endpoint.host} closed the stream without an answer` });
      else finish(grpcAnswer(endpoint, { httpStatus, contentType, statusText, statusMessage }, stream.rstCode));
    });
    stream.end(grpcFrame(message));
  });
}

/** The call's outcome from what the server sent: a gRPC status, no gRPC at all, or a malformed answer. */
function grpcAnswer(
  endpoint: URL,
  a: { httpStatus: number; contentType: string; statusText?: string; statusMessage: string },
  rstCode: number | undefined,
): GrpcResult {
  const { httpStatus, contentType, statusText, statusMessage } = a;
  if (statusText === undefined) {
    if (rstCode) return { ok: false, kind: 'reset', error: `${endpoint.host} reset the call before its grpc-status (HTTP/2 error code ${rstCode})` };
    if (contentType.startsWith('application/grpc')) {
      return { ok: false, kind: 'malformed', error: `${endpoint.host} answered gRPC but ended the call without a grpc-status (cut off mid-answer?)` };
    }
    return { ok: true, status: undefined, message: '', httpStatus, contentType };
  }
  // Status codes are 0 to 16 (grpc/grpc doc/statuscodes.md); anything else is not a status a probe can explain.
  if (!/^\d{1,2}$/.test(statusText) || Number(statusText) > 16) {
    return {
      ok: false,
      kind: 'malformed',
      error: `${endpoint.host} answered an invalid grpc-status "${answerText(statusText, 40)}" (gRPC status codes are 0 to 16)`,
    };
  }
  return { ok: true, status: Number(statusText), message: statusMessage, httpStatus, contentType };
}

function http2Failure(err: unknown, endpoint: URL, timeoutMs: number): HttpFailure {
  const e = err as { code?: string; message?: string };
  // The exchange started and broke off (the server reset the stream, or sent what HTTP/2 does not allow).
  if (e?.code === 'ERR_HTTP2_STREAM_ERROR')
    return { ok: false, kind: 'reset', error: `${endpoint.host} broke off the call (${answerText(e.message ?? '', 80)})` };
  // A server that does not speak HTTP/2 (an HTTP/1.1-only port) answers the preface with garbage or closes.
  if (e?.code === 'ERR_HTTP2_ERROR' || e?.code === 'ERR_HTTP2_SESSION_ERROR' || /Protocol error|PROTOCOL_ERROR/i.test(e?.message ?? '')) {
    return { ok: false, kind: 'protocol', error: `${endpoint.host} does not speak HTTP/2, so it is no gRPC endpoint (an OTLP/HTTP port such as 4318?)` };
  }
  return networkFailure(err, endpoint, timeoutMs);
}
