import { defineProbe, results, type Probe, type ProbeResult } from '../define.js';
import { answerText, displayUrl, FAILED_HOW, httpRequest, httpStatus } from '../http.js';
import { headersFor } from '../headers-helper.js';

const messages = {
  helperFailed: {
    message: 'otelHeadersHelper fails, so Claude Code exports nothing at all, not even with the static headers',
    detail: 'run for {{url}}: {{error}}',
  },
  unreachable: { message: 'Claude Code cannot export {{signals}} to the OTLP/HTTP endpoint ({{how}})', detail: 'POST {{url}}: {{error}}' },
  rejects: { message: 'the OTLP/HTTP endpoint rejects {{signals}} ({{status}})', detail: 'POST {{url}}: {{answer}}' },
} as const;

const probe: Probe<typeof messages> = defineProbe({
  id: 'probe/otlp-http',
  stage: 'OTLP endpoint',
  title: 'OTLP/HTTP endpoint accepts exports',
  checks:
    "For each URL Claude Code posts to over HTTP: an empty export (no data) with the content type of its protocol (application/x-protobuf or application/json) and the headers it sends, otelHeadersHelper's output included (the helper is run as Claude Code runs it, on this machine only, and only when the user's own settings name it or --trust-project is given; in its own process group, stopped with everything it started at the timeout or past 64 KiB of output); 200 means the receiver is there and has a pipeline for that signal.",
  why: 'Claude Code drops telemetry silently when the POST fails: nothing listens, the path is wrong or the signal has no pipeline (404), the credentials are refused (401/403), or the port is the gRPC one. When otelHeadersHelper fails or prints anything but a JSON object, Claude Code exports nothing at all.',
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector/blob/v0.159.0/receiver/otlpreceiver/otlphttp.go (responses: 200 empty body, 404, 405, 415)',
    'https://github.com/anthropics/claude-code/issues/63377 (404 Not Found)',
  ],
  messages,
  async run({ ws, plan, flags }) {
    const r = results(probe);
    const out: ProbeResult[] = [];
    for (const t of plan.otlp.filter((x) => x.protocol !== 'grpc')) {
      const shown = displayUrl(t.url);
      if (t.withheld) {
        out.push(r.declined(shown, t.withheld));
        continue;
      }
      const helped = await headersFor(t, flags.timeoutMs, ws.root);
      if (!helped.ok) {
        out.push(
          r.failed(shown, {
            kind: 'helperFailed',
            data: { url: shown, error: helped.error },
            origin: t.headersHelper?.origin,
            hint: 'run the helper by hand: it must exit 0 and print a JSON object of header names to string values, e.g. {"Authorization": "Bearer …"}',
          }),
        );
        continue;
      }
      const json = t.protocol === 'http/json';
      const a = await httpRequest(t.url, {
        method: 'POST',
        headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf', ...helped.headers },
        body: json ? '{}' : new Uint8Array(),
        timeoutMs: flags.timeoutMs,
      });
      const signals = t.signals.join(' and ');
      if (!a.ok) {
        const hint =
          a.kind === 'refused'
            ? 'start the collector, or check that its HTTP port (4318) is published to this host (docker compose ps)'
            : a.kind === 'reset' || a.kind === 'protocol'
              ? 'a gRPC port (4317) closes plain HTTP/1.1 connections: use the HTTP port (4318), or set OTEL_EXPORTER_OTLP_PROTOCOL=grpc'
              : undefined;
        out.push(
          r.failed(shown, {
            kind: 'unreachable',
            data: { signals, how: FAILED_HOW[a.kind], url: shown, error: a.error },
            refused: a.kind === 'refused',
            origin: t.origin,
            hint,
          }),
        );
      } else if (a.status >= 200 && a.status < 300) {
        out.push(r.ok(shown, `accepts ${signals} over HTTP`));
      } else {
        out.push(
          r.failed(shown, {
            kind: 'rejects',
            data: { signals, status: httpStatus(a.status), url: shown, answer: `${httpStatus(a.status)}${snippet(a.body)}` },
            origin: t.origin,
            hint: httpHint(a.status, t.url, t.signals[0], !!t.headersHelper),
          }),
        );
      }
    }
    return out;
  },
});

function snippet(body: string): string {
  const line = answerText(body.trim().split('\n', 1)[0], 120);
  return line ? ` "${line}"` : '';
}

function httpHint(status: number, url: string, signal: string, helper: boolean): string | undefined {
  const path = (() => {
    try {
      return new URL(url).pathname;
    } catch {
      return '';
    }
  })();
  if (status === 404) {
    return path === `/v1/${signal}` || path.endsWith(`/v1/${signal}`)
      ? `the receiver has no ${signal} pipeline (or this is not an OTLP receiver): add the otlp receiver to a ${signal} pipeline`
      : `Claude Code posts to ${path}; an OTLP receiver serves /v1/${signal} (a per-signal endpoint is used verbatim: give the full path)`;
  }
  if (status === 401 || status === 403) {
    return helper
      ? 'the receiver refuses the headers otelHeadersHelper printed: check the token it reads (run it by hand)'
      : 'the receiver wants credentials: check the Authorization header in OTEL_EXPORTER_OTLP_HEADERS';
  }
  if (status === 405) return 'the server does not take POST here: is this really the OTLP/HTTP receiver?';
  if (status === 415) return 'the receiver refuses the content type: http/protobuf and http/json are what OTLP receivers take';
  if (status === 429 || status === 503) return 'the receiver is overloaded (memory_limiter refusing?): check the collector log';
  return undefined;
}

export default probe;
