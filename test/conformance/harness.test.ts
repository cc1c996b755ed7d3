// Proves the real-Claude-Code harness: what these tests see is what Claude Code 2.1.197
// really sends. Without the provisioned binary the Claude tests fail in CI and are
// skipped (loudly) elsewhere.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLAUDE_VERSION, claudeBinary } from '../harness/claude-path.js';
import { startMockAnthropic } from '../harness/mock-anthropic.js';
import { metricNames, pathSignal, signalOf } from '../harness/otlp-sinks.js';
import { canUnshareMount, observeTelemetry, type Observed, type ObservedSignal } from '../harness/run-claude.js';

const inCI = process.env.CI === 'true';
const binary = claudeBinary();
if (!binary && !inCI) {
  console.warn(
    `\n*** SKIPPING real Claude Code tests: Claude Code ${CLAUDE_VERSION} is not provisioned. ` +
      'Run `node scripts/provision-claude.mjs` (needs the npm registry) to enable them. ***\n',
  );
}
const claudeDescribe = binary || inCI ? describe : describe.skip;

const namespaceOk = canUnshareMount();
if (!namespaceOk && !inCI) {
  console.warn('\n*** SKIPPING managed-settings test: `unshare -m true` failed (needs root or CAP_SYS_ADMIN). ***\n');
}
const managedIt = namespaceOk || inCI ? it : it.skip;

const RUN_TIMEOUT = 60_000;

/** Telemetry env with the interval shortened so a 2 s run still exports periodically. */
function otelEnv(extra: Record<string, string>): Record<string, string> {
  return {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
    ...extra,
  };
}

function settingsFile(env: Record<string, string>): string {
  return JSON.stringify({ env }, null, 2);
}

function only(observed: Observed, signal: ObservedSignal['signal']): ObservedSignal {
  const found = observed.signals.filter((s) => s.signal === signal);
  expect(
    found.map((s) => `${s.transport} ${s.path}`),
    `${signal} exports`,
  ).toHaveLength(1);
  return found[0];
}

function expectClean(observed: Observed): void {
  expect(observed.exitCode, observed.stderr).toBe(0);
  expect(observed.stdout).toContain('Hi from the mock.');
}

describe('mock Anthropic API', () => {
  it('answers non-streaming and streaming requests with usage > 0', async () => {
    const mock = await startMockAnthropic();
    try {
      const post = (stream: boolean) =>
        fetch(`${mock.url}/v1/messages`, {
          method: 'POST',
          body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: 'hi' }] }),
        });
      const plain = (await (await post(false)).json()) as { content: { text: string }[]; usage: Record<string, number> };
      expect(plain.content[0].text).toBe('Hi from the mock.');
      for (const k of ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens']) {
        expect(plain.usage[k]).toBeGreaterThan(0);
      }
      const sse = await (await post(true)).text();
      expect([...sse.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])).toEqual([
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      expect((await fetch(mock.url, { method: 'HEAD' })).status).toBe(404);
      expect(mock.requests).toBe(2);
    } finally {
      await mock.close();
    }
  });
});

claudeDescribe(`real Claude Code ${CLAUDE_VERSION}`, () => {
  it('is provisioned', () => {
    expect(binary, 'run `node scripts/provision-claude.mjs`').toBeDefined();
  });

  it(
    'http/json in user settings: metrics and logs at /v1/metrics and /v1/logs, delta',
    async () => {
      const observed = await observeTelemetry((s) => ({
        home: {
          '.claude/settings.json': settingsFile(
            otelEnv({
              OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
              OTEL_EXPORTER_OTLP_ENDPOINT: s.httpUrl,
              OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc',
            }),
          ),
        },
      }));
      expectClean(observed);
      const metrics = only(observed, 'metrics');
      expect(metrics).toMatchObject({ transport: 'http', path: '/v1/metrics', protocol: 'http/json' });
      expect(metrics.temporality).toEqual(['delta']);
      expect(metrics.headerNames).toEqual(['authorization']);
      // Claude Code does not percent-decode header values over HTTP (reference finding 8).
      expect(metrics.headerValues.get('authorization') === 'Bearer%20abc').toBe(true);
      const logs = only(observed, 'logs');
      expect(logs).toMatchObject({ transport: 'http', path: '/v1/logs', protocol: 'http/json' });
      expect(observed.records.every((r) => r.headers.get('transfer-encoding') === 'chunked')).toBe(true);
      const names = observed.records.filter((r) => signalOf(r) === 'metrics').flatMap(metricNames);
      expect(names).toContain('claude_code.token.usage');
    },
    RUN_TIMEOUT,
  );

  it(
    'http/protobuf with a /v1/metrics endpoint: doubled paths, signal told by the body',
    async () => {
      const observed = await observeTelemetry((s) => ({
        shellEnv: otelEnv({
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_ENDPOINT: `${s.httpUrl}/v1/metrics`,
        }),
      }));
      expectClean(observed);
      const metrics = only(observed, 'metrics');
      expect(metrics).toMatchObject({ path: '/v1/metrics/v1/metrics', protocol: 'http/protobuf' });
      expect(metrics.temporality).toEqual(['delta']);
      expect(only(observed, 'logs').path).toBe('/v1/metrics/v1/logs');
      const names = observed.records.filter((r) => signalOf(r) === 'metrics').flatMap(metricNames);
      expect(names).toContain('claude_code.cost.usage');
    },
    RUN_TIMEOUT,
  );

  it(
    'grpc: MetricsService/Export and LogsService/Export arrive at the h2c sink',
    async () => {
      const observed = await observeTelemetry((s) => ({
        shellEnv: otelEnv({
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_EXPORTER_OTLP_ENDPOINT: s.grpcUrl,
          OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20grpc1',
          OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative',
        }),
      }));
      expectClean(observed);
      const metrics = only(observed, 'metrics');
      expect(metrics).toMatchObject({
        transport: 'grpc',
        protocol: 'grpc',
        path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
      });
      expect(metrics.temporality).toEqual(['cumulative']);
      expect(metrics.headerNames).toContain('authorization');
      // gRPC metadata, unlike the HTTP exporters, is percent-decoded.
      expect(metrics.headerValues.get('authorization') === 'Bearer grpc1').toBe(true);
      expect(only(observed, 'logs').path).toBe('/opentelemetry.proto.collector.logs.v1.LogsService/Export');
      // The protobuf sniffing used for odd paths agrees with the authoritative gRPC path.
      for (const r of observed.records) expect(signalOf(r)).toBe(pathSignal(r.path));
    },
    RUN_TIMEOUT,
  );

  it(
    'protocol unset: nothing arrives',
    async () => {
      const observed = await observeTelemetry((s) => ({
        home: { '.claude/settings.json': settingsFile(otelEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: s.httpUrl })) },
      }));
      expectClean(observed);
      expect(observed.records).toHaveLength(0);
      expect(observed.signals).toEqual([]);
    },
    RUN_TIMEOUT,
  );

  managedIt(
    'managed settings under /etc (private mount namespace) win over user settings',
    async () => {
      const realManaged = '/etc/claude-code/managed-settings.json';
      const existedBefore = existsSync(realManaged);
      const observed = await observeTelemetry((s) => ({
        etc: {
          'claude-code/managed-settings.json': settingsFile(
            otelEnv({
              OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
              OTEL_EXPORTER_OTLP_ENDPOINT: s.httpUrl,
              OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer managed',
            }),
          ),
        },
        home: {
          '.claude/settings.json': settingsFile({
            OTEL_METRICS_EXPORTER: 'none',
            OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer user',
          }),
        },
      }));
      expectClean(observed);
      const metrics = only(observed, 'metrics');
      expect(metrics.path).toBe('/v1/metrics');
      expect(metrics.headerValues.get('authorization') === 'Bearer managed').toBe(true);
      expect(only(observed, 'logs').path).toBe('/v1/logs');
      // The real /etc was never touched.
      expect(existsSync(realManaged)).toBe(existedBefore);
    },
    RUN_TIMEOUT,
  );

  it(
    'write-then-text script: Claude writes a file and lines_of_code is counted',
    async () => {
      const observed = await observeTelemetry((s) => ({
        script: 'write-then-text',
        extraArgs: ['--permission-mode', 'acceptEdits'],
        shellEnv: otelEnv({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: s.httpUrl }),
      }));
      expectClean(observed);
      const names = observed.records.filter((r) => signalOf(r) === 'metrics').flatMap(metricNames);
      expect(names).toContain('claude_code.lines_of_code.count');
    },
    RUN_TIMEOUT,
  );
});
