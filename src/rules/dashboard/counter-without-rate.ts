import { defineRule, type RuleFinding } from '../define.js';
import { atUse, dashboardName, knownNames, metricUses, queryOwner } from '../../model/dashboard-queries.js';
import { metricsBackend, type MetricsBackend } from '../../model/metrics-backend.js';
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
 * - filtered to one session (`session_id="$session"`): the raw value is that session's running total;
 * - the latest value before the range (`last_over_time(x[10m] offset $__range)`), subtracted for the usage inside it.
 */
function readsCounterRightly(sel: PromSelector, growthRead: boolean): boolean {
  if (sel.counterSafe || sel.enclosing.some((f) => COUNTING.has(f))) return true;
  // Growth per step: each series' latest value minus its value an `offset` earlier, in the same query
  // (docs/counters.md: exact across collector restarts and expiry, measured in test/pipeline/counter-lifecycle.test.ts).
  if (growthRead && LATEST_OVER_TIME.has(sel.enclosing[0] ?? '')) return true;
  // Each series' latest value over the range, or before it (`last_over_time(x[10m] offset $__range)`, subtracted).
  if (LATEST_OVER_TIME.has(sel.enclosing[0] ?? '') && (spansRange(sel.range) || spansRange(sel.offset))) return true;
  return sel.matchers.some((m) => m.label === 'session_id' && m.op === '=');
}

/**
 * `increase()`/`rate()` over the dashboard range (or a fixed hour or more): the panel reads a total (or its average
 * rate). For Claude Code's series that is low: a session's series starts already holding its first export, and these
 * functions count only the growth between samples, so that part is lost (all of a session that exports once).
 * Measured on real Claude Code → collector → Prometheus (test/pipeline/counter-queries.test.ts). Over short windows
 * (`$__rate_interval`, `5m`) the same functions draw a rate graph: each window after a session's first export is
 * measured as Prometheus measures any counter, so only the first export of each session is missing; not reported.
 */
function totalOverRange(sel: PromSelector): { fn: string; range: string } | undefined {
  const fn = sel.enclosing[0];
  if ((fn !== 'increase' && fn !== 'rate') || !sel.range || sel.enclosing.some((f) => COUNTING.has(f))) return undefined;
  return spansRange(sel.range) ? { fn, range: sel.range } : undefined;
}

/**
 * Claude Code counters whose first export in a session stays under 10: the session itself (1), its cost in US
 * dollars, commits, pull requests, edit decisions. VictoriaMetrics' increase() starts a new series from 0 when its
 * first sample is under 10 × (the change to the next sample + 1) (rollupDelta), so it counts these whole; tokens,
 * lines of code and active seconds come in larger and are missed unless the next sample grows by a tenth of them.
 */
const SMALL_FIRST_EXPORT = new Set([
  'claude_code.session.count',
  'claude_code.cost.usage',
  'claude_code.commit.count',
  'claude_code.pull_request.count',
  'claude_code.code_edit_tool.decision',
]);

/** The dashboard's range (`$__range`), or a fixed one of an hour or more: a panel reading a total over it. */
function spansRange(text: string | undefined): boolean {
  return !!text && (text.includes('__range') || (durationSeconds(text) ?? 0) >= 3600);
}

/** A PromQL duration (`1h30m`, `24h`, `7d`) in seconds; undefined for anything else (a variable). */
function durationSeconds(text: string): number | undefined {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((m) => m[0]).join('') !== text.trim()) return undefined;
  return parts.reduce((n, m) => n + Number(m[1]) * units[m[2]], 0);
}

/**
 * The usage inside a range, exact across collector restarts and series that expire (docs/counters.md, measured in
 * test/pipeline/counter-lifecycle.test.ts): the growth of each series per 1m step, a series new (or lower, after a
 * restart) counting whole, added up over the range. The `sum` sits inside the subquery: Prometheus refuses a
 * range of vectors that keep the metric name.
 */
function usageInRange(name: string, range: string): string {
  const latest = `last_over_time(${name}[1m])`;
  return `sum_over_time(sum(${latest} - (last_over_time(${name}[2m] offset 1m) or ${latest} * 0) >= 0 or ${latest})[${range}:1m])`;
}

type Undercount = { metric: string; dashboard: string; fn: string; range: string; backend: MetricsBackend };
const onVictoriaMetrics = (d: { backend: MetricsBackend }) => d.backend.engine === 'victoriametrics';

const messages = {
  undercounts: {
    message: (d: { owner: string; fn: string; backend: MetricsBackend }) =>
      onVictoriaMetrics(d) && d.fn === 'increase'
        ? `increase() in ${d.owner} misses sessions' large first exports: the figure is low`
        : `${d.fn}() in ${d.owner} misses each session's first export: the figure is low`,
    detail: (d: Undercount) => {
      const read = `${d.metric} in dashboard ${d.dashboard} is read with ${d.fn}() over [${d.range}]`;
      if (onVictoriaMetrics(d)) {
        const on = `${read} on VictoriaMetrics (${d.backend.evidence})`;
        return d.fn === 'rate'
          ? `${on}: its rate() starts each new series at its first sample, and a session's series begins already holding its first export, so that part is missing (a series with one sample gives no rate)`
          : `${on}: its increase() counts a new series' first sample only when it is under 10 × (the change to the next sample + 1); a session's first export of ${d.metric} is usually larger and the next sample usually repeats it, so that part is missing (a session that exports once counts 0)`;
      }
      const prometheus = `${read}, which counts only the growth between samples: each session's series begins already holding its first export, so that part is missing (a session that exports once counts 0, as measured with real Claude Code, the collector and Prometheus)`;
      return d.backend.from === 'assumed'
        ? `assuming Prometheus (no provisioned datasource or dashboard setting says which engine runs this query; VictoriaMetrics' increase() counts small first samples): ${prometheus}`
        : prometheus;
    },
  },
  rawCounter: {
    message: (d: { metric: string; owner: string }) => `${d.metric} in ${d.owner} is a counter read raw: not usage over the time range`,
    detail: (d: { dashboard: string; enclosing?: string }) =>
      `dashboard ${d.dashboard}${d.enclosing ? `; read inside ${d.enclosing}()` : ''}: it shows the running total of each session still exported at that instant (a series expires minutes after its last export)`,
  },
} as const;
type CounterFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/counter-without-rate',
  severity: 'warning',
  title: 'Claude Code counter read raw, or totalled with increase()',
  checks:
    "PromQL in dashboard panels and annotations that reads a Claude Code counter (any of its names, with or without the `_total` suffix) directly or through `sum()`/`max()`…, unless it reads it through `rate()`/`increase()`…, counts series (`count()`, `group()`, also of a comparison such as `> 0`), takes each series' latest value over the dashboard range (`max_over_time(x[$__range])`, `last_over_time`), or is filtered to one session (`session_id=\"…\"`), or reads it as growth (a `max_over_time`/`last_over_time` read minus the same series read with an `offset`, in one query). Also `increase()`/`rate()` over the dashboard range (`$__range`) or a fixed range of an hour or more, which total a counter (not inside `count()`/`group()`); over short windows (`$__rate_interval`, `5m`) they draw a rate graph, which is not reported. On VictoriaMetrics (the query's provisioned datasource is its plugin, or a Prometheus datasource on port 8428 or a vmselect/vmsingle URL; else the dashboard's datasource or datasource variable names it), `increase()` of a counter whose first export per session stays under 10 (sessions, cost in US dollars, commits, pull requests, edit decisions) is not reported.",
  why: "Claude Code sends one series per session (and attribute set) whose value is that session's running total; the series is exported only until it expires (metric_expiration, 5 minutes by default), so the raw value shows the sessions of the last few minutes and ignores the time range picker. `increase()` and `rate()` are no cure for a total: a series begins at its first export, already holding what the session used until then, and they count only the growth between samples, so a short session counts 0 (checked with real Claude Code, the collector and Prometheus: a stat panel of `sum(increase(x[$__range]))` is low, a warning). A rate graph over short windows measures every window after a session's first export as Prometheus measures any counter and misses only that export (one export interval of a long interactive session), so it is left alone. `sum(max_over_time(x[$__range]))` adds each session's latest total: every session still exported in the range, with all it used; subtracting each series' last value before the range (`last_over_time(x[10m] offset $__range)`, or 0 for a series new in the range) gives the usage inside the range, but both lose a session's earlier run when the collector restarts or the session idles past metric_expiration (the collector then starts its series again, lower); the growth per step (each series' latest value minus its value a step earlier, a new or lower series counting whole), added up over the range, is exact across both (measured, docs/counters.md). VictoriaMetrics' `increase()` is not Prometheus': a new series starts from 0 when its first sample is under 10 × (the change to the next sample + 1), so a session's count (1), its cost in US dollars, commits, pull requests and edit decisions come out whole; tokens, lines of code and active seconds come in larger, the next scraped sample usually repeats them, and they are still missed (a session that exports once counts 0); its `rate()` starts every new series at its first sample, as low as Prometheus'. There `increase_pure()` counts every new series from 0. Where neither a provisioned datasource nor the dashboard says which engine runs a query, the finding says it assumes Prometheus.",
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
    'https://github.com/cskiro/claudex/tree/ab4a351/skills/otel-monitoring-setup/dashboards/claude-code-overview.json (panel 1 is a raw counter)',
    'https://github.com/grafana/dashboard-linter/blob/main/docs/index.md (target-counter-agg-rule)',
    'test/pipeline/counter-queries.test.ts (increase() against max_over_time on real Claude Code → collector → Prometheus)',
    'https://github.com/VictoriaMetrics/VictoriaMetrics/blob/v1.150.0/app/vmselect/promql/rollup.go (rollupDelta: increase() starts a new series from 0 when its first sample is under 10 × (next change + 1); rollupDerivFast: rate() starts at the first sample; rollupIncreasePure: increase_pure())',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const known = knownNames(ws);
    const findings: CounterFinding[] = [];
    // The metrics each query reads as growth: a latest-over-time read of it with an `offset` (the value subtracted).
    const uses = metricUses(ws);
    const growth = new Map<unknown, Set<string>>();
    for (const u of uses) {
      if (u.selector.offset && LATEST_OVER_TIME.has(u.selector.enclosing[0] ?? '')) growth.set(u.aq, new Set([...(growth.get(u.aq) ?? []), u.name]));
    }
    for (const u of uses) {
      if (u.aq.query.where === 'variable') continue;
      const k = known.get(u.name);
      if (!k || k.otel === 'target_info' || u.name.endsWith('_created')) continue;
      const total = totalOverRange(u.selector);
      if (total) {
        const backend = metricsBackend(u.aq.query, u.aq.dashboard, ws.stack.grafana.datasources);
        const vm = backend.engine === 'victoriametrics';
        // VictoriaMetrics' increase() counts a small first sample whole: these counters' totals come out right.
        if (vm && total.fn === 'increase' && SMALL_FIRST_EXPORT.has(k.otel)) continue;
        const r = total.range;
        const perSecond = total.fn === 'rate' ? ` / ${r.includes('__range') ? '$__range_s' : durationSeconds(r)}` : '';
        // VictoriaMetrics' increase_pure() starts every new series from 0: each session's whole usage in the range.
        const inRange = vm ? `sum(increase_pure(${u.name}[${r}]))` : usageInRange(u.name, r);
        findings.push({
          ...atUse(u),
          kind: 'undercounts',
          data: { metric: u.name, owner: queryOwner(u.aq), dashboard: dashboardName(u.aq.dashboard), ...total, backend },
          hint: `for the usage inside the range: ${inRange}${perSecond}; for each session's whole total: sum(max_over_time(${u.name}[${r}]))`,
          // One function misread across a dashboard is one misunderstanding: reported once, with every place.
          subject: `${total.fn}() on ${backend.engine}`,
        });
        continue;
      }
      if (readsCounterRightly(u.selector, growth.get(u.aq)?.has(u.name) === true)) continue;
      findings.push({
        ...atUse(u),
        kind: 'rawCounter',
        data: { metric: u.name, owner: queryOwner(u.aq), dashboard: dashboardName(u.aq.dashboard), enclosing: u.selector.enclosing[0] },
        // Checked on real Claude Code → collector → Prometheus: increase()/rate() miss what each series' first
        // sample holds (a short session counts 0); these two give the true figures (see the rule's `why`).
        hint: `sum(max_over_time(${u.name}[$__range])) adds each session's latest total (sessions that began before the range, or whose series had not yet expired when it began, count whole); for the usage inside the range only, exact across collector restarts: ${usageInRange(u.name, '$__range')} (the 2m lookback must be longer than the scrape interval; docs/counters.md)`,
        // One counter read raw in many panels is one misunderstanding: reported once, with every place.
        subject: u.name,
      });
    }
    return findings;
  },
});
