import { defineProbe, results, type Probe, type ProbeResult } from '../define.js';
import { GRPC_STATUS, grpcUnary } from '../grpc.js';
import { displayUrl, FAILED_HOW, httpStatus } from '../http.js';
import { OTLP_GRPC_PATH } from '../otlp-payload.js';

const messages = {
  notUrl: { message: 'the gRPC endpoint is not a URL Claude Code can dial', detail: '{{url}}' },
  unreachable: { message: 'Claude Code cannot export {{signals}} to the OTLP gRPC endpoint ({{how}})', detail: 'gRPC Export to {{url}}: {{error}}' },
  notGrpc: {
    message: 'the OTLP endpoint does not speak gRPC: {{signal}} are lost',
    detail: 'gRPC Export to {{url}}: it answers {{answer}}, not gRPC',
  },
  rejects: { message: 'the OTLP gRPC endpoint rejects {{signal}} ({{status}})', detail: 'gRPC Export to {{url}}: {{answer}}' },
} as const;

const probe: Probe<typeof messages> = defineProbe({
  id: 'probe/otlp-grpc',
  stage: 'OTLP endpoint',
  title: 'OTLP gRPC endpoint accepts exports',
  checks:
    'For each signal Claude Code sends over gRPC: an empty Export call (no data) to the endpoint it dials, with the headers it sends as metadata; OK means the receiver is there, speaks gRPC and has a pipeline for that signal.',
  why: 'Claude Code drops telemetry silently when the endpoint refuses it: nothing listens, the port is the HTTP one, the collector has no pipeline for the signal (UNIMPLEMENTED), or the credentials are wrong (UNAUTHENTICATED).',
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/pull/8397 (the OTLP receiver has no gRPC health service)',
    'https://github.com/grpc/grpc/blob/master/doc/statuscodes.md',
    'https://github.com/open-telemetry/opentelemetry-proto/tree/main/opentelemetry/proto/collector',
  ],
  messages,
  async run({ plan, flags }) {
    const r = results(probe);
    const out: ProbeResult[] = [];
    for (const t of plan.otlp.filter((x) => x.protocol === 'grpc')) {
      const shown = displayUrl(t.url);
      if (t.withheld) {
        out.push(r.declined(shown, t.withheld));
        continue;
      }
      let url: URL;
      try {
        url = new URL(t.url);
      } catch {
        out.push(r.failed(shown, { kind: 'notUrl', data: { url: shown }, origin: t.origin, hint: 'e.g. http://localhost:4317' }));
        continue;
      }
      for (const signal of t.signals) {
        const a = await grpcUnary(url, OTLP_GRPC_PATH[signal], new Uint8Array(), t.headers, flags.timeoutMs);
        if (!a.ok) {
          // The connection itself failed: one finding for the endpoint, not one per signal.
          const all = t.signals.join(' and ');
          const hint =
            a.kind === 'protocol'
              ? 'this looks like an OTLP/HTTP port (4318): use the gRPC port (4317), or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf'
              : a.kind === 'refused'
                ? 'start the collector, or check that its gRPC port is published to this host (docker compose ps)'
                : a.kind === 'tls'
                  ? 'use http:// for a plaintext receiver, https:// only when the receiver has TLS'
                  : undefined;
          out.push(
            r.failed(shown, {
              kind: 'unreachable',
              data: { signals: all, how: FAILED_HOW[a.kind], url: shown, error: a.error },
              refused: a.kind === 'refused',
              origin: t.origin,
              hint,
            }),
          );
          break;
        } else if (a.status === 0) {
          out.push(r.ok(shown, `accepts ${signal} over gRPC`));
        } else if (a.status === undefined) {
          out.push(
            r.failed(shown, {
              kind: 'notGrpc',
              data: { signal, url: shown, answer: `${httpStatus(a.httpStatus)}${a.contentType ? ` (${a.contentType})` : ''}` },
              origin: t.origin,
              hint: 'this looks like an OTLP/HTTP port (4318): use the gRPC port (4317), or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
            }),
          );
        } else {
          out.push(
            r.failed(shown, {
              kind: 'rejects',
              data: {
                signal,
                status: GRPC_STATUS[a.status] ?? `status ${a.status}`,
                url: shown,
                answer: `${GRPC_STATUS[a.status] ?? `status ${a.status}`} (${a.status})${a.message ? `: ${a.message}` : ''}`,
              },
              origin: t.origin,
              hint: grpcHint(a.status, signal),
            }),
          );
        }
      }
    }
    return out;
  },
});

function grpcHint(status: number, signal: string): string | undefined {
  if (status === 12) return `the receiver has no ${signal} pipeline: add the otlp receiver to a ${signal} pipeline in the collector config`;
  if (status === 16 || status === 7) return 'the receiver wants credentials: check the Authorization header in OTEL_EXPORTER_OTLP_HEADERS';
  if (status === 14) return 'the receiver is overloaded or shutting down: check the collector log';
  return undefined;
}

export default probe;
