import { EmbeddedSource } from '../load/source.js';
import type { YamlValue } from '../load/yaml-value.js';
import { parseYaml } from '../load/yaml.js';
import {
  type Container,
  type KubeObject,
  type KubernetesModel,
  type Monitor,
  type MonitorEndpoint,
  type Service,
  type ServicePort,
  sameUnit,
  selectedPods,
  type Workload,
} from './kubernetes.js';
import { loadPrometheus, parsePromDuration, type PrometheusConfig } from './prometheus.js';

/**
 * The scrape jobs the Prometheus Operator (v0.85) generates from ServiceMonitors and PodMonitors, as its
 * ConfigGenerator writes them into prometheus.yml: which monitors a Prometheus selects, and per endpoint the job's
 * name, interval, timeout, path, scheme, honor_labels, discovery role and namespaces, and the `keep` relabelings that
 * select Services (or pods) by label and the endpoint's port. Checked field by field against the operator's own code
 * (test/oracles/operator-scrape-differential.test.ts). The jobs are rendered as a prometheus.yml of their own per
 * manifest file, whose positions land on the monitor's fields, so the Prometheus rules judge them like a written one.
 */

export interface LabelRequirement {
  key: string;
  operator: string;
  values: string[];
}

/** A `metav1.LabelSelector`. */
export interface LabelSelector {
  matchLabels: Record<string, string>;
  matchExpressions: LabelRequirement[];
}

/** The monitoring.coreos.com/v1 Prometheus the jobs are generated for: one of the manifests, or the assumed one. */
export interface OperatorPrometheus {
  /** Undefined when no Prometheus object is in the manifests (then every monitor is assumed selected). */
  object?: KubeObject;
  name: string;
  namespace: string;
  /** Null: the field is unset, which selects no monitor (a namespace selector: the Prometheus's own namespace). */
  serviceMonitorSelector: LabelSelector | null;
  serviceMonitorNamespaceSelector: LabelSelector | null;
  podMonitorSelector: LabelSelector | null;
  podMonitorNamespaceSelector: LabelSelector | null;
  /** `spec.scrapeInterval`, else 30s (the CRD's default). */
  scrapeInterval: string;
  scrapeTimeout?: string;
  /** `serviceDiscoveryRole: EndpointSlice` gives ServiceMonitors role endpointslice. */
  endpointSlice: boolean;
  overrideHonorLabels: boolean;
  ignoreNamespaceSelectors: boolean;
}

/** How an endpoint picks its port: a Service port's (or container port's) name, or a container port's number or name. */
export type MonitorPort = { by: 'name'; name: string } | { by: 'containerPort'; port: number | string } | { by: 'none' };

export interface GeneratedJob {
  name: string;
  monitor: Monitor;
  endpoint: MonitorEndpoint;
  role: 'endpoints' | 'endpointslice' | 'pod';
  /** The namespaces discovered in; undefined: every namespace. */
  namespaces?: string[];
  interval?: string;
  timeout?: string;
  path?: string;
  scheme?: string;
  honorLabels: boolean;
  port: MonitorPort;
  /** The `keep` relabelings on the selector's labels and the port (the operator's order). */
  keeps: { sourceLabels: string[]; regex: string }[];
}

export interface Generated {
  jobs: GeneratedJob[];
  /** Monitors the Prometheus selects but the operator refuses, with the reason it logs. */
  rejected: { monitor: Monitor; reason: string }[];
  /**
   * Monitors its labels select in a namespace no Namespace object here describes, whose labels its namespace selector
   * asks for: not selected here (as the oracle reads an unknown namespace), though the cluster's may carry them.
   */
  uncertain: Monitor[];
}

/** One manifest file's generated jobs for one Prometheus, as a prometheus.yml whose positions land in that file. */
export interface OperatorScrapeConfig {
  prometheus: OperatorPrometheus;
  /** The manifest the config's positions land in. */
  file: string;
  jobs: GeneratedJob[];
  /** The Prometheus's `Generated.uncertain` monitors (every file's). */
  uncertain: Monitor[];
  source: EmbeddedSource;
  config: PrometheusConfig;
}

const MONITORING = 'monitoring.coreos.com/v1';

/** The selector as written; null when absent or null. */
export function labelSelector(v: YamlValue | undefined): LabelSelector | null {
  if (!v || v.isNull() || !v.isMap()) return null;
  const matchLabels: Record<string, string> = {};
  for (const [k, e] of v.get('matchLabels')?.entries() ?? []) matchLabels[k] = e.text() ?? '';
  const matchExpressions = (v.get('matchExpressions')?.items() ?? []).map((e) => ({
    key: e.get('key')?.text() ?? '',
    operator: e.get('operator')?.text() ?? '',
    values: (e.get('values')?.items() ?? []).map((x) => x.text() ?? ''),
  }));
  return { matchLabels, matchExpressions };
}

/** Whether labels satisfy a selector, as Kubernetes evaluates it (the operator selects monitors this way). */
export function selectorMatches(s: LabelSelector, labels: Record<string, string>): boolean {
  return (
    Object.entries(s.matchLabels).every(([k, v]) => labels[k] === v) &&
    s.matchExpressions.every((r) => {
      const has = Object.hasOwn(labels, r.key);
      if (r.operator === 'In') return has && r.values.includes(labels[r.key]);
      if (r.operator === 'NotIn') return !has || !r.values.includes(labels[r.key]);
      if (r.operator === 'Exists') return has;
      if (r.operator === 'DoesNotExist') return !has;
      return false;
    })
  );
}

/**
 * Whether a Service's (or pod's) labels pass the relabelings the operator writes for a monitor's selector. Its
 * NotIn relabeling drops on a label named "true" (v0.85.0, held by the differential test), so NotIn does not narrow.
 */
export function relabelMatches(s: LabelSelector, labels: Record<string, string>): boolean {
  return selectorMatches({ ...s, matchExpressions: s.matchExpressions.filter((r) => r.operator !== 'NotIn') }, labels);
}

/** The Prometheus objects of the manifests; when there is none but monitors are, the one assumed (see `assumedPrometheus`). */
export function operatorPrometheuses(k: KubernetesModel): OperatorPrometheus[] {
  const found = k.objects.filter((o) => o.apiVersion === MONITORING && o.kind === 'Prometheus').map(readPrometheus);
  if (found.length > 0) return found;
  return k.monitors.length > 0 ? [assumedPrometheus()] : [];
}

/**
 * No Prometheus in the manifests: one that selects every monitor in every namespace, as kube-prometheus-stack does with
 * `*SelectorNilUsesHelmValues: false` (its default selects only monitors labelled `release: <release>`).
 */
export function assumedPrometheus(): OperatorPrometheus {
  const all: LabelSelector = { matchLabels: {}, matchExpressions: [] };
  return {
    name: 'kube-prometheus-stack-prometheus',
    namespace: 'monitoring',
    serviceMonitorSelector: all,
    serviceMonitorNamespaceSelector: all,
    podMonitorSelector: all,
    podMonitorNamespaceSelector: all,
    scrapeInterval: '30s',
    endpointSlice: false,
    overrideHonorLabels: false,
    ignoreNamespaceSelectors: false,
  };
}

function readPrometheus(object: KubeObject): OperatorPrometheus {
  const spec = object.value.get('spec');
  return {
    object,
    name: object.name ?? '',
    namespace: object.namespace,
    serviceMonitorSelector: labelSelector(spec?.get('serviceMonitorSelector')),
    serviceMonitorNamespaceSelector: labelSelector(spec?.get('serviceMonitorNamespaceSelector')),
    podMonitorSelector: labelSelector(spec?.get('podMonitorSelector')),
    podMonitorNamespaceSelector: labelSelector(spec?.get('podMonitorNamespaceSelector')),
    scrapeInterval: spec?.get('scrapeInterval')?.text() ?? '30s',
    scrapeTimeout: spec?.get('scrapeTimeout')?.text(),
    endpointSlice: spec?.get('serviceDiscoveryRole')?.text() === 'EndpointSlice',
    overrideHonorLabels: spec?.get('overrideHonorLabels')?.boolean() === true,
    ignoreNamespaceSelectors: spec?.get('ignoreNamespaceSelectors')?.boolean() === true,
  };
}

/**
 * The labels of every namespace: the Namespace objects', and (with none written) every namespace an object names.
 * The API server labels each with `kubernetes.io/metadata.name`.
 */
function namespaceLabels(k: KubernetesModel, p: OperatorPrometheus): { labels: Map<string, Record<string, string>>; described: Set<string> } {
  const labels = new Map<string, Record<string, string>>();
  for (const o of k.objects) if (o.kind === 'Namespace' && o.apiVersion === 'v1' && o.name) labels.set(o.name, o.labels);
  const described = new Set(labels.keys());
  for (const ns of [p.namespace, ...k.objects.map((o) => o.namespace)]) if (!labels.has(ns)) labels.set(ns, {});
  for (const [name, l] of labels) labels.set(name, { 'kubernetes.io/metadata.name': name, ...l });
  return { labels, described };
}

/** The jobs the operator generates for a Prometheus from the monitors of the manifests. */
export function generateJobs(k: KubernetesModel, p: OperatorPrometheus): Generated {
  const namespaces = namespaceLabels(k, p);
  const uncertain: Monitor[] = [];
  const selected = (m: Monitor) => {
    const service = m.object.kind === 'ServiceMonitor';
    const sel = service ? p.serviceMonitorSelector : p.podMonitorSelector;
    const nsSel = service ? p.serviceMonitorNamespaceSelector : p.podMonitorNamespaceSelector;
    if (!sel || !selectorMatches(sel, m.object.labels)) return false;
    if (!nsSel) return m.object.namespace === p.namespace;
    const hit = selectorMatches(nsSel, namespaces.labels.get(m.object.namespace) ?? {});
    if (!hit && !namespaces.described.has(m.object.namespace)) uncertain.push(m);
    return hit;
  };
  const key = (m: Monitor) => `${m.object.namespace}/${m.object.name ?? ''}`;
  const monitors = k.monitors
    .filter((m) => m.object.apiVersion === MONITORING && m.object.name !== undefined && selected(m))
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const out: Generated = { jobs: [], rejected: [], uncertain };
  // The operator writes every ServiceMonitor's jobs, then every PodMonitor's.
  for (const kind of ['ServiceMonitor', 'PodMonitor']) {
    for (const m of monitors.filter((x) => x.object.kind === kind)) {
      const reason = rejection(p, m);
      if (reason) out.rejected.push({ monitor: m, reason });
      else out.jobs.push(...m.endpoints.map((e, i) => generateJob(p, m, e, i)));
    }
  }
  return out;
}

/** Why the operator refuses a monitor (its resource selector's checks that the rules here need), if it does. */
function rejection(p: OperatorPrometheus, m: Monitor): string | undefined {
  for (const [i, e] of m.endpoints.entries()) {
    const interval = parsePromDuration(e.interval ?? p.scrapeInterval);
    const timeout = e.value.get('scrapeTimeout')?.text();
    const seconds = timeout === undefined ? undefined : parsePromDuration(timeout);
    if (interval !== undefined && seconds !== undefined && seconds > interval)
      return `endpoints[${i}]: scrapeTimeout "${timeout}" greater than scrapeInterval "${e.interval ?? p.scrapeInterval}"`;
  }
  return undefined;
}

/** A label name as the operator writes it into a meta label (`app.kubernetes.io/name` → `app_kubernetes_io_name`). */
const sanitize = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, '_');

function generateJob(p: OperatorPrometheus, m: Monitor, e: MonitorEndpoint, i: number): GeneratedJob {
  const pod = m.object.kind === 'PodMonitor';
  const spec = m.object.value.get('spec');
  const selector = labelSelector(spec?.get('selector')) ?? { matchLabels: {}, matchExpressions: [] };
  const role = pod ? 'pod' : p.endpointSlice ? 'endpointslice' : 'endpoints';
  const subject = pod ? 'pod' : 'service';
  const keeps: GeneratedJob['keeps'] = [];
  for (const [k, v] of Object.entries(selector.matchLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    keeps.push({
      sourceLabels: [`__meta_kubernetes_${subject}_label_${sanitize(k)}`, `__meta_kubernetes_${subject}_labelpresent_${sanitize(k)}`],
      regex: `(${v});true`,
    });
  for (const r of selector.matchExpressions) {
    if (r.operator === 'In')
      keeps.push({
        sourceLabels: [`__meta_kubernetes_${subject}_label_${sanitize(r.key)}`, `__meta_kubernetes_${subject}_labelpresent_${sanitize(r.key)}`],
        regex: `(${r.values.join('|')});true`,
      });
    else if (r.operator === 'Exists') keeps.push({ sourceLabels: [`__meta_kubernetes_${subject}_labelpresent_${sanitize(r.key)}`], regex: 'true' });
  }
  const port = monitorPort(m, e);
  const portLabel = pod ? 'pod_container_port_name' : p.endpointSlice ? 'endpointslice_port_name' : 'endpoint_port_name';
  if (port.by === 'name') keeps.push({ sourceLabels: [`__meta_kubernetes_${portLabel}`], regex: port.name });
  else if (port.by === 'containerPort')
    keeps.push({
      sourceLabels: [`__meta_kubernetes_pod_container_port_${typeof port.port === 'number' ? 'number' : 'name'}`],
      regex: String(port.port),
    });
  const ns = spec?.get('namespaceSelector');
  const any = ns?.get('any')?.boolean() === true && !p.ignoreNamespaceSelectors;
  const names = p.ignoreNamespaceSelectors
    ? undefined
    : ns
        ?.get('matchNames')
        ?.items()
        .map((n) => n.text() ?? '');
  return {
    name: `${pod ? 'podMonitor' : 'serviceMonitor'}/${m.object.namespace}/${m.object.name}/${i}`,
    monitor: m,
    endpoint: e,
    role,
    namespaces: any ? undefined : names && names.length > 0 ? names : [m.object.namespace],
    interval: e.interval,
    timeout: e.value.get('scrapeTimeout')?.text(),
    path: e.value.get('path')?.text(),
    scheme: e.scheme,
    honorLabels: !p.overrideHonorLabels && e.value.get('honorLabels')?.boolean() === true,
    port,
    keeps,
  };
}

/** The endpoint's port: `port` (a name) first, then a PodMonitor's `portNumber`, then the deprecated `targetPort`. */
function monitorPort(m: Monitor, e: MonitorEndpoint): MonitorPort {
  if (e.port) return { by: 'name', name: e.port };
  const number = m.object.kind === 'PodMonitor' ? e.value.get('portNumber')?.number() : undefined;
  if (number !== undefined) return { by: 'containerPort', port: number };
  if (e.targetPort !== undefined && e.targetPort !== 0 && e.targetPort !== '') return { by: 'containerPort', port: e.targetPort };
  return { by: 'none' };
}

/** Every Prometheus's generated jobs, as one prometheus.yml per manifest file (the Prometheus's own file too). */
export function operatorScrapeConfigs(k: KubernetesModel): OperatorScrapeConfig[] {
  return operatorPrometheuses(k).flatMap((p, n) => {
    const { jobs, uncertain } = generateJobs(k, p);
    const files = [...new Set([...(p.object ? [p.object.file] : []), ...jobs.map((j) => j.monitor.object.file)])];
    return files.map((file) => {
      const own = jobs.filter((j) => j.monitor.object.file === file);
      const host = p.object?.file === file ? p.object.value : own[0].monitor.object.value;
      const where = p.object ? `Prometheus/${p.object.namespace}/${p.name}` : `Prometheus/assumed-${n}`;
      const source = renderConfig(`${file}#${where}/scrape_configs`, host, p, own);
      const config = loadPrometheus(parseYaml(source));
      return { prometheus: p, file, jobs: own, uncertain, source, config };
    });
  });
}

/**
 * The jobs as prometheus.yml text, each line mapped to the value of the manifest it comes from (the endpoint's
 * interval, port, path...); a line with none there (the Prometheus's defaults, a value of another file) maps to the
 * object the config is hosted in.
 */
function renderConfig(path: string, host: YamlValue, p: OperatorPrometheus, jobs: GeneratedJob[]): EmbeddedSource {
  const lines: string[] = [];
  // Each line's value (after `key: `) maps onto the manifest's value from its start; the key onto that start too.
  const spans: { start: number; end: number; value: number; to?: YamlValue }[] = [];
  let offset = 0;
  const line = (text: string, to?: YamlValue) => {
    const mapped = to && to.file === host.file && to.node?.range ? to : undefined;
    const colon = text.indexOf(': ');
    spans.push({ start: offset, end: offset + text.length, value: offset + (colon < 0 ? 0 : colon + 2), to: mapped });
    lines.push(text);
    offset += text.length + 1;
  };
  const q = (s: string) => JSON.stringify(s);
  const spec = p.object?.value.get('spec');
  line('global:', spec);
  line(`  scrape_interval: ${q(p.scrapeInterval)}`, spec?.get('scrapeInterval'));
  if (p.scrapeTimeout !== undefined) line(`  scrape_timeout: ${q(p.scrapeTimeout)}`, spec?.get('scrapeTimeout'));
  line(jobs.length > 0 ? 'scrape_configs:' : 'scrape_configs: []', spec);
  for (const j of jobs) {
    const e = j.endpoint.value;
    line(`  - job_name: ${q(j.name)}`, e);
    line(`    honor_labels: ${j.honorLabels}`, e.get('honorLabels') ?? e);
    if (j.interval !== undefined) line(`    scrape_interval: ${q(j.interval)}`, e.get('interval'));
    if (j.timeout !== undefined) line(`    scrape_timeout: ${q(j.timeout)}`, e.get('scrapeTimeout'));
    if (j.path !== undefined) line(`    metrics_path: ${q(j.path)}`, e.get('path'));
    if (j.scheme !== undefined) line(`    scheme: ${q(j.scheme)}`, e.get('scheme'));
    const ns = j.monitor.object.value.at('spec', 'namespaceSelector');
    line('    kubernetes_sd_configs:', ns ?? e);
    line(`      - role: ${j.role}`, ns ?? e);
    if (j.namespaces) line(`        namespaces: {names: [${j.namespaces.map(q).join(', ')}]}`, ns ?? j.monitor.object.value.get('metadata'));
    line(j.keeps.length > 0 ? '    relabel_configs:' : '    relabel_configs: []', e);
    const selector = j.monitor.object.value.at('spec', 'selector');
    const portValue = e.get('port') ?? e.get('portNumber') ?? e.get('targetPort') ?? e;
    for (const keep of j.keeps) {
      const to = keep.sourceLabels[0].includes('_port_') ? portValue : selector;
      line(`      - action: keep`, to);
      line(`        source_labels: [${keep.sourceLabels.map(q).join(', ')}]`, to);
      line(`        regex: ${q(keep.regex)}`, to);
    }
  }
  const text = `${lines.join('\n')}\n`;
  const fallback = host.node?.range?.[0] ?? 0;
  const offsetOf = (o: number): number => {
    const span = spans.find((s) => s.start <= o && o <= s.end);
    const range = span?.to?.node?.range;
    if (!span || !range) return fallback;
    return range[0] + Math.min(Math.max(0, o - span.value), range[1] - range[0]);
  };
  return new EmbeddedSource(path, text, host.doc.source, { offsetOf });
}

/** Where a job's targets lead in the manifests: the container and port each target scrapes. */
export interface MonitorTarget {
  workload: Workload;
  container: Container;
  /** The container port scraped; undefined when the manifests do not say it. */
  port?: number;
  service?: Service;
  servicePort?: ServicePort;
}

/**
 * The targets a generated job discovers among the manifests' objects, and whether they are all it discovers: a
 * selector that matches no Service (or pod) here may match one elsewhere in the cluster. `noSuchPort`: the Services a
 * ServiceMonitor selects here have no port of the endpoint's name (kubernetes/monitor-selects-nothing's finding).
 */
export function jobTargets(k: KubernetesModel, j: GeneratedJob): { targets: MonitorTarget[]; complete: boolean; noSuchPort: boolean } {
  const selector = labelSelector(j.monitor.object.value.at('spec', 'selector')) ?? { matchLabels: {}, matchExpressions: [] };
  const inScope = (ns: string) => j.namespaces === undefined || j.namespaces.includes(ns);
  const containers = (w: Workload) => w.containers.filter((c) => !c.init);
  const targets: MonitorTarget[] = [];
  if (j.role === 'pod') {
    const pods = k.workloads.filter((w) => inScope(w.object.namespace) && sameUnit(w.object, j.monitor.object) && relabelMatches(selector, w.podLabels));
    for (const workload of pods)
      for (const container of containers(workload))
        for (const cp of container.ports) {
          const hit = j.port.by === 'name' ? cp.name === j.port.name : j.port.by === 'containerPort' ? portIs(cp, j.port.port) : true;
          if (hit) targets.push({ workload, container, port: cp.containerPort });
        }
    return { targets, complete: pods.length > 0, noSuchPort: false };
  }
  const services = k.services.filter((s) => inScope(s.object.namespace) && sameUnit(s.object, j.monitor.object) && relabelMatches(selector, s.object.labels));
  for (const service of services) {
    const pods = selectedPods(k, service);
    for (const servicePort of service.ports) {
      if (j.port.by === 'name' && servicePort.name !== j.port.name) continue;
      const target = servicePort.targetPort ?? servicePort.port;
      for (const workload of pods)
        for (const container of containers(workload)) {
          const declared = container.ports.find((cp) => (typeof target === 'string' ? cp.name === target : cp.containerPort === target));
          if (typeof target === 'string' && !declared) continue;
          const port = declared?.containerPort ?? (typeof target === 'number' ? target : undefined);
          if (j.port.by === 'containerPort' && !(declared && portIs(declared, j.port.port))) continue;
          // An undeclared numeric port: whichever container listens there; only one container can be meant.
          if (!declared && containers(workload).length > 1) continue;
          targets.push({ workload, container, port, service, servicePort });
        }
    }
  }
  const port = j.port;
  const noSuchPort = port.by === 'name' && services.length > 0 && !services.some((s) => s.ports.some((p) => p.name === port.name));
  return { targets, complete: services.length > 0, noSuchPort };
}

const portIs = (cp: { containerPort?: number; name?: string }, port: number | string) =>
  typeof port === 'number' ? cp.containerPort === port : cp.name === port;
