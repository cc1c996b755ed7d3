import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { fix, yamlAppendToList } from '../../model/edits.js';
import { findComponent, parseHostPort, pipelinesValue, type CollectorConfig, type Component, type Pipeline } from '../../model/collector.js';
import { deliveries } from '../../model/routes.js';
import { isType, nearestTypes, unknownToReleases } from '../../model/components.js';
import { topology, type Topology } from '../../model/topology.js';
import type { Workspace } from '../../model/workspace.js';

const OTLP_HTTP = new Set(['otlphttp', 'otlp_http']);

/** `evidence`: where Prometheus was seen; `idle`: a prometheus exporter in no pipeline. */
interface Unreached {
  evidence: string;
  file: string;
  idle?: string;
}

const idleText = (d: Unreached) => (d.idle !== undefined ? ` (exporter "${d.idle}" is configured but in no pipeline)` : '');

const messages = {
  noExportToIt: {
    message: (d: Unreached) => `no metrics pipeline in ${d.file} exports to Prometheus: Claude Code's metrics never reach it`,
    detail: (d: Unreached) => `Prometheus is in this stack (${d.evidence})${idleText(d)}; every dashboard panel shows "No data"`,
  },
  noMetricsPipeline: {
    message: (d: Unreached) => `${d.file} has no metrics pipeline: Claude Code's metrics never reach Prometheus`,
    detail: (d: Unreached) => `Prometheus is in this stack (${d.evidence})${idleText(d)}; every dashboard panel shows "No data"`,
  },
} as const;

/** Whether an otlphttp exporter posts to Prometheus' OTLP receiver: a Prometheus service's name, or the /api/v1/otlp path. */
export function toPrometheusOtlp(e: Component, t: Topology): boolean {
  if (!OTLP_HTTP.has(e.type)) return false;
  const urls = ['endpoint', 'metrics_endpoint'].map((k) => e.value.get(k)?.string()).filter((v): v is string => v !== undefined);
  return urls.some((u) => {
    if (/\/api\/v1\/otlp(\/|$)/.test(u)) return true;
    const host = parseHostPort(u)?.host;
    return !!host && t.prometheus.some((p) => p.service.name === host || p.service.aliases.includes(host));
  });
}

/** The metrics pipelines whose data reaches Prometheus (directly, or through a connector into one that does). */
export function prometheusPipelines(c: CollectorConfig, t: Topology): Pipeline[] {
  const metrics = c.pipelines.filter((p) => p.signal === 'metrics');
  const direct = (p: Pipeline) =>
    p.exporters.some((ref) => {
      const e = findComponent(c, 'exporters', ref.id);
      return !!e && (e.type === 'prometheus' || isType('exporters', e.type, 'prometheusremotewrite') || toPrometheusOtlp(e, t));
    });
  const reaching = new Set(metrics.filter(direct));
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of metrics) {
      if (reaching.has(p)) continue;
      const viaConnector = p.exporters.some(
        (ref) => findComponent(c, 'connectors', ref.id) && [...reaching].some((q) => q.receivers.some((r) => r.id === ref.id)),
      );
      if (viaConnector) {
        reaching.add(p);
        changed = true;
      }
    }
  }
  return metrics.filter((p) => reaching.has(p));
}

/** Whether an exporter has a type no release knows whose nearest known type sends to Prometheus. */
function misspeltPrometheusExporter(ws: Workspace, c: CollectorConfig, id: string): boolean {
  const e = findComponent(c, 'exporters', id);
  if (!e || !unknownToReleases('exporters', e.type)) return false;
  return nearestTypes(ws.stack, 'exporters', e.type).some((t) => t === 'prometheus' || t === 'prometheusremotewrite' || OTLP_HTTP.has(t));
}

/** The collector configs that matter for a stack: the ones compose runs, or all of them when compose runs no collector. */
export function runningCollectors(ws: Workspace): CollectorConfig[] {
  const t = topology(ws.stack);
  if (t.collectors.length > 0) return [...new Set(t.collectors.flatMap((c) => c.runs))];
  return ws.stack.collectors;
}

export default defineRule({
  id: 'collector/no-prometheus-path',
  severity: 'error',
  title: 'Prometheus is in the stack but no metrics pipeline reaches it',
  checks:
    "When the workspace has Prometheus (a compose service with a Prometheus image, or a prometheus.yml), the collector config that runs has a metrics pipeline ending in a `prometheus` exporter (for Prometheus to scrape), a `prometheusremotewrite` exporter, or an `otlphttp` exporter to Prometheus' OTLP receiver (directly, or through a connector). Whether a Prometheus job really scrapes the exporter is prometheus/collector-not-scraped's finding.",
  why: 'The collector receives Claude Code\'s metrics and drops them at the end of the pipeline (or only prints them with `debug`): Prometheus has no `claude_code_*` series and every Grafana panel shows "No data", although the collector logs no error.',
  fix: 'safe',
  fixDescription:
    "When a `prometheus` exporter is configured but in no pipeline, and there is exactly one metrics pipeline, adds the exporter to that pipeline's exporters.",
  versions: 'all versions',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n  debug: {}\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n  debug: {}\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus, debug]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/config.yaml (the bundled config exports to debug only)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/issues/30094 (prometheusremotewrite drops delta sums)',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/docs/feature_flags.md (OTLP receiver, otlp-deltatocumulative)',
    'https://github.com/prometheus/prometheus/blob/v3.14.0/web/api/v1/api.go (remote write receiver needs --web.enable-remote-write-receiver)',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    "Without an exporter that serves or sends metrics to Prometheus at the end of a metrics pipeline, the collector has no way to hand Claude Code's metrics on (its exporters are the only outputs). Error only for the collector config compose runs (or the only one), in a workspace that has a Prometheus.",
  stage: 'Collector',
  check(ws) {
    const t = topology(ws.stack);
    const promEvidence = t.prometheus.length
      ? `service "${t.prometheus[0].service.name}" in ${basename(t.prometheus[0].compose.file)}`
      : ws.stack.prometheus.length
        ? basename(ws.stack.prometheus[0].file)
        : undefined;
    if (!promEvidence) return [];
    // Claude Code sending its metrics straight to a Prometheus service: the collector is not their path.
    const direct = deliveries(ws).some(
      (d) => d.route.signal === 'metrics' && d.route.service && t.prometheus.some((p) => p.service === d.route.service!.service),
    );
    if (direct) return [];
    const findings: RuleFinding<typeof messages>[] = [];
    for (const c of runningCollectors(ws)) {
      if (c.yaml.problems.length > 0) continue;
      if (prometheusPipelines(c, t).length > 0) continue;
      const metrics = c.pipelines.filter((p) => p.signal === 'metrics');
      // No metrics pipeline at all while Claude Code sends metrics here: collector/missing-signal-pipeline says so.
      if (metrics.length === 0 && deliveries(ws).some((d) => d.status === 'no-pipeline' && d.collector === c && d.route.signal === 'metrics')) continue;
      // An exporter whose type is a misspelt Prometheus exporter (`promethus`): collector/unknown-component names it.
      if (metrics.some((p) => p.exporters.some((ref) => misspeltPrometheusExporter(ws, c, ref.id)))) continue;
      const used = new Set(c.pipelines.flatMap((p) => p.exporters.map((e) => e.id)));
      const idle = c.components.find((x) => x.kind === 'exporters' && x.type === 'prometheus' && !used.has(x.id));
      const file = basename(c.file);
      const where = metrics.length ? (metrics[0].value.get('exporters') ?? c.root) : pipelinesValue(c);
      const edits = idle && metrics.length === 1 ? yamlAppendToList(c.yaml, [...metrics[0].path, 'exporters'], idle.id) : [];
      const data: Unreached = { evidence: promEvidence, file, idle: idle?.id };
      findings.push({
        ...where.location(),
        ...(metrics.length ? { kind: 'noExportToIt' as const, data } : { kind: 'noMetricsPipeline' as const, data }),
        hint: idle
          ? `add ${idle.id} to the exporters of the metrics pipeline`
          : 'add a prometheus exporter (endpoint: 0.0.0.0:8889) to the metrics pipeline and scrape it from prometheus.yml',
        fix: fix('safe', `add ${idle?.id} to service.pipelines.${metrics[0]?.id}.exporters`, edits),
      });
    }
    return findings;
  },
});
