import { describe, expect, it } from 'vitest';
import { claudeSeriesNames, type MetricsPipeline } from '../../src/model/naming.js';

// Expected names from the reference tables (claude-code.md §5, collector.md §4.2); the real-pipeline
// oracle for these names comes with the Grafana issue (Claude Code → real collector → /metrics).
const names = (p: MetricsPipeline) => [...claudeSeriesNames(p).values()];

describe('Prometheus names of the Claude Code metrics', () => {
  it('collector prometheus exporter, default', () => {
    expect(names({ kind: 'collector-prometheus', collectorVersion: '0.115.1' })).toEqual([
      'claude_code_session_count_total',
      'claude_code_lines_of_code_count_total',
      'claude_code_pull_request_count_total',
      'claude_code_commit_count_total',
      'claude_code_cost_usage_USD_total',
      'claude_code_token_usage_tokens_total',
      'claude_code_code_edit_tool_decision_total',
      'claude_code_active_time_seconds_total',
    ]);
  });
  it('namespace claude_code doubles the prefix', () => {
    const n = claudeSeriesNames({ kind: 'collector-prometheus', collectorVersion: '0.115.1', namespace: 'claude_code' });
    expect(n.get('claude_code.cost.usage')).toBe('claude_code_claude_code_cost_usage_USD_total');
    expect(n.get('claude_code.active_time.total')).toBe('claude_code_claude_code_active_time_seconds_total');
  });
  it('add_metric_suffixes: false is honoured before v0.154.0 and ignored from it', () => {
    const before = claudeSeriesNames({ kind: 'collector-prometheus', collectorVersion: '0.153.0', addMetricSuffixes: false });
    expect(before.get('claude_code.cost.usage')).toBe('claude_code_cost_usage');
    expect(before.get('claude_code.active_time.total')).toBe('claude_code_active_time_total');
    const after = claudeSeriesNames({ kind: 'collector-prometheus', collectorVersion: '0.154.0', addMetricSuffixes: false });
    expect(after.get('claude_code.cost.usage')).toBe('claude_code_cost_usage_USD_total');
  });
  it('suffix-free translation strategy', () => {
    const n = claudeSeriesNames({ kind: 'collector-prometheus', collectorVersion: '0.165.0', translationStrategy: 'UnderscoreEscapingWithoutSuffixes' });
    expect(n.get('claude_code.token.usage')).toBe('claude_code_token_usage');
  });
  it("Claude Code's built-in exporter", () => {
    const n = claudeSeriesNames({ kind: 'claude-builtin' });
    expect(n.get('claude_code.cost.usage')).toBe('claude_code_cost_usage_total');
    expect(n.get('claude_code.token.usage')).toBe('claude_code_token_usage_total');
    expect(n.get('claude_code.active_time.total')).toBe('claude_code_active_time_total');
    expect(n.get('claude_code.code_edit_tool.decision')).toBe('claude_code_code_edit_tool_decision_total');
  });
});
