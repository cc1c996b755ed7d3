import { defineRule, type RuleFinding } from '../define.js';
import { otlpListeners } from '../../model/collector.js';
import { objectName, objectText, type KubeRoute } from '../../model/kubernetes-routes.js';
import { claudeRoutes, type Route } from '../../model/routes.js';
import { groupBy, sendsText } from '../../model/sends-text.js';
import { localhostDefault } from '../../model/topology.js';
import type { Workspace } from '../../model/workspace.js';

/** `sends`: what Claude Code sends (sendsText). */
interface Sent {
  sends: string;
  ingress: string;
  /** The Ingress with its namespace. */
  where: string;
}

const messages = {
  nginxBackendHttp1: {
    message: (d: { ingress: string }) => `${d.ingress} proxies Claude Code's gRPC to the collector over HTTP/1.1: every export fails`,
    detail: (d: Sent & { className: string }) =>
      `Claude Code sends ${d.sends} through ${d.where}; ingress-nginx (class ${d.className}) speaks HTTP/1.1 to the backend unless the Ingress says nginx.ingress.kubernetes.io/backend-protocol: GRPC (or GRPCS), and gRPC needs HTTP/2: the call fails with 502 or "14 UNAVAILABLE"`,
  },
  noH2c: {
    message: (d: { ingress: string }) => `${d.ingress} may proxy Claude Code's gRPC to the collector over HTTP/1.1: nothing marks the backend as HTTP/2`,
    detail: (d: Sent & { className: string; port: string }) =>
      `Claude Code sends ${d.sends} through ${d.where}; Service port ${d.port} has no appProtocol kubernetes.io/h2c (or grpc), which Contour and the Gateway API implementations read to speak HTTP/2 to the backend, nor Traefik's serversscheme: h2c or GKE's cloud.google.com/app-protocols HTTP2 annotation (assuming ingress class ${d.className} is one of these controllers)`,
  },
  routeNoH2c: {
    message: (d: { ingress: string }) => `${d.ingress} may proxy Claude Code's gRPC to the collector over HTTP/1.1: nothing marks the backend as HTTP/2`,
    detail: (d: Sent & { port: string }) =>
      `Claude Code sends ${d.sends} through ${d.where}; Service port ${d.port} has no appProtocol kubernetes.io/h2c (or grpc), which the Gateway API's implementations read to speak HTTP/2 to a Service (GEP-1911, "Backend Protocol Selection"); without it an HTTPRoute's backend may be spoken to over HTTP/1.1, and gRPC fails (a GRPCRoute tells the Gateway the backend speaks gRPC)`,
  },
  plainHttpNginx: {
    message: (d: { ingress: string }) => `Claude Code sends gRPC to ${d.ingress} over plain http: ingress-nginx serves HTTP/2 only with TLS`,
    detail: (d: Sent & { className: string }) =>
      `Claude Code sends ${d.sends} through ${d.where}; ingress-nginx (class ${d.className}) turns HTTP/2 on for its TLS listener only, so cleartext gRPC to port 80 is answered as HTTP/1.1 (400) and fails (assuming the controller's default configuration)`,
  },
} as const;
type H2Finding = RuleFinding<typeof messages>;

const GRPC_BACKEND = new Set(['GRPC', 'GRPCS']);
/** appProtocol values controllers read as HTTP/2 to the backend (Kubernetes' own, Contour's, Istio's). */
const H2C_APP_PROTOCOLS = new Set(['kubernetes.io/h2c', 'grpc', 'h2c', 'h2', 'http2']);

export default defineRule({
  id: 'kubernetes/grpc-ingress-without-http2',
  severity: 'warning',
  title: "Claude Code's gRPC through an Ingress that does not speak HTTP/2 to the collector",
  checks:
    "Claude Code exports OTLP over gRPC to an Ingress host of the manifests whose backend (followed as kubernetes/otlp-route-broken does) is the collector's gRPC port. For ingress class `nginx` (ingressClassName or the `kubernetes.io/ingress.class` annotation): the Ingress lacks `nginx.ingress.kubernetes.io/backend-protocol: GRPC` (or `GRPCS`), or Claude Code's endpoint is plain `http://` (ingress-nginx serves HTTP/2 to clients only over TLS); F5's NGINX controller's `nginx.org/grpc-services` naming the Service counts as marked. For any other or no class: the backend Service port has no `appProtocol: kubernetes.io/h2c` (or `grpc`, `h2c`), nor Traefik's `traefik.ingress.kubernetes.io/service.serversscheme: h2c` or GKE's `cloud.google.com/app-protocols` HTTP2 annotation on the Service; the message names the ingress class assumed. Through a Gateway API HTTPRoute (followed as kubernetes/otlp-route-broken does): the backend Service port has no `appProtocol: kubernetes.io/h2c` (or `grpc`); a GRPCRoute is not flagged, since it tells the Gateway the backend speaks gRPC.",
  why: 'gRPC runs over HTTP/2 end to end. An Ingress controller that proxies to the backend over HTTP/1.1 (ingress-nginx by default) turns every OTLP/gRPC call into a 502 or "14 UNAVAILABLE" for Claude Code, while the collector, its Service and OTLP/HTTP through the same Ingress all work. Claude Code reports nothing unless CLAUDE_CODE_OTEL_DIAG_STDERR=1.',
  fix: 'none',
  versions: 'ingress-nginx all versions; appProtocol kubernetes.io/h2c from Kubernetes 1.27',
  bad: {
    file: 'claude-settings.json + k8s/ingress.yaml + k8s/service.yaml',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com"\n  }\n}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: otel-grpc\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: otel.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: otel-collector\n                port:\n                  number: 4317\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    app: otel-collector\n  ports:\n    - name: otlp-grpc\n      port: 4317\n',
  },
  good: {
    file: 'claude-settings.json + k8s/ingress.yaml + k8s/service.yaml',
    text: '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com"\n  }\n}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: otel-grpc\n  annotations:\n    nginx.ingress.kubernetes.io/backend-protocol: GRPC\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: otel.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: otel-collector\n                port:\n                  number: 4317\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    app: otel-collector\n  ports:\n    - name: otlp-grpc\n      port: 4317\n',
  },
  references: [
    'https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#backend-protocol (HTTP by default; GRPC, GRPCS for gRPC backends)',
    'https://kubernetes.github.io/ingress-nginx/examples/grpc/ (gRPC through ingress-nginx: backend-protocol GRPC and TLS on the Ingress)',
    'https://kubernetes.io/docs/concepts/services-networking/service/#application-protocol (appProtocol kubernetes.io/h2c: HTTP/2 over cleartext)',
    'https://gateway-api.sigs.k8s.io/guides/backend-protocol/ (implementations read appProtocol kubernetes.io/h2c to speak HTTP/2 to the backend)',
    "https://gateway-api.sigs.k8s.io/geps/gep-1911/ (Backend Protocol Selection: implementations MUST recognize the Kubernetes standard application protocols and SHOULD honor a Service port's appProtocol; not all select a protocol on their own)",
    'https://github.com/kubernetes/ingress-nginx/issues/3897 (ingress-nginx: no gRPC over plaintext)',
    'https://github.com/open-telemetry/opentelemetry-operator/issues/1969 (OTLP gRPC through a Route works once the collector Service port has appProtocol h2c)',
    'https://github.com/SigNoz/charts/issues/639 (one nginx Ingress for OTLP/HTTP and gRPC: gRPC needs backend-protocol GRPC, which then breaks HTTP; two Ingresses)',
  ],
  oracle: 'fixtures',
  stage: 'OTLP endpoint',
  messages,
  check(ws) {
    const routes = claudeRoutes(ws).filter(
      (r) =>
        r.protocol === 'grpc' &&
        r.kind === 'kubernetes' &&
        (r.kube?.entry === 'ingress' || (r.kube?.entry === 'gateway-route' && r.kube.gatewayRoute?.object.kind === 'HTTPRoute')) &&
        r.kube.servicePort &&
        grpcBackend(ws, r.kube),
    );
    const findings: H2Finding[] = [];
    for (const group of groupBy(routes, (r) => `${r.url}|${(r.kube!.ingressPath ?? r.kube!.backendRef)!.value.path.join('.')}`)) {
      const f = viaGateway(group[0]) ? routeFinding(ws, group) : finding(ws, group);
      if (f) findings.push(f);
    }
    return findings;
  },
});

/** Whether the backend is a gRPC receiver, or not known to be anything else (no collector config behind it). */
function grpcBackend(ws: Workspace, k: KubeRoute): boolean {
  if (!k.collector || k.containerPort === undefined) return true;
  const at = otlpListeners(k.collector, localhostDefault(ws.stack)).filter((l) => l.port === k.containerPort);
  return at.some((l) => l.protocol === 'grpc');
}

const viaGateway = (r: Route) => r.kube?.entry === 'gateway-route';

/** gRPC through an HTTPRoute: the backend Service port must say it speaks HTTP/2 (appProtocol). */
function routeFinding(ws: Workspace, group: Route[]): H2Finding | undefined {
  const k = group[0].kube!;
  const sp = k.servicePort!;
  if (H2C_APP_PROTOCOLS.has((sp.appProtocol ?? '').toLowerCase())) return undefined;
  const route = k.gatewayRoute!;
  return {
    ...sp.value.location('key'),
    kind: 'routeNoH2c',
    data: {
      sends: sendsText(ws, group),
      ingress: objectName(route),
      where: objectText(route),
      port: `${sp.port ?? '?'}${sp.name ? ` (${sp.name})` : ''} of ${objectText(k.service!)}`,
    },
    hint: 'set appProtocol: kubernetes.io/h2c on the Service port, or route gRPC with a GRPCRoute',
  };
}

function finding(ws: Workspace, group: Route[]): H2Finding | undefined {
  const r = group[0];
  const k = r.kube!;
  const ingress = k.ingress!;
  const sent = { sends: sendsText(ws, group), ingress: objectName(ingress), where: objectText(ingress) };
  const className = ingress.className ?? '(none: the cluster default)';
  const at = ingress.object.value.get('metadata') ?? ingress.object.value;
  // F5's NGINX Ingress Controller uses class nginx too, and marks gRPC backends by Service name.
  const f5Grpc = (ingress.object.annotations['nginx.org/grpc-services'] ?? '').split(',').map((x) => x.trim());
  if (k.service?.object.name && f5Grpc.includes(k.service.object.name)) return undefined;
  if (ingress.className === 'nginx') {
    if (!GRPC_BACKEND.has((ingress.backendProtocol ?? '').toUpperCase())) {
      return {
        ...(ingress.object.value.at('metadata', 'annotations', 'nginx.ingress.kubernetes.io/backend-protocol') ?? at).location('value'),
        kind: 'nginxBackendHttp1',
        data: { ...sent, className },
        hint: 'annotate the Ingress with nginx.ingress.kubernetes.io/backend-protocol: GRPC',
      };
    }
    if (/^http:/i.test(r.url)) {
      return {
        ...(ingress.object.value.get('spec') ?? at).location('key'),
        kind: 'plainHttpNginx',
        data: { ...sent, className },
        hint: `give the Ingress a TLS certificate for ${r.host} (spec.tls) and send to https://${r.host}`,
      };
    }
    return undefined;
  }
  const sp = k.servicePort!;
  const notes = k.service!.object.annotations;
  const h2c =
    H2C_APP_PROTOCOLS.has((sp.appProtocol ?? '').toLowerCase()) ||
    /^h2c$/i.test(notes['traefik.ingress.kubernetes.io/service.serversscheme'] ?? '') ||
    /HTTP2/.test(notes['cloud.google.com/app-protocols'] ?? '');
  if (h2c || GRPC_BACKEND.has((ingress.backendProtocol ?? '').toUpperCase())) return undefined;
  return {
    ...sp.value.location('key'),
    kind: 'noH2c',
    data: { ...sent, className, port: `${sp.port ?? '?'}${sp.name ? ` (${sp.name})` : ''} of ${objectText(k.service!)}` },
    hint: 'set appProtocol: kubernetes.io/h2c (or grpc) on the Service port, or the annotation your controller reads for HTTP/2 backends',
  };
}
