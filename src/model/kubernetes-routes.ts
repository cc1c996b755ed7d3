import type { CollectorConfig } from './collector.js';
import {
  mountedKey,
  type Container,
  type ContainerPort,
  type Ingress,
  type IngressPath,
  type KubernetesModel,
  type OperatorCollector,
  type Route as GatewayRoute,
  type Service,
  type ServicePort,
  type Workload,
  sameScope,
  sameUnit,
} from './kubernetes.js';
import { isCollectorImage } from './compose.js';
import type { Stack } from './stack.js';
import { fact } from './facts.js';

/**
 * Where an OTLP endpoint leads in the Kubernetes manifests, hop by hop as the cluster forwards it: an Ingress host
 * (rules[].host, its longest matching path) or an HTTPRoute/GRPCRoute hostname, a Service's DNS name (`svc`, `svc.ns`, `svc.ns.svc`,
 * `svc.ns.svc.cluster.local`), a LoadBalancer Service's hostname or address, or a NodePort → the Service port → its targetPort in the selected pods → the container
 * listening there → the collector config that container runs (its `--config` mounted from a ConfigMap). The route
 * stops at the first hop the manifests do not continue (`stop`), and says why.
 */

export type KubeEntry = 'ingress' | 'gateway-route' | 'service-dns' | 'load-balancer' | 'node-port';

export interface KubeRoute {
  entry: KubeEntry;
  ingress?: Ingress;
  /** The Ingress path (or default backend) the request takes. */
  ingressPath?: IngressPath;
  /** The Gateway API HTTPRoute or GRPCRoute the request takes, and its backendRef. */
  gatewayRoute?: GatewayRoute;
  backendRef?: GatewayRoute['backendRefs'][number];
  service?: Service;
  servicePort?: ServicePort;
  /** The workloads of the Service's namespace whose pod labels match its selector. */
  pods: Workload[];
  /** The container that receives (the one declaring a named targetPort, else the collector container). */
  workload?: Workload;
  container?: Container;
  /** The port the connection reaches inside the pod. */
  containerPort?: number;
  /** The container port entry declaring it, when one does. */
  declared?: ContainerPort;
  /** The workspace collector config that container runs. */
  collector?: CollectorConfig;
  /** The Operator's OpenTelemetryCollector whose generated Service (`<name>-collector`) the DNS name names. */
  operator?: OperatorCollector;
  /**
   * Where the manifests stop leading:
   * - `no-ingress-path`: the Ingress host has no path for the request;
   * - `no-service`: the Ingress backend names a Service the manifests lack;
   * - `no-service-port`: the Service has no port of that number (or name);
   * - `no-pods`: no workload here matches the Service's selector (or it has none);
   * - `no-target`: no container port of the selected pods has the targetPort's name;
   * - `no-config`: the receiving container runs no collector config of the workspace.
   */
  stop?: 'no-ingress-path' | 'no-service' | 'no-service-port' | 'no-pods' | 'no-target' | 'no-config';
}

const ROUTES = fact<Map<string, KubeRoute | undefined>>('kubernetes-routes');

/** The route an endpoint takes into the manifests, or undefined when its host names nothing in them. */
export function kubeRoute(stack: Stack, host: string, port: number, path: string): KubeRoute | undefined {
  const memo = stack.facts.get(ROUTES, () => new Map());
  const key = `${host}|${port}|${path}`;
  if (!memo.has(key)) memo.set(key, findRoute(stack, host.toLowerCase(), port, path));
  return memo.get(key);
}

function findRoute(stack: Stack, host: string, port: number, path: string): KubeRoute | undefined {
  const k = stack.kubernetes;
  // An Ingress controller serves hosts on 80 and 443.
  if (port === 80 || port === 443) {
    const ingresses = k.ingresses.filter((i) => i.paths.some((p) => p.host !== undefined && hostMatches(p.host, host)));
    if (ingresses.length > 0) return viaIngress(stack, ingresses, host, path);
    const routed = viaGatewayRoute(stack, host, path);
    if (routed) return routed;
  }
  const named = serviceByDns(k, host);
  if (named)
    return viaService(
      stack,
      'service-dns',
      named,
      named.ports.find((p) => p.port === port),
    );
  const balanced = k.services.filter((s) => s.type === 'LoadBalancer' && loadBalancerHosts(s).includes(host));
  if (balanced.length === 1)
    return viaService(
      stack,
      'load-balancer',
      balanced[0],
      balanced[0].ports.find((p) => p.port === port),
    );
  const nodePort = k.services
    .filter((s) => s.type === 'NodePort' || s.type === 'LoadBalancer')
    .flatMap((s) => s.ports.filter((p) => p.nodePort === port).map((p) => ({ s, p })));
  if (nodePort.length === 1) return viaService(stack, 'node-port', nodePort[0].s, nodePort[0].p);
  return viaOperator(stack, host, port);
}

/**
 * The Service the OpenTelemetry Operator makes for an OpenTelemetryCollector (`<name>-collector`, not in the files):
 * it forwards each receiver port to the same port of the collector pods, which run `spec.config`. A sidecar has none.
 */
function viaOperator(stack: Stack, host: string, port: number): KubeRoute | undefined {
  const m = DNS_NAME.exec(host);
  if (!m) return undefined;
  const [, name, ns] = m;
  const found = stack.kubernetes.operatorCollectors.filter(
    (c) => c.mode !== 'sidecar' && `${c.object.name}-collector` === name && (ns === undefined || c.object.namespace === ns),
  );
  if (found.length !== 1) return undefined;
  const operator = found[0];
  const collector = operatorConfig(stack, operator);
  return collector ? { entry: 'service-dns', pods: [], operator, containerPort: port, collector } : undefined;
}

/**
 * The stack's collector config of an OpenTelemetryCollector's `spec.config` (kubernetes-embedded.ts): a string
 * (v1alpha1) is a source of its own path, a map (v1beta1) a sub-document of the manifest over the same node.
 */
export function operatorConfig(stack: Stack, c: OperatorCollector): CollectorConfig | undefined {
  const path = `${c.object.file}#OpenTelemetryCollector/${c.object.name ?? ''}/spec.config`;
  const node = c.config?.isMap() ? c.config.node : undefined;
  return stack.collectors.find((x) => x.file === path || (node !== undefined && x.root.node === node));
}

/**
 * The names and addresses a LoadBalancer Service is reached by, as the files say them: external-dns's hostname
 * annotation (comma-separated), `spec.loadBalancerIP`, and a recorded `status.loadBalancer.ingress`.
 */
function loadBalancerHosts(s: Service): string[] {
  const v = s.object.value;
  const hosts = (s.object.annotations['external-dns.alpha.kubernetes.io/hostname'] ?? '').split(',').map((h) => h.trim().replace(/\.$/, ''));
  hosts.push(v.at('spec', 'loadBalancerIP')?.text() ?? '');
  for (const i of v.at('status', 'loadBalancer', 'ingress')?.items() ?? []) hosts.push(i.get('ip')?.text() ?? '', i.get('hostname')?.text() ?? '');
  return hosts.filter((h) => h !== '').map((h) => h.toLowerCase());
}

/** An Ingress rule's host (`*.example.com` matches one label) against the requested host. */
function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p.startsWith('*.')) {
    const rest = p.slice(1);
    return host.endsWith(rest) && !host.slice(0, -rest.length).includes('.') && host.length > rest.length;
  }
  return p === host;
}

function viaIngress(stack: Stack, ingresses: Ingress[], host: string, path: string): KubeRoute {
  // The longest path of any rule for this host (Exact before Prefix of the same length), else a default backend.
  let best: { ingress: Ingress; p: IngressPath; len: number } | undefined;
  for (const ingress of ingresses) {
    for (const p of ingress.paths) {
      if (p.host === undefined || !hostMatches(p.host, host)) continue;
      const len = pathMatch(p, path);
      if (len !== undefined && (!best || len > best.len)) best = { ingress, p, len };
    }
  }
  if (!best) {
    const withDefault = ingresses.find((i) => i.paths.some((p) => p.host === undefined));
    const fallback = withDefault?.paths.find((p) => p.host === undefined);
    if (withDefault && fallback) best = { ingress: withDefault, p: fallback, len: 0 };
  }
  if (!best) return { entry: 'ingress', ingress: ingresses[0], pods: [], stop: 'no-ingress-path' };
  const { ingress, p } = best;
  const service = stack.kubernetes.services.find((s) => s.object.name === p.service && s.object.namespace === ingress.object.namespace);
  if (!service) return { entry: 'ingress', ingress, ingressPath: p, pods: [], stop: 'no-service' };
  const servicePort = service.ports.find((sp) => (typeof p.port === 'number' ? sp.port === p.port : sp.name === p.port));
  return { ...viaService(stack, 'ingress', service, servicePort), ingress, ingressPath: p };
}

/**
 * An HTTPRoute or GRPCRoute for the host (a GRPCRoute for a gRPC request, when there is one), followed when all its
 * backends are one Service port (its path matches are not read). A backend Service the manifests lack: not followed,
 * since a Gateway's routes often lead to Services of other repos.
 */
function viaGatewayRoute(stack: Stack, host: string, path: string): KubeRoute | undefined {
  const k = stack.kubernetes;
  const forHost = k.routes.filter((r) => r.hostnames.some((h) => hostMatches(h, host)));
  const grpc = path.startsWith('/opentelemetry.proto.');
  const preferred = forHost.filter((r) => (r.object.kind === 'GRPCRoute') === grpc);
  const routes = preferred.length > 0 ? preferred : forHost;
  const backends = routes.flatMap((r) => r.backendRefs.map((b) => ({ r, b }))).filter(({ b }) => b.kind === 'Service');
  const distinct = new Set(backends.map(({ b }) => `${b.namespace}/${b.name}/${b.port}`));
  if (backends.length === 0 || distinct.size !== 1) return undefined;
  const { r, b } = backends[0];
  const service = k.services.find((s) => s.object.name === b.name && s.object.namespace === b.namespace && sameUnit(s.object, r.object));
  if (!service) return undefined;
  return {
    ...viaService(
      stack,
      'gateway-route',
      service,
      service.ports.find((p) => p.port === b.port),
    ),
    gatewayRoute: r,
    backendRef: b,
  };
}

/** How many characters of the request path an Ingress path matches (Prefix: whole segments; Exact: all), or undefined. */
function pathMatch(p: IngressPath, path: string): number | undefined {
  const want = p.path ?? '/';
  if (p.pathType === 'Exact') return path === want ? want.length + 1 : undefined;
  const prefix = want.replace(/\/+$/, '');
  if (prefix === '') return 0;
  return path === prefix || path.startsWith(`${prefix}/`) ? prefix.length : undefined;
}

/** The Service a cluster DNS name names: `svc` (any namespace, when one Service has that name), `svc.ns`, `svc.ns.svc[.cluster.local]`. */
/** `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`: the name and the namespace. */
const DNS_NAME = /^([a-z0-9-]+)(?:\.([a-z0-9-]+)(?:\.svc(?:\.cluster\.local)?)?)?\.?$/;

function serviceByDns(k: KubernetesModel, host: string): Service | undefined {
  const m = DNS_NAME.exec(host);
  if (!m) return undefined;
  const [, name, ns] = m;
  const found = k.services.filter((s) => s.object.name === name && (ns === undefined || s.object.namespace === ns));
  return found.length === 1 ? found[0] : undefined;
}

function viaService(stack: Stack, entry: KubeEntry, service: Service, servicePort: ServicePort | undefined): KubeRoute {
  const k = stack.kubernetes;
  const base = { entry, service, servicePort };
  if (!servicePort) return { ...base, pods: [], stop: 'no-service-port' };
  const pods = selectedPods(k, service);
  if (pods.length === 0) return { ...base, pods, stop: 'no-pods' };
  const target = servicePort.targetPort ?? servicePort.port;
  const protocol = servicePort.protocol;
  const candidates = pods.flatMap((workload) => workload.containers.filter((c) => !c.init).map((container) => ({ workload, container })));
  let hit: { workload: Workload; container: Container; declared?: ContainerPort; port?: number } | undefined;
  if (typeof target === 'string') {
    for (const c of candidates) {
      const declared = c.container.ports.find((cp) => cp.name === target && cp.protocol === protocol);
      if (declared) {
        hit = { ...c, declared, port: declared.containerPort };
        break;
      }
    }
    if (!hit) return { ...base, pods, stop: 'no-target' };
  } else {
    // A numeric targetPort reaches whatever listens there: the container declaring it, else the collector container.
    const declaring = candidates.find((c) => c.container.ports.some((cp) => cp.containerPort === target));
    const c = declaring ?? candidates.find((x) => isCollectorImage(x.container.repository)) ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (!c) return { ...base, pods, stop: 'no-config' };
    hit = { ...c, declared: c.container.ports.find((cp) => cp.containerPort === target), port: target };
  }
  const collector = runsConfig(stack, hit.workload, hit.container);
  return {
    ...base,
    pods,
    workload: hit.workload,
    container: hit.container,
    containerPort: hit.port,
    declared: hit.declared,
    collector,
    ...(collector ? {} : { stop: 'no-config' as const }),
  };
}

/** Workloads of the Service's namespace whose pod labels carry every label of its selector. */
export function selectedPods(k: KubernetesModel, s: Service): Workload[] {
  const selector = Object.entries(s.selector);
  if (selector.length === 0) return [];
  return k.workloads.filter((w) => sameScope(w.object, s.object) && selector.every(([key, v]) => w.podLabels[key] === v));
}

/** The workspace collector config a container runs: its `--config` file, mounted from a ConfigMap key (one config only). */
export function runsConfig(stack: Stack, workload: Workload, container: Container): CollectorConfig | undefined {
  const configs = container.configs.flatMap((arg) => {
    const m = arg.path !== undefined ? mountedKey(container, arg.path) : undefined;
    if (m?.type !== 'configMap') return [];
    const cm = stack.kubernetes.configMaps.find((x) => x.object.name === m.name && x.object.namespace === workload.object.namespace);
    if (!cm) return [];
    const file = `${cm.object.file}#ConfigMap/${cm.object.name ?? ''}/${m.key}`;
    return stack.collectors.filter((c) => c.file === file);
  });
  return configs.length === 1 && container.configs.length === 1 ? configs[0] : undefined;
}

/** The workload running this collector config (for replicas), when one does. */
export function kubeRunnerOf(stack: Stack, config: CollectorConfig): Workload | undefined {
  for (const w of stack.kubernetes.workloads) for (const c of w.containers) if (!c.init && runsConfig(stack, w, c) === config) return w;
  return undefined;
}

type Named = { object: { kind: string; name?: string; namespace: string } };

/** `Service "otel-collector" in namespace telemetry`, for a message's detail. */
export function objectText(o: Named): string {
  return `${objectName(o)}${o.object.namespace !== 'default' ? ` in namespace ${o.object.namespace}` : ''}`;
}

/** `Service "otel-collector"`, for a headline. */
export function objectName(o: Named): string {
  return `${o.object.kind} "${o.object.name ?? '?'}"`;
}
