// Smoke tests proving the real-component oracles behave as the differential tests assume:
// two real collector builds (old/current, versions.json) and two Prometheus config checkers
// (Debian's promtool 2.x, prom3-check on the Prometheus 3 config loader).
// A missing oracle fails the test with CI=true; elsewhere its tests are skipped with a loud warning.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { oracleDescribe } from './differential-support.js';
import { collectorBinary, type CollectorRole, PROVISION_COLLECTOR, PROVISION_PROMETHEUS, prom3CheckBinary, promtoolBinary, versions } from './paths.js';

const dir = mkdtempSync(join(tmpdir(), 'cod-oracles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function run(bin: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** otlp receiver → `exporter` in a metrics pipeline, plus optional extra service YAML. */
function collectorConfig(exporter: string, serviceExtra = ''): string {
  return `receivers:
  otlp:
    protocols:
      grpc:
exporters:
  ${exporter}:
service:
${serviceExtra}  pipelines:
    metrics:
      receivers: [otlp]
      exporters: [${exporter}]
`;
}

const valid = file('valid.yaml', collectorConfig('debug'));
const logging = file('logging.yaml', collectorConfig('logging'));
const address = file('address.yaml', collectorConfig('debug', '  telemetry:\n    metrics:\n      address: 0.0.0.0:8888\n'));

for (const role of ['old', 'current'] as CollectorRole[]) {
  const version = versions.collector[role];
  oracleDescribe(`otelcol ${version} (${role})`, collectorBinary(role), PROVISION_COLLECTOR, (bin) => {
    const validate = (config: string) => run(bin, ['validate', `--config=${config}`]);

    it('reports its pinned version', () => {
      expect(run(bin, ['--version']).output.trim()).toBe(`otelcol-cod version ${version}`);
    });

    it('accepts a minimal otlp → debug config', () => {
      expect(validate(valid)).toEqual({ status: 0, output: '' });
    });

    if (role === 'old') {
      it('still accepts the logging exporter', () => {
        expect(validate(logging).status).toBe(0);
      });
      it('still accepts service.telemetry.metrics.address', () => {
        expect(validate(address).status).toBe(0);
      });
    } else {
      it('rejects the removed logging exporter', () => {
        const r = validate(logging);
        expect(r.status).not.toBe(0);
        expect(r.output).toContain('the logging exporter has been deprecated, use the debug exporter instead');
      });
      it('rejects service.telemetry.metrics.address', () => {
        const r = validate(address);
        expect(r.status).not.toBe(0);
        expect(r.output).toContain('has invalid keys: address');
      });
    }
  });
}

const promValid = file(
  'prometheus.yml',
  `global:
  scrape_interval: 15s
scrape_configs:
  - job_name: otel-collector
    static_configs:
      - targets: ['otel-collector:8889']
`,
);
// Prometheus durations need a unit: "15" is the classic copy-paste mistake.
const promBadDuration = file('prometheus-bad.yml', `global:\n  scrape_interval: 15\n`);
const BAD_DURATION = 'not a valid duration string: "15"';

oracleDescribe('promtool (Debian prometheus package)', promtoolBinary(), PROVISION_PROMETHEUS, (bin) => {
  const check = (config: string) => run(bin, ['check', 'config', '--syntax-only', config]);

  it('accepts a valid prometheus.yml', () => {
    const r = check(promValid);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  });

  it('rejects a duration without a unit', () => {
    const r = check(promBadDuration);
    expect(r.status).toBe(1);
    expect(r.output).toContain(BAD_DURATION);
  });
});

oracleDescribe(`prom3-check (prometheus ${versions.prometheusGo})`, prom3CheckBinary(), PROVISION_PROMETHEUS, (bin) => {
  it('links the pinned prometheus module', () => {
    expect(run(bin, ['--version']).output.trim()).toBe(`prom3-check prometheus ${versions.prometheusGo}`);
  });

  it('accepts a valid prometheus.yml', () => {
    expect(run(bin, [promValid]).status).toBe(0);
  });

  it('rejects a duration without a unit, with the loader error on stderr', () => {
    const r = spawnSync(bin, [promBadDuration], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(BAD_DURATION);
  });
});
