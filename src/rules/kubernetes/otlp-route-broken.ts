import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import { listenerValue, otlpListeners } from '../../model/collector.js';
import { chartPortChange } from '../../model/helm/chart-objects.js';
import { objectName, objectText } from '../../model/kubernetes-routes.js';
import { claudeRoutes, kubeAssumption, kubeServiceText, wireProtocol, type Route } from '../../model/routes.js';
import { groupBy, sendsText } from '../../model/sends-text.js';
import { localhostDefault } from '../../model/topology.js';
import { isLoopback } from '../../util/hosts.js';
import type { Workspace } from '../../model/workspace.js';

/** `sends`: what Claude Code sends (sendsText). */
interface Sent {
  sends: string;
  /** The object the headline names, with its namespace. */
  where: string;
}

const messages = {
  noServicePort: {
    message: (d: { service: string; port: string }) => `${d.service} has no port ${d.port}, where Claude Code's OTLP goes: every export fails`,
    detail: (d: Sent & { via: string; ports: string; patch: string }) =>
      `Claude Code sends ${d.sends}${d.via}; the ports of ${d.where} are ${d.ports}, so the connection is refused or times out${d.patch}`,
  },
  noIngressPath: {
    message: (d: { ingress: string; path: string }) => `${d.ingress} has no path for ${d.path}, where Claude Code's OTLP goes: the controller answers 404`,
    detail: (d: Sent & { paths: string }) =>
      `Claude Code sends ${d.sends}; ${d.where} routes only ${d.paths} of that host (assuming no other Ingress outside these manifests adds a path for it)`,
  },
  noRouteMatch: {
    message: (d: { route: string; path: string }) => `${d.route} has no rule matching ${d.path}, where Claude Code's OTLP goes: the Gateway answers 404`,
    detail: (d: Sent & { matches: string }) =>
      `Claude Code sends ${d.sends}; the rules of ${d.where} for that host match only ${d.matches} (assuming no other route outside these manifests matches it)`,
  },
  noService: {
    message: (d: { ingress: string; service: string }) => `${d.ingress} sends Claude Code's OTLP to Service "${d.service}", which these manifests lack`,
    detail: (d: Sent) =>
      `Claude Code sends ${d.sends} through ${d.where}; without that Service the controller answers 503 (assuming it is not created outside these manifests, by a chart or an operator)`,
  },
  noPods: {
    message: (d: { service: string }) => `${d.service} selects no pod in these manifests: Claude Code's OTLP sent to it finds no endpoint`,
    detail: (d: Sent & { selector: string }) =>
      `Claude Code sends ${d.sends} to ${d.where}; no workload here has pod labels ${d.selector} (assuming no pod outside these manifests matches)`,
  },
  loopback: {
    message: (d: { receiver: string; host: string; port: number }) =>
      `receiver "${d.receiver}" listens on ${d.host}:${d.port}, its pod's loopback: the Service behind Claude Code's endpoint cannot reach it`,
    detail: (d: Sent & { implicit: string }) =>
      `Claude Code sends ${d.sends}; ${d.where} connects to the pod's IP, not its loopback, so every export is refused${d.implicit}`,
  },
} as const;
type RouteFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'kubernetes/otlp-route-broken',
  severity: 'error',
  title: "Claude Code's OTLP endpoint leads nowhere through the Kubernetes objects",
  checks:
    "Follows Claude Code's OTLP endpoint into the Kubernetes manifests (and the objects the OpenTelemetry Collector Helm chart renders from a values file: its Service, named `<release>-opentelemetry-collector` for the release the endpoint's host implies, which the finding says it assumes unless `fullnameOverride` and `namespaceOverride` name it; its ingresses and node ports): an Ingress host (its longest matching path; for gRPC the method's path), the Ingress the OpenTelemetry Operator makes for an OpenTelemetryCollector's `spec.ingress` (ruleType path: `/otlp-grpc`, `/otlp-http` of the hostname; subdomain: `otlp-grpc.<hostname>`), an HTTPRoute/GRPCRoute hostname (the rule whose matches take the request: an HTTPRoute's path, Exact before the longest PathPrefix; a GRPCRoute's method) whose backends are one Service port, a Service's DNS name (`svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`; also `<name>-collector`, the Service the OpenTelemetry Operator makes for an OpenTelemetryCollector, straight to its `spec.config`), a LoadBalancer Service's hostname or address (external-dns's hostname annotation, `spec.loadBalancerIP`, a recorded `status.loadBalancer.ingress`) or a NodePort → the Service port → its targetPort in the selected pods → the collector container and the config its `--config` mounts from a ConfigMap → the receiver there. Flags the first hop that leads nowhere: a Service without that port (error, after the kustomize builds the doctor models, patches applied; a warning when a kustomize patch of that Service is in a build the doctor does not model, or when the chart's release name is assumed), an Ingress host without a path for the request, an HTTPRoute/GRPCRoute with no rule matching it, a backend Service the manifests lack, a Service selecting no pod here (warnings: something outside the scan may provide them), and a receiver bound to localhost/127.0.0.1 behind the Service (error; an endpoint left to the v0.104.0+ localhost default is a warning when the collector version is assumed). A port with no receiver or the other protocol is collector/protocol-not-enabled's finding; a named targetPort no pod declares is kubernetes/unknown-target-port's.",
  why: "A Service forwards its port to its targetPort on each selected pod's IP (kube-proxy), an Ingress controller sends a host's request to the backend of its longest matching path: a missing Service port refuses the connection, a path the Ingress does not route gets the controller's 404, a backend Service that does not exist its 503, and a receiver on the pod's loopback is never reached from the pod IP. Claude Code shows none of this (unless CLAUDE_CODE_OTEL_DIAG_STDERR=1): nothing arrives.",
  fix: 'none',
  versions: 'all Kubernetes versions; the receivers default to localhost from collector v0.104.0',
  bad: {
    file: 'claude-settings.json + k8s/collector.yaml',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.telemetry:4317"\n  }\n}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\n  namespace: telemetry\nspec:\n  selector:\n    app: otel-collector\n  ports:\n    - name: otlp-http\n      port: 4318\n',
  },
  good: {
    file: 'claude-settings.json + k8s/service.yaml + k8s/deployment.yaml',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel-collector.telemetry:4317"\n  }\n}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\n  namespace: telemetry\nspec:\n  selector:\n    app: otel-collector\n  ports:\n    - name: otlp-grpc\n      port: 4317\n    - name: otlp-http\n      port: 4318\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: otel-collector\n  namespace: telemetry\nspec:\n  selector:\n    matchLabels: {app: otel-collector}\n  template:\n    metadata:\n      labels: {app: otel-collector}\n    spec:\n      containers:\n        - name: otel-collector\n          image: otel/opentelemetry-collector-contrib:0.115.1\n',
  },
  references: [
    'https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports (port, targetPort: a number or a container port name)',
    'https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#services (svc.ns.svc.cluster.local; a bare name within the namespace)',
    'https://kubernetes.io/docs/concepts/services-networking/ingress/#path-types (Exact, Prefix by path elements, the longest match wins)',
    'https://gateway-api.sigs.k8s.io/reference/spec/#httproutematch (path PathPrefix by default, Exact, precedence) and #grpcroutematch (method service and name)',
    'https://github.com/open-telemetry/opentelemetry-helm-charts/blob/opentelemetry-collector-0.170.0/charts/opentelemetry-collector/templates/_helpers.tpl (fullname: <release>-opentelemetry-collector unless fullnameOverride)',
    'https://github.com/open-telemetry/opentelemetry-operator/blob/main/internal/manifests/collector/ingress.go (spec.ingress: ruleType path and subdomain)',
    'https://github.com/open-telemetry/opentelemetry-collector/releases/tag/v0.104.0 (receivers default to localhost, #8510)',
  ],
  oracle: 'fixtures',
  certainty:
    "Error only where every hop is in the files: Claude Code's endpoint names the Service (or reaches it through an Ingress of the manifests), and that Service object has no such port (the API server serves only the ports it lists); or the Service's pods run a collector config of the workspace whose receiver for that port is bound to a loopback address, which the pod IP kube-proxy connects to never reaches.",
  stage: 'OTLP endpoint',
  messages,
  check(ws) {
    const routes = claudeRoutes(ws).filter((r) => r.kind === 'kubernetes' && r.kube);
    const findings: RouteFinding[] = [];
    for (const group of groupBy(
      routes,
      (r) =>
        `${r.host}|${r.port}|${r.protocol}|${r.kube!.stop ?? ''}|${r.kube!.ingressPath?.value.path.join('.') ?? ''}|${r.kube!.stop === 'no-route-match' ? r.signal : ''}`,
    )) {
      const f = finding(ws, group);
      // Where the route itself is assumed (a node port, a bare name's namespace), what it leads to is not certain.
      if (f) findings.push(kubeAssumption(group[0]) ? { ...f, severity: 'warning' } : f);
    }
    return findings;
  },
});

function finding(ws: Workspace, group: Route[]): RouteFinding | undefined {
  const r = group[0];
  const k = r.kube!;
  const sends = `${sendsText(ws, group)}${kubeAssumption(r)}`;
  const front = k.ingress ?? k.gatewayRoute;
  const via = front ? `, which ${front.object.kind} "${front.object.name ?? '?'}" passes to Service "${k.service?.object.name ?? '?'}"` : '';
  switch (k.stop) {
    case 'no-service-port': {
      const s = k.service!;
      const port = k.ingressPath?.port ?? k.backendRef?.port ?? r.port;
      const ports = s.ports.map((p) => `${p.port ?? '?'}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'none';
      const backendPort = k.ingressPath?.value.at('backend', 'service', 'port') ?? k.backendRef?.value.get('port');
      // The chart's Service: the value that switched that port off or moved it, in the values file.
      const changed = k.chart && !backendPort ? chartPortChange(k.chart.values, Number(port)) : undefined;
      const at = backendPort ?? changed ?? s.object.value.at('spec', 'ports') ?? s.object.value;
      // A kustomize patch of the Service in a build the doctor does not model may add the port: it cannot be sure.
      const k8s = ws.stack.kubernetes;
      const patch = k8s.objects.find((o) => o.kind === 'Service' && o.name === s.object.name && !k8s.services.some((x) => x.object === o));
      return {
        ...at.location(backendPort || changed ? 'value' : 'key'),
        ...(patch ? { severity: 'warning' as const } : {}),
        kind: 'noServicePort',
        data: {
          sends,
          where: objectText(s),
          via,
          service: objectName(s),
          port: String(port),
          ports,
          patch: patch
            ? ` (unless the kustomize patch of this Service in ${basename(patch.file)} adds it, which the doctor does not apply${unmodelled(ws, patch.file)})`
            : '',
        },
        hint: k.chart
          ? `open port ${port} in the values' ports (enabled: true, servicePort: ${port}), or point Claude Code at one of the Service's ports`
          : s.ports.length > 0
            ? `point Claude Code (or the Ingress backend) at one of the Service's ports, or add port ${port} to it`
            : `add port ${port} to the Service`,
      };
    }
    case 'no-ingress-path': {
      const i = k.ingress!;
      const paths = [...new Set(i.paths.filter((p) => p.host !== undefined).map((p) => `${p.path ?? '/'} (${p.pathType ?? 'ImplementationSpecific'})`))].join(
        ', ',
      );
      return {
        ...(i.object.value.at('spec', 'rules') ?? i.object.value).location('key'),
        severity: 'warning',
        kind: 'noIngressPath',
        data: { sends, where: objectText(i), ingress: objectName(i), path: r.protocol === 'grpc' ? 'gRPC' : new URL(r.url).pathname, paths },
        hint:
          r.protocol === 'grpc'
            ? 'route path / (Prefix) of the host to the OTLP gRPC port'
            : 'route path / (Prefix), or /v1, of the host to the OTLP HTTP port',
      };
    }
    case 'no-route-match': {
      const g = k.gatewayRoute!;
      return {
        ...(g.object.value.at('spec', 'rules') ?? g.object.value).location('key'),
        severity: 'warning',
        kind: 'noRouteMatch',
        data: {
          sends,
          where: objectText(g),
          route: objectName(g),
          path: r.protocol === 'grpc' ? `gRPC ${requestMethod(r).split('.').pop()}` : new URL(r.url).pathname,
          matches: routeMatchesText(g),
        },
        hint:
          g.object.kind === 'GRPCRoute'
            ? 'match service opentelemetry.proto.collector.<signal>.v1.<Signal>Service (or no method at all) to the OTLP gRPC port'
            : r.protocol === 'grpc'
              ? 'route gRPC with a GRPCRoute, or match path / (PathPrefix) to the OTLP gRPC port'
              : 'match path / (PathPrefix), or /v1, to the OTLP HTTP port',
      };
    }
    case 'no-service':
      return {
        ...(k.ingressPath!.value.at('backend', 'service', 'name') ?? k.ingressPath!.value).location('value'),
        severity: 'warning',
        kind: 'noService',
        data: { sends, where: objectText(k.ingress!), ingress: objectName(k.ingress!), service: k.ingressPath!.service ?? '?' },
        hint: 'name the collector Service as the backend',
      };
    case 'no-pods': {
      const s = k.service!;
      return {
        ...(s.object.value.at('spec', 'selector') ?? s.object.value).location('key'),
        severity: 'warning',
        kind: 'noPods',
        data: {
          sends,
          where: objectText(s),
          service: objectName(s),
          selector:
            Object.entries(s.selector)
              .map(([a, b]) => `${a}=${b}`)
              .join(', ') || '(none: the Service has no selector)',
        },
        hint: "make the Service's selector match the collector's pod labels",
      };
    }
    case undefined:
      return loopback(ws, group, sends);
    default:
      return undefined;
  }
}

/** The gRPC method a signal's export calls, for messages: `opentelemetry.proto.collector.metrics.v1.MetricsService/Export`. */
function requestMethod(r: Route): string {
  const service = { metrics: 'metrics.v1.MetricsService', logs: 'logs.v1.LogsService', traces: 'trace.v1.TraceService' }[r.signal];
  return `opentelemetry.proto.collector.${service}/Export`;
}

/** What an HTTPRoute's or GRPCRoute's rules match, for messages: `/v1 (PathPrefix), /api (Exact)`. */
function routeMatchesText(g: NonNullable<Route['kube']>['gatewayRoute'] & object): string {
  const texts = (g.object.value.at('spec', 'rules')?.items() ?? []).flatMap((rule) =>
    (rule.get('matches')?.items() ?? []).map((m) => {
      if (g.object.kind === 'GRPCRoute') {
        const method = m.get('method');
        return `${method?.get('service')?.text() ?? '*'}/${method?.get('method')?.text() ?? '*'}`;
      }
      return `${m.at('path', 'value')?.text() ?? '/'} (${m.at('path', 'type')?.text() ?? 'PathPrefix'})`;
    }),
  );
  return [...new Set(texts)].join(', ') || 'nothing';
}

function loopback(ws: Workspace, group: Route[], sends: string): RouteFinding | undefined {
  const r = group[0];
  const k = r.kube!;
  if (!k.collector || k.containerPort === undefined) return undefined;
  const l = otlpListeners(k.collector, localhostDefault(ws.stack)).find((x) => x.port === k.containerPort && x.protocol === wireProtocol(r.protocol));
  if (!l || !isLoopback(l.host)) return undefined;
  const assumed = l.implicit && ws.stack.collector.source === 'assumed';
  return {
    ...listenerValue(k.collector, l).location(l.implicit ? 'key' : 'value'),
    ...(assumed ? { severity: 'warning' as const } : {}),
    kind: 'loopback',
    data: {
      sends,
      where: k.service ? objectText(k.service) : kubeServiceText(r),
      receiver: l.receiver,
      host: l.host,
      port: l.port,
      implicit: l.implicit
        ? ` (no endpoint is written: from v0.104.0 the receiver listens on localhost; collector ${ws.stack.collector.version}${assumed ? ', assumed' : ''})`
        : '',
    },
    hint: `listen on the pod's address: endpoint: \${env:MY_POD_IP}:${l.port} (MY_POD_IP from the downward API, status.podIP) or 0.0.0.0:${l.port}`,
  };
}

/** Why the doctor does not apply a kustomize patch: the build that reads it is not modelled, or kustomize refuses it. */
function unmodelled(ws: Workspace, file: string): string {
  const u = ws.stack.kustomize.find((x) => !('objects' in x.build) && x.build.read.has(file)) ?? ws.stack.kustomize.find((x) => !('objects' in x.build));
  if (!u || 'objects' in u.build) return '';
  return 'notModelled' in u.build ? `; the doctor does not model its build: ${u.build.notModelled}` : `; kustomize refuses its build: ${u.build.refused}`;
}
