import { defineRule, type RuleFinding } from '../define.js';
import { atUse, dashboardName, knownNames, metricUses, queryOwner } from '../../model/dashboard-queries.js';
import type { PromSelector } from '../../model/promql.js';

/** Aggregations that only count series: the counter's value matters at most through a comparison (`> 0`). */
const COUNTING = new Set(['count', 'count_values', 'group']);
/** Range functions whose value, for a cumulative counter, is the series' latest value in the window. */
const LATEST_OVER_TIME = new Set(['max_over_time', 'last_over_time']);

/**
 * Raw readings of a counter that are right for Claude Code's series, where each session (and attribute set) is a
 * series of its own whose value is that session's running total:
 * - counted anywhere around it (`count(sum by (session_id) (max_over_time(x[$__range])) > 0)`): it counts the
 *   sessions, and a comparison only picks sessions by their total;
 * - the latest value over the dashboard range (`sum(max_over_time(x[$__range]))`): each session's total as of its
 *   last export in the range, so sessions that ended earlier in the range still count (a raw read loses them
 *   5 minutes after their last export);
 * - filtered to one session (`session_id="$session"`): the raw value is that session's running total.
 */
function readsCounterRightly(sel: PromSelector): boolean {
  if (sel.counterSafe || sel.enclosing.some((f) => COUNTING.has(f))) return true;
  if (LATEST_OVER_TIME.has(sel.enclosing[0] ?? '') && sel.range?.includes('__range')) return true;
  return sel.matchers.some((m) => m.label === 'session_id' && m.op === '=');
}

const messages = {
  rawCounter: (d: { metric: string; owner: string; dashboard: string; enclosing?: string }) =>
    `${d.metric} in ${d.owner} of dashboard ${d.dashboard} is a counter read raw${d.enclosing ? ` inside ${d.enclosing}()` : ''}: it shows the running total of each session still exported at that instant (a series expires minutes after its last export), not usage over the time range`,
} as const;
type CounterFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/counter-without-rate',
  severity: 'warning',
  title: 'Claude Code counter read raw instead of over the time range',
  checks:
    'PromQL in dashboard panels and annotations that reads a Claude Code counter (any of its names, with or without the `_total` suffix) directly or through `sum()`/`max()`…, unless it reads it through `rate()`/`increase()`…, counts series (`count()`, `group()`, also of a comparison such as `> 0`), takes each series\' latest value over the dashboard range (`max_over_time(x[$__range])`, `last_over_time`), or is filtered to one session (`session_id="…"`).',
  why: "Claude Code sends one series per session (and attribute set) whose value is that session's running total; the series is exported only until it expires (metric_expiration, 5 minutes by default), so the raw value shows the sessions of the last few minutes and ignores the time range picker. `increase()` and `rate()` are no cure: a series begins at its first export, already holding what the session used until then, and they count only the growth between samples, so a short session counts 0 (checked with real Claude Code, the collector and Prometheus). `sum(max_over_time(x[$__range]))` adds each session's latest total: every session still exported in the range, with all it used; subtracting each series' last value before the range (`last_over_time(x[10m] offset $__range)`, or 0 for a series new in the range) gives the usage inside the range.",
  fix: 'none',
  versions: 'all versions',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "Total Lines of Code", "type": "stat", "targets": [{"expr": "sum(claude_code_lines_of_code_count_total)"}]}]\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "Total Lines of Code", "type": "stat", "targets": [{"expr": "sum(max_over_time(claude_code_lines_of_code_count_total[$__range]))"}]}]\n}\n',
  },
  references: [
    'peers.md §1.3 (overview panel 1 is a raw counter) and §5.6 (dashboard-linter target-counter-agg-rule)',
    'claude-code.md §6 (delta, expiry, resets)',
    'test/pipeline/counter-queries.test.ts (increase() against max_over_time on real Claude Code → collector → Prometheus)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const known = knownNames(ws);
    const findings: CounterFinding[] = [];
    for (const u of metricUses(ws)) {
      if (u.aq.query.where === 'variable' || readsCounterRightly(u.selector)) continue;
      const k = known.get(u.name);
      if (!k || k.otel === 'target_info' || u.name.endsWith('_created')) continue;
      findings.push({
        ...atUse(u),
        kind: 'rawCounter',
        data: { metric: u.name, owner: queryOwner(u.aq), dashboard: dashboardName(u.aq.dashboard), enclosing: u.selector.enclosing[0] },
        // Checked on real Claude Code → collector → Prometheus: increase()/rate() miss what each series' first
        // sample holds (a short session counts 0); these two give the true figures (see the rule's `why`).
        hint: `sum(max_over_time(${u.name}[$__range])) adds each session's latest total (sessions that began before the range, or whose series had not yet expired when it began, count whole); for the usage inside the range only: sum(max_over_time(${u.name}[$__range]) - (last_over_time(${u.name}[10m] offset $__range) or max_over_time(${u.name}[$__range]) * 0))`,
        // One counter read raw in many panels is one misunderstanding: reported once, with every place.
        subject: u.name,
      });
    }
    return findings;
  },
});
