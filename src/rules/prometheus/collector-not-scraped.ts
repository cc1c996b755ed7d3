import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlAppendBlockItem, yamlFillEmptyKey, yamlInsertMapEntry, yamlReplaceMapEntry } from '../../model/edits.js';
import type { YamlValue } from '../../load/yaml-value.js';
import type { PrometheusConfig } from '../../model/prometheus.js';
import { collectorScrapes, collectorSides, type CollectorScrape } from '../../model/scrape-targets.js';
import { kubeRunnerOf, objectName } from '../../model/kubernetes-routes.js';
import type { OperatorPrometheus } from '../../model/kubernetes-scrape.js';
import type { Workspace } from '../../model/workspace.js';
import { profileGateText } from '../../model/routes.js';
import type { Location, TextEdit } from '../../types.js';

const neverStored = ': the Claude Code metrics it serves are never stored';
/** `gate`: profileGateText of the collector's service, when it runs only under a profile. */
const messages = {
  notScraped: {
    message: `no scrape job in {{file}} targets the collector's prometheus exporter${neverStored}`,
    detail: 'exporters.{{exporter}} on {{target}}, {{collectorFile}}; dashboards stay empty{{gate}}',
  },
  notScrapedNoService: {
    message: `no scrape job in {{file}} targets the collector's prometheus exporter${neverStored}`,
    detail: 'exporters.{{exporter}}, port {{port}}, {{collectorFile}}; dashboards stay empty',
  },
  notMonitored: {
    message: `no ServiceMonitor or PodMonitor scrapes the collector's prometheus exporter${neverStored}`,
    detail: (d: { exporter: string; port: number; runner: string; collectorFile: string; selected: string; assumed: string }) =>
      `exporters.${d.exporter} on port ${d.port} of ${d.runner} (${d.collectorFile}): ${d.selected}; dashboards stay empty (${d.assumed})`,
  },
} as const;
type CollectorNotScrapedFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'prometheus/collector-not-scraped',
  severity: 'error',
  title: "No scrape job reaches the collector's prometheus exporter",
  checks:
    "The collector config has a `prometheus` exporter in a pipeline, but no job in prometheus.yml targets it: host = the collector's compose service (or container name, hostname, alias), port = the exporter's endpoint port. When the collector's service runs only under a profile (`profiles:`), a warning that names the profile. On Kubernetes, with Prometheus Operator objects in the manifests (a Prometheus, ServiceMonitors or PodMonitors): a warning when none of the jobs the operator generates from the monitors a Prometheus selects reaches the exporter's port in the collector's pods (monitor → Services → pods → container port); a monitor that selects nothing here leaves it unjudged.",
  why: 'The collector converts Claude Code\'s metrics and serves them on its exporter port, but nothing collects them: Prometheus has no `claude_code_*` series and every dashboard panel shows "No data", while the collector logs no error.',
  fix: 'unsafe',
  fixDescription:
    'Appends a job `otel-collector` (or a free name) with `static_configs: targets: [<service>:<port>]` to scrape_configs. Unsafe: it adds a new scrape target, and the job name may not be what your dashboards filter on.',
  versions: 'all versions',
  bad: {
    file: 'prometheus.yml',
    text: "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n",
  },
  good: {
    file: 'prometheus.yml',
    text: "scrape_configs:\n  - job_name: prometheus\n    static_configs:\n      - targets: ['localhost:9090']\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n",
  },
  references: [
    'https://github.com/anthropics/claude-code-monitoring-guide/tree/02777441 (prometheus.yml: job otel-collector → otel-collector:8889)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.159.0/exporter/prometheusexporter/README.md (the exporter serves /metrics on its endpoint)',
  ],
  oracle: 'fixtures',
  certainty:
    "Prometheus stores only what its jobs scrape: with no target at the collector's exporter (its host names and port), Claude Code's metrics are never collected. Error only when no job discovers targets dynamically and the exporter is one the collector compose runs serves. Monitors on Kubernetes: a warning, since a monitor or Prometheus outside the manifests may scrape it.",
  stage: 'Prometheus',
  messages,
  check(ws) {
    const findings: CollectorNotScrapedFinding[] = [];
    findings.push(...notMonitored(ws));
    for (const { prometheus: side, collector: c, scrapes: a } of collectorScrapes(ws)) {
      if (side.dynamic || side.operator) continue;
      const p = side.prometheus;
      // A target meant for the collector but on the wrong host or port is another rule's finding
      // (prometheus/localhost-target, prometheus/target-port-mismatch, compose/unknown-host).
      if (a.localhost.length > 0 || a.wrongPort.length > 0 || a.unknownHost.length > 0) continue;
      for (const e of c.exporters) {
        if ((a.scraped.get(e.port) ?? []).length > 0) continue;
        const host = c.service?.service.name;
        const files = { file: basename(p.file), exporter: e.exporter.id, collectorFile: basename(c.collector.file) };
        if (!host) {
          findings.push({
            ...where(p),
            kind: 'notScrapedNoService',
            data: { ...files, port: e.port },
            hint: `add a job whose target is the collector's host and port ${e.port}`,
          });
          continue;
        }
        const target = `${host}:${e.port}`;
        const jobName = freeJobName(
          p.jobs.map((j) => j.name),
          host,
        );
        const lines = [`job_name: ${jobName}`, 'static_configs:', `  - targets: ['${target}']`];
        const gate = profileGateText(c.service!.service);
        findings.push({
          ...where(p),
          // A collector started only under a profile may not run: then there is nothing to scrape.
          ...(gate ? { severity: 'warning' as const } : {}),
          kind: 'notScraped',
          data: { ...files, target, gate },
          hint: `add a job with targets: ['${target}'] (the compose service name and the exporter's port)`,
          fix: fix('unsafe', `add a scrape job "${jobName}" for ${target}`, addJob(p.root, lines)),
        });
      }
    }
    return findings;
  },
});

/**
 * The operator's jobs for each Prometheus (one config per manifest file) against each collector running in a workload
 * of the manifests: an exporter none of them reaches. Unjudged when some job's targets are not all known here or one
 * reaches the collector on a wrong port (prometheus/target-port-mismatch), or a monitor may be selected by namespace
 * labels the manifests do not show.
 */
function notMonitored(ws: Workspace): CollectorNotScrapedFinding[] {
  const findings: CollectorNotScrapedFinding[] = [];
  const pairs = collectorScrapes(ws).filter((x) => x.prometheus.operator);
  const prometheuses = [...new Set(pairs.map((x) => x.prometheus.operator!.prometheus))];
  for (const p of prometheuses) {
    for (const c of collectorSides(ws)) {
      const mine: CollectorScrape[] = pairs.filter((x) => x.prometheus.operator!.prometheus === p && x.collector === c);
      if (mine.length === 0 || mine.some((x) => x.scrapes.partial || x.scrapes.wrongPort.length > 0)) continue;
      // A monitor the Prometheus may select through labels of a namespace not described here: unjudged.
      if (mine[0].prometheus.operator!.uncertain.length > 0) continue;
      const runner = kubeRunnerOf(ws.stack, c.collector);
      if (!runner) continue;
      const jobs = mine.reduce((n, x) => n + x.prometheus.operator!.jobs.length, 0);
      for (const e of c.exporters) {
        if (mine.some((x) => (x.scrapes.scraped.get(e.port) ?? []).length > 0)) continue;
        findings.push({
          ...where(mine[0].prometheus.prometheus),
          severity: 'warning',
          kind: 'notMonitored',
          data: {
            exporter: e.exporter.id,
            port: e.port,
            runner: objectName(runner),
            collectorFile: basename(c.collector.file),
            selected:
              jobs === 0
                ? `${prometheusText(p)} selects no monitor here`
                : `the ${jobs === 1 ? 'scrape job' : `${jobs} scrape jobs`} ${prometheusText(p)} generates from the monitors here ${jobs === 1 ? 'reaches' : 'reach'} other pods or ports`,
            assumed: p.object
              ? 'assuming no monitor outside these manifests scrapes it'
              : 'assuming a Prometheus that selects every monitor, as kube-prometheus-stack with *SelectorNilUsesHelmValues: false, since none is in these manifests; and no monitor outside them scrapes it',
          },
          hint: `add a ServiceMonitor whose selector matches the labels of the collector's Service and whose endpoint port is the name of the Service port that leads to ${e.port} (or a PodMonitor on the container port)`,
        });
      }
    }
  }
  return findings;
}

const prometheusText = (p: OperatorPrometheus) => (p.object ? `Prometheus "${p.name}"` : 'the Prometheus');

/** The scrape_configs key; without one, the whole document; an empty file has no place to point at. */
function where(p: PrometheusConfig): Location {
  return p.root.get('scrape_configs')?.location() ?? (p.root.node !== null ? p.root.location('value') : { file: p.file });
}

function freeJobName(taken: string[], base: string): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

/** Append the job to scrape_configs, creating the key when it is missing, empty or a flow list. */
function addJob(root: YamlValue, lines: string[]): TextEdit[] {
  const y = root.doc;
  const list = root.get('scrape_configs');
  const item = [`- ${lines[0]}`, ...lines.slice(1).map((l) => `  ${l}`)];
  // A flow list ([a, b]) gets no edit: yamlAppendBlockItem appends to block lists only.
  if (list?.isList() && list.items().length > 0) return yamlAppendBlockItem(y, list.path, lines);
  if (list === undefined) {
    if (root.isMap()) return yamlInsertMapEntry(y, [], 'scrape_configs', item);
    const text = y.source.text;
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const lead = text.length > 0 && !text.endsWith('\n') ? eol : '';
    return root.node === null
      ? [{ file: y.source.path, offset: text.length, length: 0, text: `${lead}scrape_configs:${eol}${item.map((l) => `  ${l}${eol}`).join('')}` }]
      : [];
  }
  const filled = yamlFillEmptyKey(y, ['scrape_configs'], item);
  return filled.length > 0 ? filled : yamlReplaceMapEntry(y, ['scrape_configs'], 'scrape_configs', item);
}
