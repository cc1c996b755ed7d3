// The LogQL grammar release package.json pins (@grafana/lezer-logql 0.3.0: 0.4.x declares engines node >=24 and
// npm >=11.12.1, from a repository-hygiene template, not a runtime need) parses every LogQL expression this
// repository holds. Before changing the version: `npx tsx test/packaging/logql-expressions.ts <old> <new>`.
import { createRequire } from 'node:module';
import type { LRParser } from '@lezer/lr';
import { describe, expect, it } from 'vitest';
import { parseLogQL } from '../../src/model/promql.js';
import { logqlExpressions, logqlTree } from './logql-expressions.js';

const { parser } = createRequire(import.meta.url)('@grafana/lezer-logql') as { parser: LRParser };

describe('the LogQL grammar', () => {
  it('parses every LogQL expression of the fixtures, corpus and tests without an error node', () => {
    const exprs = logqlExpressions();
    expect(exprs.length).toBeGreaterThanOrEqual(40);
    expect(exprs.filter((e) => logqlTree(parser, e).includes('⚠'))).toEqual([]);
  });

  it('finds the stream selectors of approx_topk queries, which 0.3.0 parses with errors (added in 0.4.1)', () => {
    const query = 'approx_topk(3, sum by (tool_name) (count_over_time({service_name="claude-code", event_name="tool_result"}[5m])))';
    const parsed = parseLogQL(query);
    expect(parsed.streamMatchers.map((m) => `${m.label}${m.op}${m.value}`)).toEqual(['service_name=claude-code', 'event_name=tool_result']);
  });
});
