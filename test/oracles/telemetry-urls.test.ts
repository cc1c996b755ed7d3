// When the differential harness may accept a started collector before its 5 s window is over: only once every
// internal telemetry server the config may open answers (differential-support.ts, telemetryUrls). Static.
import { describe, expect, it } from 'vitest';
import { acceptanceUrls, telemetryUrls } from './differential-support.js';

const metrics = (body: string) => `service:\n  telemetry:\n    metrics:\n${body}`;
const reader = (host: string, port: string) =>
  `        - pull:\n            exporter:\n              prometheus:\n${host ? `                host: ${host}\n` : ''}                port: ${port}\n`;

describe('telemetry servers a started collector must show before it counts as running', () => {
  it('the default :8888 when the config says nothing', () => {
    expect(telemetryUrls('receivers: {}\n')).toEqual(['http://127.0.0.1:8888/metrics']);
  });
  it('a set address, and every pull reader besides the default (more rather than fewer)', () => {
    expect(telemetryUrls(metrics('      address: 0.0.0.0:9999\n'))).toEqual(['http://127.0.0.1:9999/metrics']);
    expect(telemetryUrls(metrics(`      readers:\n${reader('0.0.0.0', '8887')}${reader('', '8886')}`))).toEqual([
      'http://127.0.0.1:8888/metrics',
      'http://127.0.0.1:8887/metrics',
      'http://127.0.0.1:8886/metrics',
    ]);
  });
  it('no positive signal (wait the whole window): telemetry off, a host not on this machine, a port from a variable, YAML that does not parse', () => {
    expect(telemetryUrls(metrics('      level: none\n'))).toBeUndefined();
    expect(telemetryUrls(metrics('      address: otel-collector:8888\n'))).toBeUndefined();
    expect(telemetryUrls(metrics(`      readers:\n${reader('0.0.0.0', '${env:PORT}')}`))).toBeUndefined();
    expect(telemetryUrls('service: [\n')).toBeUndefined();
  });
});

describe('acceptanceUrls: no early acceptance when two telemetry servers share a port', () => {
  const metrics = (body: string) => `service:\n  telemetry:\n    metrics:\n${body}`;
  it('a reader on the default port gives no signal; distinct ports do', () => {
    const sameAsDefault = metrics(
      '      readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: 0.0.0.0\n                port: 8888\n',
    );
    expect(telemetryUrls(sameAsDefault)).toEqual(['http://127.0.0.1:8888/metrics', 'http://127.0.0.1:8888/metrics']);
    expect(acceptanceUrls(sameAsDefault)).toBeUndefined();
    expect(acceptanceUrls(metrics('      address: 0.0.0.0:9999\n'))).toEqual(['http://127.0.0.1:9999/metrics']);
  });
});
