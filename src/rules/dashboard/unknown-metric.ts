import { defineRule, type RuleFinding } from '../define.js';
import { fix } from '../../model/edits.js';
import {
  atUse,
  dashboardName,
  groupUses,
  guessMetric,
  knownNames,
  looksLikeClaudeName,
  metricUses,
  queryEdit,
  usedIn,
  workspaceName,
} from '../../model/dashboard-queries.js';
import { metricWorld } from '../../model/other-sources.js';

/** A known way names get mangled, said plainly. */
function diagnosis(name: string): string | undefined {
  if (/_usd(_|$)/.test(name)) return 'PromQL names are case-sensitive: the unit is USD';
  if (/(^|_)prs?_/.test(name)) return 'the metric is claude_code.pull_request.count';
  if (/decision_count/.test(name)) return 'the edit-decision counter has no "count" in its name';
  if (/total_seconds/.test(name)) return '"total" is moved to the end, after the unit: …_active_time_seconds_total';
  return undefined;
}

type Unknown = { metric: string; usedIn: string; dashboard: string; nearest?: { name: string; otel: string; namedBy?: string } };
const didYouMean = (d: Unknown) => (d.nearest ? `; did you mean ${d.nearest.name}?` : '');
const nearestText = (d: Unknown) =>
  d.nearest ? `; the nearest real name is ${d.nearest.name} (${d.nearest.otel}${d.nearest.namedBy ? `, as ${d.nearest.namedBy} names it` : ''})` : '';

const messages = {
  unknownMetric: {
    message: (d: Unknown) => `${d.metric} is no Claude Code metric${didYouMean(d)}`,
    detail: (d: Unknown) => `${d.usedIn} of dashboard ${d.dashboard}: no pipeline produces it${nearestText(d)}`,
  },
  notFromPipeline: {
    message: (d: Unknown) => `${d.metric} is not produced by Claude Code's pipeline${didYouMean(d)}`,
    detail: (d: Unknown & { sources: string[] }) =>
      `${d.usedIn} of dashboard ${d.dashboard}; this Prometheus also takes series from ${d.sources.join(', ')}, where it may come from${nearestText(d)}`,
  },
  prometheusUnseen: {
    message: (d: Unknown) => `${d.metric} is no Claude Code metric${didYouMean(d)}`,
    detail: (d: Unknown & { unseen: string }) =>
      `${d.usedIn} of dashboard ${d.dashboard}: no pipeline produces it (${d.unseen}: assuming it takes nothing else that exposes this name)${nearestText(d)}`,
  },
} as const;
type UnknownMetricFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/unknown-metric',
  severity: 'error',
  title: 'Dashboard queries a claude_code_ name that no pipeline produces',
  checks:
    "PromQL in dashboards that selects a `claude_code_…` series (or one prefixed by a namespace configured here) that matches none of the eight Claude Code metrics under any pipeline, namespace, suffix setting or translation strategy. An error only where the world is closed: this workspace's Prometheus scrapes nothing but Claude Code's pipeline (and itself). Where it also scrapes a Pushgateway, another exporter or discovered targets, or opens a remote-write or OTLP receiver no pipeline here feeds, the name may exist there: info, naming them. Where the Prometheus (or a Prometheus datasource's) is not in the workspace: a warning that says what it assumed.",
  why: 'Guides and community dashboards carry invented names (`…_active_time_total_seconds_total`, `…_pr_count_total`, lower-case `…_usd_total`, `…_decision_count_total`): no exporter produces them, so the panel shows "No data" on every setup.',
  fix: 'unsafe',
  fixDescription:
    'Rewrites every occurrence of the name in the dashboard to the nearest real metric as this workspace names it (chosen from the words of the name, e.g. "active"/"time" → active_time). Unsafe: the guess may not be what the panel meant.',
  versions: 'all versions',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "Active time", "targets": [{"expr": "sum(increase(claude_code_active_time_total_seconds_total[$__range]))"}]}]\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "Active time", "targets": [{"expr": "sum(increase(claude_code_active_time_seconds_total[$__range]))"}]}]\n}\n',
  },
  references: [
    'https://code.claude.com/docs/en/monitoring-usage (the metrics Claude Code exports)',
    'https://github.com/cskiro/claudex/tree/ab4a351/skills/otel-monitoring-setup/dashboards/claude-code-simple.json (names no pipeline produces; pr_count in its docs)',
    'test/pipeline/naming-oracle.test.ts (names observed on the real pipeline)',
  ],
  messages,
  oracle: 'pipeline',
  stage: 'Grafana',
  check(ws) {
    const known = knownNames(ws);
    // The world looked at must be closed for "no such metric" to be certain: other scrape jobs or an unseen
    // Prometheus may expose the name (issue #14, class 1).
    const world = metricWorld(ws);
    const open = world.others.length > 0;
    const findings: UnknownMetricFinding[] = [];
    for (const uses of groupUses(metricUses(ws).filter((u) => looksLikeClaudeName(ws, u.name) && !known.has(u.name)))) {
      const u = uses[0];
      const why = diagnosis(u.name);
      const otel = guessMetric(u.name, known);
      // Where another source may expose the name as it is, a guessed Claude Code name is offered only for a known mangling.
      const nearest = otel && (!open || why) ? workspaceName(ws, otel) : undefined;
      const rename = nearest
        ? fix(
            'unsafe',
            `rename ${u.name} to ${nearest.name} (${uses.length} occurrence${uses.length > 1 ? 's' : ''})`,
            uses.map((x) => queryEdit(x.aq.dashboard, x.aq.query, x.from, x.to, nearest.name)),
          )
        : undefined;
      // One finding per place about one name: the engine reports them as one finding with every place; the first
      // place carries the rename of every place.
      uses.forEach((x, i) => {
        const data: Unknown = {
          metric: u.name,
          usedIn: usedIn([x]),
          dashboard: dashboardName(u.aq.dashboard),
          nearest: nearest && { name: nearest.name, otel: otel!, namedBy: nearest.from },
        };
        const said = open
          ? { kind: 'notFromPipeline' as const, data: { ...data, sources: world.others }, severity: 'info' as const }
          : world.unseen
            ? { kind: 'prometheusUnseen' as const, data: { ...data, unseen: world.unseen }, severity: 'warning' as const }
            : { kind: 'unknownMetric' as const, data };
        findings.push({
          ...atUse(x),
          ...said,
          hint: why ?? (nearest ? `query ${nearest.name}` : undefined),
          subject: u.name,
          ...(i === 0 && rename && { fix: rename }),
        });
      });
    }
    return findings;
  },
});
