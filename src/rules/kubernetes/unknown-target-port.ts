import { defineRule } from '../define.js';
import { type KubernetesModel, sameScope, type Service, type Workload } from '../../model/kubernetes.js';

const messages = {
  noSuchPort: {
    message: (d: { service: string; port: string; target: string; workloads: string; named: string }) =>
      `Service "${d.service}" port ${d.port} sends to targetPort "${d.target}", which no pod it selects names: connections fail`,
    detail: (d: { service: string; port: string; target: string; workloads: string; named: string }) =>
      `no container of ${d.workloads} (the pods its selector matches here) has a port by that name${d.named}, so the Service has no endpoint for it; this assumes no pod outside these manifests matches the selector`,
  },
} as const;

export default defineRule({
  id: 'kubernetes/unknown-target-port',
  severity: 'warning',
  title: "A Service's named targetPort that its pods do not have",
  checks:
    "For each Service port whose `targetPort` is a name: the containers of the workloads in the scanned manifests whose pod labels match the Service's selector (same namespace). Flags the port when at least one workload matches and none of their containers declares a port of that name and protocol. A numeric targetPort is not judged (it works whether or not a container declares it).",
  why: 'Kubernetes resolves a named targetPort in each pod\'s container ports; a pod without that name gets no endpoint for the Service port. OTLP sent to the Service (by Claude Code through an ingress, or by another collector) then fails with "connection refused" or a timeout, and Prometheus finds no target behind it, while the pods themselves run fine.',
  fix: 'none',
  versions: 'all Kubernetes versions',
  bad: {
    file: 'k8s/collector.yaml',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    app: otel-collector\n  ports:\n    - name: otlp-grpc\n      port: 4317\n      targetPort: otlp-grpc\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    matchLabels: {app: otel-collector}\n  template:\n    metadata:\n      labels: {app: otel-collector}\n    spec:\n      containers:\n        - name: otel-collector\n          image: otel/opentelemetry-collector-contrib:0.115.1\n          ports:\n            - name: grpc\n              containerPort: 4317\n',
  },
  good: {
    file: 'k8s/collector.yaml',
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    app: otel-collector\n  ports:\n    - name: otlp-grpc\n      port: 4317\n      targetPort: otlp-grpc\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    matchLabels: {app: otel-collector}\n  template:\n    metadata:\n      labels: {app: otel-collector}\n    spec:\n      containers:\n        - name: otel-collector\n          image: otel/opentelemetry-collector-contrib:0.115.1\n          ports:\n            - name: otlp-grpc\n              containerPort: 4317\n',
  },
  references: [
    'https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports (targetPort: a number or the name of a port in the backend pods)',
    "https://github.com/kubernetes/kubernetes/blob/v1.31.0/pkg/api/v1/pod/util.go (FindPort: a named port is looked up in the pod's container ports, by name and protocol)",
  ],
  oracle: 'fixtures',
  stage: 'OTLP endpoint',
  messages,
  check(ws) {
    const k = ws.stack.kubernetes;
    return k.services.flatMap((s) => {
      const pods = selected(k, s);
      if (pods.length === 0) return [];
      return s.ports.flatMap((p) => {
        if (typeof p.targetPort !== 'string') return [];
        const ports = pods.flatMap((w) => w.containers.filter((c) => !c.init).flatMap((c) => c.ports));
        if (ports.some((cp) => cp.name === p.targetPort && cp.protocol === p.protocol)) return [];
        const named = [...new Set(ports.flatMap((cp) => cp.name ?? []))];
        return [
          {
            ...p.value.get('targetPort')!.location('value'),
            kind: 'noSuchPort' as const,
            data: {
              service: s.object.name ?? '?',
              port: String(p.port ?? p.name ?? '?'),
              target: p.targetPort,
              workloads: pods.map((w) => `${w.object.kind} "${w.object.name ?? '?'}"`).join(', '),
              named: named.length > 0 ? ` (they name ${named.map((x) => `"${x}"`).join(', ')})` : '',
            },
            hint:
              named.length > 0
                ? `use one of the names the containers give (${named.join(', ')}), or the port number`
                : 'name the container port, or use its number',
          },
        ];
      });
    });
  },
});

/** Workloads of the Service's namespace whose pod labels carry every label of its selector (a Service without one selects nothing here). */
function selected(k: KubernetesModel, s: Service): Workload[] {
  const selector = Object.entries(s.selector);
  if (selector.length === 0) return [];
  return k.workloads.filter((w) => sameScope(w.object, s.object) && selector.every(([key, v]) => w.podLabels[key] === v));
}
