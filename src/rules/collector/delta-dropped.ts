import { isType } from '../../model/components.js';
import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { addition, fix, replaceEnvValue } from '../../model/edits.js';
import { collectorReplicas } from '../../model/replicas.js';
import { findComponent, parseHostPort } from '../../model/collector.js';
import { deliveries, type Route } from '../../model/routes.js';
import { prometheusFeatures, topology, type ContainerService, type Topology } from '../../model/topology.js';
import { atLeast } from '../../model/versions.js';
import type { Workspace } from '../../model/workspace.js';
import type { Fix } from '../../types.js';
import { atValue, where } from '../../model/settings-locate.js';
import { sendsText } from '../../model/sends-text.js';
import { toPrometheusOtlp } from './no-prometheus-path.js';

const TEMPORALITY = 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE';
const PROM_DELTA_FLAGS = [
  { name: 'otlp-deltatocumulative', from: '3.2.0' },
  { name: 'otlp-native-delta-ingestion', from: '3.4.0' },
];

/** The Prometheus OTLP flag that accepts delta, when the service has one its version knows. */
function deltaFlag(ws: Workspace, p: ContainerService): string | undefined {
  const features = prometheusFeatures(p.service);
  const v = ws.stack.prometheusVersion;
  return PROM_DELTA_FLAGS.find((f) => features.includes(f.name) && (v.source === 'assumed' || atLeast(v.version, f.from)))?.name;
}

function prometheusNamed(t: Topology, url: string): ContainerService | undefined {
  const host = parseHostPort(url)?.host ?? /^[a-z]+:\/\/([^/:]+)/i.exec(url)?.[1];
  return host ? t.prometheus.find((p) => p.service.name === host || p.service.aliases.includes(host)) : undefined;
}

/** Why Claude Code sends delta: the variable's value and where it is set (`setIn`, settings-locate's words), or nothing (the default). */
interface DeltaWhy {
  value?: string;
  setIn?: string;
}

function deltaWhy(ws: Workspace): DeltaWhy {
  const v = ws.claude.env.get(TEMPORALITY);
  return v ? { value: v.value.trim(), setIn: where(v.origin) } : {};
}

const whyText = (d: DeltaWhy) =>
  d.value !== undefined ? `${TEMPORALITY}=${d.value} ${d.setIn}` : `${TEMPORALITY} is not set, and delta is Claude Code's default`;

function cumulativeFix(ws: Workspace): Fix | undefined {
  const v = ws.claude.env.get(TEMPORALITY);
  if (v) return fix('unsafe', `set ${TEMPORALITY}=cumulative`, replaceEnvValue(v.origin, TEMPORALITY, 'cumulative'));
  const near = ws.claude.env.get('OTEL_METRICS_EXPORTER');
  return near ? fix('unsafe', `add ${TEMPORALITY}=cumulative`, [], [addition(ws, near.origin, TEMPORALITY, 'cumulative')]) : undefined;
}

const PROM_OTLP_REJECTS =
  'Prometheus\' OTLP receiver rejects delta metrics ("invalid temporality and type combination for metric ...") unless it runs with --enable-feature=otlp-deltatocumulative (3.2.0+) or otlp-native-delta-ingestion (3.4.0+)';

/** A pipeline that takes Claude Code's delta metrics; `file`: the collector config's name. */
interface Into {
  delta: DeltaWhy;
  pipeline: string;
  file: string;
  exporter: string;
}

const into = (d: Into, why: string) =>
  `Claude Code sends delta metrics (${whyText(d.delta)}) into pipeline "${d.pipeline}" of ${d.file}, and no deltatocumulative processor converts them; ${why}`;

/** `service` and `composeFile`: the Prometheus service. `sends`: sendsText's words. */
const messages = {
  remoteWrite: {
    message: (d: Into) => `exporter "${d.exporter}" drops Claude Code's delta metrics: no claude_code_* series reach Prometheus`,
    detail: (d: Into) => into(d, 'it drops delta sums and histograms ("Permanent error: invalid temporality and type combination for metric ...")'),
  },
  prometheusOtlp: {
    message: (d: Into & { service: string; composeFile: string }) =>
      `exporter "${d.exporter}" posts Claude Code's delta metrics to Prometheus' OTLP receiver, which rejects them: no claude_code_* series reach Prometheus`,
    detail: (d: Into & { service: string; composeFile: string }) =>
      into(d, `the exporter posts them to service "${d.service}" in ${d.composeFile}, and ${PROM_OTLP_REJECTS}: the service has neither`),
  },
  direct: {
    message: "Prometheus' OTLP receiver rejects Claude Code's delta metrics: no claude_code_* series are stored",
    detail: (d: { sends: string; service: string; composeFile: string; delta: DeltaWhy }) =>
      `Claude Code sends ${d.sends} straight to Prometheus' OTLP receiver (service "${d.service}" in ${d.composeFile}) as delta metrics (${whyText(d.delta)}); ${PROM_OTLP_REJECTS}: the service has neither`,
  },
} as const;
type DeltaFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'collector/delta-dropped',
  severity: 'error',
  title: "Claude Code's delta metrics go where delta is dropped",
  checks:
    "Cross-file: Claude Code exports metrics with delta temporality (its default) and they reach a `prometheusremotewrite` exporter, or Prometheus' OTLP receiver (through an `otlphttp` exporter or directly), with no conversion on the way: no `deltatocumulative` processor in that pipeline, and no Prometheus `--enable-feature=otlp-deltatocumulative` (3.2.0+) or `otlp-native-delta-ingestion` (3.4.0+) in the compose command.",
  why: 'The prometheusremotewrite exporter drops delta sums and histograms ("Permanent error: invalid temporality and type combination for metric \\"<name>\\""), and Prometheus\' OTLP receiver rejects them the same way, often while answering 200: no `claude_code_*` series appear although every export "succeeds". The `prometheus` (scrape) exporter is not affected: it accumulates deltas itself.',
  fix: 'unsafe',
  fixDescription:
    "Sets OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative in Claude Code's settings (next to OTEL_METRICS_EXPORTER, or where the variable is set). Unsafe: it changes what Claude Code exports to every backend; the alternative is a `deltatocumulative` processor in the pipeline (contrib image) or the Prometheus feature flag.",
  versions: 'all Claude Code versions (delta is the default); Prometheus flags: otlp-deltatocumulative from 3.2.0, otlp-native-delta-ingestion from 3.4.0',
  bad: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp: {protocols: {grpc: {endpoint: 0.0.0.0:4317}}}\nexporters:\n  prometheusremotewrite:\n    endpoint: http://prometheus:9090/api/v1/write\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheusremotewrite]\n',
  },
  good: {
    file: 'otel-collector-config.yml',
    text: 'receivers:\n  otlp: {protocols: {grpc: {endpoint: 0.0.0.0:4317}}}\nprocessors:\n  deltatocumulative: {}\nexporters:\n  prometheusremotewrite:\n    endpoint: http://prometheus:9090/api/v1/write\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      processors: [deltatocumulative]\n      exporters: [prometheusremotewrite]\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/issues/30094',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/issues/15281',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/pull/18292 (prometheusremotewrite drops delta sums)',
    'https://github.com/prometheus/prometheus/blob/v3.2.0/CHANGELOG.md (otlp-deltatocumulative, 3.2.0)',
    'https://github.com/prometheus/proposals/blob/main/proposals/2025-03-25_otel-delta-temporality-support.md',
    'https://code.claude.com/docs/en/monitoring-usage (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE; Claude Code exports delta by default)',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    "The prometheusremotewrite exporter and Prometheus' OTLP receiver refuse delta sums and histograms (their documentation and code: 'invalid temporality and type combination'). Error only when Claude Code's temporality is delta (its default, or set so) and the pipeline that reaches them has no deltatocumulative processor and the compose command no Prometheus delta-conversion flag.",
  stage: 'Collector',
  check(ws) {
    const metrics = ws.claude.prediction.signals.find((s) => s.signal === 'metrics');
    if (!metrics?.exported || metrics.temporality !== 'delta') return [];
    const t = topology(ws.stack);
    const findings: DeltaFinding[] = [];
    for (const d of deliveries(ws)) {
      if (d.route.signal !== 'metrics') continue;
      if (d.status === 'received') {
        for (const p of d.pipelines) {
          if (p.processors.some((x) => isType('processors', x.type, 'deltatocumulative'))) continue;
          for (const ref of p.exporters) {
            const e = findComponent(d.collector, 'exporters', ref.id);
            if (!e) continue;
            const base: Into = { delta: deltaWhy(ws), pipeline: p.id, file: basename(d.collector.file), exporter: e.id };
            let said: { kind: 'remoteWrite'; data: Into } | { kind: 'prometheusOtlp'; data: Parameters<typeof messages.prometheusOtlp.message>[0] } | undefined;
            if (isType('exporters', e.type, 'prometheusremotewrite')) {
              said = { kind: 'remoteWrite', data: base };
            } else if (toPrometheusOtlp(e, t)) {
              const metricsUrl = e.value.get('metrics_endpoint');
              const url = (metricsUrl && !metricsUrl.isNull() ? metricsUrl : e.value.get('endpoint'))?.text() ?? '';
              const prom = prometheusNamed(t, url);
              if (!prom || deltaFlag(ws, prom)) continue; // a Prometheus outside the workspace: its flags are unknown
              said = { kind: 'prometheusOtlp', data: { ...base, service: prom.service.name, composeFile: basename(prom.compose.file) } };
            }
            if (!said) continue;
            // Several replicas behind one endpoint: cumulative would be summed once per replica (docs/counters.md).
            const replicas = collectorReplicas(ws, d.collector)?.count ?? 1;
            findings.push({
              ...ref.value.location('value'),
              ...said,
              hint:
                replicas > 1
                  ? `add a deltatocumulative processor to pipeline "${p.id}" (contrib image); not cumulative temporality: with ${replicas} collector replicas it is counted once per replica`
                  : `set ${TEMPORALITY}=cumulative in Claude Code's settings (unsafe fix), or add a deltatocumulative processor to pipeline "${p.id}" (contrib image)`,
              fix: replicas > 1 ? undefined : cumulativeFix(ws),
            });
          }
        }
      } else if (d.status === 'elsewhere') {
        findings.push(...directToPrometheus(ws, t, d.route));
      }
    }
    return findings;
  },
});

/** Claude Code posting straight to a Prometheus service's OTLP receiver. */
function directToPrometheus(ws: Workspace, t: Topology, route: Route): DeltaFinding[] {
  const prom = route.service && t.prometheus.find((p) => p.service === route.service!.service);
  if (!prom || !/\/api\/v1\/otlp(\/|$)/.test(route.url) || deltaFlag(ws, prom)) return [];
  const endpoint = ws.claude.env.get('OTEL_EXPORTER_OTLP_METRICS_ENDPOINT') ?? ws.claude.env.get('OTEL_EXPORTER_OTLP_ENDPOINT');
  const at = endpoint ? atValue(endpoint.origin, endpoint.name) : {};
  return [
    {
      ...at,
      kind: 'direct',
      data: { sends: sendsText(ws, [route]), service: prom.service.name, composeFile: basename(prom.compose.file), delta: deltaWhy(ws) },
      hint: `set ${TEMPORALITY}=cumulative (unsafe fix), or start Prometheus with --enable-feature=otlp-deltatocumulative`,
      fix: cumulativeFix(ws),
    },
  ];
}
