import { basename } from 'node:path';
import type { CollectorConfig } from './collector.js';
import { chartKubernetes } from './helm/chart-objects.js';
import type { ChartValuesInput } from './helm/embedded.js';
import {
  mountedKey,
  type Container,
  type ContainerPort,
  type Ingress,
  type IngressPath,
  type KubernetesModel,
  loadKubernetes,
  type OperatorCollector,
  type Route as GatewayRoute,
  type Service,
  type ServicePort,
  type Workload,
  sameUnit,
  selectedPods,
} from './kubernetes.js';
import { isCollectorImage } from './compose.js';
import { type Node, stringify } from 'yaml';
import { EmbeddedSource } from '../load/source.js';
import type { YamlValue } from '../load/yaml-value.js';
import { parseYaml } from '../load/yaml.js';
import { otlpListeners } from './collector.js';
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
  /** The collector chart's values file whose objects the route goes through (chart-objects.ts). */
  chart?: ChartValuesInput;
  /** What the route assumes about the objects, as a clause (`, assuming … Helm release "otel"`): the chart's release. */
  assumed?: string;
  /**
   * Where the manifests stop leading:
   * - `no-ingress-path`: the Ingress host has no path for the request;
   * - `no-route-match`: no rule of the HTTPRoute/GRPCRoute for the host matches the request's path (or gRPC method);
   * - `no-service`: the Ingress backend names a Service the manifests lack;
   * - `no-service-port`: the Service has no port of that number (or name);
   * - `no-pods`: no workload here matches the Service's selector (or it has none);
   * - `no-target`: no container port of the selected pods has the targetPort's name;
   * - `no-config`: the receiving container runs no collector config of the workspace.
   */
  stop?: 'no-ingress-path' | 'no-route-match' | 'no-service' | 'no-service-port' | 'no-pods' | 'no-target' | 'no-config';
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
    const routed = viaGatewayRoute(stack, host, path) ?? viaOperatorIngress(stack, host, path);
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
  return viaOperator(stack, host, port) ?? viaChart(stack, host, port, path);
}

/**
 * The objects of a release, with the collector config its workload runs: the manifests' (whose workloads name their
 * config through a mounted ConfigMap), or a chart values file's (whose workload runs the config the chart renders).
 */
interface Scope {
  kubernetes: KubernetesModel;
  chart?: { input: ChartValuesInput; collector?: CollectorConfig; assumed?: string };
}

/** The release name the chart's objects are named for when nothing says it (`<release>-opentelemetry-collector`). */
const SOME_RELEASE = '<release>';

const CHART_OBJECTS = fact<Map<string, KubernetesModel>>('chart-objects');

function chartScope(stack: Stack, input: ChartValuesInput, release: string, namespace: string, assumed?: string): Scope {
  const memo = stack.facts.get(CHART_OBJECTS, () => new Map());
  const key = `${input.values.source.path}|${release}|${namespace}`;
  if (!memo.has(key)) memo.set(key, chartKubernetes(input.values, release, namespace).kubernetes);
  const collector = input.config ? stack.collectors.find((c) => c.file === input.config!.source.path) : undefined;
  return { kubernetes: memo.get(key)!, chart: { input, collector, assumed } };
}

/** The objects the collector chart renders from a values file, named for a release the file does not say (`<release>-…`). */
export function chartObjects(stack: Stack, input: ChartValuesInput): KubernetesModel {
  return chartScope(stack, input, SOME_RELEASE, input.reading.namespace.value).kubernetes;
}

/**
 * Through the objects the collector chart renders from a values file of the workspace: its ingress hosts, its
 * Service's DNS name, its node ports. The values file names neither the release nor (without `namespaceOverride`) its
 * namespace: a DNS name containing the chart's name (`<release>-opentelemetry-collector`) is taken as that release's
 * Service in that namespace, which the route says it assumes; `fullnameOverride` names the Service for certain.
 */
function viaChart(stack: Stack, host: string, port: number, path: string): KubeRoute | undefined {
  const found = stack.helmValues.flatMap((h) => chartRoute(stack, h, host, port, path) ?? []);
  return found.length === 1 ? found[0] : undefined;
}

function chartRoute(stack: Stack, h: ChartValuesInput, host: string, port: number, path: string): KubeRoute | undefined {
  const r = h.reading;
  if (!r.mode || r.failures.length > 0) return undefined;
  if (port === 80 || port === 443) {
    const scope = chartScope(stack, h, SOME_RELEASE, r.namespace.value);
    const ingresses = scope.kubernetes.ingresses.filter((i) => i.paths.some((p) => p.host !== undefined && hostMatches(p.host, host)));
    if (ingresses.length > 0) return viaIngress(stack, ingresses, host, path, scope);
  }
  const m = DNS_NAME.exec(host);
  if (m && r.service) {
    const [, name, ns] = m;
    const exact = r.fullnameFrom !== 'chart default' && r.fullnameFrom.path[0] === 'fullnameOverride';
    const fixedNs = r.namespace.from !== 'chart default';
    const named = exact ? name === r.fullname : name.includes(r.name);
    if (named && (!fixedNs || ns === undefined || ns === r.namespace.value)) {
      // `helm install otel …` names it otel-opentelemetry-collector; a release whose name contains the chart's, itself.
      const release = exact ? SOME_RELEASE : name.endsWith(`-${r.name}`) ? name.slice(0, -r.name.length - 1) : name;
      const namespace = fixedNs ? r.namespace.value : (ns ?? r.namespace.value);
      const file = basename(h.values.source.path);
      const assumed = !exact
        ? fixedNs || ns === undefined
          ? `, assuming ${file} is installed as Helm release "${release}" (the values file does not name it)`
          : `, assuming ${file} is installed as Helm release "${release}" in namespace ${ns} (the values file names neither)`
        : !fixedNs && ns !== undefined
          ? `, assuming the release of ${file} is installed in namespace ${ns}`
          : '';
      const scope = chartScope(stack, h, release, namespace, assumed);
      const service = scope.kubernetes.services[0];
      return viaService(
        stack,
        'service-dns',
        service,
        service.ports.find((p) => p.port === port),
        scope,
      );
    }
  }
  const scope = chartScope(stack, h, SOME_RELEASE, r.namespace.value);
  const nodePort = scope.kubernetes.services
    .filter((s) => s.type === 'NodePort' || s.type === 'LoadBalancer')
    .flatMap((s) => s.ports.filter((p) => p.nodePort === port).map((p) => ({ s, p })));
  return nodePort.length === 1 ? viaService(stack, 'node-port', nodePort[0].s, nodePort[0].p, scope) : undefined;
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
 * The Ingress the Operator makes for an OpenTelemetryCollector's `spec.ingress` (type `ingress`; its name
 * `<name>-ingress`, internal/manifests/collector/ingress.go): ruleType `path` (the default) routes `/<port name>`
 * (Prefix) of `hostname` to that port of its Service `<name>-collector`, `subdomain` routes `<port name>.<hostname>`.
 * The ports are those of its OTLP receiver (`otlp-grpc`, `otlp-http`), which the Service forwards to the same port of
 * the collector pods. The Ingress is read as a manifest whose positions all land on `spec.ingress`.
 */
function viaOperatorIngress(stack: Stack, host: string, path: string): KubeRoute | undefined {
  for (const operator of stack.kubernetes.operatorCollectors) {
    const spec = operator.object.value.at('spec', 'ingress');
    const collector = operatorConfig(stack, operator);
    if (!spec || !collector || operator.mode === 'sidecar' || spec.get('type')?.text() !== 'ingress') continue;
    const hostname = spec.get('hostname')?.text() ?? '';
    const ports = otlpListeners(collector, false)
      .filter((l) => l.receiver === 'otlp')
      .map((l) => ({ name: `otlp-${l.protocol}`, port: l.port }));
    const backend = (name: string) => ({ service: { name: `${operator.object.name ?? ''}-collector`, port: { name } } });
    const rules =
      spec.get('ruleType')?.text() === 'subdomain'
        ? ports.map((p) => ({ host: `${p.name}.${hostname}`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend(p.name) }] } }))
        : [{ host: hostname, http: { paths: ports.map((p) => ({ path: `/${p.name}`, pathType: 'Prefix', backend: backend(p.name) })) } }];
    const object = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `${operator.object.name ?? ''}-ingress`, namespace: operator.object.namespace, annotations: spec.get('annotations')?.js ?? {} },
      spec: { ...(spec.has('ingressClassName') ? { ingressClassName: spec.get('ingressClassName')?.js } : {}), rules },
    };
    const at = (spec.pair?.key as Node | undefined)?.range?.[0] ?? 0;
    const source = new EmbeddedSource(operator.object.file, stringify(object), spec.doc.source, { at });
    const ingress = loadKubernetes([parseYaml(source)]).ingresses[0];
    if (!ingress.paths.some((p) => p.host !== undefined && hostMatches(p.host, host))) continue;
    const picked = ingressPath([ingress], host, path);
    if (!picked) return { entry: 'ingress', ingress, pods: [], operator, stop: 'no-ingress-path' };
    const containerPort = ports.find((p) => p.name === picked.p.port)?.port;
    return { entry: 'ingress', ingress, ingressPath: picked.p, pods: [], operator, containerPort, collector };
  }
  return undefined;
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

function viaIngress(stack: Stack, ingresses: Ingress[], host: string, path: string, scope: Scope = { kubernetes: stack.kubernetes }): KubeRoute {
  const best = ingressPath(ingresses, host, path);
  if (!best) return { entry: 'ingress', ingress: ingresses[0], pods: [], stop: 'no-ingress-path' };
  const { ingress, p } = best;
  const service = scope.kubernetes.services.find((s) => s.object.name === p.service && s.object.namespace === ingress.object.namespace);
  if (!service) return { entry: 'ingress', ingress, ingressPath: p, pods: [], stop: 'no-service' };
  const servicePort = service.ports.find((sp) => (typeof p.port === 'number' ? sp.port === p.port : sp.name === p.port));
  return { ...viaService(stack, 'ingress', service, servicePort, scope), ingress, ingressPath: p };
}

/** The path of the Ingresses a request takes: the longest of any rule for its host (Exact before Prefix of the same length), else a default backend. */
function ingressPath(ingresses: Ingress[], host: string, path: string): { ingress: Ingress; p: IngressPath } | undefined {
  let best: { ingress: Ingress; p: IngressPath; len: number } | undefined;
  for (const ingress of ingresses) {
    for (const p of ingress.paths) {
      if (p.host === undefined || !hostMatches(p.host, host)) continue;
      const len = pathMatch(p.pathType, p.path, path);
      if (len !== undefined && (!best || len > best.len)) best = { ingress, p, len };
    }
  }
  if (!best) {
    const withDefault = ingresses.find((i) => i.paths.some((p) => p.host === undefined));
    const fallback = withDefault?.paths.find((p) => p.host === undefined);
    if (withDefault && fallback) best = { ingress: withDefault, p: fallback, len: 0 };
  }
  return best;
}

/**
 * An HTTPRoute or GRPCRoute for the host (a GRPCRoute for a gRPC request, when there is one): the rule whose matches
 * take the request best (an HTTPRoute's path, Exact before the longest PathPrefix, as Ingress paths; a GRPCRoute's
 * method), followed when its backends are one Service port. No rule matching: the route stops (`no-route-match`). Not
 * followed: a match the doctor cannot judge (a regular expression, headers, query parameters), a backend Service the
 * manifests lack (a Gateway's routes often lead to Services of other repos).
 */
function viaGatewayRoute(stack: Stack, host: string, path: string): KubeRoute | undefined {
  const k = stack.kubernetes;
  const forHost = k.routes.filter((r) => r.hostnames.some((h) => hostMatches(h, host)));
  const grpc = path.startsWith('/opentelemetry.proto.');
  const preferred = forHost.filter((r) => (r.object.kind === 'GRPCRoute') === grpc);
  const routes = preferred.length > 0 ? preferred : forHost;
  if (routes.length === 0) return undefined;
  let best: { r: GatewayRoute; rule: YamlValue; score: number } | undefined;
  for (const r of routes) {
    for (const rule of r.object.value.at('spec', 'rules')?.items() ?? []) {
      const score = ruleMatch(r.object.kind, rule, path);
      if (score === 'unknown') return undefined;
      if (score !== undefined && (!best || score > best.score)) best = { r, rule, score };
    }
  }
  if (!best) return { entry: 'gateway-route', gatewayRoute: routes[0], pods: [], stop: 'no-route-match' };
  const refs = new Set(
    best.rule
      .get('backendRefs')
      ?.items()
      .map((v) => v.node),
  );
  const backends = best.r.backendRefs.filter((b) => refs.has(b.value.node) && b.kind === 'Service');
  const distinct = new Set(backends.map((b) => `${b.namespace}/${b.name}/${b.port}`));
  if (backends.length === 0 || distinct.size !== 1) return undefined;
  const r = best.r;
  const b = backends[0];
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

/**
 * How well a Gateway API route rule takes the request, as pathMatch scores it (higher wins), or undefined when it does
 * not: no `matches` takes every request; an HTTPRoute match by its path (PathPrefix by default) and method (OTLP
 * POSTs), a GRPCRoute match by its method's service and name. `unknown`: a match the doctor cannot judge.
 */
function ruleMatch(kind: string, rule: YamlValue, path: string): number | 'unknown' | undefined {
  const matches = rule.get('matches')?.items() ?? [];
  if (matches.length === 0) return 0;
  let best: number | undefined;
  for (const m of matches) {
    if (m.has('headers') || m.has('queryParams')) return 'unknown';
    let score: number | undefined;
    if (kind === 'GRPCRoute') {
      const method = m.get('method');
      if ((method?.get('type')?.text() ?? 'Exact') !== 'Exact') return 'unknown';
      const [service, name] = path.slice(1).split('/');
      const wantService = method?.get('service')?.text();
      const wantName = method?.get('method')?.text();
      const hit = (wantService === undefined || wantService === service) && (wantName === undefined || wantName === name);
      score = hit ? (wantService ? 1 : 0) + (wantName ? 1 : 0) : undefined;
    } else {
      const type = m.at('path', 'type')?.text() ?? 'PathPrefix';
      if (type !== 'PathPrefix' && type !== 'Exact') return 'unknown';
      const httpMethod = m.get('method')?.text();
      score = httpMethod && httpMethod !== 'POST' ? undefined : pathMatch(type === 'Exact' ? 'Exact' : 'Prefix', m.at('path', 'value')?.text(), path);
    }
    if (score !== undefined && (best === undefined || score > best)) best = score;
  }
  return best;
}

/** How many characters of the request path an Ingress path matches (Prefix: whole segments; Exact: all), or undefined. */
function pathMatch(pathType: string | undefined, wanted: string | undefined, path: string): number | undefined {
  const want = wanted ?? '/';
  if (pathType === 'Exact') return path === want ? want.length + 1 : undefined;
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

function viaService(
  stack: Stack,
  entry: KubeEntry,
  service: Service,
  servicePort: ServicePort | undefined,
  scope: Scope = { kubernetes: stack.kubernetes },
): KubeRoute {
  const k = scope.kubernetes;
  const chart = scope.chart ? { chart: scope.chart.input, ...(scope.chart.assumed ? { assumed: scope.chart.assumed } : {}) } : {};
  const base = { entry, service, servicePort, ...chart };
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
  const collector = scope.chart ? scope.chart.collector : runsConfig(stack, hit.workload, hit.container);
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
