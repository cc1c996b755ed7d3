// The defaults of the OpenTelemetry Collector Helm chart that the doctor's reading of a values file needs,
// re-typed from the chart's values.yaml and templates (open-telemetry/opentelemetry-helm-charts,
// charts/opentelemetry-collector, chart version 0.170.0, appVersion 0.158.0). Only what the reading uses is
// here: the product cannot read the chart, and a key missing here is one the reading does not model.

export const CHART_VERSION = '0.170.0';
/** Chart.yaml `appVersion`: the image tag when `image.tag` is empty. */
export const APP_VERSION = '0.158.0';
/** Chart.yaml `name`: the base of the objects' names. */
export const CHART_NAME = 'opentelemetry-collector';

/**
 * values.yaml, trimmed to the keys the reading uses and those the values schema requires (same structure, same
 * values): the rest of it is valid as the chart ships it and feeds nothing the reading reports.
 */
export const CHART_DEFAULTS = {
  apiVersion: 'apps/v1',
  nameOverride: '',
  fullnameOverride: '',
  mode: '',
  namespaceOverride: '',
  presets: {
    logsCollection: { enabled: false, includeCollectorLogs: false, storeCheckpoints: false, maxRecombineLogSize: 102400 },
    hostMetrics: { enabled: false },
    kubernetesAttributes: { enabled: false, extractAllPodLabels: false, extractAllPodAnnotations: false },
    kubeletMetrics: { enabled: false },
    kubernetesEvents: { enabled: false, useK8sEventsReceiver: false },
    kubernetesObjects: {
      enabled: false,
      watch: false,
      core: { enabled: true },
      rbac: { enabled: true },
      storage: { enabled: true },
      networking: { enabled: true },
      autoscaling: { enabled: true, vpa: { enabled: false } },
      policy: { enabled: true },
      apiExtensions: { enabled: true },
      events: { enabled: false },
    },
    clusterMetrics: { enabled: false },
    annotationDiscovery: { logs: { enabled: false }, metrics: { enabled: false } },
    profiling: { enabled: false },
    resourceDetection: {
      enabled: false,
      env: { enabled: true },
      k8s_api: { enabled: true },
      eks: { enabled: false },
      aks: { enabled: false },
      gcp: { enabled: false },
    },
  },
  configMap: { create: true, existingName: '' },
  internalTelemetryViaOTLP: {
    endpoint: '',
    headers: [],
    traces: { enabled: false, endpoint: '', headers: [] },
    metrics: { enabled: false, endpoint: '', headers: [] },
    logs: { enabled: false, endpoint: '', headers: [] },
  },
  rewriteDeprecatedComponentNames: true,
  config: {
    exporters: { debug: {} },
    extensions: { health_check: { endpoint: '${env:MY_POD_IP}:13133' } },
    processors: {
      batch: {},
      memory_limiter: { check_interval: '5s', limit_percentage: 80, spike_limit_percentage: 25 },
    },
    receivers: {
      jaeger: {
        protocols: {
          grpc: { endpoint: '${env:MY_POD_IP}:14250' },
          thrift_http: { endpoint: '${env:MY_POD_IP}:14268' },
          thrift_compact: { endpoint: '${env:MY_POD_IP}:6831' },
        },
      },
      otlp: { protocols: { grpc: { endpoint: '${env:MY_POD_IP}:4317' }, http: { endpoint: '${env:MY_POD_IP}:4318' } } },
      prometheus: {
        config: {
          scrape_configs: [{ job_name: 'opentelemetry-collector', scrape_interval: '10s', static_configs: [{ targets: ['${env:MY_POD_IP}:8888'] }] }],
        },
      },
      zipkin: { endpoint: '${env:MY_POD_IP}:9411' },
    },
    service: {
      telemetry: {
        resource: {
          'k8s.namespace.name': '${env:OTEL_K8S_NAMESPACE}',
          'k8s.node.name': '${env:OTEL_K8S_NODE_NAME}',
          'k8s.node.ip': '${env:OTEL_K8S_NODE_IP}',
          'k8s.pod.name': '${env:OTEL_K8S_POD_NAME}',
          'k8s.pod.ip': '${env:OTEL_K8S_POD_IP}',
          'host.name': '${env:OTEL_K8S_NODE_NAME}',
        },
        metrics: { readers: [{ pull: { exporter: { prometheus: { host: '${env:MY_POD_IP}', port: 8888 } } } }] },
      },
      extensions: ['health_check'],
      pipelines: {
        logs: { exporters: ['debug'], processors: ['memory_limiter', 'batch'], receivers: ['otlp'] },
        metrics: { exporters: ['debug'], processors: ['memory_limiter', 'batch'], receivers: ['otlp', 'prometheus'] },
        traces: { exporters: ['debug'], processors: ['memory_limiter', 'batch'], receivers: ['otlp', 'jaeger', 'zipkin'] },
      },
    },
  },
  alternateConfig: {},
  image: { repository: '', pullPolicy: 'IfNotPresent', tag: '', digest: '' },
  command: { name: '', extraArgs: [] },
  ports: {
    otlp: { enabled: true, containerPort: 4317, servicePort: 4317, hostPort: 4317, protocol: 'TCP', appProtocol: 'grpc' },
    'otlp-http': { enabled: true, containerPort: 4318, servicePort: 4318, hostPort: 4318, protocol: 'TCP' },
    'jaeger-compact': { enabled: true, containerPort: 6831, servicePort: 6831, hostPort: 6831, protocol: 'UDP' },
    'jaeger-thrift': { enabled: true, containerPort: 14268, servicePort: 14268, hostPort: 14268, protocol: 'TCP' },
    'jaeger-grpc': { enabled: true, containerPort: 14250, servicePort: 14250, hostPort: 14250, protocol: 'TCP' },
    zipkin: { enabled: true, containerPort: 9411, servicePort: 9411, hostPort: 9411, protocol: 'TCP' },
    metrics: { enabled: false, containerPort: 8888, servicePort: 8888, protocol: 'TCP' },
  },
  replicaCount: 1,
  useGOMEMLIMIT: true,
  extraEnvs: [],
  service: { type: 'ClusterIP', annotations: {} },
  ingress: { enabled: false, additionalIngresses: [] },
  podMonitor: { enabled: false, metricsEndpoints: [{ port: 'metrics' }], extraLabels: {} },
  serviceMonitor: { enabled: false, metricsEndpoints: [{ port: 'metrics' }], extraLabels: {}, relabelings: [], metricRelabelings: [], sampleLimit: 0 },
  serviceAccount: { create: true },
  clusterRole: { create: false },
  httproute: { enabled: false },
  podDisruptionBudget: { enabled: false },
  rollout: { strategy: 'RollingUpdate' },
  prometheusRule: { enabled: false, defaultRules: { enabled: false, additionalRuleLabels: {}, additionalRuleAnnotations: {} } },
  autoscaling: { enabled: false, minReplicas: 1, maxReplicas: 10, behavior: {}, targetCPUUtilizationPercentage: 80, additionalMetrics: [] },
};

/** templates/_helpers.tpl "deprecatedComponentRenames": applied to the config when `rewriteDeprecatedComponentNames`. */
export const DEPRECATED_COMPONENT_RENAMES: Record<'receivers' | 'processors', Record<string, string>> = {
  receivers: { filelog: 'file_log' },
  processors: { k8sattributes: 'k8s_attributes' },
};
export const DEPRECATED_DETECTOR_RENAMES: Record<string, string> = { k8snode: 'k8s_api' };

/** The community distributions (image name → the binary it runs); opentelemetry-collector-releases. */
export const DISTRIBUTIONS: Record<string, string> = {
  'opentelemetry-collector': 'otelcol',
  'opentelemetry-collector-contrib': 'otelcol-contrib',
  'opentelemetry-collector-k8s': 'otelcol-k8s',
  'opentelemetry-collector-otlp': 'otelcol-otlp',
};
