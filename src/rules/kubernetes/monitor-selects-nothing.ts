import { defineRule, type RuleFinding } from '../define.js';
import { type Monitor, type Service, sameUnit } from '../../model/kubernetes.js';

const ASSUMES = 'this assumes no Service outside these manifests matches it';

const messages = {
  noSuchPort: {
    message: (d: { monitor: string; port: string; services: string; named: string }) =>
      `ServiceMonitor "${d.monitor}" scrapes port "${d.port}", which the Services it selects do not have: no target`,
    detail: (d: { monitor: string; port: string; services: string; named: string }) =>
      `${d.services} (the Services it selects here) ha${d.services.includes(',') ? 've' : 's'} no port by that name${d.named}; ${ASSUMES}`,
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
  title: 'A ServiceMonitor that finds no port to scrape on the Services it is meant for',
  checks:
    "For each ServiceMonitor with a `selector.matchLabels` (and no matchExpressions): the Services of the scanned manifests it selects (by their metadata labels, in its own namespace, the `namespaceSelector`'s names, or any with `any: true`). Flags an endpoint whose `port` names no port of those Services; and, when it selects none, a Service whose `spec.selector` carries exactly those labels but whose own labels do not (the labels were copied from the wrong place).",
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
    'https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.Endpoint (port: name of the Service port this endpoint refers to)',
    "https://github.com/prometheus-operator/prometheus-operator/blob/v0.76.0/pkg/prometheus/promcfg.go (the scrape job keeps endpoints whose Service labels match and whose port name is the endpoint's port)",
  ],
  oracle: 'fixtures',
  stage: 'Prometheus',
  messages,
  check(ws) {
    const k = ws.stack.kubernetes;
    return k.monitors.flatMap((m): Found[] => {
      const labels = Object.entries(m.matchLabels);
      if (m.object.kind !== 'ServiceMonitor' || labels.length === 0 || m.matchExpressions) return [];
      const inScope = k.services.filter((s) => (m.namespaces === 'any' || m.namespaces.includes(s.object.namespace)) && sameUnit(s.object, m.object));
      const services = inScope.filter((s) => labels.every(([key, v]) => s.object.labels[key] === v));
      if (services.length === 0) {
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
        return [
          {
            ...(e.value.get('port') ?? e.value).location('value'),
            kind: 'noSuchPort' as const,
            data: {
              monitor: m.object.name ?? '?',
              port: e.port,
              services: services.map((s) => `Service "${s.object.name ?? '?'}"`).join(', '),
              named: named.length > 0 ? ` (the names there: ${named.map((x) => `"${x}"`).join(', ')})` : ' (no port there has a name)',
            },
            hint: named.length > 0 ? `name one of these: ${named.join(', ')}` : 'name the Service port, and use that name here',
          },
        ];
      });
    });
  },
});

const labelText = (m: Monitor) =>
  Object.entries(m.matchLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
