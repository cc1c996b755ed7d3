import { defineRule, type RuleFinding } from '../define.js';
import { metricsView, type WorkspacePipeline } from '../../model/grafana-pipelines.js';
import { processorLabels } from '../../model/other-sources.js';
import { labelName } from '../../model/naming.js';
import { findVariables, type LabelMatcher, type PromSelector } from '../../model/promql.js';
import type { Dashboard } from '../../model/grafana.js';
import { atQuery, dashboardName, dashboardQueries, queryOwner } from '../../model/dashboard-queries.js';

const RESOURCE_LABELS = new Set(
  ['service.name', 'service.namespace', 'service.instance.id', 'service.version', 'os.type', 'os.version', 'host.arch', 'wsl.version'].map((k) => labelName(k)),
);

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

/**
 * The pipeline copies resource attributes onto series: then any attribute set outside these files (a shell's
 * OTEL_RESOURCE_ATTRIBUTES, as READMEs tell users) can be a label, and no unknown label is certainly absent.
 */
function promotesResource(from: WorkspacePipeline): boolean {
  const p = from.pipeline;
  if (p.kind === 'collector-prometheus' || p.kind === 'collector-prometheusremotewrite') return p.resourceToTelemetry !== undefined;
  return p.kind === 'prometheus-otlp' && p.promoteResourceAttributes !== undefined;
}

/** Prometheus stores what this pipeline sends it: `job` comes from the OTLP resource, not from a scrape job. */
const pushes = (w: WorkspacePipeline) => w.pipeline.kind === 'prometheus-otlp' || w.pipeline.kind === 'collector-prometheusremotewrite';
/** An exporter Prometheus must scrape, with no scrape job here that does. */
const unscraped = (w: WorkspacePipeline) => (w.pipeline.kind === 'collector-prometheus' || w.pipeline.kind === 'claude-builtin') && !w.pipeline.scrape?.job;

/** Where a label is used, for messages: `matcher on job` or `label_values() of job`, then the series and query. */
type Use = { matcher: boolean; label: string; metric: string; owner: string; dashboard: string };
const use = (d: Use) => `${d.matcher ? `matcher on ${d.label}` : `label_values() of ${d.label}`} in ${d.owner}`;
/** The series and dashboard, where a detail starts. */
const series = (d: { metric: string; dashboard: string }) => `${d.metric} in dashboard ${d.dashboard}`;
type JobMatcher = { op: string; value: string; metric: string; owner: string; dashboard: string; job: string };
const jobMatcher = (d: JobMatcher) => `job${d.op}"${d.value}" in ${d.owner} matches nothing: job is "${d.job}" here`;

const messages = {
  jobIsScrapeJob: {
    message: jobMatcher,
    detail: (d: JobMatcher & { exportedJob: string }) =>
      `${series(d)}: Prometheus sets job to the scrape job "${d.job}" (no honor_labels), and Claude Code's service name "${d.exportedJob}" is in exported_job`,
  },
  jobIsOther: { message: jobMatcher, detail: (d: JobMatcher) => `${series(d)}: job is "${d.job}" for this series here` },
  jobIsPushed: {
    message: jobMatcher,
    detail: (d: JobMatcher & { pipeline: string; unscraped?: string }) =>
      `${series(d)}: ${d.pipeline} pushes this series into Prometheus (OTLP or remote write, not scraped), so job is Claude Code's service name "${d.job}"${d.unscraped ? `; ${d.unscraped} is scraped by no Prometheus here` : ''}`,
  },
  exportedJobAbsent: {
    message: (d: Use) => `${use(d)} never matches: there is no exported_job label here`,
    detail: (d: Use & { job?: string }) =>
      `${series(d)}: exported_job only exists when Prometheus renames the exporter's job, and here the job label${d.job ? ` ("${d.job}")` : ''} is kept as it is`,
  },
  resourceLabel: {
    message: (d: Use) => `${use(d)} never matches: it is a resource attribute, not a series label`,
    detail: (d: Use & { pipeline: string }) =>
      `${series(d)}: ${d.label} comes from a resource attribute, which ${d.pipeline} does not copy onto series (only target_info carries resource attributes)`,
  },
  onlyAll: {
    message: (d: Use & { variable: string }) => `${use(d)} shows No data for any value of $${d.variable} but All: no series here has ${d.label}`,
    detail: (d: Use & { variable: string; allValue: string }) =>
      `${series(d)} matches every series only while $${d.variable} is All ("${d.allValue}", its default)`,
  },
  groupByAbsent: {
    message: (d: Use) => `sum by ${d.label} in ${d.owner} puts every series in one group: no series here has ${d.label}`,
    detail: (d: Use & { labels: string[]; pipeline: string }) =>
      `${series(d)}: no Claude Code attribute and no pipeline label becomes ${d.label} (its labels: ${d.labels.join(', ')}); an attribute set in OTEL_RESOURCE_ATTRIBUTES is a resource attribute, which ${d.pipeline} keeps on target_info only, so the panel shows one series with an empty ${d.label}`,
  },
  unknownLabel: {
    message: (d: Use) => `${use(d)} never matches: no series here has ${d.label}`,
    detail: (d: Use & { labels: string[] }) =>
      `no Claude Code attribute and no pipeline label becomes ${d.label} on ${series(d)} (its labels: ${d.labels.join(', ')})`,
  },
} as const;
type LabelFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/label-not-produced',
  severity: 'warning',
  title: 'Matcher on a label the pipeline never attaches',
  checks:
    "Label matchers, `label_values(metric, label)` variables and aggregations' `by` lists (a `by` only where every series of the query is Claude Code's and nothing in it makes labels) on Claude Code series that use a label the pipeline never attaches, or a `job` value it cannot have: with the default `honor_labels: false` the collector's `job` survives only as `exported_job`; where the series are pushed into Prometheus (its OTLP receiver, remote write, or the own collector of an all-in-one image such as grafana/otel-lgtm) `job` is Claude Code's service name; resource attributes (service.version, os.type, host.arch) become labels only when the exporter promotes them. Labels the collector's processors set (transform `set(attributes[\"x\"], …)`, attributes insert/upsert) are produced; where the exporter promotes resource attributes, any attribute set outside these files (OTEL_RESOURCE_ATTRIBUTES in a shell) can be a label, so no unknown label is reported.",
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
  references: [
    'https://github.com/open-telemetry/opentelemetry-specification/blob/main/specification/compatibility/prometheus_and_openmetrics.md (service.name becomes job; resource attributes on target_info)',
    'https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config (honor_labels: exported_job, exported_instance)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/exporter/prometheusexporter/README.md (resource_to_telemetry_conversion, const_labels)',
    'test/pipeline/naming-oracle.test.ts (labels observed on the real pipeline)',
  ],
  messages,
  oracle: 'pipeline',
  stage: 'Grafana',
  check(ws) {
    const view = metricsView(ws);
    // Labels are judged against the series produced here: none, nothing to judge.
    if (view.produced.size === 0) return [];
    const findings: LabelFinding[] = [];
    for (const aq of dashboardQueries(ws)) {
      if (!aq.promql) continue;
      const d = aq.dashboard;
      const at = (from: number, to: number) => atQuery(aq, aq.offset + from, aq.offset + to);
      for (const sel of aq.promql.selectors) {
        const name = sel.metric && !sel.metric.templated ? sel.metric.name : undefined;
        const entries = name ? view.produced.get(name) : undefined;
        if (!name || !entries || entries.some((e) => e.series.uncertainLabels)) continue;
        // The collector's processors that set data-point attributes (transform `set(attributes["x"], …)`,
        // attributes insert/upsert) add labels the model of Claude Code's series does not know.
        const possible = new Set([
          ...entries.flatMap((e) => e.series.possibleLabels),
          ...entries.flatMap((e) => (e.from.collector && e.from.component ? [...processorLabels(e.from.collector, e.from.component.id)] : [])),
        ]);
        const openResource = entries.some((e) => promotesResource(e.from));
        const owner = queryOwner(aq);
        const dashboard = dashboardName(d);
        const listed = [...possible].filter((l) => !l.startsWith('otel_scope'));
        const check = (label: string, from: number, to: number, m?: LabelMatcher) => {
          if (label.startsWith('__')) return;
          if (possible.has(label)) {
            if (!m || m.templatedValue || label !== 'job') return;
            // Beside a pipeline that pushes into Prometheus, an exporter no Prometheus here scrapes adds no series.
            const push = entries.find((e) => pushes(e.from));
            const judged = push ? entries.filter((e) => !unscraped(e.from)) : entries;
            const values = judged.map((e) => e.series.fixedValues.job);
            if (values.some((v) => v === undefined) || values.some((v) => matches(m.op, m.value, v!) !== false)) return;
            const exported = judged.map((e) => e.series.fixedValues.exported_job).find((v) => v !== undefined && matches(m.op, m.value, v) === true);
            const job: JobMatcher = { op: m.op, value: m.value, metric: name, owner, dashboard, job: values[0]! };
            // The same job matcher on many series and panels is one cause.
            const where = { ...at(m.valueFrom, m.valueTo), subject: `job${m.op}"${m.value}"` };
            if (exported) {
              findings.push({
                ...where,
                kind: 'jobIsScrapeJob',
                data: { ...job, exportedJob: exported },
                hint: `use exported_job${m.op}"${m.value}", or set honor_labels: true on the scrape job`,
              });
            } else if (push) {
              const aside = entries.find((e) => unscraped(e.from))?.from.describe;
              findings.push({
                ...where,
                kind: 'jobIsPushed',
                data: { ...job, pipeline: push.from.describe, unscraped: aside },
                hint: `use job="${values[0]}"`,
              });
            } else {
              findings.push({ ...where, kind: 'jobIsOther', data: job, hint: `use job="${values[0]}"` });
            }
            return;
          }
          const used: Use = { matcher: !!m, label, metric: name, owner, dashboard };
          // Where resource attributes may become labels, the label may exist: a chosen value may match too.
          const all = m && !openResource && allMatchesAbsent(m, d);
          if (all) {
            // The dashboard works as shipped (All matches series without the label); only a chosen value empties it.
            findings.push({
              ...at(from, to),
              subject: label,
              severity: 'info',
              kind: 'onlyAll',
              data: { ...used, ...all },
              hint: 'drop the matcher, or make the pipeline attach the label',
            });
            return;
          }
          // One label the pipeline does not attach, used across many panels, is one cause: its name is the subject.
          const where = { ...at(from, to), subject: label };
          if (label === 'exported_job' && possible.has('job')) {
            findings.push({ ...where, kind: 'exportedJobAbsent', data: { ...used, job: entries[0].series.fixedValues.job }, hint: 'use job' });
          } else if (RESOURCE_LABELS.has(label)) {
            const hint =
              label === 'service_name'
                ? 'filter on job (or exported_job) instead, or enable resource_to_telemetry_conversion on the exporter'
                : 'enable resource_to_telemetry_conversion on the exporter, or drop the matcher';
            findings.push({ ...where, kind: 'resourceLabel', data: { ...used, pipeline: entries[0].from.describe }, hint });
          } else if (!openResource) {
            findings.push({ ...where, kind: 'unknownLabel', data: { ...used, labels: listed } });
          }
        };
        for (const m of sel.matchers) if (!m.templatedLabel && !harmless(m)) check(m.label, m.labelFrom, m.labelTo, m);
        if (!openResource && !LABEL_MAKING.test(aq.promql.expr) && sel === aq.promql.selectors[0]) {
          for (const g of aq.promql.groupingLabels) {
            // Only where every series of the query is Claude Code's, as produced here, without the label; a matcher
            // on the label in the query is that finding already.
            const matched = aq.promql.selectors.some((x) => x.matchers.some((m) => m.label === g.label));
            if (!g.by || g.templated || matched || possible.has(g.label) || !allWithout(g.label, aq.promql.selectors, view)) continue;
            findings.push({
              ...at(g.from, g.to),
              subject: g.label,
              kind: 'groupByAbsent',
              data: { matcher: false, label: g.label, metric: name, owner, dashboard, labels: listed, pipeline: entries[0].from.describe },
              hint: 'group by a label the series carry, or enable resource_to_telemetry_conversion on the exporter',
            });
          }
        }
        if (aq.variable?.label && aq.variable.promql?.parsed.selectors[0] === sel) {
          const l = aq.variable.label;
          check(l.name, l.from - aq.offset, l.to - aq.offset);
        }
      }
    }
    return findings;
  },
});

/** Functions that make labels a `by` list may then use, and vector matching that brings labels from other series. */
const LABEL_MAKING = /\b(label_replace|label_join|count_values|group_left|group_right)\b/;

/** Whether every selector of the query reads Claude Code series produced here that cannot carry `label`. */
function allWithout(label: string, selectors: PromSelector[], view: ReturnType<typeof metricsView>): boolean {
  return selectors.every((s) => {
    const entries = s.metric && !s.metric.templated ? view.produced.get(s.metric.name) : undefined;
    return (
      !!entries &&
      entries.every(
        (e) =>
          !e.series.uncertainLabels &&
          !e.series.possibleLabels.includes(label) &&
          !promotesResource(e.from) &&
          !(e.from.collector && e.from.component && [...processorLabels(e.from.collector, e.from.component.id)].includes(label)),
      )
    );
  });
}

/**
 * A regex matcher on one variable that defaults to All, whose All value (`allValue`, e.g. `.*`) makes the regex
 * match the empty string: at the default it also matches series without the label. Without `allValue`, Grafana
 * sends All as the listed values, which never match a missing label.
 */
function allMatchesAbsent(m: LabelMatcher, d: Dashboard): { variable: string; allValue: string } | undefined {
  if (m.op !== '=~') return undefined;
  const refs = findVariables(m.value);
  if (refs.length !== 1) return undefined;
  const v = d.variables.find((x) => x.name === refs[0].name)?.node;
  const allValue = v?.get('allValue')?.string();
  if (v?.get('includeAll')?.js !== true || !allValue) return undefined;
  const current = v.get('current')?.get('value');
  const values = current?.isArray() ? current.items().map((x) => x.string()) : [current?.string()];
  if (!values.includes('$__all')) return undefined;
  const atDefault = m.value.slice(0, refs[0].from) + allValue + m.value.slice(refs[0].to);
  return matches('=~', atDefault, '') ? { variable: refs[0].name, allValue } : undefined;
}
