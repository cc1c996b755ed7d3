// The fixes of the Grafana and dashboard rules, applied to their fixtures: the edited files parse, the
// finding is gone, and nothing else in the file changed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { RULES_BY_ID } from '../../src/rules/index.js';
import type { TextEdit } from '../../src/types.js';
import { fileWorkspaces } from '../../src/workspaces.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { SourceFile } from '../../src/load/source.js';
import { loadDashboard } from '../../src/model/grafana.js';
import { queryEdit, queryRange } from '../../src/model/dashboard-queries.js';
import { findingsOf } from '../helpers/setup-workspace.js';

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}

function findings(fixture: string, ruleId: string) {
  const dir = join(FIXTURES_DIR, fixture, 'files');
  const { workspaces } = fileWorkspaces([dir], emptyConfig(dir), '2.1.197');
  return workspaces.flatMap((ws) => findingsOf(RULES_BY_ID.get(ruleId)!, ws));
}

/** Applies every fix of the rule, file by file; returns the new texts. */
function fixed(fixture: string, ruleId: string): Map<string, string> {
  const byFile = new Map<string, TextEdit[]>();
  for (const f of findings(fixture, ruleId)) for (const e of f.fix?.edits ?? []) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  return new Map([...byFile].map(([file, edits]) => [file, apply(readFileSync(file, 'utf8'), edits)]));
}

describe('fixes of the Grafana and dashboard rules', () => {
  it('metric-not-produced rewrites every occurrence to the produced name', () => {
    const out = fixed('dashboard-metric-not-produced-fail-double-prefix', 'dashboard/metric-not-produced');
    const [text] = [...out.values()];
    const d = JSON.parse(text);
    expect(d.panels.map((p: { targets: { expr: string }[] }) => p.targets[0].expr)).toEqual([
      'sum(rate(claude_code_claude_code_cost_usage_USD_total[$__rate_interval])) * 3600',
      'sum by (type) (rate(claude_code_claude_code_token_usage_tokens_total[$__rate_interval]))',
      'sum(increase(claude_code_claude_code_cost_usage_USD_total[1d]))',
    ]);
    expect(d.templating.list[0].query).toBe('label_values(claude_code_claude_code_session_count_total, user_email)');
  });
  it('the seed simple dashboard: session, cost and token names rewritten, the unknown name left alone', () => {
    const out = fixed('seed-template-dashboards', 'dashboard/metric-not-produced');
    const d = JSON.parse([...out.values()][0]);
    expect(d.panels.map((p: { targets: { expr: string }[] }) => p.targets[0].expr)).toEqual([
      'sum(claude_code_claude_code_session_count_total)',
      'claude_code_claude_code_cost_usage_USD_total',
      'claude_code_claude_code_token_usage_tokens_total',
      'claude_code_active_time_total_seconds',
    ]);
  });
  it('unknown-metric (unsafe) rewrites to the nearest real name', () => {
    const d = JSON.parse([...fixed('dashboard-unknown-metric-fail', 'dashboard/unknown-metric').values()][0]);
    expect(d.panels.map((p: { targets: { expr: string }[] }) => p.targets[0].expr.match(/claude_code_\w+/)![0])).toEqual([
      'claude_code_active_time_seconds_total',
      'claude_code_pull_request_count_total',
      'claude_code_cost_usage_USD_total',
      'claude_code_code_edit_tool_decision_total',
    ]);
  });
  it('datasource-not-found points every hard-coded reference at the provisioned datasource', () => {
    const d = JSON.parse([...fixed('dashboard-datasource-not-found-fail', 'dashboard/datasource-not-found').values()][0]);
    expect(d.panels[0].datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
    expect(d.panels[1].targets[0].datasource).toEqual({ type: 'prometheus', uid: 'prometheus' });
    expect(findings('dashboard-datasource-not-found-fail-monitoring-guide', 'dashboard/datasource-not-found')[0].fix).toBeUndefined();
  });
  it('unresolved-input adds the datasource variable first in templating.list', () => {
    const d = JSON.parse([...fixed('dashboard-unresolved-input-fail', 'dashboard/unresolved-input').values()][0]);
    expect(d.templating.list.map((v: { name: string; type: string }) => [v.name, v.type])).toEqual([
      ['DS_PROMETHEUS', 'datasource'],
      ['model', 'query'],
    ]);
    expect(d.templating.list[0].query).toBe('prometheus');
  });
  it('missing-uid adds distinct uids', () => {
    const uids = [...fixed('dashboard-missing-uid-fail', 'dashboard/missing-uid').values()].map((t) => JSON.parse(t).uid).sort();
    expect(uids).toEqual(['claude-code-overview', 'claude-code-overview-2']);
  });
  it('datasource-without-uid pins the computed UID right after the name', () => {
    const [text] = [...fixed('seed-template-dashboards', 'grafana/datasource-without-uid').values()];
    expect(text).toContain('  - name: Prometheus\n    uid: PBFA97CFB590B2093\n    type: prometheus\n');
    expect(text).toContain('  - name: Loki\n    uid: P8E80F9AEF21F6940\n    type: loki\n');
  });
  it('datasource-localhost-url uses the compose service names, keeping quotes', () => {
    const [text] = [...fixed('grafana-datasource-localhost-url-fail', 'grafana/datasource-localhost-url').values()];
    expect(text).toContain('    url: http://prometheus:9090\n');
    expect(text).toContain('    url: "http://loki:3100"\n');
  });
  it('fixed files still parse', () => {
    for (const [fixture, rule] of [
      ['dashboard-metric-not-produced-fail-double-prefix', 'dashboard/metric-not-produced'],
      ['dashboard-unresolved-input-fail', 'dashboard/unresolved-input'],
    ]) {
      const out = fixed(fixture, rule);
      expect(out.size).toBeGreaterThan(0);
      for (const text of out.values()) expect(() => JSON.parse(text)).not.toThrow();
    }
  });
});

describe('positions inside JSON strings', () => {
  it('map query offsets through escapes (\\" and \\u0041)', () => {
    const text = '{"panels": [{"targets": [{"expr": "sum(x_total{job=\\"a\\u0041\\"}) + claude_code_y_total"}]}]}';
    const d = loadDashboard(new SourceFile('/x/d.json', text));
    const q = d.queries[0];
    const from = q.text.indexOf('claude_code_y_total');
    const r = queryRange(d, q, from, from + 'claude_code_y_total'.length);
    expect(text.slice(r.start.column - 1, r.end.column - 1)).toBe('claude_code_y_total');
    const edited = apply(text, [queryEdit(d, q, from, from + 'claude_code_y_total'.length, 'z_total')]);
    expect(JSON.parse(edited).panels[0].targets[0].expr).toBe(q.text.replace('claude_code_y_total', 'z_total'));
  });
});
