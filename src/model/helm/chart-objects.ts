// The Kubernetes objects the OpenTelemetry Collector chart renders from a values file (its Service, workload, HPA,
// ingresses, monitors), as manifests the Kubernetes model reads like any: the cross-object logic (routes, replicas,
// monitors) follows them as it follows written manifests. Their text is derived, not written: each position maps into
// the values file, at the value that set it, else the nearest key the user wrote on its way (`ports:` for a default port).
import { stringify } from 'yaml';
import type { Node } from 'yaml';
import { EmbeddedSource, SourceFile } from '../../load/source.js';
import { YamlValue } from '../../load/yaml-value.js';
import { nodeAtOffset, parseYaml, type YamlDocument, type YamlPath } from '../../load/yaml.js';
import { type KubernetesModel, loadKubernetes } from '../kubernetes.js';
import { CHART_DEFAULTS } from './collector-chart-defaults.js';
import { type CollectorChartReading, readCollectorChartValues } from './collector-chart.js';
import { hostSpan } from './embedded.js';
import { isEmpty, isPlainMap, type Plain, type PlainMap } from './merge.js';

type ValuesPath = (string | number)[];

/** One object: its content, and the values path each of its paths comes from. */
interface Manifest {
  object: PlainMap;
  origin(path: YamlPath): ValuesPath;
}

const WORKLOAD_KINDS = { deployment: 'Deployment', daemonset: 'DaemonSet', statefulset: 'StatefulSet' } as const;

/**
 * The chart's objects for a release of these values (`helm install <release> -n <namespace>`): read as the
 * Kubernetes model reads manifests. The collector config is not among them: the chart's config is the stack's
 * `<values>#config` collector, which the route code pairs with the workload itself.
 */
export function chartKubernetes(values: YamlDocument, release: string, namespace: string): { reading: CollectorChartReading; kubernetes: KubernetesModel } {
  const root = YamlValue.root(values);
  const reading = readCollectorChartValues(root, { releaseName: release, namespace });
  return { reading, kubernetes: loadKubernetes(chartManifests(reading, root).map((m) => manifestDoc(values, root, m))) };
}

function chartManifests(r: CollectorChartReading, values: YamlValue): Manifest[] {
  // `resources` goes into the container as written (`with .Values.resources`: only when not empty).
  const resources = values.get('resources')?.js;
  // Values helm refuses render nothing (kubernetes/helm-values-refused says why).
  if (!r.mode || r.failures.length > 0) return [];
  const mode = r.mode.value;
  const metadata = (name: string, labels?: PlainMap) => ({ name, namespace: r.namespace.value, ...(labels ? { labels } : {}) });
  const nameOrigin = (path: YamlPath): ValuesPath | undefined =>
    path[0] === 'metadata' && path[1] === 'name' ? [r.fullnameFrom === 'chart default' ? 'mode' : r.fullnameFrom.path[0]] : undefined;
  const out: Manifest[] = [];
  const workloadName = mode === 'daemonset' ? `${r.fullname}-agent` : r.fullname;
  const kind = WORKLOAD_KINDS[mode];
  out.push({
    object: {
      apiVersion: 'apps/v1',
      kind,
      metadata: metadata(workloadName),
      spec: {
        ...(r.replicas ? { replicas: r.replicas.value } : {}),
        selector: { matchLabels: r.selector },
        template: {
          metadata: { labels: podLabels(r) },
          spec: {
            containers: [
              {
                name: 'opentelemetry-collector',
                image: r.image.reference.value,
                ...(r.command ? { command: [`/${r.command.value}`] } : {}),
                args: r.args.value,
                ports: r.containerPorts.map(({ value: p }) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
                ...(isEmpty(resources as Plain) ? {} : { resources: resources as Plain }),
              },
            ],
          },
        },
      },
    },
    origin: (path) => {
      if (path[1] === 'replicas') return ['replicaCount'];
      const c = path.indexOf('containers');
      if (c < 0) return nameOrigin(path) ?? ['mode'];
      const [field, i, key] = path.slice(c + 2);
      if (field === 'ports' && typeof i === 'number') return ['ports', r.containerPorts[i].value.name, ...(key === 'name' || key === undefined ? [] : [key])];
      if (field === 'image') return ['image'];
      if (field === 'args') return ['command', 'extraArgs'];
      if (field === 'resources') return path.slice(c + 2) as ValuesPath;
      return ['mode'];
    },
  });
  if (r.autoscaling)
    out.push({
      object: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: metadata(r.fullname),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind, name: workloadName },
          minReplicas: r.autoscaling.minReplicas.value,
          maxReplicas: r.autoscaling.maxReplicas.value,
        },
      },
      origin: (path) => ['autoscaling', ...(path[1] === 'maxReplicas' || path[1] === 'minReplicas' ? [path[1]] : [])],
    });
  const s = r.service;
  if (s) {
    const portKeys: Record<string, string> = { port: 'servicePort', targetPort: 'containerPort' };
    out.push({
      object: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: metadata(s.name, 'notModelled' in s.labels ? undefined : s.labels),
        spec: { type: s.type.value, ...(s.ports.length ? { ports: s.ports.map((p) => p.value as unknown as PlainMap) } : {}), selector: s.selector },
      },
      origin: (path) => {
        if (path[1] === 'ports' && typeof path[2] === 'number') {
          const key = path[3];
          return ['ports', s.ports[path[2]].value.name, ...(key === undefined || key === 'name' ? [] : [portKeys[key] ?? key])];
        }
        if (path[1] === 'ports') return ['ports'];
        if (path[1] === 'type') return ['service', 'type'];
        return nameOrigin(path) ?? (path[1] === 'labels' ? ['additionalLabels'] : ['service']);
      },
    });
  }
  r.ingresses.forEach((ing, n) => {
    const base: ValuesPath = n === 0 ? ['ingress'] : ['ingress', 'additionalIngresses', n - 1];
    // A host the chart passes through `tpl` (a template) is not modelled: that rule is left out, not made hostless.
    const rules = ing.rules.flatMap((rule, i) =>
      'notModelled' in rule.host
        ? []
        : [
            {
              i,
              rule: {
                host: rule.host.value,
                http: {
                  paths: rule.paths.map(({ value: p }) => ({
                    path: p.path,
                    pathType: p.pathType,
                    backend: { service: { name: p.serviceName, port: { number: p.port } } },
                  })),
                },
              },
            },
          ],
    );
    out.push({
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { ...metadata(ing.name), ...('notModelled' in ing.annotations ? {} : { annotations: ing.annotations.value }) },
        spec: { ...(ing.ingressClassName ? { ingressClassName: ing.ingressClassName.value } : {}), rules: rules.map((x) => x.rule) },
      },
      origin: (path) => {
        if (path[1] === 'annotations') return [...base, 'annotations'];
        if (path[1] === 'ingressClassName') return [...base, 'ingressClassName'];
        if (path[1] !== 'rules' || typeof path[2] !== 'number') return base;
        const hostAt: ValuesPath = [...base, 'hosts', rules[path[2]].i];
        if (path[3] === 'host') return [...hostAt, 'host'];
        if (typeof path[5] !== 'number') return [...hostAt, 'paths'];
        const pathAt = [...hostAt, 'paths', path[5]];
        return path[6] === 'backend' ? [...pathAt, 'port'] : path[6] === 'path' || path[6] === 'pathType' ? [...pathAt, path[6]] : pathAt;
      },
    });
  });
  for (const [key, kindName, m] of [
    ['serviceMonitor', 'ServiceMonitor', r.serviceMonitor],
    ['podMonitor', 'PodMonitor', r.podMonitor],
  ] as const) {
    if (!m) continue;
    out.push({
      object: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: kindName,
        metadata: metadata(m.name, 'notModelled' in m.labels ? undefined : m.labels),
        spec: { selector: { matchLabels: m.selector }, [key === 'serviceMonitor' ? 'endpoints' : 'podMetricsEndpoints']: m.endpoints.value },
      },
      origin: (path) => (path[1] === 'labels' ? [key, 'extraLabels'] : typeof path[2] === 'number' ? [key, 'metricsEndpoints', ...path.slice(2)] : [key]),
    });
  }
  return out;
}

/** templates/_pod.tpl's labels: the selector's, the component's (`podLabels` add more, not read here). */
function podLabels(r: CollectorChartReading): PlainMap {
  return { ...r.selector };
}

/** An object as a manifest document whose positions land in the values file (embedded.ts renders the config so). */
function manifestDoc(values: YamlDocument, root: YamlValue, m: Manifest): YamlDocument {
  const text = stringify(m.object as Plain, { aliasDuplicateObjects: false, lineWidth: 0 });
  // Named as the values file itself: findings on these objects are the values file's (nothing edits them).
  const derived = parseYaml(new SourceFile(values.source.path, text));
  const offsetOf = (offset: number): number => {
    const at = nodeAtOffset(derived.doc.contents as Node | null, offset, []);
    const path = m.origin(at?.path ?? []);
    const end = at && at.delta >= at.length ? Number.POSITIVE_INFINITY : 0;
    for (let n = path.length; n > 0; n--) {
      const written = valueAt(root, path.slice(0, n));
      if (!written) continue;
      return n === path.length && at ? hostSpan(written, at.part, at.delta) : hostSpan(written, 'key', end);
    }
    return 0;
  };
  const source = new EmbeddedSource(values.source.path, text, values.source, { offsetOf });
  return parseYaml(source, derived.doc);
}

function valueAt(root: YamlValue, path: ValuesPath): YamlValue | undefined {
  let cur: YamlValue | undefined = root;
  for (const step of path) cur = typeof step === 'number' ? cur?.items()[step] : cur?.get(step);
  return cur;
}

/**
 * The value of the values file that took a Service port away from its Service: under `ports.<name>`, a port the chart
 * would open at that number, the user's `enabled` when they switched it off, else their `servicePort` when they
 * moved it. Undefined when no value the user wrote did (the port was never the chart's).
 */
export function chartPortChange(values: YamlDocument, port: number): YamlValue | undefined {
  const written = YamlValue.root(values).get('ports');
  const defaults = CHART_DEFAULTS.ports as unknown as PlainMap;
  for (const [name, entry] of written?.entries() ?? []) {
    const own = isPlainMap(entry.js) ? entry.js : {};
    const chart = isPlainMap(defaults[name]) ? (defaults[name] as PlainMap) : {};
    if ((own.servicePort ?? chart.servicePort) !== port && chart.servicePort !== port) continue;
    if (entry.has('enabled') && isEmpty(own.enabled)) return entry.get('enabled');
    if (entry.has('servicePort') && own.servicePort !== port) return entry.get('servicePort');
  }
  return undefined;
}
