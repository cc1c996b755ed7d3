import { posix } from 'node:path';
import { EmbeddedSource } from '../load/source.js';
import { YamlValue } from '../load/yaml-value.js';
import type { YamlDocument } from '../load/yaml.js';
import { isCollectorImage, splitImage } from './compose.js';
import type { CollectorEnvironment } from './collector-env.js';

/**
 * Kubernetes manifests as `kubectl apply` would read them: every object of every document (a `List`'s items too),
 * with the fields the pipeline's checks need, each kept as the located `YamlValue` it was read from. Secrets keep
 * their keys only: their values are never read into the model.
 */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  /** `metadata.name`; undefined when missing (or generated: `generateName`). */
  name?: string;
  /** `metadata.namespace`, else `default` (what `kubectl apply` without `-n` uses). */
  namespace: string;
  /** Whether the namespace was written, not defaulted. */
  namespaced: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The object itself. */
  value: YamlValue;
  file: string;
  /**
   * The root kustomization whose build made it (src/model/kustomize); undefined for an object applied as written.
   * Two overlays of one base build objects of the same names: lookups between objects stay inside one unit.
   */
  unit?: string;
}

/** The file an object is written in, for messages: its file's name, or the kustomization whose build made it. */
export function objectFile(o: KubeObject): string {
  if (!o.unit) return posix.basename(o.file);
  const parts = o.unit.split('/');
  return `the kustomize build of ${parts.slice(-2).join('/')}`;
}

/** Whether two objects can be applied together: not from two different kustomize builds (staging and prod of one base). */
export function sameUnit(a: KubeObject, b: KubeObject): boolean {
  return a.unit === undefined || b.unit === undefined || a.unit === b.unit;
}

/** Whether two objects can find each other in a cluster: the same namespace, and the same unit. */
export function sameScope(a: KubeObject, b: KubeObject): boolean {
  return a.namespace === b.namespace && sameUnit(a, b);
}

export interface ContainerPort {
  containerPort?: number;
  name?: string;
  /** TCP unless written. */
  protocol: string;
  value: YamlValue;
}

/** Where an env variable's value comes from: written, or from an object (a Secret's value the doctor never sees). */
export type EnvSource =
  | { from: 'value'; value: string }
  | { from: 'secret' | 'configMap'; name?: string; key?: string; optional: boolean }
  | { from: 'field' | 'resource'; ref?: string };

export interface EnvVar {
  name: string;
  source: EnvSource;
  value: YamlValue;
}

export interface EnvFrom {
  from: 'secret' | 'configMap';
  name?: string;
  prefix?: string;
  value: YamlValue;
}

/** A `volumes:` entry of a pod. */
export type VolumeSource =
  | { type: 'configMap' | 'secret'; name?: string; items?: { key: string; path: string }[]; value: YamlValue }
  | { type: 'other'; what: string; value: YamlValue };

export interface VolumeMount {
  mountPath: string;
  subPath?: string;
  volume: string;
  /** The pod's volume of that name; undefined when the pod has none (the API server refuses the pod). */
  source?: VolumeSource;
  value: YamlValue;
}

/** A collector config named on the command line (`--config=…` or `--config …`), as a URI or a plain path. */
export interface ConfigArg {
  /** What follows `--config`. */
  uri: string;
  /** The file it reads: a plain path or a `file:` URI; undefined for `env:`, `yaml:`, `http(s):`. */
  path?: string;
  value: YamlValue;
}

export interface Container {
  name?: string;
  image?: string;
  repository?: string;
  tag?: string;
  command: string[];
  args: string[];
  /** Collector configs the command line names (a collector image's default when it names none is not here). */
  configs: ConfigArg[];
  ports: ContainerPort[];
  env: EnvVar[];
  envFrom: EnvFrom[];
  volumeMounts: VolumeMount[];
  /** An init container (it runs to completion before the others). */
  init: boolean;
  value: YamlValue;
}

/** Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob or a bare Pod. */
export interface Workload {
  object: KubeObject;
  /** `spec.replicas` as written (a Deployment without it runs 1; a DaemonSet one per node). */
  replicas?: number;
  /** The pod template's labels (a Pod's own). */
  podLabels: Record<string, string>;
  containers: Container[];
  volumes: Map<string, VolumeSource>;
}

export interface ServicePort {
  port?: number;
  /** A number, a named container port, or undefined (then the port itself). */
  targetPort?: number | string;
  name?: string;
  protocol: string;
  appProtocol?: string;
  nodePort?: number;
  value: YamlValue;
}

export interface Service {
  object: KubeObject;
  type: string;
  selector: Record<string, string>;
  /** `clusterIP: None`: DNS names the pods, no virtual IP. */
  headless: boolean;
  ports: ServicePort[];
}

export interface IngressPath {
  host?: string;
  path?: string;
  pathType?: string;
  service?: string;
  port?: number | string;
  value: YamlValue;
}

export interface Ingress {
  object: KubeObject;
  className?: string;
  paths: IngressPath[];
  /** `nginx.ingress.kubernetes.io/backend-protocol` (GRPC, GRPCS, HTTP2…), which ingress-nginx needs for gRPC. */
  backendProtocol?: string;
}

/** A Gateway API HTTPRoute or GRPCRoute. */
export interface Route {
  object: KubeObject;
  hostnames: string[];
  backendRefs: { kind: string; name?: string; namespace: string; port?: number; value: YamlValue }[];
}

export interface MonitorEndpoint {
  port?: string;
  targetPort?: number | string;
  path: string;
  interval?: string;
  scheme?: string;
  value: YamlValue;
}

/** A Prometheus Operator ServiceMonitor or PodMonitor. */
export interface Monitor {
  object: KubeObject;
  matchLabels: Record<string, string>;
  /** Whether `matchExpressions` narrows the selector further (not evaluated here). */
  matchExpressions: boolean;
  /** Namespaces it looks in: `any`, the listed names, or its own. */
  namespaces: 'any' | string[];
  endpoints: MonitorEndpoint[];
}

/** The OpenTelemetry Operator's OpenTelemetryCollector. */
export interface OperatorCollector {
  object: KubeObject;
  /** v1alpha1 writes the config as a string, v1beta1 as an object. */
  version: string;
  mode: string;
  replicas?: number;
  image?: string;
  ports: YamlValue[];
  /** `spec.config`, a string (v1alpha1) or a map (v1beta1). */
  config?: YamlValue;
}

export interface Autoscaler {
  object: KubeObject;
  target: { kind?: string; name?: string };
  minReplicas: number;
  maxReplicas?: number;
}

export interface ConfigMap {
  object: KubeObject;
  /** `data` entries, their values located. */
  data: Map<string, YamlValue>;
  binaryKeys: string[];
}

/** A Secret: its keys and nothing else. */
export interface Secret {
  object: KubeObject;
  keys: string[];
}

export interface KubernetesModel {
  /** Every document of every manifest, those that do not parse too (their objects are not read). */
  documents: YamlDocument[];
  objects: KubeObject[];
  workloads: Workload[];
  services: Service[];
  ingresses: Ingress[];
  routes: Route[];
  monitors: Monitor[];
  operatorCollectors: OperatorCollector[];
  autoscalers: Autoscaler[];
  configMaps: ConfigMap[];
  secrets: Secret[];
}

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/** Every object of the documents (items of a `List` or `*List` included), in order. */
export function kubeObjects(docs: YamlDocument[]): KubeObject[] {
  const out: KubeObject[] = [];
  const add = (v: YamlValue) => {
    const apiVersion = v.get('apiVersion')?.string();
    const kind = v.get('kind')?.string();
    if (!apiVersion || !kind) return;
    if (/List$/.test(kind) && v.get('items')?.isList()) {
      for (const item of v.get('items')!.items()) add(item);
      return;
    }
    const meta = v.get('metadata');
    const namespace = meta?.get('namespace')?.text();
    const source = v.doc.source;
    out.push({
      apiVersion,
      kind,
      name: meta?.get('name')?.text(),
      namespace: namespace ?? 'default',
      namespaced: namespace !== undefined,
      labels: strings(meta?.get('labels')),
      annotations: strings(meta?.get('annotations')),
      value: v,
      file: v.file,
      unit: source instanceof EmbeddedSource && 'locate' in source.block ? source.host.path : undefined,
    });
  };
  for (const d of docs) if (d.problems.length === 0) add(YamlValue.root(d));
  return out;
}

/**
 * The model of these documents. Files a kustomization names as patches hold partial objects (a Deployment with only
 * its args, say): their objects are listed, and their ConfigMaps read, but they are no workloads, Services or
 * monitors of their own. Kustomize builds the doctor models (`built`) stand in for the files they read.
 */
export function loadKubernetes(
  docs: YamlDocument[],
  patchFiles: ReadonlySet<string> = new Set(),
  built: { documents: YamlDocument[]; replaces: ReadonlySet<string> } = { documents: [], replaces: new Set() },
): KubernetesModel {
  const objects = kubeObjects([...docs.filter((d) => !built.replaces.has(d.source.path)), ...built.documents]);
  const whole = objects.filter((o) => !patchFiles.has(o.file));
  const of = (...kinds: string[]) => whole.filter((o) => kinds.includes(o.kind));
  return {
    documents: docs,
    objects,
    workloads: whole.filter((o) => WORKLOAD_KINDS.has(o.kind)).map(workload),
    services: of('Service').map(service),
    ingresses: of('Ingress').map(ingress),
    routes: of('HTTPRoute', 'GRPCRoute').map(route),
    monitors: of('ServiceMonitor', 'PodMonitor').map(monitor),
    operatorCollectors: whole.filter((o) => o.kind === 'OpenTelemetryCollector' && o.apiVersion.startsWith('opentelemetry.io/')).map(operatorCollector),
    autoscalers: of('HorizontalPodAutoscaler').map(autoscaler),
    configMaps: objects
      .filter((o) => o.kind === 'ConfigMap')
      .map((object) => ({
        object,
        data: new Map(object.value.get('data')?.entries() ?? []),
        binaryKeys: object.value.get('binaryData')?.keys() ?? [],
      })),
    // Keys only: `data` and `stringData` values never enter the model.
    secrets: of('Secret').map((object) => ({ object, keys: [...new Set(['data', 'stringData'].flatMap((k) => object.value.get(k)?.keys() ?? []))] })),
  };
}

/** The string entries of a map (labels, annotations, selectors); a number or boolean as YAML typed it, in text. */
function strings(v: YamlValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, e] of v?.entries() ?? []) {
    const t = e.text();
    if (t !== undefined) out[k] = t;
  }
  return out;
}

const texts = (v: YamlValue | undefined): string[] => (v?.items() ?? []).flatMap((i) => i.text() ?? []);

/** A port written as a number or a name (`targetPort: otlp-grpc`). */
function portRef(v: YamlValue | undefined): number | string | undefined {
  return v?.number() ?? v?.string();
}

function workload(object: KubeObject): Workload {
  const spec = object.value.get('spec');
  // A CronJob's pod is two templates down; a Pod is its own.
  const podTemplate = object.kind === 'Pod' ? object.value : object.kind === 'CronJob' ? spec?.at('jobTemplate', 'spec', 'template') : spec?.get('template');
  const pod = object.kind === 'Pod' ? spec : podTemplate?.get('spec');
  const volumes = new Map<string, VolumeSource>();
  for (const v of pod?.get('volumes')?.items() ?? []) {
    const name = v.get('name')?.text();
    if (name) volumes.set(name, volumeSource(v));
  }
  const containers = [
    ...(pod?.get('initContainers')?.items() ?? []).map((c) => container(c, volumes, true)),
    ...(pod?.get('containers')?.items() ?? []).map((c) => container(c, volumes, false)),
  ];
  return {
    object,
    replicas: spec?.get('replicas')?.number(),
    podLabels: object.kind === 'Pod' ? object.labels : strings(podTemplate?.at('metadata', 'labels')),
    containers,
    volumes,
  };
}

function volumeSource(v: YamlValue): VolumeSource {
  const cm = v.get('configMap');
  const secret = v.get('secret');
  const src = cm ?? secret;
  if (src) {
    const items = src
      .get('items')
      ?.items()
      .flatMap((i) => {
        const key = i.get('key')?.text();
        const path = i.get('path')?.text();
        return key && path ? [{ key, path }] : [];
      });
    return { type: cm ? 'configMap' : 'secret', name: (cm ? src.get('name') : src.get('secretName'))?.text(), items, value: v };
  }
  return { type: 'other', what: v.keys().find((k) => k !== 'name') ?? 'unknown', value: v };
}

function container(c: YamlValue, volumes: Map<string, VolumeSource>, init: boolean): Container {
  const image = c.get('image')?.text();
  const { repository, tag } = image ? splitImage(image) : { repository: undefined, tag: undefined };
  const command = texts(c.get('command'));
  const args = texts(c.get('args'));
  return {
    name: c.get('name')?.text(),
    image,
    repository,
    tag,
    command,
    args,
    configs: configArgs([...(c.get('command')?.items() ?? []), ...(c.get('args')?.items() ?? [])]),
    ports: (c.get('ports')?.items() ?? []).map((p) => ({
      containerPort: p.get('containerPort')?.number(),
      name: p.get('name')?.text(),
      protocol: p.get('protocol')?.text() ?? 'TCP',
      value: p,
    })),
    env: (c.get('env')?.items() ?? []).flatMap((e) => {
      const name = e.get('name')?.text();
      return name ? [{ name, source: envSource(e), value: e }] : [];
    }),
    envFrom: (c.get('envFrom')?.items() ?? []).flatMap((e): EnvFrom[] => {
      const ref = e.get('secretRef') ?? e.get('configMapRef');
      if (!ref) return [];
      return [{ from: e.has('secretRef') ? 'secret' : 'configMap', name: ref.get('name')?.text(), prefix: e.get('prefix')?.text(), value: e }];
    }),
    volumeMounts: (c.get('volumeMounts')?.items() ?? []).flatMap((m) => {
      const mountPath = m.get('mountPath')?.text();
      const volume = m.get('name')?.text();
      if (!mountPath || !volume) return [];
      return [{ mountPath, subPath: m.get('subPath')?.text(), volume, source: volumes.get(volume), value: m }];
    }),
    init,
    value: c,
  };
}

function envSource(e: YamlValue): EnvSource {
  const from = e.get('valueFrom');
  const ref = (key: string) => from?.get(key);
  const secret = ref('secretKeyRef');
  const cm = ref('configMapKeyRef');
  if (secret || cm) {
    const r = (secret ?? cm)!;
    return { from: secret ? 'secret' : 'configMap', name: r.get('name')?.text(), key: r.get('key')?.text(), optional: r.get('optional')?.boolean() === true };
  }
  if (ref('fieldRef')) return { from: 'field', ref: ref('fieldRef')?.get('fieldPath')?.text() };
  if (ref('resourceFieldRef')) return { from: 'resource', ref: ref('resourceFieldRef')?.get('resource')?.text() };
  return { from: 'value', value: e.get('value')?.text() ?? '' };
}

/**
 * `--config=X` and `--config X` (one or two items), as the collector's flag parser reads them; several are merged
 * by the collector in order. `file:` URIs and plain paths name a file; `env:`, `yaml:` and `http(s):` do not.
 */
function configArgs(items: YamlValue[]): ConfigArg[] {
  const out: ConfigArg[] = [];
  items.forEach((item, i) => {
    const t = item.text() ?? '';
    const m = /^--?config(?:=(.*))?$/.exec(t);
    if (!m) return;
    const uri = m[1] ?? items[i + 1]?.text();
    if (uri === undefined) return;
    const value = m[1] !== undefined ? item : items[i + 1];
    const scheme = /^([a-z][a-z0-9+.-]*):/.exec(uri)?.[1];
    const path = !scheme ? uri : scheme === 'file' ? uri.slice('file:'.length) : undefined;
    out.push({ uri, path, value });
  });
  return out;
}

function service(object: KubeObject): Service {
  const spec = object.value.get('spec');
  return {
    object,
    type: spec?.get('type')?.text() ?? 'ClusterIP',
    selector: strings(spec?.get('selector')),
    headless: spec?.get('clusterIP')?.text() === 'None',
    ports: (spec?.get('ports')?.items() ?? []).map((p) => ({
      port: p.get('port')?.number(),
      targetPort: portRef(p.get('targetPort')),
      name: p.get('name')?.text(),
      protocol: p.get('protocol')?.text() ?? 'TCP',
      appProtocol: p.get('appProtocol')?.text(),
      nodePort: p.get('nodePort')?.number(),
      value: p,
    })),
  };
}

function ingress(object: KubeObject): Ingress {
  const spec = object.value.get('spec');
  const paths: IngressPath[] = [];
  const backend = (b: YamlValue | undefined) => ({
    service: b?.at('service', 'name')?.text(),
    port: b?.at('service', 'port', 'number')?.number() ?? b?.at('service', 'port', 'name')?.text(),
  });
  const fallback = spec?.get('defaultBackend');
  if (fallback) paths.push({ ...backend(fallback), value: fallback });
  for (const rule of spec?.get('rules')?.items() ?? []) {
    const host = rule.get('host')?.text();
    for (const p of rule.at('http', 'paths')?.items() ?? [])
      paths.push({ host, path: p.get('path')?.text(), pathType: p.get('pathType')?.text(), ...backend(p.get('backend')), value: p });
  }
  return {
    object,
    className: spec?.get('ingressClassName')?.text() ?? object.annotations['kubernetes.io/ingress.class'],
    paths,
    backendProtocol: object.annotations['nginx.ingress.kubernetes.io/backend-protocol'],
  };
}

function route(object: KubeObject): Route {
  const spec = object.value.get('spec');
  return {
    object,
    hostnames: texts(spec?.get('hostnames')),
    backendRefs: (spec?.get('rules')?.items() ?? []).flatMap((r) =>
      (r.get('backendRefs')?.items() ?? []).map((b) => ({
        kind: b.get('kind')?.text() ?? 'Service',
        name: b.get('name')?.text(),
        namespace: b.get('namespace')?.text() ?? object.namespace,
        port: b.get('port')?.number(),
        value: b,
      })),
    ),
  };
}

function monitor(object: KubeObject): Monitor {
  const spec = object.value.get('spec');
  const ns = spec?.get('namespaceSelector');
  const endpoints = spec?.get(object.kind === 'PodMonitor' ? 'podMetricsEndpoints' : 'endpoints');
  return {
    object,
    matchLabels: strings(spec?.at('selector', 'matchLabels')),
    matchExpressions: (spec?.at('selector', 'matchExpressions')?.items().length ?? 0) > 0,
    namespaces: ns?.get('any')?.boolean() ? 'any' : ns?.get('matchNames') ? texts(ns.get('matchNames')) : [object.namespace],
    endpoints: (endpoints?.items() ?? []).map((e) => ({
      port: e.get('port')?.text(),
      targetPort: portRef(e.get('targetPort')),
      path: e.get('path')?.text() ?? '/metrics',
      interval: e.get('interval')?.text(),
      scheme: e.get('scheme')?.text(),
      value: e,
    })),
  };
}

function operatorCollector(object: KubeObject): OperatorCollector {
  const spec = object.value.get('spec');
  return {
    object,
    version: object.apiVersion.split('/')[1] ?? '',
    mode: spec?.get('mode')?.text() ?? 'deployment',
    replicas: spec?.get('replicas')?.number(),
    image: spec?.get('image')?.text(),
    ports: spec?.get('ports')?.items() ?? [],
    config: spec?.get('config'),
  };
}

function autoscaler(object: KubeObject): Autoscaler {
  const spec = object.value.get('spec');
  return {
    object,
    target: { kind: spec?.at('scaleTargetRef', 'kind')?.text(), name: spec?.at('scaleTargetRef', 'name')?.text() },
    minReplicas: spec?.get('minReplicas')?.number() ?? 1,
    maxReplicas: spec?.get('maxReplicas')?.number(),
  };
}

/** Containers running an OpenTelemetry Collector image, with their workload. */
export function collectorContainers(k: KubernetesModel): { workload: Workload; container: Container }[] {
  return k.workloads.flatMap((workload) => workload.containers.filter((c) => isCollectorImage(c.repository)).map((container) => ({ workload, container })));
}

/**
 * What a container sees at a path through its mounts: the ConfigMap or Secret key a mounted file comes from. A
 * volume mounts every key as a file named after it (or the `items` listed, at their paths); `subPath` mounts one.
 */
export function mountedKey(c: Container, path: string): { mount: VolumeMount; type: 'configMap' | 'secret'; name?: string; key: string } | undefined {
  for (const mount of c.volumeMounts) {
    const src = mount.source;
    if (!src || src.type === 'other') continue;
    const dir = mount.mountPath.replace(/\/+$/, '');
    let rel: string | undefined;
    if (mount.subPath !== undefined) rel = path === dir ? mount.subPath : undefined;
    else if (path.startsWith(`${dir}/`)) rel = path.slice(dir.length + 1);
    if (rel === undefined) continue;
    const key = src.items ? src.items.find((i) => i.path === rel)?.key : rel.includes('/') ? undefined : rel;
    if (key !== undefined) return { mount, type: src.type, name: src.name, key };
  }
  return undefined;
}

/**
 * The environment of the one collector container in the manifests, as the collector sees it: written values, and
 * variables from a Secret, a ConfigMap or the downward API as set with a value the doctor does not know. Undefined
 * when there is not exactly one collector container, or it takes variables wholesale (`envFrom`), which the doctor
 * cannot list.
 */
export function collectorContainerEnvironment(k: KubernetesModel): CollectorEnvironment | undefined {
  const found = collectorContainers(k).filter(({ container }) => !container.init);
  if (found.length !== 1 || found[0].container.envFrom.length > 0) return undefined;
  const { workload, container } = found[0];
  const variables = new Map<string, string | undefined>();
  for (const e of container.env) variables.set(e.name, e.source.from === 'value' ? e.source.value : undefined);
  return { variables, evidence: `the environment of container "${container.name ?? '?'}" of ${workload.object.kind} "${workload.object.name ?? '?'}"` };
}

/**
 * The files kustomization files name as patches (`patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`),
 * resolved against each kustomization's folder.
 */
export function kustomizePatchFiles(kustomizations: YamlDocument[]): Set<string> {
  const out = new Set<string>();
  for (const y of kustomizations) {
    const root = YamlValue.root(y);
    const dir = y.source.path.slice(0, y.source.path.lastIndexOf('/'));
    const paths = [
      ...(root.get('patchesStrategicMerge')?.items() ?? []).map((i) => i.string()),
      ...['patches', 'patchesJson6902'].flatMap((k) => (root.get(k)?.items() ?? []).map((i) => i.get('path')?.string())),
    ];
    for (const p of paths) if (p && !p.includes('\n')) out.add(posix.normalize(p.startsWith('/') ? p : `${dir}/${p}`));
  }
  return out;
}

/** Workloads of the Service's namespace whose pod labels carry every label of its selector. */
export function selectedPods(k: KubernetesModel, s: Service): Workload[] {
  const selector = Object.entries(s.selector);
  if (selector.length === 0) return [];
  return k.workloads.filter((w) => sameScope(w.object, s.object) && selector.every(([key, v]) => w.podLabels[key] === v));
}
