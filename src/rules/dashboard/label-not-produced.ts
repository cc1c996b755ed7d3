import { defineRule, type RuleFinding } from '../define.js';
import { metricsView } from '../../model/grafana-pipelines.js';
import { labelName } from '../../model/naming.js';
import type { LabelMatcher } from '../../model/promql.js';
import { dashboardName, dashboardQueries, queryOwner, queryRange } from '../../model/dashboard-queries.js';
import { jsonPointer } from '../../load/json.js';

const RESOURCE_LABELS = new Set(['service.name', 'service.namespace', 'service.instance.id', 'service.version', 'os.type', 'os.version', 'host.arch', 'wsl.version'].map((k) => labelName(k)));

/** A regex matcher as Prometheus runs it: fully anchored (RE2; JS is close enough for the cases here). */
function matches(op: LabelMatcher['op'], pattern: string, value: string): boolean | undefined {
  if (op === '=') return value === pattern;
  if (op === '=~') {
    try {
      return new RegExp(`^(?:${pattern})$`).test(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** `=""`, `!=…`, `!~…` and regexes that match the empty string also match series without the label: harmless. */
function harmless(m: LabelMatcher): boolean {
  if (m.op === '!=' || m.op === '!~') return true;
  return matches(m.op, m.value, '') === true;
}

export default defineRule({
  id: 'dashboard/label-not-produced',
  severity: 'warning',
  title: 'Matcher on a label the pipeline never attaches',
  checks:
    'Label matchers (and `label_values(metric, label)` variables) on Claude Code series that use a label the pipeline never attaches, or a `job` value it cannot have: with the default `honor_labels: false` the collector\'s `job` survives only as `exported_job`; resource attributes (service.version, os.type, host.arch) become labels only when the exporter promotes them.',
  why: 'A matcher on a label that is never there selects nothing: `claude_code_cost_usage_USD_total{job="claude-code"}` is empty when Prometheus scrapes the collector without honor_labels, because `job` is then the scrape job ("otel-collector") and Claude Code\'s service name is in `exported_job`. The panel shows "No data".',
  fix: 'none',
  versions: 'all versions; scope labels (otel_scope_*) from collector v0.128.0 (prometheus exporter) and v0.146.0 (remote write)',
  bad: {
    file: 'dashboards/claude-code.json (prometheus.yml: job otel-collector scrapes the collector, no honor_labels)',
    text: '{\n  "panels": [{"title": "Cost", "targets": [{"expr": "sum(increase(claude_code_cost_usage_USD_total{job=\\"claude-code\\"}[$__range]))"}]}]\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json (same stack)',
    text: '{\n  "panels": [{"title": "Cost", "targets": [{"expr": "sum(increase(claude_code_cost_usage_USD_total{exported_job=\\"claude-code\\"}[$__range]))"}]}]\n}\n',
  },
  references: ['claude-code.md §5 (labels per pipeline; exported_job)', 'prometheus.md §1 (label clash, honor_labels)', 'collector.md §4.3 (resource_to_telemetry_conversion, const_labels)', 'test/pipeline (labels observed on the real pipeline)'],
  oracle: 'pipeline',
  stage: 'Grafana',
  check(ws) {
    const view = metricsView(ws);
    if (view.pipelines.length === 0) return [];
    const findings: RuleFinding[] = [];
    for (const aq of dashboardQueries(ws)) {
      if (!aq.promql) continue;
      const d = aq.dashboard;
      const at = (from: number, to: number) => ({ file: d.file, range: queryRange(d, aq.query, aq.offset + from, aq.offset + to), path: jsonPointer([...d.base, ...aq.query.path]) });
      for (const sel of aq.promql.selectors) {
        const name = sel.metric && !sel.metric.templated ? sel.metric.name : undefined;
        const entries = name ? view.produced.get(name) : undefined;
        if (!name || !entries || entries.some((e) => e.series.uncertainLabels)) continue;
        const possible = new Set(entries.flatMap((e) => e.series.possibleLabels));
        const where = `${queryOwner(aq)} of dashboard ${dashboardName(d)}`;
        const listed = [...possible].filter((l) => !l.startsWith('otel_scope')).join(', ');
        const check = (label: string, from: number, to: number, m?: LabelMatcher) => {
          if (label.startsWith('__')) return;
          if (possible.has(label)) {
            if (!m || m.templatedValue || label !== 'job') return;
            const values = entries.map((e) => e.series.fixedValues.job);
            if (values.some((v) => v === undefined) || values.some((v) => matches(m.op, m.value, v!) !== false)) return;
            const exported = entries.map((e) => e.series.fixedValues.exported_job).find((v) => v !== undefined && matches(m.op, m.value, v) === true);
            findings.push({
              ...at(m.valueFrom, m.valueTo),
              message: exported
                ? `job${m.op}"${m.value}" on ${name} in ${where} matches nothing: Prometheus sets job to the scrape job "${values[0]}" (no honor_labels), and Claude Code's service name "${exported}" is in exported_job`
                : `job${m.op}"${m.value}" on ${name} in ${where} matches nothing: job is "${values[0]}" for this series here`,
              hint: exported ? `use exported_job${m.op}"${m.value}", or set honor_labels: true on the scrape job` : `use job="${values[0]}"`,
            });
            return;
          }
          let why: string;
          let hint: string | undefined;
          if (label === 'exported_job' && possible.has('job')) {
            why = `exported_job only exists when Prometheus renames the exporter's job, and here the job label${entries[0].series.fixedValues.job ? ` ("${entries[0].series.fixedValues.job}")` : ''} is kept as it is`;
            hint = 'use job';
          } else if (RESOURCE_LABELS.has(label)) {
            why = `${label} comes from a resource attribute, which ${entries[0].from.describe} does not copy onto series (only target_info carries resource attributes)`;
            hint = label === 'service_name' ? 'filter on job (or exported_job) instead, or enable resource_to_telemetry_conversion on the exporter' : 'enable resource_to_telemetry_conversion on the exporter, or drop the matcher';
          } else {
            why = `no Claude Code attribute and no pipeline label becomes ${label} on this series (its labels: ${listed})`;
          }
          findings.push({ ...at(from, to), message: `${m ? `matcher on ${label}` : `label_values() of ${label}`} for ${name} in ${where} never matches: ${why}`, hint });
        };
        for (const m of sel.matchers) if (!m.templatedLabel && !harmless(m)) check(m.label, m.labelFrom, m.labelTo, m);
        if (aq.variable?.label && aq.variable.promql?.parsed.selectors[0] === sel) {
          const l = aq.variable.label;
          check(l.name, l.from - aq.offset, l.to - aq.offset);
        }
      }
    }
    return findings;
  },
});
