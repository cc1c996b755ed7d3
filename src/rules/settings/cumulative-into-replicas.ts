import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { prometheusExporterListeners } from '../../model/collector.js';
import { collectorReplicas } from '../../model/replicas.js';
import { deliveries, reachesEveryReplica, spreadText } from '../../model/routes.js';
import { atValue, where } from '../../model/settings-locate.js';

const TEMPORALITY = 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE';

/** `setIn`: settings-locate's words for where the variable is set; `evidence`: what says the service runs several replicas. */
interface IntoReplicas {
  value: string;
  setIn: string;
  url: string;
  /** Replicas.runner and Replicas.spread: what runs the replicas and what spreads exports over them. */
  runner: string;
  spread: string;
  count: number;
  evidence: string;
  file: string;
}

const messages = {
  overCount: {
    message: (d: IntoReplicas) =>
      `cumulative metrics into ${d.count} collector replicas: dashboards that sum across them count a session up to ${d.count} times`,
    detail: (d: IntoReplicas) =>
      `Claude Code sends cumulative metrics (${TEMPORALITY}=${d.value} ${d.setIn}) to ${d.url}, ${d.runner} (${d.evidence}), each replica with a prometheus exporter (${d.file}) that holds the latest total it received of a session (assuming ${d.spread} spreads a session's exports over the replicas)`,
  },
} as const;
type CumulativeFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'settings/cumulative-into-replicas',
  severity: 'warning',
  title: 'Cumulative metrics into a collector with several replicas',
  checks:
    'Claude Code exports metrics with cumulative temporality (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative) to a collector reached by its compose service name, whose service runs several replicas (`deploy.replicas` or `scale` above 1), or through a Kubernetes Service (its DNS name, a node port or an Ingress) whose workload runs several (`spec.replicas` above 1, or the `maxReplicas` of its HPA; for the Helm chart, `replicaCount`, or `autoscaling.maxReplicas` when autoscaling is on, for a Deployment or StatefulSet), and the pipeline that receives them has a prometheus exporter. A published port reaches one replica and is not checked.',
  why: "A cumulative point carries the session's total so far, and each replica's prometheus exporter serves the latest one it received: every replica holds (nearly) the whole session. Scraped per replica, dashboards that sum (`sum(max_over_time(x[$__range]))`, as `init` writes them) count it once per replica. Measured with two replicas (test/pipeline/replicas.test.ts, docs/counters.md): 189 of a session's 108 tokens. With delta, Claude Code's default, each replica holds a part and the sum is exact.",
  fix: 'none',
  versions: 'all Claude Code versions',
  bad: {
    file: 'claude-settings.json + docker-compose.yml',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318",\n    "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE": "cumulative"\n  }\n}\n---\nservices:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n    deploy:\n      replicas: 2\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes:\n      - ./prometheus.yml:/etc/prometheus/prometheus.yml\n    ports:\n      - "127.0.0.1:9090:9090"\n',
  },
  good: {
    file: 'claude-settings.json + docker-compose.yml',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector:4318"\n  }\n}\n---\nservices:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n    deploy:\n      replicas: 2\n  prometheus:\n    image: prom/prometheus:v2.55.1\n    volumes:\n      - ./prometheus.yml:/etc/prometheus/prometheus.yml\n    ports:\n      - "127.0.0.1:9090:9090"\n',
  },
  references: [
    'https://code.claude.com/docs/en/monitoring-usage (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE; delta by default)',
    'https://opentelemetry.io/docs/specs/otel/metrics/data-model/#sums (a cumulative point carries the total since its start time)',
    'https://docs.docker.com/engine/network/#dns-services (a service name resolves to the addresses of all its containers)',
    "https://kubernetes.io/docs/reference/networking/virtual-ips/ (kube-proxy spreads a Service's connections over its endpoints)",
  ],
  oracle: 'pipeline',
  certainty:
    "Warning only: the over-count needs a session's exports on more than one replica, which depends on how connections are balanced (the doctor cannot see it), and dashboards that sum across replicas (max across them would be exact).",
  stage: 'Claude Code settings',
  messages,
  check(ws) {
    const metrics = ws.claude.prediction.signals.find((s) => s.signal === 'metrics');
    const set = ws.claude.env.get(TEMPORALITY);
    if (!metrics?.exported || metrics.temporality !== 'cumulative' || !set) return [];
    const findings: CumulativeFinding[] = [];
    for (const d of deliveries(ws)) {
      // Only a name on the compose network, or a Kubernetes Service, reaches every replica: a published host port belongs to one.
      if (d.route.signal !== 'metrics' || d.status !== 'received' || !reachesEveryReplica(d.route)) continue;
      const replicas = collectorReplicas(ws, d.collector, spreadText(d.route));
      const exporters = new Set(prometheusExporterListeners(d.collector).map((l) => l.exporter.id.trim()));
      if (!replicas || !d.pipelines.some((p) => p.exporters.some((e) => exporters.has(e.id.trim())))) continue;
      findings.push({
        ...atValue(set.origin, TEMPORALITY),
        kind: 'overCount',
        data: {
          value: set.value.trim(),
          setIn: where(set.origin),
          url: d.route.url,
          runner: replicas.runner,
          spread: replicas.spread,
          count: replicas.count,
          evidence: replicas.evidence,
          file: basename(d.collector.file),
        },
        hint: `remove ${TEMPORALITY} (delta, Claude Code's default: each replica holds a part, and a sum across replicas is exact), or aggregate with max across replicas`,
      });
    }
    return findings;
  },
});
