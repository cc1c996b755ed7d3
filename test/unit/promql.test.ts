import { describe, expect, it } from 'vitest';
import { findVariables, looksLikeLogQL, parseLogQL, parsePromQL, parseVariableQuery, substituteVariables } from '../../src/model/promql.js';

describe('Grafana variables in queries', () => {
  it('finds every syntax', () => {
    expect(findVariables('a $x ${y} ${z:regex} [[w]] $__rate_interval').map((v) => v.name)).toEqual(['x', 'y', 'z', 'w', '__rate_interval']);
  });
  it('replaces them by text of the same length: durations in ranges, identifiers elsewhere, nothing in strings', () => {
    const q = 'sum by (${grp}) (rate(m{a="$v"}[$__rate_interval] offset $off))';
    const { text } = substituteVariables(q);
    expect(text.length).toBe(q.length);
    expect(text).toBe('sum by (_vvvvv) (rate(m{a="$v"}[000000000000001m] offset 001m))');
  });
});

describe('PromQL with the real grammar', () => {
  it('metric names, matchers and the functions around them', () => {
    const p = parsePromQL('sum by (type) (rate(claude_code_token_usage_tokens_total{job="claude-code", model=~"$model"}[$__rate_interval])) * 60');
    expect(p.errors).toEqual([]);
    expect(p.selectors).toHaveLength(1);
    const s = p.selectors[0];
    expect(s.metric).toMatchObject({ name: 'claude_code_token_usage_tokens_total', templated: false });
    expect(s.matchers.map((m) => [m.label, m.op, m.value, m.templatedValue])).toEqual([
      ['job', '=', 'claude-code', false],
      ['model', '=~', '$model', true],
    ]);
    expect(s.enclosing).toEqual(['rate', 'sum']);
    expect(s.counterSafe).toBe(true);
    expect(p.groupingLabels.map((g) => g.label)).toEqual(['type']);
  });
  it("tells an aggregation's by list from without and vector matching", () => {
    const by = (q: string) => parsePromQL(q).groupingLabels.map((g) => `${g.label}:${g.by}`);
    expect(by('sum by (role) (x)')).toEqual(['role:true']);
    expect(by('sum(x) by (role)')).toEqual(['role:true']);
    expect(by('sum without (role) (x)')).toEqual(['role:false']);
    expect(by('a * on (b) group_left (c) d')).toEqual(['b:false', 'c:false']);
  });
  it('raw counters, counted series, __name__ and UTF-8 names, templated names', () => {
    expect(parsePromQL('sum(claude_code_session_count_total)').selectors[0]).toMatchObject({ counterSafe: false, enclosing: ['sum'] });
    expect(parsePromQL('count(count by (user_id) (x_total))').selectors[0].counterSafe).toBe(true);
    expect(parsePromQL('{__name__="claude_code_x_total", a="b"}').selectors[0].metric).toMatchObject({ name: 'claude_code_x_total', viaMatcher: true });
    expect(parsePromQL('{"claude_code.cost.usage_USD_total"}').selectors[0].metric?.name).toBe('claude_code.cost.usage_USD_total');
    expect(parsePromQL('increase(${metric}[1h])').selectors[0].metric?.templated).toBe(true);
  });
  it('the range of a range vector, as written', () => {
    expect(parsePromQL('max_over_time(x_total{a="b"}[ $__range ])').selectors[0].range).toBe('$__range');
    expect(parsePromQL('sum(x_total)').selectors[0].range).toBeUndefined();
    expect(parsePromQL('last_over_time(x_total[10m] offset $__range)').selectors[0].offset).toBe('$__range');
    expect(parsePromQL('x_total offset 1h').selectors[0].offset).toBe('1h');
    expect(parsePromQL('x_total[5m]').selectors[0].offset).toBeUndefined();
  });
  it('label_values() and query_result() variable queries', () => {
    const v = parseVariableQuery('label_values(claude_code_cost_usage_USD_total{job="x"}, model)');
    expect(v.label?.name).toBe('model');
    expect(v.promql?.parsed.selectors[0].metric?.name).toBe('claude_code_cost_usage_USD_total');
    expect(parseVariableQuery('label_values(model)').promql).toBeUndefined();
    expect(parseVariableQuery('query_result(topk(5, sum by (model) (x_total)))').promql?.parsed.selectors[0].metric?.name).toBe('x_total');
  });
});

describe('LogQL with the real grammar', () => {
  it('stream selector matchers only (not label filters after a pipe)', () => {
    const p = parseLogQL('sum(count_over_time({service_name="claude-code", job=~"$j"} |= "claude_code.api_request" | json | event_name="x" [$__auto]))');
    expect(p.streamMatchers.map((m) => [m.label, m.op, m.value])).toEqual([
      ['service_name', '=', 'claude-code'],
      ['job', '=~', '$j'],
    ]);
  });
  it('tells LogQL from PromQL when the datasource is unknown', () => {
    expect(looksLikeLogQL('{service_name="claude-code"} |= "x"')).toBe(true);
    expect(looksLikeLogQL('sum(rate({a="b"} |= "x" [5m]))')).toBe(true);
    expect(looksLikeLogQL('rate(x_total[5m])')).toBe(false);
    expect(looksLikeLogQL('{__name__="x"}')).toBe(false);
  });
});
