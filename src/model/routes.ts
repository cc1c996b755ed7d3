import { otlpListeners, type CollectorConfig, type OtlpListener, type Pipeline } from './collector.js';
import { isLoopback } from '../util/hosts.js';
import type { Protocol, Signal } from './prediction.js';
import { localhostDefault, topology, type CollectorService, type ServiceRef, type Topology } from './topology.js';
import type { Workspace } from './workspace.js';
import type { ComposeService } from './compose.js';
import { kubeRoute, type KubeRoute } from './kubernetes-routes.js';

/**
 * Where Claude Code's OTLP exports land in the workspace's stack, per signal: through a published port into a
 * compose service, by service name on the compose network, to a collector run outside compose, or elsewhere; and
 * what the collector config there does with them. Shared by the cross-file rules so that one defect is reported
 * by exactly one of them.
 */

export interface Route {
  signal: Signal;
  protocol: Protocol;
  /** As predicted: the exact URL (http) or the endpoint dialled (grpc). */
  url: string;
  host: string;
  port: number;
  /**
   * - `published`: localhost (or host.docker.internal) and a compose service publishes the port;
   * - `network`: the host is a compose service name (Claude Code runs on the compose network);
   * - `unpublished`: localhost, compose runs a collector, and nothing publishes the port;
   * - `host`: a collector outside compose (no compose collector service), reached directly;
   * - `kubernetes`: an Ingress host, a Service DNS name or a NodePort of the workspace's Kubernetes manifests (`kube`);
   * - `elsewhere`: a remote host, or a name the workspace does not define.
   */
  kind: 'published' | 'network' | 'unpublished' | 'host' | 'kubernetes' | 'elsewhere';
  /** The hops through the Kubernetes objects (kind `kubernetes`). */
  kube?: KubeRoute;
  /** The compose service reached (published, network) or the collector service that should publish (unpublished). */
  service?: ServiceRef;
  /** Port inside the container (published: the mapping's target; network: the URL's port). */
  containerPort?: number;
  /** The collector config that receives the export, when the workspace holds it. */
  collector?: CollectorConfig;
  /** The compose service running that collector config, when there is one. */
  collectorService?: CollectorService;
}

export type Delivery =
  /** The collector service does not publish the port Claude Code sends to. */
  | { status: 'not-published'; route: Route }
  /** Nothing in the collector config listens on the port the export reaches. */
  | { status: 'no-listener'; route: Route; collector: CollectorConfig; port: number }
  /** A receiver listens on that port, for the other protocol. */
  | { status: 'wrong-protocol'; route: Route; collector: CollectorConfig; port: number; listener: OtlpListener }
  /**
   * The receiver serves OTLP/HTTP on that port, but not at the path the request arrives with (`served`): the
   * collector answers 404. `assumed`: what that rests on, as a clause ('' when nothing: the request reaches the
   * collector as Claude Code sent it).
   */
  | { status: 'wrong-path'; route: Route; collector: CollectorConfig; listener: OtlpListener; sentPath: string; served: string; assumed: string }
  /** The receiver is right, but no pipeline of the signal lists it (or it is in no pipeline at all, so it is not started). */
  | { status: 'no-pipeline'; route: Route; collector: CollectorConfig; listener: OtlpListener; started: boolean }
  /** Received, and fed into these pipelines of the signal. */
  | { status: 'received'; route: Route; collector: CollectorConfig; listener: OtlpListener; pipelines: Pipeline[] }
  /** Not a collector of this workspace (another service, a remote host, a collector running a config not in the workspace). */
  | { status: 'elsewhere'; route: Route };

/** Claude Code (on the host) sending to the host itself: loopback, or Docker Desktop's name for it. */
const toThisHost = (host: string) => isLoopback(host) || host.toLowerCase() === 'host.docker.internal';

export const wireProtocol = (p: Protocol): 'grpc' | 'http' => (p === 'grpc' ? 'grpc' : 'http');

function hostPort(url: string): { host: string; port: number } | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^/@?#]*@)?(\[[^\]]*\]|[^/:?#]*)(?::(\d+))?/i.exec(url.trim());
  if (!m?.[2]) return undefined;
  const scheme = m[1].toLowerCase();
  const port = m[3] ? Number(m[3]) : scheme === 'https' ? 443 : scheme === 'http' ? 80 : undefined;
  return port === undefined ? undefined : { host: m[2].replace(/^\[|\]$/g, '').toLowerCase(), port };
}

/** A workspace collector config running outside compose that a URL port reaches. */
function hostCollector(ws: Workspace, t: Topology, port: number): CollectorConfig | undefined {
  const free = ws.stack.collectors.filter((c) => !t.containerOf(c));
  if (free.length === 1) return free[0];
  return free.find((c) => otlpListeners(c, false).some((l) => l.port === port));
}

export function claudeRoutes(ws: Workspace): Route[] {
  const t = topology(ws.stack);
  const routes: Route[] = [];
  for (const s of ws.claude.prediction.signals) {
    if (!s.exported || !s.exporters.includes('otlp') || !s.protocol || !s.url) continue;
    const hp = hostPort(s.url);
    if (!hp) continue;
    const base = { signal: s.signal, protocol: s.protocol, url: s.url, ...hp };
    const single = !hp.host.includes('.') && !hp.host.includes(':');
    const composeHost = toThisHost(hp.host) || (t.services.length > 0 && !!t.serviceNamed(hp.host));
    // Kubernetes objects where compose does not claim the host (a NodePort at localhost only without compose services).
    const kube =
      (!composeHost || t.services.length === 0) && (ws.stack.kubernetes.objects.length > 0 || ws.stack.helmValues.length > 0)
        ? kubeRoute(ws.stack, hp.host, hp.port, requestPath(s.url, s.protocol, s.signal))
        : undefined;
    if (kube) {
      routes.push({ ...base, kind: 'kubernetes', kube, containerPort: kube.containerPort, collector: kube.collector });
    } else if (composeHost) {
      const viaName = !toThisHost(hp.host);
      const hit = viaName ? { ref: t.serviceNamed(hp.host)!, containerPort: hp.port } : t.publisherOf(hp.port);
      if (hit) {
        const cs = t.collectors.find((c) => c.service === hit.ref.service);
        routes.push({
          ...base,
          kind: viaName ? 'network' : 'published',
          service: hit.ref,
          containerPort: hit.containerPort,
          collectorService: cs,
          collector: cs && cs.runs.length === 1 ? cs.runs[0] : undefined,
        });
      } else if (t.collectors.length > 0) {
        // Prefer the collector service whose config listens for this protocol.
        const wire = wireProtocol(s.protocol);
        const cs = t.collectors.find((c) => c.runs.some((cfg) => otlpListeners(cfg, false).some((l) => l.protocol === wire))) ?? t.collectors[0];
        routes.push({ ...base, kind: 'unpublished', service: cs, collectorService: cs, collector: cs.runs.length === 1 ? cs.runs[0] : undefined });
      } else {
        const c = hostCollector(ws, t, hp.port);
        routes.push(c ? { ...base, kind: 'host', containerPort: hp.port, collector: c } : { ...base, kind: 'elsewhere' });
      }
    } else if (single && t.services.length === 0) {
      // A bare name without compose in the workspace (a Kubernetes service, a compose file kept elsewhere): the collector.
      const c = hostCollector(ws, t, hp.port);
      routes.push(c ? { ...base, kind: 'host', containerPort: hp.port, collector: c } : { ...base, kind: 'elsewhere' });
    } else {
      routes.push({ ...base, kind: 'elsewhere' });
    }
  }
  return routes;
}

const GRPC_SERVICE: Record<Signal, string> = { metrics: 'metrics.v1.MetricsService', logs: 'logs.v1.LogsService', traces: 'trace.v1.TraceService' };

/** The HTTP path a request carries: the URL's (OTLP/HTTP), or the gRPC method's (which an Ingress routes by too). */
function requestPath(url: string, protocol: Protocol, signal: Signal): string {
  if (protocol === 'grpc') return `/opentelemetry.proto.collector.${GRPC_SERVICE[signal]}/Export`;
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/i.exec(url.trim());
  return m?.[1] || '/';
}

/** What happens to each exported signal at the collector it reaches. */
export function deliveries(ws: Workspace): Delivery[] {
  return claudeRoutes(ws).map((route): Delivery => {
    if (route.kind === 'unpublished') return { status: 'not-published', route };
    if (route.kind === 'kubernetes' && route.kube?.stop) return { status: 'elsewhere', route };
    const collector = route.collector;
    if (!collector || route.containerPort === undefined || (route.service && !route.collectorService)) return { status: 'elsewhere', route };
    const port = route.containerPort;
    const listeners = otlpListeners(collector, localhostDefault(ws.stack, route.collectorService?.service));
    const atPort = listeners.filter((l) => l.port === port);
    const wire = wireProtocol(route.protocol);
    const matching = atPort.filter((l) => l.protocol === wire);
    if (matching.length === 0) {
      return atPort.length > 0 ? { status: 'wrong-protocol', route, collector, port, listener: atPort[0] } : { status: 'no-listener', route, collector, port };
    }
    const inPipelines = (l: OtlpListener) => collector.pipelines.filter((p) => p.signal === route.signal && p.receivers.some((r) => r.id === l.receiver));
    const listener = matching.find((l) => inPipelines(l).length > 0) ?? matching[0];
    const served = listener.urlPaths?.[route.signal];
    const arriving = wire === 'http' && served && served !== 'unknown' ? arrivingPath(route) : undefined;
    if (arriving && served && served !== 'unknown' && arriving.path !== served.path)
      return { status: 'wrong-path', route, collector, listener, sentPath: arriving.path, served: served.path, assumed: arriving.assumed };
    const pipelines = inPipelines(listener);
    if (pipelines.length === 0) {
      const started = collector.pipelines.some((p) => p.receivers.some((r) => r.id === listener.receiver));
      return { status: 'no-pipeline', route, collector, listener, started };
    }
    return { status: 'received', route, collector, listener, pipelines };
  });
}

/** Annotations by which Ingress controllers rewrite a request's path (ingress-nginx, Traefik, HAProxy, Kong, …) or run config the doctor cannot read. */
const REWRITING_ANNOTATION = /rewrite|strip|middlewares|snippet/i;

/**
 * The path an OTLP/HTTP request arrives at the collector with, and what that assumes: the URL's path, unchanged by a
 * Service, a node port or a load balancer; through an Ingress or an HTTPRoute, unchanged too unless the route
 * rewrites it (a rewrite annotation, a URLRewrite filter), which it is then left to (undefined), as is the
 * Ingress the Operator makes for a collector.
 */
function arrivingPath(route: Route): { path: string; assumed: string } | undefined {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/i.exec(route.url.trim())?.[1] || '/';
  const k = route.kube;
  if (!k || (k.entry !== 'ingress' && k.entry !== 'gateway-route')) return { path, assumed: '' };
  if (k.operator) return undefined;
  if (k.ingress) {
    if (Object.keys(k.ingress.object.annotations).some((a) => REWRITING_ANNOTATION.test(a))) return undefined;
    return { path, assumed: `, assuming Ingress ${k.ingress.object.name ?? ''}'s controller passes the path on as it is (it has no rewrite annotation)` };
  }
  const rules = k.gatewayRoute?.object.value.at('spec', 'rules')?.items() ?? [];
  if (
    !k.gatewayRoute ||
    rules.some((r) =>
      r
        .get('filters')
        ?.items()
        .some((f) => f.get('type')?.text() === 'URLRewrite'),
    )
  )
    return undefined;
  return {
    path,
    assumed: `, assuming the Gateway passes the path on as it is (${k.gatewayRoute.object.kind} ${k.gatewayRoute.object.name ?? ''} has no URLRewrite filter)`,
  };
}

/** The profiles of the service a route reaches (published port or service name); empty when it always starts. */
export function routeProfiles(route: Route): string[] {
  return (route.kind === 'published' || route.kind === 'network') && route.service ? route.service.service.profiles : [];
}

/**
 * For a finding about a service that runs only under a profile (compose starts it only when one is active, which the
 * doctor cannot see): the clause its message ends with, else ''.
 */
export function profileGateText(service: ComposeService): string {
  if (service.profiles.length === 0) return '';
  return `, whenever service "${service.name}" runs (it starts only with profile ${service.profiles.join(' or ')}, which the doctor cannot see)`;
}

/** profileGateText for the service a route reaches, or what a Kubernetes route assumes (kubeAssumption). */
export function gateText(route: Route): string {
  return routeProfiles(route).length > 0 ? profileGateText(route.service!.service) : kubeAssumption(route);
}

/**
 * What a route into Kubernetes objects assumes about where Claude Code runs, as a clause ('' when nothing): a node
 * port reached at that host, or the namespace a bare Service name resolves in.
 */
export function kubeAssumption(route: Route): string {
  const k = route.kube;
  const object = k?.service?.object ?? k?.operator?.object;
  if (!k || !object) return '';
  return `${whereClaudeRuns(route, object.namespace)}${k.assumed ?? ''}`;
}

function whereClaudeRuns(route: Route, namespace: string): string {
  const name = kubeServiceText(route);
  if (route.kube?.entry === 'node-port')
    return `, assuming ${route.host}:${route.port} reaches node port ${route.port} of ${name} (as Docker Desktop, OrbStack and kind make localhost reach it)`;
  if (route.kube?.entry === 'service-dns' && !route.host.includes('.'))
    return `, assuming Claude Code runs in namespace ${namespace}, where the bare name "${route.host}" is ${name}`;
  return '';
}

/** The Service a Kubernetes route goes through, for messages: `Service "x"`, or the one the Operator makes. */
export function kubeServiceText(route: Route): string {
  const k = route.kube;
  if (k?.service) return `Service "${k.service.object.name ?? '?'}"`;
  if (k?.operator)
    return `Service "${k.operator.object.name ?? '?'}-collector" (the Operator's, for OpenTelemetryCollector "${k.operator.object.name ?? '?'}")`;
  return 'the Service';
}

/** Whether a route reaches every replica of the collector: a compose service name, or a Kubernetes Service (kube-proxy balances). */
export function reachesEveryReplica(route: Route): boolean {
  return (route.kind === 'network' && !!route.collectorService) || (route.kind === 'kubernetes' && !!(route.kube?.service || route.kube?.operator));
}

/** What spreads a route's exports over the replicas, for messages. */
export function spreadText(route: Route): string {
  return route.kind === 'kubernetes' ? kubeServiceText(route) : 'the compose network';
}
