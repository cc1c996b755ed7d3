import { describe, expect, it } from 'vitest';
import invalidEndpoint from '../../src/rules/settings/invalid-endpoint.js';
import invalidHeaders, { analyseHeaders } from '../../src/rules/settings/invalid-headers.js';
import { RULES } from '../../src/rules/index.js';
import { fixedUserEnv, run, workspaceOf, findingsOf } from '../helpers/setup-workspace.js';

const BASE = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
};
const user = (env: Record<string, unknown>) => ({ env: { ...BASE, ...env } });

/** One finding of invalid-endpoint for the user env: severity, fix safety and the fixed value of `name`. */
function endpoint(env: Record<string, unknown>, name = 'OTEL_EXPORTER_OTLP_ENDPOINT') {
  const spec = { user: user(env) };
  const f = run(invalidEndpoint, spec);
  if (f.length === 0) return undefined;
  expect(f).toHaveLength(1);
  return {
    severity: f[0].severity,
    safety: f[0].fix?.safety,
    fixed: f[0].fix ? fixedUserEnv(spec, f[0])[name] : undefined,
    message: f[0].message,
    detail: f[0].detail,
  };
}

describe('settings/invalid-endpoint', () => {
  it('generic endpoint with a signal path: doubled over http, fine over grpc', () => {
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/v1/metrics/' })).toMatchObject({
      severity: 'error',
      safety: 'safe',
      fixed: 'http://localhost:4318',
    });
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example.com/otlp/v1/traces' })).toMatchObject({ fixed: 'https://gw.example.com/otlp' });
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/v1' })).toMatchObject({ severity: 'error', fixed: 'http://localhost:4318' });
    expect(endpoint({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317/v1/metrics' })).toBeUndefined();
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example.com/otlp/' })).toBeUndefined();
  });

  it('the message gives the paths Claude Code really posts to', () => {
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318/v1/metrics' })!.detail).toContain(
      'metrics to /v1/metrics/v1/metrics and logs to /v1/metrics/v1/logs',
    );
  });

  it('per-signal http endpoints need exactly /v1/<signal>', () => {
    const M = 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT';
    expect(endpoint({ [M]: 'http://localhost:4318/v1/metrics' }, M)).toBeUndefined();
    expect(endpoint({ [M]: 'https://gw.example.com/otlp/v1/metrics' }, M)).toBeUndefined();
    expect(endpoint({ [M]: 'http://localhost:4318/' }, M)).toMatchObject({ severity: 'error', safety: 'safe', fixed: 'http://localhost:4318/v1/metrics' });
    expect(endpoint({ [M]: 'http://localhost:4318/v1/logs' }, M)).toMatchObject({
      severity: 'error',
      safety: 'safe',
      fixed: 'http://localhost:4318/v1/metrics',
    });
    expect(endpoint({ [M]: 'http://localhost:4318/v1/metrics/' }, M)).toMatchObject({
      severity: 'warning',
      safety: 'safe',
      fixed: 'http://localhost:4318/v1/metrics',
    });
    expect(endpoint({ [M]: 'https://gw.example.com/otlp' }, M)).toMatchObject({
      severity: 'warning',
      safety: 'unsafe',
      fixed: 'https://gw.example.com/otlp/v1/metrics',
    });
    // A query string may hold a credential and makes path edits unsafe to compute: reported, not fixed.
    expect(endpoint({ [M]: 'https://gw.example.com?key=abc' }, M)).toMatchObject({ severity: 'error', fixed: undefined });
    // Per-signal endpoints of a signal that does not export with otlp are not read.
    expect(endpoint({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4318' }, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')).toBeUndefined();
  });

  it('no scheme: error unless the default happens to be the same place; the scheme is added only when clear', () => {
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toMatchObject({ severity: 'warning', safety: 'safe', fixed: 'http://localhost:4318' });
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toMatchObject({ severity: 'error', fixed: 'http://collector:4318' });
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel.example.com' })).toMatchObject({ severity: 'error', fixed: undefined });
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel.example.com:443' })).toMatchObject({ severity: 'error', fixed: 'https://otel.example.com:443' });
    // Per-signal without scheme and without path: both fixed together, and the default is the same place.
    const M = 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT';
    expect(endpoint({ [M]: 'localhost:4318' }, M)).toMatchObject({ severity: 'warning', fixed: 'http://localhost:4318/v1/metrics' });
  });

  it('no scheme over grpc: TLS is attempted, which fails for a plaintext or IP endpoint and works for a TLS host', () => {
    const grpc = { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' };
    expect(endpoint({ ...grpc, OTEL_EXPORTER_OTLP_ENDPOINT: '10.0.0.5:4317' })).toMatchObject({ severity: 'error', fixed: 'http://10.0.0.5:4317' });
    expect(endpoint({ ...grpc, OTEL_EXPORTER_OTLP_ENDPOINT: '10.0.0.5:4317' })!.detail).toContain(
      'Setting the TLS ServerName to an IP address is not permitted',
    );
    expect(endpoint({ ...grpc, OTEL_EXPORTER_OTLP_ENDPOINT: 'api.honeycomb.io' })).toMatchObject({
      severity: 'warning',
      safety: 'safe',
      fixed: 'https://api.honeycomb.io',
    });
  });

  it('not a URL, or a scheme http cannot use', () => {
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://local host:4318' })).toMatchObject({ severity: 'error', fixed: undefined });
    expect(endpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://localhost:4318' })).toMatchObject({
      severity: 'error',
      safety: 'unsafe',
      fixed: 'http://localhost:4318',
    });
    expect(endpoint({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'unix:///var/run/otel.sock' })).toBeUndefined();
  });
});

describe('settings/invalid-headers', () => {
  it('finds the colon form, quotes and %20, and corrects them', () => {
    expect(analyseHeaders('Authorization: Bearer abc', true)).toMatchObject({
      fixed: 'Authorization=Bearer abc',
      problems: [{ severity: 'error', fixable: true }],
    });
    expect(analyseHeaders('"Authorization=Bearer abc,X-A=1"', true).fixed).toBe('Authorization=Bearer abc,X-A=1');
    expect(analyseHeaders('Authorization="Bearer abc"', true).fixed).toBe('Authorization=Bearer abc');
    expect(analyseHeaders("'x-api-key'=abc", true).fixed).toBe('x-api-key=abc');
    expect(analyseHeaders('Authorization=Bearer%20abc', true)).toMatchObject({ fixed: 'Authorization=Bearer abc', problems: [{ severity: 'warning' }] });
    expect(analyseHeaders('Authorization=Bearer%20abc', false).problems).toEqual([]);
    expect(analyseHeaders('Authorization=Bearer abc, X-Scope-OrgID=t1,', true).problems).toEqual([]);
  });

  it('never puts a value, or what might be one, into a problem text', () => {
    const secret = 'sk-live-9c2e7d';
    for (const value of [
      `Authorization: Bearer ${secret}`,
      `"Authorization=Bearer ${secret}"`,
      `Authorization="${secret}"`,
      `Authorization=Bearer%20${secret}`,
      `Bearer ${secret}`,
      `admin:${secret}`,
      `X-Key ${secret}=1`,
      `a=b,${secret}`,
    ]) {
      const { problems } = analyseHeaders(value, true);
      expect(problems.length, value).toBeGreaterThan(0);
      for (const p of problems) expect(p.text, value).not.toContain(secret);
    }
    expect(analyseHeaders('admin:pw', true).problems[0].fixable).toBe(false);
  });

  it('generic and per-signal headers with one key: warns over http only, and only when the values differ', () => {
    const both = { OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer g', OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'authorization=Bearer m' };
    const http = run(invalidHeaders, { user: user(both) });
    expect(http.map((f) => [f.severity, f.path])).toEqual([['warning', '/env/OTEL_EXPORTER_OTLP_METRICS_HEADERS']]);
    expect(run(invalidHeaders, { user: user({ ...both, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }) })).toEqual([]);
    expect(run(invalidHeaders, { user: user({ ...both, OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'Authorization=Bearer g' }) })).toEqual([]);
  });
});

describe('group A rules keep secrets out of messages and hints', () => {
  it('with every kind of bad header, endpoint credential and managed credential', () => {
    const secret = 'tok-4b1d9e77';
    const ws = workspaceOf({
      managed: { env: { ...BASE, OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${secret}` } },
      user: {
        otelHeadersHelper: '/bin/helper',
        env: {
          OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
          OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `https://u:${secret}@otel.example.com:4318?key=${secret}`,
          OTEL_EXPORTER_OTLP_LOGS_HEADERS: `"Authorization: Bearer%20${secret}"`,
          OTEL_EXPORTER_OTLP_METRICS_HEADERS: `Bearer ${secret},X=${secret}`,
          OTEL_RESOURCE_ATTRIBUTES: `team=${secret} x`,
        },
      },
    });
    const texts = RULES.filter((r) => r.oracle === 'claude-code').flatMap((r) =>
      findingsOf(r, ws).flatMap((f) => [f.message, f.hint ?? '', f.fix?.description ?? '']),
    );
    expect(texts.length).toBeGreaterThan(0);
    for (const t of texts) expect(t).not.toContain(secret);
  });
});

describe('redaction of malformed header lists', () => {
  it('masks the credential of a colon-form or bare entry in the output (the source line under the finding shows it)', async () => {
    const { collectSecrets, redact } = await import('../../src/util/secrets.js');
    const ws = workspaceOf({ user: user({ OTEL_EXPORTER_OTLP_HEADERS: 'Authorization: Bearer sk-colon-5e1f,Bearer sk-bare-8a2c' }) });
    const out = redact('"Authorization: Bearer sk-colon-5e1f,Bearer sk-bare-8a2c"', collectSecrets([ws]));
    expect(out).not.toContain('sk-colon-5e1f');
    expect(out).not.toContain('sk-bare-8a2c');
  });
});
