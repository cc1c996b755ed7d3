import { describe, expect, it } from 'vitest';
import { claudeEvents, claudeSeries, claudeSeriesNames, versionedAttributes, type MetricsPipeline } from '../../src/model/naming.js';

// Expected names from the reference tables (claude-code.md §5, collector.md §4.2). The naming oracle
// (test/pipeline/naming-oracle.test.ts) checks names and labels against the real pipeline.
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

describe('label names of the Claude Code series', () => {
  const cost = (p: MetricsPipeline, o = {}) => claudeSeries(p, { auth: 'api-key', ...o }).find((s) => s.otel === 'claude_code.cost.usage')!;
  it('collector prometheus exporter: datapoint attributes with dots as underscores, job from service.name, scope labels from v0.128', () => {
    expect(cost({ kind: 'collector-prometheus', collectorVersion: '0.127.0' }).labels).toEqual([
      'effort',
      'job',
      'model',
      'query_source',
      'session_id',
      'terminal_type',
      'user_id',
    ]);
    expect(cost({ kind: 'collector-prometheus', collectorVersion: '0.128.0' }).labels).toContain('otel_scope_schema_url');
    expect(cost({ kind: 'collector-prometheus', collectorVersion: '0.165.0', withoutScopeInfo: true }).labels).not.toContain('otel_scope_name');
  });
  it('a Prometheus scrape: job becomes the scrape job and exported_job keeps service.name, unless honor_labels', () => {
    const scraped = cost({
      kind: 'collector-prometheus',
      collectorVersion: '0.115.1',
      scrape: { job: 'otel-collector', honorLabels: false, targetLabels: { source: 'claude-code' } },
    });
    expect(scraped.labels).toEqual(expect.arrayContaining(['job', 'exported_job', 'instance', 'source']));
    expect(scraped.fixedValues).toMatchObject({ job: 'otel-collector', exported_job: 'claude-code', source: 'claude-code' });
    const honoured = cost({ kind: 'collector-prometheus', collectorVersion: '0.115.1', scrape: { job: 'otel-collector', honorLabels: true } });
    expect(honoured.labels).not.toContain('exported_job');
    expect(honoured.fixedValues.job).toBe('claude-code');
  });
  it('resource attributes only where the pipeline promotes them; custom ones are on datapoints from 2.1.161', () => {
    const o = { resourceAttributes: ['team.id'], claudeVersion: '2.1.197' };
    expect(cost({ kind: 'collector-prometheus', collectorVersion: '0.115.1' }, o).labels).toContain('team_id');
    expect(cost({ kind: 'collector-prometheus', collectorVersion: '0.115.1' }, { ...o, claudeVersion: '2.1.160' }).labels).not.toContain('team_id');
    expect(cost({ kind: 'collector-prometheus', collectorVersion: '0.115.1' }, o).labels).not.toContain('service_version');
    expect(cost({ kind: 'collector-prometheus', collectorVersion: '0.115.1', resourceToTelemetry: { include: ['*'] } }, o).labels).toEqual(
      expect.arrayContaining(['service_name', 'service_version', 'os_type', 'os_version', 'host_arch']),
    );
    expect(cost({ kind: 'prometheus-otlp', promoteResourceAttributes: { include: ['service.version'] } }).labels).toContain('service_version');
  });
  it('const_labels that clash with an attribute drop the metric (the seed template: source)', () => {
    const series = claudeSeries({
      kind: 'collector-prometheus',
      collectorVersion: '0.115.1',
      namespace: 'claude_code',
      constLabels: { source: 'claude_code_telemetry' },
    });
    expect(series.filter((s) => s.dropped).map((s) => s.otel)).toEqual(['claude_code.code_edit_tool.decision']);
  });
  it('remote write keeps add_metric_suffixes: false (no v0.154 gate there) and adds scope labels from v0.146', () => {
    expect(cost({ kind: 'collector-prometheusremotewrite', collectorVersion: '0.165.0', addMetricSuffixes: false }).name).toBe('claude_code_cost_usage');
    expect(cost({ kind: 'collector-prometheusremotewrite', collectorVersion: '0.145.0' }).labels).not.toContain('otel_scope_name');
    expect(cost({ kind: 'collector-prometheusremotewrite', collectorVersion: '0.146.0' }).labels).toEqual(
      expect.arrayContaining(['otel_scope_name', 'otel_scope_version']),
    );
  });
  it("Claude Code's built-in exporter: no job of its own (the scrape adds it)", () => {
    expect(cost({ kind: 'claude-builtin' }).labels).toEqual([
      'effort',
      'model',
      'otel_scope_name',
      'otel_scope_version',
      'query_source',
      'session_id',
      'terminal_type',
      'user_id',
    ]);
    expect(cost({ kind: 'claude-builtin', scrape: { job: 'claude-code', honorLabels: false } }).fixedValues.job).toBe('claude-code');
  });
});

describe('attributes and events by Claude Code version', () => {
  it('anthropic.provider: absent on 2.1.282, possible between the measured versions, certain from 2.1.322', () => {
    expect(versionedAttributes('2.1.282', 'api-key')).toEqual({ always: [], possible: [] });
    expect(versionedAttributes('2.1.300', 'api-key')).toEqual({ always: [], possible: ['anthropic.provider', 'anthropic.custom_base_url'] });
    expect(versionedAttributes('2.1.332', 'api-key').always).toEqual(['anthropic.provider', 'anthropic.custom_base_url']);
  });
  it('plan and seat type only for account logins, never certain (not observed here)', () => {
    expect(versionedAttributes('2.1.332', 'api-key').possible).not.toContain('anthropic.plan');
    expect(versionedAttributes('2.1.332', 'account')).toEqual({
      always: ['anthropic.provider', 'anthropic.custom_base_url'],
      possible: ['anthropic.provider', 'anthropic.custom_base_url', 'anthropic.plan', 'anthropic.seat_type'],
    });
  });
  it('the series carry anthropic_provider from 2.1.322 only', () => {
    const pipeline: MetricsPipeline = { kind: 'collector-prometheus', collectorVersion: '0.165.0' };
    const cost = (v: string) => claudeSeries(pipeline, { claudeVersion: v, auth: 'api-key' }).find((s) => s.otel === 'claude_code.cost.usage')!;
    expect(cost('2.1.332').labels).toContain('anthropic_provider');
    expect(cost('2.1.282').possibleLabels).not.toContain('anthropic_provider');
  });
  it('new events and event attributes appear by version', () => {
    expect(claudeEvents('2.1.197').has('managed_settings_resolved')).toBe(false);
    expect(claudeEvents('2.1.332').get('api_request')).toEqual(expect.arrayContaining(['ttft_ms', 'cache_creation_5m_tokens', 'cache_creation_1h_tokens']));
    expect(claudeEvents('2.1.197').get('api_request')).not.toContain('ttft_ms');
    expect([...claudeEvents('2.1.332').keys()]).toEqual(expect.arrayContaining(['managed_settings_resolved', 'retention_sweep', 'safety_event']));
  });
});
