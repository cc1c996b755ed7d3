// dashboard/counter-without-rate's increase()/rate() totals depend on the engine behind the datasource: on
// VictoriaMetrics increase() counts a new series' small first sample (rollupDelta), so sessions and cost come out
// whole; where nothing tells the engine, the finding says it assumes Prometheus.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { scratchFolder } from '../helpers/scratch.js';

const RULE = 'dashboard/counter-without-rate';

function findings(dir: string) {
  const res = runCli(['check', '--format', 'json', '--no-shell-env', '--claude-version', '2.1.197', dir]);
  const report = JSON.parse(res.stdout) as { findings: { ruleId: string; kind: string; message: string; detail?: string; hint?: string }[] };
  return report.findings.filter((f) => f.ruleId === RULE);
}

describe('counter-without-rate and the engine behind the datasource', () => {
  it('on VictoriaMetrics: tokens by increase() and any rate() are low, worded for it; cost by increase() is not reported', () => {
    const found = findings(join(FIXTURES_DIR, 'dashboard-counter-without-rate-fail-victoriametrics', 'files'));
    expect(found.map((f) => f.message)).toEqual([
      `increase() in panel "Tokens" misses sessions' large first exports: the figure is low`,
      `rate() in panel "Average cost per hour" misses each session's first export: the figure is low`,
    ]);
    for (const f of found) {
      expect(f.detail).toContain('on VictoriaMetrics (datasource "VictoriaMetrics", url on port 8428)');
      expect(f.hint).toContain('increase_pure(');
    }
  });

  it('on Prometheus (a provisioned Prometheus datasource): the measured wording, no assumption', () => {
    const found = findings(join(FIXTURES_DIR, 'dashboard-counter-without-rate-fail-increase-over-range', 'files'));
    expect(found.length).toBe(2);
    for (const f of found) {
      expect(f.detail).toContain('as measured with real Claude Code, the collector and Prometheus');
      expect(f.detail).not.toMatch(/assuming|VictoriaMetrics/);
    }
  });

  it('the engine unknown (a datasource variable with no value, nothing provisioned): says it assumes Prometheus', () => {
    const fixture = join(FIXTURES_DIR, 'dashboard-counter-without-rate-pass-victoriametrics-variable', 'files', 'dashboards', 'claude-code.json');
    const dashboard = JSON.parse(readFileSync(fixture, 'utf8'));
    delete dashboard.templating.list[0].current;
    const dir = scratchFolder('counter-backend-');
    dir.write('dashboards/claude-code.json', JSON.stringify(dashboard, null, 2));
    const found = findings(dir.root);
    expect(found.length).toBe(1);
    expect(found[0].detail).toMatch(/^assuming Prometheus \(/);
  });
});
