import { describe, expect, it } from 'vitest';
import invalidExporter, { exporterIntent } from '../../src/rules/settings/invalid-exporter.js';
import invalidProtocol, { intendedProtocol } from '../../src/rules/settings/invalid-protocol.js';
import protocolPortMismatch, { withPort } from '../../src/rules/settings/protocol-port-mismatch.js';
import headersHelperGrpc from '../../src/rules/settings/headers-helper-grpc.js';
import managedEndpointOverride from '../../src/rules/settings/managed-endpoint-override.js';
import invalidResourceAttributes, { attributeSpaces } from '../../src/rules/settings/invalid-resource-attributes.js';
import invalidInterval, { intendedMs, readInterval } from '../../src/rules/settings/invalid-interval.js';
import { displayUrl, parseEndpoint } from '../../src/model/otlp-signals.js';
import { replaceEnvValue } from '../../src/model/edits.js';
import { applyEdits, fixedUserEnv, run, workspaceOf } from '../helpers/setup-workspace.js';

const BASE = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
};
const user = (env: Record<string, unknown>) => ({ env: { ...BASE, ...env } });

describe('settings/invalid-exporter', () => {
  it('reads the intent of a rejected token only when it is unambiguous', () => {
    expect(exporterIntent('OTLP', 'metrics')).toEqual({ exporters: ['otlp'], protocol: undefined });
    expect(exporterIntent('"console"', 'logs')).toEqual({ exporters: ['console'], protocol: undefined });
    expect(exporterIntent('otlphttp', 'metrics')).toEqual({ exporters: ['otlp'], protocol: 'http/protobuf' });
    expect(exporterIntent('otlp_grpc', 'logs')).toEqual({ exporters: ['otlp'], protocol: 'grpc' });
    expect(exporterIntent('otlp;console', 'metrics')).toEqual({ exporters: ['otlp', 'console'], protocol: undefined });
    expect(exporterIntent('Prometheus', 'metrics')).toEqual({ exporters: ['prometheus'], protocol: undefined });
    expect(exporterIntent('prometheus', 'logs')).toBeUndefined();
    expect(exporterIntent('zipkin', 'traces')).toBeUndefined();
    expect(exporterIntent('otlphttp otlpgrpc', 'metrics')).toBeUndefined();
  });

  it('ignores OTEL_TRACES_EXPORTER without the beta flag and checks it with either flag', () => {
    expect(run(invalidExporter, { user: user({ OTEL_TRACES_EXPORTER: 'zipkin' }) })).toEqual([]);
    for (const flag of ['CLAUDE_CODE_ENHANCED_TELEMETRY_BETA', 'ENABLE_ENHANCED_TELEMETRY_BETA']) {
      const f = run(invalidExporter, { user: user({ [flag]: 'true', OTEL_TRACES_EXPORTER: 'zipkin' }) });
      expect(f.map((x) => x.message)).toEqual([expect.stringContaining('OTEL_TRACES_EXPORTER="zipkin"')]);
    }
  });

  it('says that every signal is lost, and words it for telemetry that is still off', () => {
    const [on] = run(invalidExporter, { user: user({ OTEL_METRICS_EXPORTER: 'otlp,OTLP' }) });
    expect(on.detail).toContain('nothing at all is exported (every signal, console included)');
    expect(fixedUserEnv({ user: user({ OTEL_METRICS_EXPORTER: 'otlp,OTLP' }) }, on).OTEL_METRICS_EXPORTER).toBe('otlp');
    const [off] = run(invalidExporter, { user: user({ CLAUDE_CODE_ENABLE_TELEMETRY: '0', OTEL_METRICS_EXPORTER: 'OTLP' }) });
    expect(off.detail).toContain('once CLAUDE_CODE_ENABLE_TELEMETRY is on');
  });

  it('otlphttp: adds an HTTP protocol when none is set, and gives no fix when the protocol or port says gRPC', () => {
    const spec = {
      user: { env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlphttp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' } },
    };
    const [f] = run(invalidExporter, spec);
    expect(fixedUserEnv(spec, f)).toMatchObject({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });

    const grpc = run(invalidExporter, { user: user({ OTEL_METRICS_EXPORTER: 'otlphttp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }) });
    expect(grpc[0].fix).toBeUndefined();
    const port = run(invalidExporter, { user: { env: { ...spec.user.env, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' } } });
    expect(port[0].fix).toBeUndefined();
  });

  it('never edits managed settings to add a protocol (the fix would be half done)', () => {
    const f = run(invalidExporter, { managed: { env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlphttp' } } });
    expect(f).toHaveLength(1);
    expect(f[0].fix).toBeUndefined();
  });
});

describe('settings/invalid-protocol', () => {
  it('maps rejected spellings to the protocol they mean', () => {
    expect(intendedProtocol('http')).toBe('http/protobuf');
    expect(intendedProtocol('HTTP/JSON')).toBe('http/json');
    expect(intendedProtocol(' gRPC ')).toBe('grpc');
    expect(intendedProtocol('"grpc"')).toBe('grpc');
    expect(intendedProtocol('http_protobuf')).toBe('http/protobuf');
    expect(intendedProtocol('https')).toBeUndefined();
    expect(intendedProtocol('otlp')).toBeUndefined();
  });

  it('accepts trimmed valid values and is an error only where an otlp signal reads the variable', () => {
    expect(run(invalidProtocol, { user: user({ OTEL_EXPORTER_OTLP_PROTOCOL: ' grpc ', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' }) })).toEqual([]);
    const traces = run(invalidProtocol, { user: user({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http' }) });
    expect(traces.map((f) => f.severity)).toEqual(['warning']);
    const used = run(invalidProtocol, {
      user: user({ CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http' }),
    });
    expect(used.map((f) => f.severity)).toEqual(['error']);
  });
});

describe('settings/protocol-port-mismatch', () => {
  const spec = { user: user({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' }) };
  it('fires without a collector config and stays silent with one', () => {
    expect(run(protocolPortMismatch, spec)).toHaveLength(1);
    expect(run(protocolPortMismatch, { ...spec, stackFiles: ['collector'] })).toEqual([]);
    expect(run(protocolPortMismatch, { ...spec, stackFiles: ['prometheus'] })).toHaveLength(1);
  });
  it('uses the per-signal endpoint and protocol of each signal', () => {
    const ok = run(protocolPortMismatch, {
      user: user({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://localhost:4317' }),
    });
    expect(ok).toEqual([]);
    const bad = run(protocolPortMismatch, { user: user({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://localhost:4317/v1/metrics' }) });
    expect(bad).toHaveLength(1);
    expect(bad[0].fix?.safety).toBe('unsafe');
  });
  it('ignores scheme-less http endpoints (not used) but not scheme-less grpc ones (dialled)', () => {
    expect(run(protocolPortMismatch, { user: user({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4317' }) })).toEqual([]);
    expect(run(protocolPortMismatch, { user: user({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }) })).toHaveLength(1);
  });
  it('rewrites only the port', () => {
    expect(withPort('http://user:pw@otel:4318/x', 4318, 4317)).toBe('http://user:pw@otel:4317/x');
    expect(withPort('[::1]:4318', 4318, 4317)).toBe('[::1]:4317');
    expect(withPort('http://otel:43180', 4318, 4317)).toBe('http://otel:43180');
  });
});

describe('settings/headers-helper-grpc', () => {
  it('warns only when a signal that uses otlp goes over grpc', () => {
    const helper = { otelHeadersHelper: '/usr/local/bin/otel-token' };
    expect(run(headersHelperGrpc, { user: { ...helper, ...user({}) } })).toEqual([]);
    const found = run(headersHelperGrpc, { user: { ...helper, ...user({ OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc' }) } });
    expect(found.map((f) => f.message)).toEqual([expect.stringContaining('logs are exported over grpc')]);
    expect(found[0].detail).toContain('OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=grpc');
  });
});

describe('settings/managed-endpoint-override', () => {
  const managed = { env: { ...BASE, OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer corp-secret-123' } };
  const dev = { env: { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://localhost:4318/v1/logs' } };
  it('fires below 2.1.217 only, and names the managed header without its value', () => {
    const f = run(managedEndpointOverride, { managed, user: dev, version: '2.1.216' });
    expect(f).toHaveLength(1);
    expect(f[0].detail).toContain('(Authorization)');
    expect(f[0].message).not.toContain('corp-secret-123');
    expect(fixedUserEnv({ user: dev }, f[0])).toEqual({});
    expect(run(managedEndpointOverride, { managed, user: dev, version: '2.1.217' })).toEqual([]);
  });
  it('is silent when managed settings set the per-signal endpoint themselves, or no generic endpoint', () => {
    expect(run(managedEndpointOverride, { managed: { env: { ...managed.env, ...dev.env } }, user: dev })).toEqual([]);
    expect(run(managedEndpointOverride, { managed: { env: { OTEL_EXPORTER_OTLP_HEADERS: 'a=b' } }, user: { env: { ...BASE, ...dev.env } } })).toEqual([]);
  });
});

describe('settings/invalid-resource-attributes', () => {
  it('tells spaces inside values from spaces around separators', () => {
    expect(attributeSpaces('team.id=platform,org.name=My Company')).toEqual({
      inside: ['org.name'],
      around: false,
      fixed: 'team.id=platform,org.name=My%20Company',
      encodes: true,
    });
    expect(attributeSpaces(' team.id = platform, env=dev ')).toEqual({ inside: [], around: true, fixed: 'team.id=platform,env=dev', encodes: false });
    expect(attributeSpaces('org name=x').fixed).toBeUndefined();
  });
  it('percent-encodes spaces inside values (safe: the conformance suite shows %20 arrives decoded); spaces around separators are harmless', () => {
    const inside = run(invalidResourceAttributes, { user: user({ OTEL_RESOURCE_ATTRIBUTES: 'team.id=platform,org.name=My Company' }) });
    expect(inside[0].fix?.safety).toBe('safe');
    expect(inside[0].fix?.edits[0].text).toContain('org.name=My%20Company');
    expect(run(invalidResourceAttributes, { user: user({ OTEL_RESOURCE_ATTRIBUTES: 'team.id=platform, env=dev' }) })).toEqual([]);
  });
  it('warns about service.name and OTEL_SERVICE_NAME unless they keep claude-code', () => {
    expect(run(invalidResourceAttributes, { user: user({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=claude-code', OTEL_SERVICE_NAME: 'claude-code' }) })).toEqual(
      [],
    );
    const f = run(invalidResourceAttributes, { user: user({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=mine', OTEL_SERVICE_NAME: 'other' }) });
    expect(f.map((x) => x.severity)).toEqual(['warning', 'warning']);
  });
});

describe('settings/invalid-interval', () => {
  it('reads values as parseInt does (before 2.1.211) and as the writer meant', () => {
    const v = '2.1.210';
    expect(readInterval('10s', v)).toEqual({ read: 10, intended: 10000 });
    expect(readInterval('1m', v)).toEqual({ read: 1, intended: 60000 });
    expect(readInterval('1e4', v)).toEqual({ read: 1, intended: 10000 });
    expect(readInterval('60000ms', v)).toEqual({ read: 60000, intended: 60000 });
    expect(readInterval('5,000', v)).toEqual({ read: 5, intended: 5000 });
    expect(readInterval('fast', v)).toEqual({ read: undefined, intended: undefined });
    expect(intendedMs('1.5s')).toBe(1500);
    expect(intendedMs('10 parsecs')).toBeUndefined();
  });
  it('from 2.1.211 reads scientific notation through Number (whole numbers only) and drops thousands separators', () => {
    const v = '2.1.211';
    expect(readInterval('1e4', v)).toEqual({ read: 10000, intended: 10000 });
    expect(readInterval(' 1.5e3 ', v).read).toBe(1500);
    expect(readInterval('1.5e0', v).read).toBeUndefined();
    expect(readInterval('5,000', v)).toEqual({ read: 5000, intended: 5000 });
    expect(readInterval('5_000', v).read).toBe(5000);
    expect(readInterval('10s', v)).toEqual({ read: 10, intended: 10000 });
    expect(readInterval('60000ms', v).read).toBe(60000);
  });
  it('accepts JSON numbers and "60000ms"; errors on units; warns on ranges', () => {
    expect(run(invalidInterval, { user: user({ OTEL_METRIC_EXPORT_INTERVAL: 30000, OTEL_LOGS_EXPORT_INTERVAL: '5000ms' }) })).toEqual([]);
    const spec = { user: user({ OTEL_METRIC_EXPORT_INTERVAL: '1m' }) };
    const [f] = run(invalidInterval, spec);
    expect(f.severity).toBe('error');
    expect(fixedUserEnv(spec, f).OTEL_METRIC_EXPORT_INTERVAL).toBe('60000');
    expect(run(invalidInterval, { user: user({ OTEL_METRIC_EXPORT_INTERVAL: '900000' }) }).map((x) => x.severity)).toEqual(['warning']);
    expect(run(invalidInterval, { user: user({ OTEL_LOGS_EXPORT_INTERVAL: '10.5' }) }).map((x) => x.severity)).toEqual(['warning']);
    // Timeouts: parse errors only, no range.
    expect(run(invalidInterval, { user: user({ CLAUDE_CODE_OTEL_FLUSH_TIMEOUT_MS: '100' }) })).toEqual([]);
    expect(run(invalidInterval, { user: user({ OTEL_TRACES_EXPORT_INTERVAL: '5s' }) })).toEqual([]);
  });
});

describe('endpoint helpers', () => {
  it('parses endpoints with and without a scheme, keeping the written port', () => {
    expect(parseEndpoint('localhost:4317')).toEqual({ scheme: undefined, host: 'localhost', port: 4317, path: '' });
    expect(parseEndpoint('https://otel.example.com:443/otlp/')).toEqual({ scheme: 'https', host: 'otel.example.com', port: 443, path: '/otlp/' });
    expect(parseEndpoint('http://[::1]:4318/v1/metrics?x=1')).toEqual({ scheme: 'http', host: '[::1]', port: 4318, path: '/v1/metrics' });
    expect(parseEndpoint('local host:4317')).toBeUndefined();
  });
  it('masks user info and query strings', () => {
    expect(displayUrl('https://user:secret@otel.example.com/otlp?api-key=abc')).toBe('https://****@otel.example.com/otlp?****');
    expect(displayUrl('http://localhost:4318/v1/logs')).toBe('http://localhost:4318/v1/logs');
  });
  it('shows URLs in the styles init and the probes use, from the same function', async () => {
    const secrets = await import('../../src/util/secrets.js');
    const probes = await import('../../src/probes/http.js');
    expect(secrets.displayUrl('https://u:p@Otel.example.com/otlp?k=1', 'without-user-info')).toBe('https://otel.example.com/otlp?k=1');
    expect(secrets.displayUrl(' https://Otel.example.com:443/ ', 'without-user-info')).toBe('https://Otel.example.com:443/');
    expect(probes.displayUrl('https://u:p@Otel.example.com:443/')).toBe('https://otel.example.com');
    expect(probes.displayUrl('not a url //u:p@host')).toBe('not a url //host');
  });
});

describe('credentials in env entries (model/credentials.ts envCredential)', () => {
  it('names the kind of credential, never its value', async () => {
    const { envCredential } = await import('../../src/model/credentials.js');
    expect(envCredential('OTEL_EXPORTER_OTLP_HEADERS', 'Authorization=Splunk abc123,X-Scope-OrgID=t1')).toEqual({
      kind: 'headers',
      headers: [{ name: 'Authorization', display: 'Authorization=Splunk ****' }],
    });
    expect(envCredential('OTEL_EXPORTER_OTLP_HEADERS', 'X-Scope-OrgID=t1')).toBeUndefined();
    expect(envCredential('OTEL_EXPORTER_OTLP_ENDPOINT', 'https://u:p@host')).toEqual({ kind: 'urlPassword' });
    expect(envCredential('OTEL_EXPORTER_OTLP_ENDPOINT', 'https://host')).toBeUndefined();
    expect(envCredential('SOME_VAR', ' sk-ant-api03-xyz')).toEqual({ kind: 'anthropicKey' });
    expect(envCredential('MY_TOKEN', 'ghp_abcdef123')).toEqual({ kind: 'literal' });
    expect(envCredential('MY_TOKEN', '${TOKEN}')).toBeUndefined();
  });
});

describe('env-file edits', () => {
  it('quote a new value that needs quoting in the shell', () => {
    const ws = workspaceOf({ shell: 'export OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20abc\nexport OTEL_RESOURCE_ATTRIBUTES="a=b"\n' });
    const headers = ws.claude.env.get('OTEL_EXPORTER_OTLP_HEADERS')!;
    const text = headers.origin.source!.text;
    expect(applyEdits(text, replaceEnvValue(headers.origin, headers.name, 'Authorization=Bearer abc'))).toContain(
      "OTEL_EXPORTER_OTLP_HEADERS='Authorization=Bearer abc'\n",
    );
    const attrs = ws.claude.env.get('OTEL_RESOURCE_ATTRIBUTES')!;
    expect(applyEdits(text, replaceEnvValue(attrs.origin, attrs.name, 'a=b c'))).toContain('OTEL_RESOURCE_ATTRIBUTES="a=b c"\n');
  });
});
