// The paths a real collector's OTLP/HTTP receiver serves, against the doctor's model of them (collector.ts
// `otlpListeners` urlPaths, which collector/otlp-path-not-served compares Claude Code's request path with): an empty
// protobuf export POSTed to each path is accepted (200) exactly where the model says the signal is served, and
// answered 404 elsewhere (`/otlp/v1/metrics`, a trailing slash). One receiver keeps the defaults, one sets
// `metrics_url_path` without a leading slash (the collector adds it) and `logs_url_path`. Both oracle builds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { loadCollector, otlpListeners } from '../../src/model/collector.js';
import { describeWithComponents as suite } from '../helpers/real-components.js';
import { collectorBinary, PROVISION_COLLECTOR, versions } from '../oracles/paths.js';
import { freePort, startCollector } from './pipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'cod-otlp-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CASES: { receiver: 'otlp' | 'otlp/custom'; signal: 'metrics' | 'logs'; path: string }[] = [
  { receiver: 'otlp', signal: 'metrics', path: '/v1/metrics' },
  { receiver: 'otlp', signal: 'logs', path: '/v1/logs' },
  { receiver: 'otlp', signal: 'metrics', path: '/otlp/v1/metrics' },
  { receiver: 'otlp', signal: 'metrics', path: '/v1/metrics/' },
  { receiver: 'otlp', signal: 'logs', path: '/otlp/v1/logs' },
  { receiver: 'otlp/custom', signal: 'metrics', path: '/otlp/v1/metrics' },
  { receiver: 'otlp/custom', signal: 'metrics', path: '/v1/metrics' },
  { receiver: 'otlp/custom', signal: 'logs', path: '/custom/logs' },
  { receiver: 'otlp/custom', signal: 'logs', path: '/v1/logs' },
];

for (const role of ['old', 'current'] as const) {
  const binary = collectorBinary(role);
  suite(`OTLP/HTTP paths of the real collector ${versions.collector[role]}`, binary ? undefined : `no collector ${role} (${PROVISION_COLLECTOR})`, () => {
    it('accepts an export exactly at the paths the model says the receiver serves', async () => {
      const ports = { otlp: await freePort(), custom: await freePort(), health: await freePort() };
      const config = [
        'receivers:',
        '  otlp:',
        '    protocols:',
        '      http:',
        `        endpoint: 127.0.0.1:${ports.otlp}`,
        '  otlp/custom:',
        '    protocols:',
        '      http:',
        `        endpoint: 127.0.0.1:${ports.custom}`,
        '        metrics_url_path: otlp/v1/metrics',
        '        logs_url_path: /custom/logs',
        'extensions:',
        '  health_check:',
        `    endpoint: 127.0.0.1:${ports.health}`,
        'exporters:',
        '  debug: {}',
        'service:',
        '  extensions: [health_check]',
        '  telemetry:',
        '    metrics:',
        '      level: none',
        '  pipelines:',
        '    metrics:',
        '      receivers: [otlp, otlp/custom]',
        '      exporters: [debug]',
        '    logs:',
        '      receivers: [otlp, otlp/custom]',
        '      exporters: [debug]',
        '',
      ].join('\n');
      const model = loadCollector(parseYaml(new SourceFile(join(dir, 'config.yaml'), config)));
      const listeners = otlpListeners(model, false);
      const collector = await startCollector(binary!, config, `http://127.0.0.1:${ports.health}/`, dir);
      try {
        const seen: string[] = [];
        const expected: string[] = [];
        for (const c of CASES) {
          const port = c.receiver === 'otlp' ? ports.otlp : ports.custom;
          const res = await fetch(`http://127.0.0.1:${port}${c.path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-protobuf' },
            body: new Uint8Array(0),
          });
          await res.arrayBuffer();
          const served = listeners.find((l) => l.receiver === c.receiver && l.protocol === 'http')?.urlPaths?.[c.signal];
          const modelServes = served !== undefined && served !== 'unknown' && served.path === c.path;
          seen.push(`${c.receiver} ${c.path}: ${res.status}`);
          expected.push(`${c.receiver} ${c.path}: ${modelServes ? 200 : 404}`);
        }
        expect(seen).toEqual(expected);
        // The cases hold both answers.
        expect(expected.filter((e) => e.endsWith('200'))).toHaveLength(4);
      } finally {
        await collector.stop();
      }
    }, 60_000);
  });
}
