import { defineRule, type RuleFinding } from '../define.js';
import { metricsView } from '../../model/grafana-pipelines.js';
import { claudeSeries } from '../../model/naming.js';
import { atYaml } from '../../model/yaml-locate.js';

export default defineRule({
  id: 'collector/const-label-clash',
  severity: 'error',
  title: 'A const label has the name of a Claude Code label: the exporter drops the metric',
  checks:
    "`const_labels` of a `prometheus` exporter in a metrics pipeline, against the labels each Claude Code metric gets through it (its attributes, promoted resource attributes, scope labels, `job`), as the naming model predicts them.",
  why:
    'The Prometheus client refuses a metric whose constant and own labels share a name ("duplicate label names in constant and variable labels"); the exporter logs the error on every scrape and leaves the whole metric out of /metrics. `source` is the usual culprit: the edit-decision counter `code_edit_tool_decision` has its own `source` label (config, hook, user…), so `const_labels: {source: …}` silently removes it.',
  fix: 'none',
  versions: 'all collector versions with the contrib `prometheus` exporter; Claude Code 2.x labels',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    const_labels:\n      source: claude_code_telemetry\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    const_labels:\n      telemetry_source: claude_code_telemetry\n',
  },
  references: ['claude-code.md §4 (metric attributes: code_edit_tool.decision has tool_name, decision, source, language)', 'peers.md §1.3 (the seed template sets const_labels {source: …})', 'test/pipeline: seen on both oracle builds'],
  oracle: 'pipeline',
  stage: 'Collector',
  check(ws) {
    const findings: RuleFinding[] = [];
    const seen = new Set<string>();
    const view = metricsView(ws);
    for (const p of view.pipelines) {
      if (p.pipeline.kind !== 'collector-prometheus' || !p.collector || !p.component) continue;
      const constLabels = Object.keys(p.pipeline.constLabels ?? {});
      // The labels the exporter itself puts on each metric: the same pipeline without const labels, before any scrape.
      const own = claudeSeries({ ...p.pipeline, constLabels: undefined, scrape: undefined }, view.claude);
      for (const label of constLabels) {
        const key = `${p.collector.file}\u0000${p.component.id}\u0000${label}`;
        if (seen.has(key)) continue; // one exporter can stand for two pipelines (both namings when the version is assumed)
        const always = own.filter((s) => s.labels.includes(label));
        const sometimes = own.filter((s) => !s.labels.includes(label) && s.possibleLabels.includes(label));
        if (!always.length && !sometimes.length) continue;
        seen.add(key);
        const names = (xs: typeof always) => (xs.length === own.length ? `every Claude Code metric (${xs.length})` : xs.map((s) => s.name).join(', '));
        const at = atYaml(p.collector.yaml, [...p.component.path, 'const_labels', label]);
        const hint = `rename the const label (e.g. ${label}: → collector_${label}:) and update queries that filter on it`;
        if (always.length) {
          findings.push({
            ...at,
            message: `const label "${label}" of exporter "${p.component.id}" has the name of a label Claude Code puts on ${names(always)}: the exporter leaves ${always.length === 1 ? 'that metric' : 'them'} out of /metrics ("duplicate label names in constant and variable labels")`,
            hint,
          });
        } else {
          findings.push({
            ...at,
            severity: 'warning',
            message: `const label "${label}" of exporter "${p.component.id}" has the name of a label Claude Code adds in some runs to ${names(sometimes)}: in those runs the exporter leaves ${sometimes.length === 1 ? 'it' : 'them'} out of /metrics ("duplicate label names in constant and variable labels")`,
            hint,
          });
        }
      }
    }
    return findings;
  },
});
