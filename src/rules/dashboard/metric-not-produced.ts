import { defineRule, type RuleFinding } from '../define.js';
import { fix } from '../../model/edits.js';
import { metricsView } from '../../model/grafana-pipelines.js';
import { atUse, dashboardName, groupUses, knownNames, metricUses, queryEdit, usedIn } from '../../model/dashboard-queries.js';

export default defineRule({
  id: 'dashboard/metric-not-produced',
  severity: 'error',
  title: 'Dashboard queries a Claude Code metric name this pipeline does not produce',
  checks:
    'PromQL in dashboards (panels, annotations, variable queries) that names a Claude Code metric as some pipeline names it, while the pipelines of this workspace (collector prometheus or remote-write exporter with namespace, translation strategy, add_metric_suffixes and version; Prometheus OTLP; Claude Code\'s built-in exporter) produce a different name for it, or drop it. One finding per name and dashboard.',
  why: 'PromQL names are exact: `claude_code_cost_usage_USD_total` finds nothing when the collector adds `namespace: claude_code` (`claude_code_claude_code_cost_usage_USD_total`), and `claude_code_cost_usage_total` is the built-in exporter\'s name, which no collector produces. The panel shows "No data" while the metric is there under another name.',
  fix: 'safe',
  fixDescription: 'Rewrites every occurrence of the name in the dashboard to the one the workspace\'s pipeline produces for the same metric, when exactly one such name exists.',
  versions: 'all versions; names depend on the collector version (the prometheus exporter ignores add_metric_suffixes from v0.154.0) and exporter settings',
  bad: {
    file: 'dashboards/claude-code.json (the collector\'s prometheus exporter has namespace: claude_code)',
    text: '{\n  "panels": [{"title": "Cost", "targets": [{"expr": "sum(increase(claude_code_cost_usage_USD_total[$__range]))"}]}]\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json (same collector)',
    text: '{\n  "panels": [{"title": "Cost", "targets": [{"expr": "sum(increase(claude_code_claude_code_cost_usage_USD_total[$__range]))"}]}]\n}\n',
  },
  references: ['claude-code.md §5 (names per pipeline)', 'collector.md §4 (name-building algorithm, namespace, add_metric_suffixes, translation_strategy)', 'peers.md §2 (metric-name matrix)', 'test/pipeline (names observed on the real pipeline)'],
  oracle: 'pipeline',
  stage: 'Grafana',
  check(ws) {
    const view = metricsView(ws);
    if (view.pipelines.length === 0) return [];
    const known = knownNames(ws);
    const findings: RuleFinding[] = [];
    const candidates = metricUses(ws).filter((u) => {
      const k = known.get(u.name);
      return k && k.otel !== 'target_info' && !u.name.endsWith('_created') && !view.produced.has(u.name);
    });
    for (const uses of groupUses(candidates)) {
      const u = uses[0];
      const k = known.get(u.name)!;
      const series = view.pipelines.flatMap((p) => p.series.filter((s) => s.otel === k.otel).map((s) => ({ s, p })));
      const dropping = series.find(({ s }) => s.name === u.name && s.dropped);
      const where = `${usedIn(uses)} of dashboard ${dashboardName(u.aq.dashboard)}`;
      if (dropping) {
        findings.push({
          ...atUse(u),
          message: `${u.name} in ${where} is the right name for ${k.otel}, but ${dropping.p.describe} drops that metric: ${dropping.s.dropped}`,
          hint: 'rename or remove the clashing const_labels entry in the exporter',
        });
        continue;
      }
      const produced = series.filter(({ s }) => !s.dropped);
      const alternatives = [...new Set(produced.map(({ s }) => s.name))];
      const target = alternatives.length === 1 ? alternatives[0] : undefined;
      const by = produced.length ? [...new Set(produced.map(({ s, p }) => `${p.describe} produces ${s.name}`))].join('; ') : `every pipeline here drops ${k.otel}`;
      findings.push({
        ...atUse(u),
        message: `${u.name} in ${where} is not produced here (it is ${k.otel} as ${k.how} names it): ${by}`,
        hint: target ? `query ${target}` : 'query the name your pipeline produces',
        fix: target ? fix('safe', `rename ${u.name} to ${target} (${uses.length} occurrence${uses.length > 1 ? 's' : ''})`, uses.map((x) => queryEdit(x.aq.dashboard, x.aq.query, x.from, x.to, target))) : undefined,
      });
    }
    return findings;
  },
});
