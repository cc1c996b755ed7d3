import { UsageError } from '../util/errors.js';
import { claudeDashboard } from './dashboard.js';
import type { EnterpriseInput } from './enterprise.js';
import type { GeneratedFile } from './local-stack.js';
import { DEFAULT_PORTS, IMAGES } from './pins.js';

/**
 * `init --kubernetes`: the team stack on a cluster, beside the managed settings of `--enterprise` that point every
 * machine at it. The collector is deployed with its Helm chart (values, not rendered manifests: teams keep values
 * in their config repos, upgrade the chart without regenerating, and the chart's ServiceMonitor, Service and
 * Ingress stay consistent with the ports it opens). Prometheus and Grafana are the ones a team already runs with
 * kube-prometheus-stack: the chart's ServiceMonitor carries the label its Prometheus selects, and Grafana's sidecar
 * loads the datasource and dashboard ConfigMaps by their labels.
 */

/** The chart these values are written for (helm repo https://open-telemetry.github.io/opentelemetry-helm-charts). */
export const COLLECTOR_CHART = { name: 'opentelemetry-collector', version: '0.170.0' } as const;

export interface KubernetesFlags {
  namespace?: string;
  prometheusRelease?: string;
  prometheusUrl?: string;
  lokiUrl?: string;
  ingressClass?: string;
}

export interface KubernetesInput {
  namespace: string;
  /** The host Claude Code's endpoint names: the Ingress serves it. */
  host: string;
  tls: boolean;
  /** kube-prometheus-stack's release name: its Prometheus selects ServiceMonitors labelled `release: <it>`. */
  prometheusRelease: string;
  prometheusUrl: string;
  /** Loki's OTLP base URL (the exporter appends /v1/logs). */
  lokiUrl: string;
  ingressClass: string;
  grpc: boolean;
}

/** The Helm release of the collector: its Service is `<release>-opentelemetry-collector`. */
export const COLLECTOR_RELEASE = 'claude-otel';
const EXPORTER_PORT_NAME = 'prom-exporter';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parseKubernetes(flags: KubernetesFlags, enterprise: EnterpriseInput): KubernetesInput {
  const url = new URL(enterprise.endpoint);
  const namespace = flags.namespace ?? 'monitoring';
  const prometheusRelease = flags.prometheusRelease ?? 'kube-prometheus-stack';
  for (const [flag, value] of [
    ['--namespace', namespace],
    ['--prometheus-release', prometheusRelease],
  ] as const) {
    if (!DNS_LABEL.test(value)) throw new UsageError(`${flag} must be a Kubernetes name (lower-case letters, digits and '-', at most 63), not "${value}"`);
  }
  if (url.port && url.port !== '443' && url.port !== '80') {
    throw new UsageError(
      `--endpoint names port ${url.port}, but with --kubernetes Claude Code reaches the collector through an Ingress, which listens on 443 (https) or 80 (http): drop the port`,
    );
  }
  if (url.pathname !== '/' && url.pathname !== '') {
    throw new UsageError(`--endpoint with --kubernetes is the Ingress host alone (https://otel.example.com), not a path such as "${url.pathname}"`);
  }
  const grpc = enterprise.protocol === 'grpc';
  if (grpc && url.protocol !== 'https:') {
    throw new UsageError('--protocol grpc through an Ingress needs https: ingress-nginx proxies gRPC only over TLS (HTTP/2); use an https:// endpoint');
  }
  return {
    namespace,
    host: url.hostname,
    tls: url.protocol === 'https:',
    prometheusRelease,
    prometheusUrl: flags.prometheusUrl ?? `http://${kubePrometheusStackFullname(prometheusRelease)}-prometheus.${namespace}.svc:9090`,
    lokiUrl: flags.lokiUrl ?? `http://loki-gateway.${namespace}.svc/otlp`,
    ingressClass: flags.ingressClass ?? 'nginx',
    grpc,
  };
}

/**
 * kube-prometheus-stack's `kube-prometheus-stack.fullname` (its _helpers.tpl): the release name when it contains the
 * chart's name, else `<release>-kube-prometheus-stack`, cut to 26 characters and a trailing '-'. Its Prometheus
 * Service is this name with `-prometheus`.
 */
export function kubePrometheusStackFullname(release: string): string {
  const chart = 'kube-prometheus-stack';
  return (release.includes(chart) ? release : `${release}-${chart}`).slice(0, 26).replace(/-$/, '');
}

const collectorTag = IMAGES.collector.slice(IMAGES.collector.lastIndexOf(':') + 1);

export function collectorValues(k: KubernetesInput): string {
  const port = k.grpc ? DEFAULT_PORTS.grpc : DEFAULT_PORTS.http;
  const tls = k.tls
    ? `\n  tls:\n    # The certificate for ${k.host}: create this Secret, or let cert-manager do it (an annotation above).\n    - secretName: ${COLLECTOR_RELEASE}-tls\n      hosts: ["${k.host}"]`
    : '';
  const annotations = k.grpc
    ? '\n  annotations:\n    # gRPC needs HTTP/2 to the collector; without this ingress-nginx speaks HTTP/1.1 and every export fails.\n    nginx.ingress.kubernetes.io/backend-protocol: GRPC'
    : '';
  return `# Values for the OpenTelemetry Collector Helm chart ${COLLECTOR_CHART.version}, written by claude-otel-doctor init --kubernetes.
#   helm repo add open-telemetry https://open-telemetry.github.io/opentelemetry-helm-charts
#   helm upgrade --install ${COLLECTOR_RELEASE} open-telemetry/${COLLECTOR_CHART.name} --version ${COLLECTOR_CHART.version} \\
#     --namespace ${k.namespace} -f collector-values.yaml
# Claude Code sends OTLP to the Ingress (${k.tls ? 'https' : 'http'}://${k.host}); metrics go to the prometheus exporter, which
# the chart's ServiceMonitor has Prometheus scrape; events go to Loki.

mode: deployment
image:
  repository: otel/opentelemetry-collector-contrib
  # The newest collector the doctor's version-gated rules know, so they judge exactly what runs.
  tag: "${collectorTag}"
# One replica: behind a load balancer each replica's prometheus exporter gets part of a session's deltas and, without
# a deltatocumulative processor, keeps only what followed its last gap (measured: docs/counters.md). Scale with one.
replicaCount: 1
# The chart's memory_limiter takes 80% of this limit, and GOMEMLIMIT is set from it.
resources:
  limits:
    memory: 512Mi
  requests:
    cpu: 100m
    memory: 256Mi

ports:
  # Only OTLP in: Claude Code sends nothing else.
  jaeger-compact:
    enabled: false
  jaeger-thrift:
    enabled: false
  jaeger-grpc:
    enabled: false
  zipkin:
    enabled: false
  ${EXPORTER_PORT_NAME}:
    enabled: true
    containerPort: ${DEFAULT_PORTS.prometheus}
    servicePort: ${DEFAULT_PORTS.prometheus}
    protocol: TCP

serviceMonitor:
  enabled: true
  metricsEndpoints:
    - port: ${EXPORTER_PORT_NAME}
      interval: 15s
      # Keep job="claude-code" from Claude Code's service.name instead of renaming it to exported_job.
      honorLabels: true
  extraLabels:
    # kube-prometheus-stack's Prometheus selects ServiceMonitors with its release label.
    release: ${k.prometheusRelease}

ingress:
  enabled: true
  ingressClassName: ${k.ingressClass}${annotations}
  hosts:
    - host: ${k.host}
      paths:
        - path: /
          pathType: Prefix
          port: ${port}${tls}

config:
  receivers:
    # The chart's defaults for other sources; null removes them (Helm merges these values over the chart's).
    jaeger: null
    zipkin: null
    prometheus: null
  exporters:
    debug: null
    prometheus:
      # MY_POD_IP: the chart's receivers listen on the pod's address too; Prometheus scrapes the pod.
      endpoint: \${env:MY_POD_IP}:${DEFAULT_PORTS.prometheus}
      # No namespace: Claude Code's metric names already start with claude_code.
      metric_expiration: 60m
    otlp_http/loki:
      endpoint: ${k.lokiUrl}
  service:
    pipelines:
      metrics:
        receivers: [otlp]
        processors: [memory_limiter, batch]
        exporters: [prometheus]
      logs:
        receivers: [otlp]
        processors: [memory_limiter, batch]
        exporters: [otlp_http/loki]
      traces: null
`;
}

/** A ConfigMap of one file, for Grafana's sidecar (label as kube-prometheus-stack's Grafana looks for). */
function sidecarConfigMap(name: string, k: KubernetesInput, label: string, file: string, text: string, comment: string): string {
  const body = text
    .trimEnd()
    .split('\n')
    .map((l) => (l ? `    ${l}` : ''))
    .join('\n');
  return `# ${comment}, written by claude-otel-doctor init --kubernetes.
# Grafana's sidecar (kube-prometheus-stack: grafana.sidecar) loads ConfigMaps with the label ${label}: "1" in its namespace.
apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${k.namespace}
  labels:
    ${label}: "1"
data:
  ${file}: |
${body}
`;
}

/**
 * Not the local stack's `prometheus`/`loki`: kube-prometheus-stack's Grafana already provisions its own Prometheus
 * datasource with UID `prometheus`, and two datasources may not share a UID.
 */
export const CLUSTER_DATASOURCE_UIDS = { prometheus: 'claude-code-prometheus', loki: 'claude-code-loki' } as const;

export function datasourcesText(k: KubernetesInput): string {
  return `apiVersion: 1
datasources:
  - name: Claude Code Prometheus
    type: prometheus
    uid: ${CLUSTER_DATASOURCE_UIDS.prometheus}
    access: proxy
    url: ${k.prometheusUrl}
    jsonData:
      timeInterval: 15s
  - name: Claude Code Loki
    type: loki
    uid: ${CLUSTER_DATASOURCE_UIDS.loki}
    access: proxy
    url: ${k.lokiUrl.replace(/\/otlp\/?$/, '')}
`;
}

export function kubernetesFiles(k: KubernetesInput): GeneratedFile[] {
  const shared = 0o644;
  return [
    { rel: 'kubernetes/collector-values.yaml', text: collectorValues(k), mode: shared },
    {
      rel: 'kubernetes/grafana-datasources.yaml',
      text: sidecarConfigMap(
        'claude-code-datasources',
        k,
        'grafana_datasource',
        'claude-code.yaml',
        datasourcesText(k),
        "Grafana datasources for Claude Code's dashboard",
      ),
      mode: shared,
    },
    {
      rel: 'kubernetes/grafana-dashboard.yaml',
      text: sidecarConfigMap(
        'claude-code-dashboard',
        k,
        'grafana_dashboard',
        'claude-code.json',
        JSON.stringify({ ...claudeDashboard(CLUSTER_DATASOURCE_UIDS), uid: 'claude-code-team' }, null, 2),
        "Grafana dashboard for Claude Code's telemetry",
      ),
      mode: shared,
    },
  ];
}

/** The ROLLOUT.md section for the cluster side. */
export function kubernetesGuide(k: KubernetesInput): string {
  return `
## The collector on Kubernetes

\`kubernetes/\` holds what runs in the cluster (namespace \`${k.namespace}\`):

| file | what |
|---|---|
| \`collector-values.yaml\` | values for the OpenTelemetry Collector chart ${COLLECTOR_CHART.version}: OTLP in through an Ingress for \`${k.host}\`${k.grpc ? ' (gRPC: HTTP/2 to the backend)' : ' (OTLP/HTTP, port 4318)'}, metrics to the prometheus exporter on ${DEFAULT_PORTS.prometheus} with a ServiceMonitor, events to Loki |
| \`grafana-datasources.yaml\` | a ConfigMap Grafana's sidecar loads: Prometheus (\`${k.prometheusUrl}\`) and Loki, with the UIDs the dashboard uses |
| \`grafana-dashboard.yaml\` | a ConfigMap with the Claude Code dashboard |

\`\`\`sh
helm repo add open-telemetry https://open-telemetry.github.io/opentelemetry-helm-charts
helm upgrade --install ${COLLECTOR_RELEASE} open-telemetry/${COLLECTOR_CHART.name} --version ${COLLECTOR_CHART.version} \\
  --namespace ${k.namespace} -f kubernetes/collector-values.yaml
kubectl apply -n ${k.namespace} -f kubernetes/grafana-datasources.yaml -f kubernetes/grafana-dashboard.yaml
\`\`\`

What these files assume (flags change each):
- kube-prometheus-stack runs as release \`${k.prometheusRelease}\` (\`--prometheus-release\`): its Prometheus selects
  ServiceMonitors labelled \`release: ${k.prometheusRelease}\`, and its Service is \`${k.prometheusUrl}\` (\`--prometheus-url\`).
- Loki takes OTLP at \`${k.lokiUrl}\` (\`--loki-url\`; the grafana/loki chart's gateway).
- An ingress-nginx controller serves class \`${k.ingressClass}\` (\`--ingress-class\`)${k.tls ? `, and the Secret \`${COLLECTOR_RELEASE}-tls\` holds the certificate for ${k.host}` : ''}.
- Grafana's sidecar watches namespace \`${k.namespace}\` for the labels \`grafana_datasource\` and \`grafana_dashboard\`.

Check the repository that holds these files with \`claude-otel-doctor check kubernetes/\`.
`;
}
