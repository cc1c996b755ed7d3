import { defineRule, type RuleFinding } from '../define.js';
import { atUse, dashboardName, knownNames, metricUses, queryOwner } from '../../model/dashboard-queries.js';

const messages = {
  rawCounter: (d: { metric: string; owner: string; dashboard: string; enclosing?: string }) =>
    `${d.metric} in ${d.owner} of dashboard ${d.dashboard} is a counter read raw${d.enclosing ? ` inside ${d.enclosing}()` : ''}: it shows running totals per session that reset and expire, not usage over the time range`,
} as const;
type CounterFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/counter-without-rate',
  severity: 'warning',
  title: 'Claude Code counter used without rate() or increase()',
  checks:
    'PromQL in dashboard panels and annotations that reads a Claude Code counter (any of its names, with or without the `_total` suffix) directly or through `sum()`/`max()`…, instead of through `rate()`, `irate()` or `increase()` (counting series with `count()` is fine).',
  why: 'The raw value of a Claude Code counter is a running total per series (per session and attribute set) since that Claude Code process started; it resets on restart and vanishes when the series expires (metric_expiration, 5 minutes by default). "Total Lines of Code" built on it jumps up and down and ignores the time range picker.',
  fix: 'none',
  versions: 'all versions',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "Total Lines of Code", "type": "stat", "targets": [{"expr": "sum(claude_code_lines_of_code_count_total)"}]}]\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "Total Lines of Code", "type": "stat", "targets": [{"expr": "sum(increase(claude_code_lines_of_code_count_total[$__range]))"}]}]\n}\n',
  },
  references: [
    'peers.md §1.3 (overview panel 1 is a raw counter) and §5.6 (dashboard-linter target-counter-agg-rule)',
    'claude-code.md §6 (delta, expiry, resets)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const known = knownNames(ws);
    const findings: CounterFinding[] = [];
    for (const u of metricUses(ws)) {
      if (u.aq.query.where === 'variable' || u.selector.counterSafe) continue;
      const k = known.get(u.name);
      if (!k || k.otel === 'target_info' || u.name.endsWith('_created')) continue;
      findings.push({
        ...atUse(u),
        kind: 'rawCounter',
        data: { metric: u.name, owner: queryOwner(u.aq), dashboard: dashboardName(u.aq.dashboard), enclosing: u.selector.enclosing[0] },
        hint: `use sum(increase(${u.name}[$__range])) for a total over the range, or sum(rate(${u.name}[$__rate_interval])) for a graph`,
        // One counter read raw in many panels is one misunderstanding: reported once, with every place.
        subject: u.name,
      });
    }
    return findings;
  },
});
