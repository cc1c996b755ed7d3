import { isType } from '../../model/components.js';
import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { prometheusExporterListeners } from '../../model/collector.js';
import { collectorReplicas } from '../../model/replicas.js';
import { deliveries, reachesEveryReplica, spreadText } from '../../model/routes.js';

/** `evidence`: what says the service runs several replicas (replicas.ts). */
interface Gaps {
  pipeline: string;
  file: string;
  exporter: string;
  /** Replicas.runner and Replicas.spread: what runs the replicas and what spreads exports over them. */
  runner: string;
  spread: string;
  count: number;
  evidence: string;
}

const messages = {
  gaps: {
    message: (d: Gaps) => `exporter "${d.exporter}" of ${d.count} collector replicas sums Claude Code's deltas with gaps: dashboards show too little`,
    detail: (d: Gaps) =>
      `Claude Code's delta metrics reach pipeline "${d.pipeline}" of ${d.file} in ${d.runner} (${d.evidence}); the exporter adds a delta only when it follows the previous one it received, so a replica that missed one of a series (another replica got it) starts that series again from the next, and the sum across replicas falls short (assuming ${d.spread} spreads a session's exports over the replicas)`,
  },
} as const;
type GapsFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'collector/replicas-delta-gaps',
  severity: 'warning',
  title: 'Delta metrics into several collector replicas without deltatocumulative',
  checks:
    'Claude Code exports metrics with delta temporality (its default) to a collector reached by its compose service name, whose service runs several replicas (`deploy.replicas` or `scale` above 1), or through a Kubernetes Service (its DNS name, a node port or an Ingress) whose workload runs several (`spec.replicas` above 1, or the `maxReplicas` of its HPA; for the Helm chart, `replicaCount`, or `autoscaling.maxReplicas` when autoscaling is on, for a Deployment or StatefulSet), into a pipeline with a prometheus exporter and no `deltatocumulative` (or, from v0.158.0, `delta_to_cumulative`) processor. A published port reaches one replica and is not checked.',
  why: "The prometheus exporter adds a delta to a series only when the delta's start time is the previous point's time; any other delta replaces the sum (accumulator.go, \"Delta-to-Cumulative\"). Behind a load balancer each replica sees a session's deltas with gaps (the ones the other replicas received), so it keeps only what came after its last gap. Measured with two replicas (test/pipeline/replicas.test.ts, docs/counters.md): a replica that received 81 tokens served 27, and the sum across replicas showed 54 of 108. A `deltatocumulative` processor adds deltas across gaps: then each replica holds its whole part and the sum is exact.",
  fix: 'none',
  versions: 'all collector versions (the deltatocumulative processor is in the contrib distribution)',
  bad: {
    file: 'otel-collector-config.yml + docker-compose.yml + claude-settings.json',
    text: 'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:4318\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n---\nservices:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n    deploy:\n      replicas: 2\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes:\n      - ./prometheus.yml:/etc/prometheus/prometheus.yml\n    ports:\n      - "127.0.0.1:9090:9090"\n---\n{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318"\n  }\n}\n',
  },
  good: {
    file: 'otel-collector-config.yml + docker-compose.yml + claude-settings.json',
    text: 'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:4318\nprocessors:\n  deltatocumulative: {}\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      processors: [deltatocumulative]\n      exporters: [prometheus]\n---\nservices:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n    deploy:\n      replicas: 2\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes:\n      - ./prometheus.yml:/etc/prometheus/prometheus.yml\n    ports:\n      - "127.0.0.1:9090:9090"\n---\n{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318"\n  }\n}\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/blob/v0.165.0/exporter/prometheusexporter/accumulator.go (Delta-to-Cumulative: only a delta that starts at the previous point is added)',
    'https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/v0.165.0/processor/deltatocumulativeprocessor',
    'https://docs.docker.com/engine/network/#dns-services (a service name resolves to the addresses of all its containers)',
    "https://kubernetes.io/docs/reference/networking/virtual-ips/ (kube-proxy spreads a Service's connections over its endpoints)",
  ],
  oracle: 'pipeline',
  certainty:
    "Warning only: a replica misses deltas only when a session's exports are spread over the replicas, which depends on how connections are balanced (the doctor cannot see it).",
  stage: 'Collector',
  messages,
  check(ws) {
    const metrics = ws.claude.prediction.signals.find((s) => s.signal === 'metrics');
    if (!metrics?.exported || metrics.temporality !== 'delta') return [];
    const findings: GapsFinding[] = [];
    for (const d of deliveries(ws)) {
      // Only a name on the compose network, or a Kubernetes Service, reaches every replica: a published host port belongs to one.
      if (d.route.signal !== 'metrics' || d.status !== 'received' || !reachesEveryReplica(d.route)) continue;
      const replicas = collectorReplicas(ws, d.collector, spreadText(d.route));
      if (!replicas) continue;
      const prometheus = new Set(prometheusExporterListeners(d.collector).map((l) => l.exporter.id.trim()));
      for (const p of d.pipelines) {
        // Either name of the processor (renamed delta_to_cumulative in v0.158.0) adds the deltas across gaps.
        if (p.processors.some((x) => isType('processors', x.type, 'deltatocumulative'))) continue;
        for (const ref of p.exporters.filter((e) => prometheus.has(e.id.trim()))) {
          findings.push({
            ...ref.value.location('value'),
            kind: 'gaps',
            data: {
              pipeline: p.id,
              file: basename(d.collector.file),
              exporter: ref.id.trim(),
              runner: replicas.runner,
              spread: replicas.spread,
              count: replicas.count,
              evidence: replicas.evidence,
            },
            hint: `add a deltatocumulative processor to pipeline "${p.id}" (contrib image): each replica then holds its whole part, and a sum across replicas is exact`,
          });
        }
      }
    }
    return findings;
  },
});
