import { defineRule, type RuleFinding } from '../define.js';
import { basename } from 'node:path';
import { chartObjects } from '../../model/kubernetes-routes.js';
import { type KubernetesModel, type Monitor, type MonitorEndpoint, type Service, sameUnit } from '../../model/kubernetes.js';
import { type LabelSelector, labelSelector, relabelMatches } from '../../model/kubernetes-scrape.js';

const ASSUMES = 'this assumes no Service outside these manifests matches it';

const messages = {
  noSuchPort: {
    message: (d: { monitor: string; port: string; services: string; named: string; chart?: string }) =>
      `ServiceMonitor "${d.monitor}" scrapes port "${d.port}", which the Services it selects do not have: no target`,
    detail: (d: { monitor: string; port: string; services: string; named: string; chart?: string }) =>
      d.chart !== undefined
        ? `the chart renders it from ${d.chart} to select its own ${d.services}, which has no port by that name${d.named}: the port is not enabled in the values' ports`
        : `${d.services} (the Services it selects here) ha${d.services.includes(',') ? 've' : 's'} no port by that name${d.named}; ${ASSUMES}`,
  },
  noSuchPodPort: {
    message: (d: { monitor: string; port: string; workloads: string; named: string; chart?: string }) =>
      `PodMonitor "${d.monitor}" scrapes port "${d.port}", which the pods it selects do not declare: no target`,
    detail: (d: { monitor: string; port: string; workloads: string; named: string; chart?: string }) =>
      d.chart !== undefined
        ? `the chart renders it from ${d.chart} to select the pods of its own ${d.workloads}, which declare no container port by that name${d.named}: the port is not enabled in the values' ports`
        : `the pods of ${d.workloads} (the workloads it selects here) declare no container port by that name${d.named}; this assumes no pod outside these manifests matches it`,
  },
  podLabels: {
    message: (d: { monitor: string; service: string; labels: string }) =>
      `ServiceMonitor "${d.monitor}" selects by a label Service "${d.service}" only gives its pods: no target`,
    detail: (d: { monitor: string; service: string; labels: string }) =>
      `it selects Services labelled ${d.labels}, which Service "${d.service}" uses in spec.selector but does not carry in metadata.labels; ${ASSUMES}`,
  },
} as const;
type Found = RuleFinding<typeof messages>;

export default defineRule({
  id: 'kubernetes/monitor-selects-nothing',
  severity: 'warning',
  title: 'A ServiceMonitor or PodMonitor that finds no port to scrape on the Services or pods it is meant for',
  checks:
    "For each ServiceMonitor with a `selector` (matchLabels, matchExpressions as the operator's relabelings apply them): the Services of the scanned manifests it selects (by their metadata labels, in its own namespace, the `namespaceSelector`'s names, or any with `any: true`). Flags an endpoint whose `port` names no port of those Services; and, when it selects none (by matchLabels only), a Service whose `spec.selector` carries exactly those labels but whose own labels do not (the labels were copied from the wrong place). For each PodMonitor likewise: an endpoint whose `port` names no container port of the pods it selects here (by their pod template labels, the same way). The ServiceMonitor the OpenTelemetry Collector Helm chart renders (`serviceMonitor.enabled`) is checked against the chart's own Service: its endpoint's port (`metrics` by default) must be a port the values enable (`ports.metrics.enabled` is false by default).",
  why: 'The Prometheus Operator turns a ServiceMonitor into a scrape job that keeps only endpoints of Services carrying its labels, and only the Service port of the endpoint\'s `port` name. With no such Service or port the job has no targets: the collector\'s metrics never reach Prometheus, and Grafana shows "No data" though every pod runs.',
  fix: 'none',
  versions: 'Prometheus Operator v0.x (monitoring.coreos.com/v1)',
  bad: {
    file: 'k8s/monitoring.yaml',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\n  labels: {app: otel-collector}\nspec:\n  selector: {app: otel-collector}\n  ports:\n    - name: metrics\n      port: 8889\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    matchLabels: {app: otel-collector}\n  endpoints:\n    - port: prometheus\n',
  },
  good: {
    file: 'k8s/monitoring.yaml',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\n  labels: {app: otel-collector}\nspec:\n  selector: {app: otel-collector}\n  ports:\n    - name: metrics\n      port: 8889\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    matchLabels: {app: otel-collector}\n  endpoints:\n    - port: metrics\n',
  },
  references: [
    'https://github.com/open-telemetry/opentelemetry-helm-charts/blob/opentelemetry-collector-0.170.0/charts/opentelemetry-collector/values.yaml (serviceMonitor: "The metrics port needs to be enabled as well")',
    'https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.Endpoint (port: name of the Service port this endpoint refers to)',
    "https://github.com/prometheus-operator/prometheus-operator/blob/v0.76.0/pkg/prometheus/promcfg.go (the scrape job keeps endpoints whose Service labels match and whose port name is the endpoint's port)",
  ],
  oracle: 'fixtures',
  stage: 'Prometheus',
  messages,
  check(ws) {
    // The manifests' monitors, and the chart's own ServiceMonitor of each values file (it selects the chart's Service).
    return [
      ...selectsNothing(ws.stack.kubernetes),
      ...ws.stack.helmValues.flatMap((h) => selectsNothing(chartObjects(ws.stack, h), basename(h.values.source.path))),
    ];
  },
});

/** The findings for the monitors of one set of objects (a chart's, named by its values file). */
function selectsNothing(k: KubernetesModel, chart?: string): Found[] {
  return k.monitors.flatMap((m): Found[] => {
    const labels = Object.entries(m.matchLabels);
    const selector = labelSelector(m.object.value.at('spec', 'selector'));
    if (!selector || (labels.length === 0 && !m.matchExpressions)) return [];
    if (m.object.kind === 'PodMonitor') return podPortsMissing(k, m, selector, chart);
    const inScope = k.services.filter((s) => (m.namespaces === 'any' || m.namespaces.includes(s.object.namespace)) && sameUnit(s.object, m.object));
    // The Services the operator's job keeps (its relabelings on matchLabels and matchExpressions).
    const services = inScope.filter((s) => relabelMatches(selector, s.object.labels));
    if (services.length === 0) {
      if (m.matchExpressions) return [];
      const misplaced = inScope.find((s) => labels.every(([key, v]) => s.selector[key] === v));
      if (!misplaced) return [];
      return [
        {
          ...(m.object.value.at('spec', 'selector', 'matchLabels') ?? m.object.value).location(),
          kind: 'podLabels' as const,
          data: { monitor: m.object.name ?? '?', service: misplaced.object.name ?? '?', labels: labelText(m) },
          hint: `add ${labelText(m)} to metadata.labels of Service "${misplaced.object.name ?? '?'}"`,
        },
      ];
    }
    return m.endpoints.flatMap((e): Found[] => {
      if (e.port === undefined || services.some((s) => s.ports.some((p) => p.name === e.port))) return [];
      const named = [...new Set(services.flatMap((s: Service) => s.ports.flatMap((p) => p.name ?? [])))];
      const target = { services: services.map((s) => `Service "${s.object.name ?? '?'}"`).join(', ') };
      return [{ ...portFinding(e, named, 'Service port', chart), kind: 'noSuchPort' as const, data: { ...portData(m, e, named, 'port', chart), ...target } }];
    });
  });
}

/** A PodMonitor's endpoints whose `port` names no container port of the pods it selects (when it selects some here). */
function podPortsMissing(k: KubernetesModel, m: Monitor, selector: LabelSelector, chart?: string): Found[] {
  const workloads = k.workloads.filter(
    (w) => (m.namespaces === 'any' || m.namespaces.includes(w.object.namespace)) && sameUnit(w.object, m.object) && relabelMatches(selector, w.podLabels),
  );
  if (workloads.length === 0) return [];
  const named = [...new Set(workloads.flatMap((w) => w.containers.flatMap((c) => c.ports.flatMap((p) => p.name ?? []))))];
  return m.endpoints.flatMap((e): Found[] => {
    if (e.port === undefined || named.includes(e.port)) return [];
    const target = { workloads: workloads.map((w) => `${w.object.kind} "${w.object.name ?? '?'}"`).join(', ') };
    return [
      {
        ...portFinding(e, named, 'container port', chart),
        kind: 'noSuchPodPort' as const,
        data: { ...portData(m, e, named, 'container port', chart), ...target },
      },
    ];
  });
}

/** Where a missing port's finding points, and its hint: enable it in the chart's values, or name one that exists. */
function portFinding(e: MonitorEndpoint, named: string[], what: string, chart?: string) {
  const hint =
    chart !== undefined
      ? `enable the port in the values (ports.${e.port}.enabled: true), or scrape one of: ${named.join(', ')}`
      : named.length > 0
        ? `name one of these: ${named.join(', ')}`
        : `name the ${what}, and use that name here`;
  return { ...(e.value.get('port') ?? e.value).location('value'), hint };
}

/** The data both missing-port messages share: the monitor, the port it asks for, the names there are. */
function portData(m: Monitor, e: MonitorEndpoint, named: string[], what: string, chart?: string) {
  return {
    monitor: m.object.name ?? '?',
    port: e.port ?? '?',
    named: named.length > 0 ? ` (the names there: ${named.map((x) => `"${x}"`).join(', ')})` : ` (no ${what} there has a name)`,
    ...(chart !== undefined ? { chart } : {}),
  };
}

const labelText = (m: Monitor) =>
  Object.entries(m.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
