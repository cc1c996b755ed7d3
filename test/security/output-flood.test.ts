import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LOCATIONS, MAX_PER_RULE_AND_FILE } from '../../src/engine.js';
import { MAX_MESSAGE } from '../../src/util/escape.js';
import { editDistance, levenshtein } from '../../src/util/distance.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

// Small files that would explode the output: each yields at most MAX_PER_RULE_AND_FILE findings per rule, then one
// "… and N more"; one cause in many places lists at most MAX_LOCATIONS of them; every message, value and source line
// is cut to a fixed size; suggestion searches stay cheap.
const root = mkdtempSync(join(tmpdir(), 'cod-flood-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (rel: string, text: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
};
const MB = 1 << 20;
const settings = (env: Record<string, string>) => JSON.stringify({ env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', ...env } }, null, 2);

// 10k misspelt variables, each a finding of settings/unknown-variable.
write('many/home/.claude/settings.json', settings(Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`OTEL_BOGUS_SETTING_${i}`, 'x']))));
// One 1 MB value on one line, and a 1 MB name (the suggestion search must not compare it letter by letter).
write('huge/home/.claude/settings.json', settings({ OTEL_METRICS_EXPORTER: 'y'.repeat(MB), [`OTEL_${'Z'.repeat(MB)}`]: '1' }));
// A dashboard with 5000 panels, each querying a metric nobody produces.
const repo = join(root, 'repo');
cpSync(join(FIXTURES_DIR, 'dashboard-unknown-metric-fail', 'files'), repo, { recursive: true });
const dashboardFile = join(repo, 'dashboards', 'claude-code.json');
const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8'));
const panel = dashboard.panels[0];
dashboard.panels = Array.from({ length: 5000 }, (_, i) => ({
  ...panel,
  id: i + 1,
  title: `Panel ${i}`,
  targets: [{ ...panel.targets[0], expr: `sum(increase(claude_code_active_time_total_seconds_total_${i}[$__range]))` }],
}));
writeFileSync(dashboardFile, JSON.stringify(dashboard, null, 2));
// The same dashboard, each panel querying the same wrong metric: one cause in 5000 places.
const sameRepo = join(root, 'same');
cpSync(join(FIXTURES_DIR, 'dashboard-unknown-metric-fail', 'files'), sameRepo, { recursive: true });
dashboard.panels = dashboard.panels.map((p: { targets: object[] }) => ({
  ...p,
  targets: [{ ...p.targets[0], expr: 'sum(increase(claude_code_active_time_total_seconds_total[$__range]))' }],
}));
writeFileSync(join(sameRepo, 'dashboards', 'claude-code.json'), JSON.stringify(dashboard, null, 2));

const machine = (dir: string) => [
  '--no-shell-env',
  '--claude-version',
  '2.1.197',
  '--home',
  join(root, dir, 'home'),
  '--project',
  join(root, 'none'),
  '--managed-dir',
  join(root, 'none'),
];

function timed(args: string[], env: Record<string, string> = { NO_COLOR: '1' }) {
  const start = Date.now();
  const res = runCli(args, env);
  return { ...res, ms: Date.now() - start };
}

describe('output stays bounded', () => {
  it('10k wrong variables in one file: 20 findings of the rule, then one "… and N more"', () => {
    const res = timed(['check', ...machine('many')]);
    expect(res.exitCode).toBe(1);
    const shown = res.stdout.match(/\[settings\/unknown-variable\]/g) ?? [];
    expect(shown.length).toBe(MAX_PER_RULE_AND_FILE + 1);
    expect(res.stdout).toContain(`… and ${10_000 - MAX_PER_RULE_AND_FILE} more settings/unknown-variable findings in this file`);
    expect(res.stdout.length).toBeLessThan(40_000);
    expect(res.ms).toBeLessThan(30_000);
  }, 120_000);

  it('every format holds the count, not the flood', () => {
    const json = JSON.parse(timed(['check', '--format', 'json', ...machine('many')]).stdout);
    expect(json.findings.filter((f: { ruleId: string }) => f.ruleId === 'settings/unknown-variable')).toHaveLength(MAX_PER_RULE_AND_FILE + 1);
    const sarif = JSON.parse(timed(['check', '--format', 'sarif', ...machine('many')]).stdout);
    expect(sarif.runs[0].results.length).toBeLessThan(60);
    const github = timed(['check', '--format', 'github', ...machine('many')]).stdout;
    expect(github.split('\n').length).toBeLessThan(60);
  }, 180_000);

  it('a 1 MB value and a 1 MB name: messages and source lines cut to a fixed size, quickly', () => {
    const res = timed(['check', ...machine('huge')]);
    expect(res.exitCode).toBe(1);
    expect(res.stdout).toMatch(/y{50,}…y{50,}/); // the value is in the message, cut in the middle
    expect(res.stdout.length).toBeLessThan(20_000);
    for (const line of res.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(MAX_MESSAGE + 200);
    expect(res.ms).toBeLessThan(30_000);
    const json = timed(['check', '--format', 'json', ...machine('huge')]).stdout;
    expect(json.length).toBeLessThan(40_000);
  }, 120_000);

  it('a dashboard with 5000 panels of a wrong metric: bounded findings and output', () => {
    const res = timed(['check', repo]);
    expect(res.exitCode).toBe(1);
    expect((res.stdout.match(/\[dashboard\/unknown-metric\]/g) ?? []).length).toBe(MAX_PER_RULE_AND_FILE + 1);
    expect(res.stdout).toContain(`… and ${5000 - MAX_PER_RULE_AND_FILE} more dashboard/unknown-metric findings in this file`);
    expect(res.stdout.length).toBeLessThan(60_000);
    expect(res.ms).toBeLessThan(60_000);
  }, 120_000);

  it('one wrong metric in 5000 panels: one finding that counts every place and lists a bounded number', () => {
    const res = timed(['check', sameRepo]);
    expect((res.stdout.match(/\[dashboard\/unknown-metric\]/g) ?? []).length).toBe(1);
    expect(res.stdout).toContain('(and 4999 more places in this file)');
    expect(res.stdout.length).toBeLessThan(20_000);
    const json = JSON.parse(timed(['check', '--format', 'json', sameRepo]).stdout);
    const [grouped] = json.findings.filter((f: { ruleId: string }) => f.ruleId === 'dashboard/unknown-metric');
    expect(grouped.locations).toHaveLength(MAX_LOCATIONS);
    // What an input can grow is the results; the rules' metadata (every rule, about 145 kB) is the same for any input.
    const sarif = JSON.parse(timed(['check', '--format', 'sarif', sameRepo]).stdout);
    expect(JSON.stringify(sarif.runs[0].results).length).toBeLessThan(30_000);
    expect(sarif.runs[0].results.flatMap((r: { relatedLocations?: unknown[] }) => r.relatedLocations ?? []).length).toBeLessThanOrEqual(2 * MAX_LOCATIONS);
    expect(res.ms).toBeLessThan(60_000);
  }, 120_000);

  it('suggestion searches do not compare names longer than a fixed length', () => {
    const long = 'a'.repeat(MB);
    const start = Date.now();
    expect(levenshtein(long, 'OTEL_METRICS_EXPORTER')).toBe(Number.POSITIVE_INFINITY);
    expect(editDistance('OTEL_METRICS_EXPORTER', long)).toBe(Number.POSITIVE_INFINITY);
    expect(Date.now() - start).toBeLessThan(100);
    expect(levenshtein('OTEL_METRIC_EXPORTER', 'OTEL_METRICS_EXPORTER')).toBe(1);
  });
});
