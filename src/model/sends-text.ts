import { basename } from 'node:path';
import { kubeServiceText, type Route } from './routes.js';
import type { Workspace } from './workspace.js';
import { where } from './settings-locate.js';
import { listWords, otlpSignals } from './otlp-signals.js';

/** Wording shared by the cross-file rules that follow Claude Code's exports into the stack. */

const PROTOCOL_WORD: Record<string, string> = { grpc: 'gRPC', 'http/protobuf': 'HTTP (http/protobuf)', 'http/json': 'HTTP (http/json)' };

/** "metrics and logs over gRPC to localhost:4317 (OTEL_EXPORTER_OTLP_ENDPOINT in user settings.json)". */
export function sendsText(ws: Workspace, routes: Route[]): string {
  const signals = [...new Set(routes.map((r) => r.signal))];
  const r = routes[0];
  const vars = otlpSignals(ws.claude.env).filter((s) => signals.includes(s.signal));
  const endpoints = [...new Map(vars.filter((v) => v.endpointVar).map((v) => [v.endpointVar!.name, v.endpointVar!])).values()];
  const origin = endpoints.length
    ? endpoints.map((e) => `${e.name} ${where(e.origin)}`).join('; ')
    : `the default endpoint: no OTEL_EXPORTER_OTLP_ENDPOINT is set`;
  return `${listWords(signals)} over ${PROTOCOL_WORD[r.protocol] ?? r.protocol} to ${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port} (${origin})`;
}

/** "service \"otel-collector\" in docker-compose.yml". */
export function serviceText(route: Route): string {
  return route.service ? `service "${route.service.service.name}" in ${basename(route.service.compose.file)}` : 'the collector';
}

/**
 * How the export arrives, continuing a sentence about what Claude Code sends and ending before a verb phrase:
 * "; service "otel-collector" in docker-compose.yml forwards it to container port 4318, which" or ", but port 4318".
 */
export function arrivalText(route: Route, port: number): string {
  if (route.kind === 'published' && route.service) return `; ${serviceText(route)} forwards it to container port ${port}, which`;
  if (route.kind === 'network' && route.service) return `; on the compose network that is ${serviceText(route)}, where port ${port}`;
  if (route.kind === 'kubernetes' && route.kube?.operator) return `; ${kubeServiceText(route)} forwards it to port ${port} of the collector pods, which`;
  if (route.kind === 'kubernetes' && route.kube?.service && route.kube.container)
    return `; ${route.kube.ingress ? `Ingress "${route.kube.ingress.object.name ?? '?'}" passes it to ` : route.kube.gatewayRoute ? `${route.kube.gatewayRoute.object.kind} "${route.kube.gatewayRoute.object.name ?? '?'}" passes it to ` : ''}Service "${route.kube.service.object.name ?? '?'}", which forwards it to port ${port} of container "${route.kube.container.name ?? '?'}" (${route.kube.workload?.object.kind} "${route.kube.workload?.object.name ?? '?'}"), which`;
  return `, but port ${port}`;
}

/** The host port a service publishes for a container port, for hints. */
export function hostPortFor(route: Route, containerPort: number): number | undefined {
  if (route.kind === 'network' || route.kind === 'host') return containerPort;
  if (route.kind === 'kubernetes') {
    // Through a Service's DNS name: the Service port that leads to that container port.
    const k = route.kube;
    if (k?.entry !== 'service-dns' || !k.service) return undefined;
    const named = new Set(k.container?.ports.filter((cp) => cp.containerPort === containerPort).flatMap((cp) => cp.name ?? []));
    return k.service.ports.find((sp) => {
      const t = sp.targetPort ?? sp.port;
      return t === containerPort || (typeof t === 'string' && named.has(t));
    })?.port;
  }
  return route.service?.service.ports.find((p) => p.containerPort === containerPort && p.hostPort !== undefined)?.hostPort;
}

/** Items grouped by a key, keeping their order. */
export function groupBy<T>(items: T[], key: (x: T) => string): T[][] {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = key(x);
    m.set(k, [...(m.get(k) ?? []), x]);
  }
  return [...m.values()];
}
