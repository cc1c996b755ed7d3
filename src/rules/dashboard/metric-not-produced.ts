import { defineRule, type RuleFinding } from '../define.js';
import { fix } from '../../model/edits.js';
import { metricsView } from '../../model/grafana-pipelines.js';
import { atUse, dashboardName, groupUses, knownNames, type MetricUse, metricUses, queryEdit, usedIn } from '../../model/dashboard-queries.js';

type Where = { metric: string; usedIn: string; dashboard: string; otel: string };

const messages = {
  dropped: {
    message: (d: Where) => `${d.metric} in ${d.usedIn} is the right name, but the pipeline drops it`,
    detail: (d: Where & { pipeline: string; reason: string }) => `dashboard ${d.dashboard}: ${d.otel} is dropped by ${d.pipeline}: ${d.reason}`,
  },
  otherName: {
    message: (d: Where) => `${d.metric} in ${d.usedIn} is not produced here: the pipeline names it differently`,
    detail: (d: Where & { how: string; produced: { pipeline: string; name: string }[] }) => {
      const by = d.produced.length ? [...new Set(d.produced.map((p) => `${p.pipeline} produces ${p.name}`))].join('; ') : `every pipeline here drops ${d.otel}`;
      return `dashboard ${d.dashboard}: it is ${d.otel} as ${d.how} names it; ${by}`;
    },
  },
} as const;
type NotProducedFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/metric-not-produced',
  severity: 'error',
  title: 'Dashboard queries a Claude Code metric name this pipeline does not produce',
  checks:
    "PromQL in dashboards (panels, annotations, variable queries) that names a Claude Code metric as some pipeline names it, while the pipelines of this workspace (collector prometheus or remote-write exporter with namespace, translation strategy, add_metric_suffixes and version; Prometheus OTLP; Claude Code's built-in exporter) produce a different name for it, or drop it. One finding per name and dashboard.",
  why: 'PromQL names are exact: `claude_code_cost_usage_USD_total` finds nothing when the collector adds `namespace: claude_code` (`claude_code_claude_code_cost_usage_USD_total`), and `claude_code_cost_usage_total` is the built-in exporter\'s name, which no collector produces. The panel shows "No data" while the metric is there under another name.',
  fix: 'safe',
  fixDescription:
    "Rewrites every occurrence of the name in the dashboard to the one the workspace's pipeline produces for the same metric, when exactly one such name exists.",
  versions: 'all versions; names depend on the collector version (the prometheus exporter ignores add_metric_suffixes from v0.154.0) and exporter settings',
  bad: {
    file: 'otel-collector-config.yml + dashboards/claude-code.json',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    namespace: claude_code\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n---\n{\n  "panels": [{"title": "Cost", "targets": [{"expr": "sum(increase(claude_code_cost_usage_USD_total[$__range]))"}]}]\n}\n',
  },
  good: {
    file: 'otel-collector-config.yml + dashboards/claude-code.json',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    namespace: claude_code\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n---\n{\n  "panels": [{"title": "Cost", "targets": [{"expr": "sum(increase(claude_code_claude_code_cost_usage_USD_total[$__range]))"}]}]\n}\n',
  },
  references: [
    'https://code.claude.com/docs/en/monitoring-usage (metric names and units)',
    'https://github.com/prometheus/otlptranslator/blob/d7be77fc2c4afc1bb2cea311b1af98314b2de165/metric_namer.go (name-building: namespace, unit and _total suffixes)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/exporter/prometheusexporter/README.md (namespace, add_metric_suffixes, translation_strategy)',
    'test/pipeline/naming-oracle.test.ts (names observed on the real pipeline)',
  ],
  messages,
  oracle: 'pipeline',
  stage: 'Grafana',
  check(ws) {
    const view = metricsView(ws);
    if (view.pipelines.length === 0) return [];
    const known = knownNames(ws);
    const findings: NotProducedFinding[] = [];
    const candidates = metricUses(ws).filter((u) => {
      const k = known.get(u.name);
      return k && k.otel !== 'target_info' && !u.name.endsWith('_created') && !view.produced.has(u.name);
    });
    for (const uses of groupUses(candidates)) {
      const u = uses[0];
      const k = known.get(u.name)!;
      const series = view.pipelines.flatMap((p) => p.series.filter((s) => s.otel === k.otel).map((s) => ({ s, p })));
      const dropping = series.find(({ s }) => s.name === u.name && s.dropped);
      // One finding per place about one name: the engine reports them as one finding with every place.
      const where = (x: MetricUse): Where => ({ metric: u.name, usedIn: usedIn([x]), dashboard: dashboardName(u.aq.dashboard), otel: k.otel });
      if (dropping) {
        for (const x of uses) {
          findings.push({
            ...atUse(x),
            kind: 'dropped',
            data: { ...where(x), pipeline: dropping.p.describe, reason: dropping.s.dropped! },
            hint: 'rename or remove the clashing const_labels entry in the exporter',
            subject: u.name,
          });
        }
        continue;
      }
      const produced = series.filter(({ s }) => !s.dropped);
      const alternatives = [...new Set(produced.map(({ s }) => s.name))];
      const target = alternatives.length === 1 ? alternatives[0] : undefined;
      const rename = target
        ? fix(
            'safe',
            `rename ${u.name} to ${target} (${uses.length} occurrence${uses.length > 1 ? 's' : ''})`,
            uses.map((x) => queryEdit(x.aq.dashboard, x.aq.query, x.from, x.to, target)),
          )
        : undefined;
      uses.forEach((x, i) => {
        findings.push({
          ...atUse(x),
          kind: 'otherName',
          data: { ...where(x), how: k.how, produced: produced.map(({ s, p }) => ({ pipeline: p.describe, name: s.name })) },
          hint: target ? `query ${target}` : 'query the name your pipeline produces',
          subject: u.name,
          // The first place carries the rename of every place.
          ...(i === 0 && rename && { fix: rename }),
        });
      });
    }
    return findings;
  },
});
