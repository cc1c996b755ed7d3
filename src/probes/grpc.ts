import { lazyRequire } from '../util/lazy.js';
import { networkFailure, type HttpFailure } from './http.js';

// node:http2 loads only when a gRPC endpoint is probed, not with every command.
const http2 = lazyRequire<typeof import('node:http2')>('node:http2');

/**
 * One unary gRPC call over node:http2, enough for OTLP's Export: a 5-byte frame (uncompressed flag, big-endian
 * length) around the protobuf message, `grpc-status` from the trailers (or the headers of a trailers-only
 * answer). A gRPC library would bring protobuf code generation for one call; this is the whole protocol needed.
 */

export interface GrpcAnswer {
  ok: true;
  /** grpc-status; undefined when the server answered HTTP/2 without gRPC (e.g. an OTLP/HTTP port). */
  status?: number;
  message: string;
  httpStatus: number;
  contentType: string;
}

export type GrpcResult = GrpcAnswer | HttpFailure;

/** The status codes a probe explains (grpc/grpc doc/statuscodes.md). */
export const GRPC_STATUS: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
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
    const session = connect(origin, endpoint.protocol === 'https:' ? { ALPNProtocols: ['h2'] } : {});
    const finish = (r: GrpcResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish(networkFailure({ name: 'TimeoutError' }, endpoint, timeoutMs)), timeoutMs);
    session.on('error', (err) => finish(http2Failure(err, endpoint, timeoutMs)));
    const headers: Record<string, string> = {
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: path,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${timeoutMs}m`,
    };
    for (const [k, v] of Object.entries(metadata)) headers[k.toLowerCase()] = v;
    let stream;
    try {
      stream = session.request(headers);
    } catch (err) {
      finish(http2Failure(err, endpoint, timeoutMs));
      return;
    }
    let httpStatus = 0;
    let contentType = '';
    let status: number | undefined;
    let statusMessage = '';
    const read = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) status = Number(h['grpc-status']);
      if (h['grpc-message'] !== undefined) statusMessage = decodeURIComponent(String(h['grpc-message']));
    };
    stream.on('response', (h) => {
      httpStatus = Number(h[constants.HTTP2_HEADER_STATUS]);
      contentType = String(h['content-type'] ?? '');
      read(h);
    });
    stream.on('trailers', (h) => read(h));
    stream.on('data', () => {});
    stream.on('error', (err) => finish(http2Failure(err, endpoint, timeoutMs)));
    stream.on('close', () => {
      if (httpStatus === 0) finish({ ok: false, kind: 'reset', error: `${endpoint.host} closed the stream without an answer` });
      else finish({ ok: true, status: contentType.startsWith('application/grpc') || status !== undefined ? status : undefined, message: statusMessage, httpStatus, contentType });
    });
    stream.end(grpcFrame(message));
  });
}

function http2Failure(err: unknown, endpoint: URL, timeoutMs: number): HttpFailure {
  const e = err as { code?: string; message?: string };
  // A server that does not speak HTTP/2 (an HTTP/1.1-only port) answers the preface with garbage or closes.
  if (e?.code === 'ERR_HTTP2_ERROR' || e?.code === 'ERR_HTTP2_SESSION_ERROR' || /Protocol error|PROTOCOL_ERROR/i.test(e?.message ?? '')) {
    return { ok: false, kind: 'protocol', error: `${endpoint.host} does not speak HTTP/2, so it is no gRPC endpoint (an OTLP/HTTP port such as 4318?)` };
  }
  return networkFailure(err, endpoint, timeoutMs);
}
