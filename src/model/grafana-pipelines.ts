import { isTruthy } from './claude-env.js';
import type { CollectorConfig, Component } from './collector.js';
import { parseHostPort } from './collector.js';
import {
  claudeSeries,
  CLAUDE_METRICS,
  prometheusName,
  TRANSLATION_STRATEGIES,
  type ClaudeAttributeOptions,
  type ClaudeSeries,
  type MetricsPipeline,
  type ResourcePromotion,
  type ScrapeSide,
  type TranslationStrategy,
} from './naming.js';
import { parseExporterList } from './prediction.js';
import type { PrometheusConfig, ScrapeJob } from './prometheus.js';
import type { Workspace } from './workspace.js';
import { fact } from './facts.js';
import { embeddedCollector } from './embedded-collectors.js';
import type { ComposeFile, ComposeService } from './compose.js';

/**
 * Which pipelines bring Claude Code's metrics into the Prometheus that dashboards query, derived from a workspace:
 * the collector's prometheus exporter (scraped by a prometheus.yml job), its remote-write exporter, an otlphttp
 * exporter into Prometheus' OTLP receiver, or Claude Code's built-in exporter (OTEL_METRICS_EXPORTER=prometheus).
 * With each, the exact series the naming model predicts.
 */

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export interface WorkspacePipeline {
  pipeline: MetricsPipeline;
  /** For messages: `exporter "prometheus" in otel-collector-config.yml`. */
  describe: string;
  /** The collector config (or undefined for Claude Code's exporter). */
  collector?: CollectorConfig;
  component?: Component;
  series: ClaudeSeries[];
}

export interface MetricsView {
  pipelines: WorkspacePipeline[];
  /** Every series name some pipeline of the workspace produces (metrics it drops excluded). */
  produced: Map<string, { series: ClaudeSeries; from: WorkspacePipeline }[]>;
  /** The exporters' namespaces as series-name prefixes (`claude.code` → `claude_code`), one per pipeline that has one. */
  namespaces: string[];
  claude: ClaudeAttributeOptions;
}

const METRICS_VIEW = fact<MetricsView>('metrics view');

export function metricsView(ws: Workspace): MetricsView {
  return ws.facts.get(METRICS_VIEW, () => buildView(ws));
}

function buildView(ws: Workspace): MetricsView {
  const claude = claudeOptions(ws);
  const pipelines: WorkspacePipeline[] = [];
  const add = (p: MetricsPipeline, describe: string, collector?: CollectorConfig, component?: Component) =>
    pipelines.push({ pipeline: p, describe, collector, component, series: claudeSeries(p, claude) });

  const versionKnown = ws.stack.collector.source !== 'assumed';
  const collectorVersion = ws.stack.collector.version;
  for (const c of ws.stack.collectors) {
    if (c.yaml.problems.length > 0) continue;
    const used = new Set(c.pipelines.filter((p) => p.signal === 'metrics').flatMap((p) => p.exporters.map((e) => e.id)));
    for (const e of c.components.filter((x) => x.kind === 'exporters' && used.has(x.id))) {
      const file = c.file.split(/[\\/]/).pop();
      const describe = `exporter "${e.id}" in ${file}`;
      const common = {
        collectorVersion,
        namespace: typeof e.config.namespace === 'string' && e.config.namespace.trim() !== '' ? e.config.namespace : undefined,
        translationStrategy: TRANSLATION_STRATEGIES.find((s) => s === e.config.translation_strategy),
        addMetricSuffixes: typeof e.config.add_metric_suffixes === 'boolean' ? e.config.add_metric_suffixes : undefined,
        resourceToTelemetry: resourcePromotion(e.config.resource_to_telemetry_conversion) ?? resourcePromotion(e.config.resource_constant_labels, true),
      };
      if (common.namespace?.includes('${')) continue; // an env reference: the prefix is not known
      // Without a known version, add_metric_suffixes: false may or may not be honoured: both namings are possible.
      const versions = !versionKnown && common.addMetricSuffixes === false && !common.translationStrategy ? ['0.153.0', collectorVersion] : [collectorVersion];
      if (e.type === 'prometheus') {
        const endpoint = typeof e.config.endpoint === 'string' ? parseHostPort(e.config.endpoint) : undefined;
        const scrape = endpoint ? scrapeOf(ws.stack.prometheus, endpoint.port) : undefined;
        for (const v of versions) {
          add(
            {
              kind: 'collector-prometheus',
              ...common,
              collectorVersion: v,
              constLabels: stringMap(e.config.const_labels),
              withoutScopeInfo: e.config.without_scope_info === true,
              scrape: scrape ?? { job: undefined, honorLabels: undefined },
            },
            describe,
            c,
            e,
          );
        }
      } else if (e.type === 'prometheusremotewrite' || e.type === 'prometheus_remote_write') {
        for (const v of versions) {
          add(
            {
              kind: 'collector-prometheusremotewrite',
              ...common,
              collectorVersion: v,
              externalLabels: stringMap(e.config.external_labels),
              disableScopeInfo: e.config.disable_scope_info === true,
            },
            describe,
            c,
            e,
          );
        }
      } else if ((e.type === 'otlphttp' || e.type === 'otlp_http') && typeof e.config.endpoint === 'string' && /\/api\/v1\/otlp/.test(e.config.endpoint)) {
        add(otlpIntoPrometheus(ws), describe, c, e);
      }
    }
  }
  // An all-in-one image whose own collector config is not replaced runs the image's pipeline.
  const lgtm = otelLgtmService(ws.stack.composes);
  const replaces = (target: string) => `${OTEL_LGTM_COLLECTOR_CONFIG}/`.startsWith(`${target.replace(/\/+$/, '')}/`);
  if (lgtm && !lgtm.s.mounts.some((m) => replaces(m.target))) {
    add(otlpIntoPrometheus(ws), `the collector inside ${lgtm.s.image} (${lgtm.c.file.split(/[\\/]/).pop()})`);
  }

  // Claude Code's own exporter, or Claude Code sending OTLP straight into Prometheus.
  const env = ws.claude.env;
  if (isTruthy(env.get('CLAUDE_CODE_ENABLE_TELEMETRY')?.value)) {
    const exporters = parseExporterList(env.get('OTEL_METRICS_EXPORTER')?.value);
    if (exporters.includes('prometheus')) {
      const port = Number(env.get('OTEL_EXPORTER_PROMETHEUS_PORT')?.value ?? 9464) || 9464;
      add(
        { kind: 'claude-builtin', scrape: scrapeOf(ws.stack.prometheus, port) ?? { job: undefined, honorLabels: undefined } },
        "Claude Code's built-in prometheus exporter",
      );
    }
    const endpoint = env.get('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT')?.value ?? env.get('OTEL_EXPORTER_OTLP_ENDPOINT')?.value;
    if (exporters.includes('otlp') && endpoint && /\/api\/v1\/otlp/.test(endpoint)) {
      add(prometheusOtlp(ws.stack.prometheus), "Prometheus' OTLP receiver (Claude Code sends to it directly)");
    }
  }

  const produced = new Map<string, { series: ClaudeSeries; from: WorkspacePipeline }[]>();
  for (const p of pipelines) {
    for (const s of p.series) {
      if (s.dropped) continue;
      const list = produced.get(s.name) ?? [];
      list.push({ series: s, from: p });
      produced.set(s.name, list);
    }
  }
  const namespaces = pipelines.flatMap((p) =>
    (p.pipeline.kind === 'collector-prometheus' || p.pipeline.kind === 'collector-prometheusremotewrite') && p.pipeline.namespace
      ? [p.pipeline.namespace.replace(/[^A-Za-z0-9_]/g, '_')]
      : [],
  );
  return { pipelines, produced, namespaces, claude };
}

function claudeOptions(ws: Workspace): ClaudeAttributeOptions {
  const env = ws.claude.env;
  const flag = (name: string): boolean | undefined => {
    const v = env.get(name)?.value;
    return v === undefined ? undefined : isTruthy(v);
  };
  const resource = ws.claude.prediction.resource;
  return {
    claudeVersion: ws.claude.version.version,
    includeSessionId: flag('OTEL_METRICS_INCLUDE_SESSION_ID'),
    includeVersion: flag('OTEL_METRICS_INCLUDE_VERSION'),
    includeAccountUuid: flag('OTEL_METRICS_INCLUDE_ACCOUNT_UUID'),
    includeEntrypoint: flag('OTEL_METRICS_INCLUDE_ENTRYPOINT'),
    includeResourceAttributes: flag('OTEL_METRICS_INCLUDE_RESOURCE_ATTRIBUTES'),
    auth: 'unknown',
    resourceAttributes: Object.keys(resource.attributes).filter((k) => k !== 'service.name' && k !== 'service.namespace'),
    serviceName: resource.serviceName,
    serviceNamespace: resource.attributes['service.namespace'],
  };
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (!isObject(v)) return undefined;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/** resource_to_telemetry_conversion {enabled, exclude_service_attributes, included, excluded}; resource_constant_labels {included, excluded}. */
function resourcePromotion(v: unknown, patternsOnly = false): ResourcePromotion | undefined {
  if (!isObject(v)) return undefined;
  const included = Array.isArray(v.included) ? v.included.map(String) : [];
  const excluded = Array.isArray(v.excluded) ? v.excluded.map(String) : [];
  if (!patternsOnly && v.enabled === true) {
    return { include: ['*'], exclude: v.exclude_service_attributes === true ? ['service.name', 'service.namespace', 'service.instance.id'] : [] };
  }
  if (included.length || excluded.length) return { include: included.length ? included : ['*'], exclude: excluded };
  return undefined;
}

/** The scrape job whose static target has this port (the exporter's, or Claude Code's 9464). */
function scrapeOf(configs: PrometheusConfig[], port: number): ScrapeSide | undefined {
  for (const cfg of configs) {
    const root = isObject(cfg.yaml.value) ? cfg.yaml.value : {};
    const raw = Array.isArray(root.scrape_configs) ? root.scrape_configs : [];
    for (const job of cfg.jobs) {
      const target = job.targets.find((t) => t.port === port);
      if (!target) continue;
      const rawJob = raw[job.path[1] as number];
      return { job: job.name, honorLabels: job.honorLabels, targetLabels: targetLabels(rawJob, target.path), relabels: hasNameRelabel(rawJob) };
    }
  }
  return undefined;
}

function targetLabels(rawJob: unknown, targetPath: (string | number)[]): Record<string, string> | undefined {
  if (!isObject(rawJob) || !Array.isArray(rawJob.static_configs)) return undefined;
  const sc = rawJob.static_configs[targetPath[3] as number];
  return isObject(sc) ? stringMap(sc.labels) : undefined;
}

function hasNameRelabel(rawJob: unknown): boolean {
  return isObject(rawJob) && Array.isArray(rawJob.metric_relabel_configs) && rawJob.metric_relabel_configs.length > 0;
}

/**
 * grafana/otel-lgtm (docker/ in grafana/docker-otel-lgtm, every tag from v0.6.0 to v0.31.0): its collector config
 * (otelcol-config.yaml) sends metrics with an OTLP/HTTP exporter to http://127.0.0.1:9090/api/v1/otlp, the image's
 * Prometheus, started with --web.enable-otlp-receiver (run-prometheus.sh) and a prometheus.yaml without
 * scrape_configs. So its series are pushed, never scraped: `job` is the OTLP service name. Before v0.6.0 a
 * remote-write exporter, which sets `job` the same way.
 */
const OTEL_LGTM_COLLECTOR_CONFIG = '/otel-lgtm/otelcol-config.yaml';
/** The resource attributes the image's prometheus.yaml promotes (`otlp.promote_resource_attributes`, v0.31.0). */
const OTEL_LGTM_PROMOTED = [
  'service.instance.id',
  'service.name',
  'service.namespace',
  'service.version',
  'cloud.availability_zone',
  'cloud.region',
  'container.name',
  'deployment.environment',
  'deployment.environment.name',
  'k8s.cluster.name',
  'k8s.container.name',
  'k8s.cronjob.name',
  'k8s.daemonset.name',
  'k8s.deployment.name',
  'k8s.job.name',
  'k8s.namespace.name',
  'k8s.node.name',
  'k8s.pod.name',
  'k8s.replicaset.name',
  'k8s.statefulset.name',
  'host.name',
  'postgresql.database.name',
  'postgresql.schema.name',
  'postgresql.table.name',
  'postgresql.index.name',
  'database',
  'kafka.cluster.alias',
];

function otelLgtmService(composes: ComposeFile[]): { s: ComposeService; c: ComposeFile } | undefined {
  for (const c of composes) for (const s of c.services) if (embeddedCollector(s.repository)?.repository === 'grafana/otel-lgtm') return { s, c };
  return undefined;
}

/** Prometheus' OTLP receiver as configured here; without a prometheus.yml beside an otel-lgtm service, the image's. */
function otlpIntoPrometheus(ws: Workspace): MetricsPipeline {
  if (ws.stack.prometheus.length === 0 && otelLgtmService(ws.stack.composes))
    return { kind: 'prometheus-otlp', promoteResourceAttributes: { include: OTEL_LGTM_PROMOTED } };
  return prometheusOtlp(ws.stack.prometheus);
}

/** Prometheus' OTLP receiver: `otlp:` block of prometheus.yml (translation strategy, promoted resource attributes). */
function prometheusOtlp(configs: PrometheusConfig[]): MetricsPipeline {
  const root = configs.map((c) => (isObject(c.yaml.value) ? c.yaml.value : {})).find((r) => isObject(r.otlp));
  const otlp = root && isObject(root.otlp) ? root.otlp : {};
  const strategy = TRANSLATION_STRATEGIES.find((s) => s === otlp.translation_strategy);
  const promote = Array.isArray(otlp.promote_resource_attributes) ? otlp.promote_resource_attributes.map(String) : [];
  const all = otlp.promote_all_resource_attributes === true;
  const ignore = Array.isArray(otlp.ignore_resource_attributes) ? otlp.ignore_resource_attributes.map(String) : [];
  return {
    kind: 'prometheus-otlp',
    translationStrategy: strategy,
    promoteResourceAttributes: all ? { include: ['*'], exclude: ignore } : promote.length ? { include: promote } : undefined,
    promoteScopeMetadata: otlp.promote_scope_metadata === true,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Every name any pipeline can give a Claude Code metric (for dashboard/unknown-metric)

export interface KnownName {
  otel: string;
  /** How this name comes about, for messages. */
  how: string;
}

const VARIANTS: { p: MetricsPipeline; how: string }[] = [
  { p: { kind: 'collector-prometheus', collectorVersion: '0.159.0' }, how: "the collector's prometheus exporter" },
  {
    p: { kind: 'collector-prometheus', collectorVersion: '0.159.0', translationStrategy: 'UnderscoreEscapingWithoutSuffixes' },
    how: 'a suffix-free translation strategy (or add_metric_suffixes: false before v0.154)',
  },
  { p: { kind: 'claude-builtin' }, how: "Claude Code's built-in prometheus exporter" },
  {
    p: { kind: 'collector-prometheus', collectorVersion: '0.159.0', translationStrategy: 'NoUTF8EscapingWithSuffixes' },
    how: 'the NoUTF8EscapingWithSuffixes strategy',
  },
  { p: { kind: 'collector-prometheus', collectorVersion: '0.159.0', translationStrategy: 'NoTranslation' }, how: 'the NoTranslation strategy' },
];

const knownByNamespaces = new Map<string, ReadonlyMap<string, KnownName>>();

/**
 * Every series name of a Claude Code metric under any pipeline, with the namespaces given (plus none and `claude_code`).
 * Built once per list of namespaces and shared (the dashboard rules ask for every workspace and every name), so
 * callers must not change it.
 */
export function knownClaudeNames(namespaces: string[] = []): ReadonlyMap<string, KnownName> {
  const spaces = [...new Set([undefined, 'claude_code', ...namespaces])];
  const key = JSON.stringify(spaces);
  let known = knownByNamespaces.get(key);
  if (!known) {
    known = buildKnownNames(spaces);
    knownByNamespaces.set(key, known);
  }
  return known;
}

function buildKnownNames(spaces: (string | undefined)[]): Map<string, KnownName> {
  const out = new Map<string, KnownName>();
  for (const ns of spaces) {
    for (const v of VARIANTS) {
      const p = v.p.kind === 'collector-prometheus' && ns ? { ...v.p, namespace: ns } : v.p;
      if (v.p.kind === 'claude-builtin' && ns) continue;
      for (const m of CLAUDE_METRICS) {
        const name = prometheusName(m.otel, m.unit, p);
        if (!out.has(name)) out.set(name, { otel: m.otel, how: ns ? `${v.how} with namespace "${ns}"` : v.how });
      }
    }
    // target_info of the remote-write exporter gets the namespace too.
    if (ns) out.set(`${ns}_target_info`, { otel: 'target_info', how: `the remote-write exporter's target_info with namespace "${ns}"` });
  }
  return out;
}

export type { ScrapeJob, TranslationStrategy };
