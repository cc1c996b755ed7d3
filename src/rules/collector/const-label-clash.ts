import { defineRule, type RuleFinding } from '../define.js';
import { metricsView } from '../../model/grafana-pipelines.js';
import { claudeSeries } from '../../model/naming.js';

/** The metrics that carry the label: their names, and whether they are every Claude Code metric. */
interface Clash {
  label: string;
  exporter: string;
  metrics: string[];
  every: boolean;
}

const names = (d: Clash) => (d.every ? `every Claude Code metric (${d.metrics.length})` : d.metrics.join(', '));
const REFUSED = '"duplicate label names in constant and variable labels"';

const messages = {
  always: {
    message: (d: Clash) =>
      `const label "${d.label}" of exporter "${d.exporter}" clashes with a Claude Code label: ${d.metrics.length === 1 ? 'a metric is' : `${d.metrics.length} metrics are`} left out of /metrics`,
    detail: (d: Clash) => `Claude Code puts a label "${d.label}" on ${names(d)}; the exporter says ${REFUSED}`,
  },
  sometimes: {
    message: (d: Clash) => `const label "${d.label}" of exporter "${d.exporter}" clashes with a Claude Code label in some runs: their metrics are left out`,
    detail: (d: Clash) =>
      `Claude Code adds a label "${d.label}" in some runs to ${names(d)}; in those runs the exporter leaves ${d.metrics.length === 1 ? 'it' : 'them'} out and says ${REFUSED}`,
  },
} as const;

export default defineRule({
  id: 'collector/const-label-clash',
  severity: 'error',
  title: 'A const label has the name of a Claude Code label: the exporter drops the metric',
  checks:
    '`const_labels` of a `prometheus` exporter in a metrics pipeline, against the labels each Claude Code metric gets through it (its attributes, promoted resource attributes, scope labels, `job`), as the naming model predicts them.',
  why: 'The Prometheus client refuses a metric whose constant and own labels share a name ("duplicate label names in constant and variable labels"); the exporter logs the error on every scrape and leaves the whole metric out of /metrics. `source` is the usual culprit: the edit-decision counter `code_edit_tool_decision` has its own `source` label (config, hook, user…), so `const_labels: {source: …}` silently removes it.',
  fix: 'none',
  versions: 'all collector versions with the contrib `prometheus` exporter; Claude Code 2.x labels',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    const_labels:\n      source: claude_code_telemetry\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    const_labels:\n      telemetry_source: claude_code_telemetry\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n',
  },
  references: [
    'https://code.claude.com/docs/en/monitoring-usage (metric attributes: code_edit_tool.decision has tool_name, decision, source, language)',
    'https://github.com/cskiro/claudex/tree/ab4a351/skills/otel-monitoring-setup/templates/otel-collector-config.yml (the seed template sets const_labels {source: …})',
    "measured: test/pipeline/naming-oracle.test.ts (the seed template's exporter drops the edit-decision counter on both oracle collector builds)",
  ],
  messages,
  oracle: 'pipeline',
  stage: 'Collector',
  check(ws) {
    const findings: RuleFinding<typeof messages>[] = [];
    const seen = new Set<string>();
    const view = metricsView(ws);
    for (const p of view.pipelines) {
      if (p.pipeline.kind !== 'collector-prometheus' || !p.collector || !p.component) continue;
      const constLabels = Object.keys(p.pipeline.constLabels ?? {});
      if (constLabels.length === 0) continue;
      // The labels the exporter itself puts on each metric: the same pipeline without const labels, before any scrape.
      const own = claudeSeries({ ...p.pipeline, constLabels: undefined, scrape: undefined }, view.claude);
      for (const label of constLabels) {
        const key = `${p.collector.file}\u0000${p.component.id}\u0000${label}`;
        if (seen.has(key)) continue; // one exporter can stand for two pipelines (both namings when the version is assumed)
        const always = own.filter((s) => s.labels.includes(label));
        const sometimes = own.filter((s) => !s.labels.includes(label) && s.possibleLabels.includes(label));
        if (!always.length && !sometimes.length) continue;
        seen.add(key);
        const clash = (xs: typeof always): Clash => ({ label, exporter: p.component!.id, metrics: xs.map((s) => s.name), every: xs.length === own.length });
        const at = (p.component.value.at('const_labels', label) ?? p.component.value).location();
        const hint = `rename the const label (e.g. ${label}: → collector_${label}:) and update queries that filter on it`;
        if (always.length) {
          findings.push({ ...at, kind: 'always', data: clash(always), hint });
        } else {
          findings.push({ ...at, severity: 'warning', kind: 'sometimes', data: clash(sometimes), hint });
        }
      }
    }
    return findings;
  },
});
