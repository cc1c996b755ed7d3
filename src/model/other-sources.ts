import type { CollectorConfig } from './collector.js';
import { dashboardQueries, looksLikeClaudeName } from './dashboard-queries.js';
import type { Dashboard } from './grafana.js';
import { metricsView } from './grafana-pipelines.js';
import { labelName } from './naming.js';
import { topology } from './topology.js';
import type { Workspace } from './workspace.js';

/**
 * What else, besides Claude Code's pipeline, can put series and streams where the dashboards look: a rule may say
 * "does not exist" only when this finds nothing (issue #14, class 1). Each piece of evidence is said plainly for
 * messages ("a Pushgateway (scrape job "hooks")").
 */

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Ports whose scrape cannot expose a claude_code_ series: Prometheus itself, the collector's own telemetry. */
const SELF_PORTS = new Set([9090, 8888]);

/** Where Claude Code's metrics are looked for, and whether that world is closed. */
export interface MetricWorld {
  /**
   * Why a `claude_code_…` name no Claude Code pipeline produces may still be there: scrape jobs other than the
   * pipeline's (a Pushgateway, another exporter, discovered targets), a remote-write or OTLP receiver no pipeline
   * here feeds. Empty when every job scrapes Claude Code's pipeline or Prometheus itself.
   */
  others: string[];
  /** The Prometheus dashboards query is not (all) in this workspace: what is not seen, for messages. */
  unseen?: string;
}

/** Hosts that name no particular container: a datasource URL on them reaches whatever the host publishes. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', 'host.docker.internal', '0.0.0.0']);

export function metricWorld(ws: Workspace): MetricWorld {
  if (ws.stack.prometheus.length === 0) return { others: [], unseen: "the datasource's Prometheus is not in this workspace" };
  const prometheusHosts = new Set(topology(ws.stack).prometheus.flatMap((s) => [s.service.name, ...s.service.aliases].map((h) => h.toLowerCase())));
  const away = ws.stack.grafana.datasources.filter((d) => {
    if (d.type !== 'prometheus' || !d.url || d.url.includes('$')) return false;
    const host = /^[a-z]+:\/\/\[?([^/:\]]+)/i.exec(d.url)?.[1]?.toLowerCase();
    return host !== undefined && !LOCAL_HOSTS.has(host) && !prometheusHosts.has(host);
  });
  const unseen = away.length
    ? `datasource ${away.map((d) => `"${d.name ?? d.url}" (${d.url})`).join(', ')} queries a Prometheus not in this workspace`
    : undefined;
  return { others: otherMetricSources(ws), unseen };
}

function otherMetricSources(ws: Workspace): string[] {
  const pipelineJobs = new Set<string>();
  const pipelines = metricsView(ws).pipelines;
  for (const p of pipelines) {
    const job = p.pipeline.kind === 'collector-prometheus' || p.pipeline.kind === 'claude-builtin' ? p.pipeline.scrape?.job : undefined;
    if (job) pipelineJobs.add(job);
  }
  // Claude Code's own containers: their built-in exporter exposes only Claude Code's metrics.
  const claudeHosts = new Set(
    ws.stack.composes.flatMap((c) => c.services.filter((s) => s.environment.CLAUDE_CODE_ENABLE_TELEMETRY !== undefined).flatMap((s) => [s.name, ...s.aliases])),
  );
  const pushgatewayServices = new Set(
    ws.stack.composes.flatMap((c) => c.services.filter((s) => /(^|\/)prom\/pushgateway$/.test(s.repository ?? '')).flatMap((s) => [s.name, ...s.aliases])),
  );
  const evidence: string[] = [];
  for (const cfg of ws.stack.prometheus) {
    for (const job of cfg.jobs) {
      if (pipelineJobs.has(job.name)) continue;
      if (job.discovers) {
        evidence.push(`the targets scrape job "${job.name}" discovers`);
        continue;
      }
      const others = job.targets.filter((t) => !claudeHosts.has(t.host) && (t.port === undefined || !SELF_PORTS.has(t.port)));
      if (others.length === 0) continue;
      const pushgateway = others.some((t) => pushgatewayServices.has(t.host) || /pushgateway/i.test(t.host) || t.port === 9091);
      evidence.push(pushgateway ? `a Pushgateway (scrape job "${job.name}")` : `${others.map((t) => t.raw).join(', ')} (scrape job "${job.name}")`);
    }
  }
  // A receiver Prometheus opens that no pipeline here feeds: anything may write into it.
  const feeds = new Set(pipelines.map((p) => p.pipeline.kind));
  const receivers = [
    {
      flag: /^--web\.enable-remote-write-receiver$|^--enable-feature=.*remote-write-receiver/,
      fedBy: 'collector-prometheusremotewrite',
      name: 'remote-write receiver',
    },
    { flag: /^--web\.enable-otlp-receiver$|^--enable-feature=.*otlp-write-receiver/, fedBy: 'prometheus-otlp', name: 'OTLP receiver' },
  ] as const;
  for (const s of topology(ws.stack).prometheus) {
    for (const r of receivers)
      if (!feeds.has(r.fedBy) && s.service.command.some((a) => r.flag.test(a)))
        evidence.push(`its ${r.name} (service "${s.service.name}", fed by no pipeline here)`);
  }
  return evidence;
}

/** The labels a collector's processors set on the data points of the metrics pipelines that feed this exporter. */
export function processorLabels(c: CollectorConfig, exporterId: string): Set<string> {
  const labels = new Set<string>();
  const ids = new Set(
    c.pipelines.filter((p) => p.signal === 'metrics' && p.exporters.some((e) => e.id === exporterId)).flatMap((p) => p.processors.map((r) => r.id)),
  );
  for (const proc of c.components.filter((x) => x.kind === 'processors' && ids.has(x.id))) {
    if (proc.type === 'transform') {
      // `set(attributes["x"], …)` in a datapoint (or metric) context: the label x.
      const text = JSON.stringify(proc.config.metric_statements ?? []);
      for (const m of text.matchAll(/set\(\s*(?:datapoint\.)?attributes\[\\"([^"\\]+)\\"\]/g)) labels.add(labelName(m[1]));
    } else if (proc.type === 'attributes') {
      const actions = Array.isArray(proc.config.actions) ? proc.config.actions : [];
      for (const a of actions) if (isObject(a) && typeof a.key === 'string' && /^(insert|upsert)$/.test(String(a.action))) labels.add(labelName(a.key));
    }
  }
  return labels;
}

/** Stream labels a Promtail config in the stack attaches, and the values its `job` label can take. */
export interface PromtailStreams {
  /** `job` and static labels, relabelled target labels, `labels` stages. */
  labels: Set<string>;
  /** `job` values: static `job` labels, else job_name; undefined when relabelling sets job (any value). */
  jobs?: Set<string>;
}

export function promtailStreams(ws: Workspace): PromtailStreams {
  const labels = new Set<string>();
  let jobs: Set<string> | undefined = new Set<string>();
  for (const f of ws.stack.files) {
    if (f.kind !== 'other-tool' || f.other?.tool !== 'promtail') continue;
    const root = ws.stack.yaml.get(f.source.path)?.value;
    const scrapes = isObject(root) && Array.isArray(root.scrape_configs) ? root.scrape_configs : [];
    for (const job of scrapes) {
      if (!isObject(job)) continue;
      labels.add('job');
      let staticJob = false;
      for (const sc of Array.isArray(job.static_configs) ? job.static_configs : []) {
        if (!isObject(sc) || !isObject(sc.labels)) continue;
        for (const k of Object.keys(sc.labels)) if (!k.startsWith('__')) labels.add(k);
        if (typeof sc.labels.job === 'string') {
          jobs?.add(sc.labels.job);
          staticJob = true;
        }
      }
      if (!staticJob && typeof job.job_name === 'string') jobs?.add(job.job_name);
      for (const r of Array.isArray(job.relabel_configs) ? job.relabel_configs : []) {
        if (!isObject(r) || typeof r.target_label !== 'string' || r.target_label.startsWith('__')) continue;
        labels.add(r.target_label);
        if (r.target_label === 'job') jobs = undefined;
      }
      // `labels` stages, at any depth (inside `match` stages too).
      for (const m of JSON.stringify(job.pipeline_stages ?? []).matchAll(/"labels":\{([^{}]*)\}/g))
        for (const k of m[1].matchAll(/"([^"]+)":/g)) {
          labels.add(k[1]);
          if (k[1] === 'job') jobs = undefined;
        }
    }
  }
  return { labels, jobs };
}

/** Attributes a Loki config's `limits_config.otlp_config` indexes as stream labels (`action: index_label`). */
export function lokiIndexedAttributes(ws: Workspace): string[] {
  const out: string[] = [];
  for (const l of ws.stack.loki) {
    const root = l.yaml.value;
    const otlp = isObject(root) && isObject(root.limits_config) && isObject(root.limits_config.otlp_config) ? root.limits_config.otlp_config : undefined;
    if (!otlp) continue;
    const lists = [
      ...(isObject(otlp.resource_attributes) && Array.isArray(otlp.resource_attributes.attributes_config) ? otlp.resource_attributes.attributes_config : []),
      ...(Array.isArray(otlp.log_attributes) ? otlp.log_attributes : []),
      ...(Array.isArray(otlp.scope_attributes) ? otlp.scope_attributes : []),
    ];
    for (const a of lists) if (isObject(a) && a.action === 'index_label' && Array.isArray(a.attributes)) out.push(...a.attributes.map(String));
  }
  return out;
}

/**
 * A dashboard about Claude Code: a query selects a claude_code_ series or Claude Code's log stream (its service
 * name). A dashboard for another tool of the same stack has neither, and is not judged by Claude Code's pipeline.
 */
export function isClaudeDashboard(ws: Workspace, d: Dashboard): boolean {
  const service = metricsView(ws).claude.serviceName ?? 'claude-code';
  return dashboardQueries(ws).some(
    (aq) =>
      aq.dashboard === d &&
      ((aq.promql?.selectors ?? []).some((s) => s.metric && !s.metric.templated && looksLikeClaudeName(ws, s.metric.name)) ||
        (aq.logql?.streamMatchers ?? []).some((m) => m.label === 'service_name' && !m.templatedValue && m.value === service) ||
        /claude[_.]code/.test(aq.logql?.expr ?? '')),
  );
}
