// What the OpenTelemetry Collector Helm chart makes of a team's values file, read without running helm: the
// workload's mode, image and replicas, the effective collector config, the ports, the Service, the monitors and the
// ingresses. The chart's defaults are re-typed in collector-chart-defaults.ts; how they combine with the user's
// values follows the chart's templates (named in each function) and Helm's merge (merge.ts). The real
// `helm template` checks this reading field by field (test/oracles/helm-values-differential.test.ts).
import { COLLECTOR_CHART_MODES as CHART_MODES, isCollectorChartValuesObject } from '../../discover/classify.js';
import type { YamlValue } from '../../load/yaml-value.js';
import { APP_VERSION, CHART_DEFAULTS, CHART_NAME, CHART_VERSION, DISTRIBUTIONS } from './collector-chart-defaults.js';
import { type CollectorChartMode, type EffectiveConfig, effectiveConfig, type NotModelled, type Origin } from './collector-chart-config.js';

export type { CollectorChartMode, EffectiveConfig, NotModelled, Origin };
import { schemaViolations } from './collector-chart-schema.js';
import { coalesce, dig, isEmpty, isPlainMap, type Plain, type PlainMap } from './merge.js';

export const COLLECTOR_CHART_MODES: readonly CollectorChartMode[] = CHART_MODES;

export interface Sourced<T> {
  value: T;
  from: Origin;
}

export interface ChartContainerPort {
  name: string;
  containerPort: Plain;
  protocol: Plain;
  hostPort?: Plain;
}

export interface ChartServicePort {
  name: string;
  port: Plain;
  targetPort: Plain;
  protocol: Plain;
  appProtocol?: Plain;
  nodePort?: Plain;
}

export interface ChartIngress {
  name: string;
  /** Its annotations (their values pass through `tpl`: a template in one is not evaluated here). */
  annotations: Sourced<PlainMap> | NotModelled;
  ingressClassName?: Sourced<string>;
  rules: { host: Sourced<string> | NotModelled; paths: Sourced<{ path: Plain; pathType: Plain; serviceName: string; port: Plain }>[] }[];
}

export interface ChartService {
  name: string;
  type: Sourced<Plain>;
  ports: Sourced<ChartServicePort>[];
  /** `Local` for a DaemonSet's Service (each node's collector answers its node), else `Cluster`, unless set. */
  internalTrafficPolicy: Sourced<Plain>;
  /** Its labels (the chart's, `additionalLabels`, the component), unknown when `additionalLabels` holds a template. */
  labels: PlainMap | NotModelled;
  /** The pods it selects: the chart's selector labels and the component. */
  selector: PlainMap;
}

export interface ChartMonitor {
  name: string;
  endpoints: Sourced<Plain[]>;
  /** The labels it gets besides the chart's (through `tpl`, as the ingress annotations). */
  extraLabels: Sourced<PlainMap> | NotModelled;
  /** All its labels (what a Prometheus Operator's monitor selector matches). */
  labels: PlainMap | NotModelled;
  /** Its `selector.matchLabels`: the chart's Service (ServiceMonitor) or pods (PodMonitor). */
  selector: PlainMap;
}

export interface CollectorChartReading {
  /** The chart version whose templates and defaults this reading follows. */
  chartVersion: string;
  /**
   * Why `helm template` refuses these values, in Helm's words: the violations of the chart's values schema (checked
   * first, all reported), else the chart's own `fail`s (NOTES.txt) the values reach, in order (helm reports the first).
   */
  failures: Sourced<string>[];
  mode: Sourced<CollectorChartMode> | undefined;
  /** The chart's name label (`app.kubernetes.io/name`): `nameOverride`, else `opentelemetry-collector` (_helpers.tpl "name"). */
  name: string;
  /** The names the objects get: `<release>-opentelemetry-collector` unless overridden (_helpers.tpl "fullname"). */
  fullname: string;
  /** What chose it: `fullnameOverride` or `nameOverride` when set, else the chart (with the release's name). */
  fullnameFrom: Origin;
  /** The objects' namespace: `namespaceOverride`, else the release's (the option, else `default`). */
  namespace: Sourced<string>;
  /** The workload's selector labels, which its pods carry (the chart's selector labels and the component). */
  selector: PlainMap;
  image: {
    repository: Sourced<string>;
    /** The full reference the pod runs: `repository:tag` (tag defaulting to the chart's appVersion) or `repository@digest`. */
    reference: Sourced<string>;
    /** The community distribution the repository names (`opentelemetry-collector-k8s`), if it names one. */
    distribution?: string;
  };
  /** `command.name`: the container's command is `/<name>`; without it, the image's own entrypoint runs. */
  command: Sourced<string> | undefined;
  /** The binary the image runs when `command` is unset (the distribution's), when known. */
  binary: string | undefined;
  args: Sourced<string[]>;
  /** The Deployment's or StatefulSet's `replicas` (absent: the HPA decides, or a DaemonSet, or Kubernetes' default of 1). */
  replicas: Sourced<number> | undefined;
  autoscaling: { minReplicas: Sourced<Plain>; maxReplicas: Sourced<Plain> } | undefined;
  /** The collector config in the ConfigMap, or why the reading cannot say. */
  config: EffectiveConfig | NotModelled;
  /**
   * The container's environment as the pod spec lists it: the chart's own variables (`MY_POD_IP`, the pod's IP, which
   * the default endpoints `${env:MY_POD_IP}:<port>` expand to; the node's, the namespace's), GOMEMLIMIT, `extraEnvs`.
   */
  env: Sourced<PlainMap>[];
  /** The ConfigMap mounted as the config: the chart's own (`created`), or `configMap.existingName` (`from`). */
  configMap: { name: string; created: boolean; from: Origin };
  /** Where the config file is mounted and passed (`--config=/conf/relay.yaml`), when a ConfigMap is mounted. */
  configPath: string | undefined;
  containerPorts: Sourced<ChartContainerPort>[];
  service: ChartService | undefined;
  serviceMonitor: ChartMonitor | undefined;
  podMonitor: ChartMonitor | undefined;
  ingresses: ChartIngress[];
}

export interface ChartReadOptions {
  /** The Helm release's name (`helm template`'s default, "release-name", when unknown). */
  releaseName?: string;
  namespace?: string;
}

/**
 * Reads a values file of the collector chart (`values` is the file's root map) as chart 0.170.0 renders it, the one
 * version whose templates the reading follows (`chartVersion` in the reading); a values file written for another
 * version is read as if for this one.
 */
export function readCollectorChartValues(values: YamlValue, options: ChartReadOptions = {}): CollectorChartReading {
  const chartVersion = CHART_VERSION;
  const releaseName = options.releaseName ?? 'release-name';
  const user = isPlainMap(values.js) ? (values.js as PlainMap) : {};
  const v = coalesce(user, CHART_DEFAULTS as unknown as PlainMap);
  const from = (...path: (string | number)[]): Origin => at(values, path) ?? 'chart default';
  const sourced = <T>(value: T, ...path: (string | number)[]): Sourced<T> => ({ value, from: from(...path) });
  const get = (...path: string[]): Plain | undefined => dig(v, path);

  const modeText = get('mode');
  const mode = COLLECTOR_CHART_MODES.find((m) => m === modeText);
  const fullname = fullnameOf(v, releaseName);
  const configMapSuffix = mode === 'daemonset' ? '-agent' : mode === 'statefulset' ? '-statefulset' : '';
  const configMapCreate = !isEmpty(get('configMap', 'create'));
  const existingName = get('configMap', 'existingName');
  const mounted = configMapCreate || !isEmpty(existingName);

  const repository = String(get('image', 'repository') ?? '');
  const digest = get('image', 'digest');
  const registry = get('global', 'imageRegistry');
  const prefix = isEmpty(registry) ? '' : `${String(registry)}/`;
  const tag = isEmpty(get('image', 'tag')) ? APP_VERSION : String(get('image', 'tag'));
  const reference = isEmpty(digest) ? `${prefix}${repository}:${tag}` : `${prefix}${repository}@${String(digest)}`;
  const distribution = Object.keys(DISTRIBUTIONS).find((d) => repository === d || repository.endsWith(`/${d}`));
  const commandName = get('command', 'name');
  const extraArgs = Array.isArray(get('command', 'extraArgs')) ? (get('command', 'extraArgs') as Plain[]).map(String) : [];

  const autoscalingOn = !isEmpty(get('autoscaling', 'enabled'));
  const replicaCount = get('replicaCount');
  const replicas =
    (mode === 'deployment' && !autoscalingOn && !isEmpty(replicaCount)) || (mode === 'statefulset' && !autoscalingOn)
      ? sourced(Number(replicaCount), 'replicaCount')
      : undefined;

  const ports = isPlainMap(get('ports')) ? Object.entries(get('ports') as PlainMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : [];
  const enabledPorts = ports.filter(([, p]) => isPlainMap(p) && !isEmpty(p.enabled)) as [string, PlainMap][];

  const serviceEnabled = serviceEnabledOf(v, mode);
  const component = mode ? COMPONENTS[mode] : '';
  const selector: PlainMap = { 'app.kubernetes.io/name': nameOf(v), 'app.kubernetes.io/instance': releaseName, component };
  const additional = untemplated(mapOr(get('additionalLabels')), from('additionalLabels'));
  const common = (more: PlainMap | NotModelled): PlainMap | NotModelled => {
    if ('notModelled' in additional) return additional;
    if ('notModelled' in more) return more;
    return {
      'helm.sh/chart': `${CHART_NAME}-${chartVersion}`,
      'app.kubernetes.io/name': nameOf(v),
      'app.kubernetes.io/instance': releaseName,
      'app.kubernetes.io/version': APP_VERSION,
      'app.kubernetes.io/managed-by': 'Helm',
      'app.kubernetes.io/part-of': CHART_NAME,
      'app.kubernetes.io/component': component,
      ...additional.value,
      ...more,
    };
  };
  const monitor = (kind: 'serviceMonitor' | 'podMonitor', name: string, endpoints: Plain[]): ChartMonitor => {
    const extraLabels = untemplated(mapOr(get(kind, 'extraLabels')), from(kind, 'extraLabels'));
    return {
      name,
      endpoints: sourced(endpoints, kind, 'metricsEndpoints'),
      extraLabels,
      labels: common('notModelled' in extraLabels ? extraLabels : mapOr(extraLabels.value)),
      selector,
    };
  };
  const ingressEnabled = !isEmpty(get('ingress', 'enabled'));

  return {
    chartVersion,
    failures: failuresOf(v, mode, values),
    mode: mode ? sourced(mode, 'mode') : undefined,
    name: nameOf(v),
    fullname,
    selector,
    fullnameFrom: !isEmpty(v.fullnameOverride) ? from('fullnameOverride') : !isEmpty(v.nameOverride) ? from('nameOverride') : 'chart default',
    namespace: isEmpty(v.namespaceOverride)
      ? { value: namespaceOf(v, options.namespace), from: 'chart default' }
      : sourced(namespaceOf(v), 'namespaceOverride'),
    image: {
      repository: sourced(repository, 'image', 'repository'),
      reference: sourced(reference, 'image', isEmpty(digest) ? (isEmpty(get('image', 'tag')) ? 'repository' : 'tag') : 'digest'),
      distribution,
    },
    command: isEmpty(commandName) ? undefined : sourced(String(commandName), 'command', 'name'),
    binary: isEmpty(commandName) ? (distribution ? DISTRIBUTIONS[distribution] : undefined) : String(commandName),
    args: sourced([...(mounted ? ['--config=/conf/relay.yaml'] : []), ...extraArgs], 'command', 'extraArgs'),
    replicas,
    autoscaling:
      autoscalingOn && (mode === 'deployment' || mode === 'statefulset')
        ? {
            minReplicas: sourced(get('autoscaling', 'minReplicas') ?? null, 'autoscaling', 'minReplicas'),
            maxReplicas: sourced(get('autoscaling', 'maxReplicas') ?? null, 'autoscaling', 'maxReplicas'),
          }
        : undefined,
    config: !configMapCreate
      ? {
          notModelled: isEmpty(existingName)
            ? 'configMap.create is false: no config is mounted'
            : `the config is ConfigMap ${String(existingName)}, made outside the chart`,
        }
      : mode
        ? effectiveConfig(v, mode, {
            fullname,
            namespace: namespaceOf(v, options.namespace),
            origin: (path) => from(isEmpty(v.alternateConfig) ? 'config' : 'alternateConfig', ...path),
            presetOrigin: (path) => from('presets', ...path, 'enabled'),
          })
        : { notModelled: "no valid 'mode': the chart renders nothing" },
    configMap: {
      name: isEmpty(existingName) ? `${fullname}${configMapSuffix}` : String(existingName),
      from: isEmpty(existingName) ? 'chart default' : from('configMap', 'existingName'),
      created: configMapCreate && isEmpty(existingName) && mode !== undefined,
    },
    configPath: mounted ? '/conf/relay.yaml' : undefined,
    env: mode ? envOf(v, mode, from) : [],
    containerPorts: enabledPorts.map(([name, p]) =>
      sourced(
        {
          name,
          containerPort: p.containerPort ?? null,
          protocol: p.protocol ?? null,
          ...(mode === 'daemonset' && !isEmpty(p.hostPort) ? { hostPort: p.hostPort } : {}),
        },
        'ports',
        name,
      ),
    ),
    service:
      mode && (serviceEnabled || ingressEnabled)
        ? {
            name: fullname,
            type: sourced(get('service', 'type') ?? null, 'service', 'type'),
            internalTrafficPolicy: isEmpty(get('service', 'internalTrafficPolicy'))
              ? { value: mode === 'daemonset' && get('service', 'enabled') === true ? 'Local' : 'Cluster', from: 'chart default' }
              : sourced(get('service', 'internalTrafficPolicy') ?? null, 'service', 'internalTrafficPolicy'),
            labels: common({ component }),
            selector,
            ports: enabledPorts.map(([name, p]) =>
              sourced(
                {
                  name,
                  port: p.servicePort ?? null,
                  targetPort: p.containerPort ?? null,
                  protocol: p.protocol ?? null,
                  ...(isEmpty(p.appProtocol) ? {} : { appProtocol: p.appProtocol }),
                  ...(isEmpty(p.nodePort) ? {} : { nodePort: p.nodePort }),
                },
                'ports',
                name,
              ),
            ),
          }
        : undefined,
    serviceMonitor:
      mode && serviceEnabled && !isEmpty(get('serviceMonitor', 'enabled')) && !isEmpty(get('serviceMonitor', 'metricsEndpoints'))
        ? monitor('serviceMonitor', fullname, serviceMonitorEndpoints(v))
        : undefined,
    podMonitor:
      mode && !isEmpty(get('podMonitor', 'enabled')) && !isEmpty(get('podMonitor', 'metricsEndpoints'))
        ? monitor('podMonitor', `${fullname}-agent`, get('podMonitor', 'metricsEndpoints') as Plain[])
        : undefined,
    ingresses: mode && ingressEnabled ? ingressesOf(v, fullname, from) : [],
  };
}

/** The value at a path of the user's file, if they wrote it. */
function at(values: YamlValue, path: (string | number)[]): YamlValue | undefined {
  let cur: YamlValue | undefined = values;
  for (const step of path) cur = typeof step === 'number' ? cur?.items()[step] : cur?.get(step);
  return cur;
}

/** A map whose values the chart passes through `tpl`: known unless a value holds a template. */
function untemplated(m: PlainMap, from: Origin): Sourced<PlainMap> | NotModelled {
  const templated = Object.entries(m).find(([, value]) => typeof value === 'string' && value.includes('{{'));
  return templated ? { notModelled: `${templated[0]}: ${JSON.stringify(templated[1])} is a template` } : { value: m, from };
}

function mapOr(v: Plain | undefined): PlainMap {
  return isPlainMap(v) ? v : {};
}

/** _helpers.tpl "component": the label telling the chart's workloads apart. */
const COMPONENTS: Record<CollectorChartMode, string> = {
  deployment: 'standalone-collector',
  daemonset: 'agent-collector',
  statefulset: 'statefulset-collector',
};

/** _helpers.tpl "name": nameOverride, else the chart's name. */
function nameOf(v: PlainMap): string {
  return (isEmpty(v.nameOverride) ? CHART_NAME : String(v.nameOverride)).slice(0, 63).replace(/-+$/, '');
}

/** _helpers.tpl "fullname": fullnameOverride, else the release name when it contains the chart's name, else both. */
function fullnameOf(v: PlainMap, releaseName: string): string {
  const cut = (s: string) => s.slice(0, 63).replace(/-+$/, '');
  if (!isEmpty(v.fullnameOverride)) return cut(String(v.fullnameOverride));
  const name = isEmpty(v.nameOverride) ? CHART_NAME : String(v.nameOverride);
  return cut(releaseName.includes(name) ? releaseName : `${releaseName}-${name}`);
}

function namespaceOf(v: PlainMap, namespace = 'default'): string {
  return isEmpty(v.namespaceOverride) ? namespace : String(v.namespaceOverride);
}

/** templates/_pod.tpl's `env`: the chart's variables, each from a field of the pod, then GOMEMLIMIT and `extraEnvs`. */
function envOf(v: PlainMap, mode: CollectorChartMode, from: (...path: (string | number)[]) => Origin): Sourced<PlainMap>[] {
  const field = (name: string, fieldPath: string, versioned = true): Sourced<PlainMap> => ({
    value: { name, valueFrom: { fieldRef: { ...(versioned ? { apiVersion: 'v1' } : {}), fieldPath } } },
    from: 'chart default',
  });
  const on = (...path: string[]) => !isEmpty(dig(v, ['presets', ...path, 'enabled']));
  const env = [
    field('MY_POD_IP', 'status.podIP'),
    field('OTEL_K8S_NODE_NAME', 'spec.nodeName', false),
    field('OTEL_K8S_NODE_IP', 'status.hostIP', false),
    field('OTEL_K8S_NAMESPACE', 'metadata.namespace'),
    field('OTEL_K8S_POD_NAME', 'metadata.name'),
    field('OTEL_K8S_POD_IP', 'status.podIP'),
  ];
  const agent = mode === 'daemonset';
  if (
    on('kubeletMetrics') ||
    (on('kubernetesAttributes') && agent) ||
    ((on('annotationDiscovery', 'logs') || on('annotationDiscovery', 'metrics')) && agent) ||
    (on('resourceDetection') && (on('resourceDetection', 'k8s_api') || on('resourceDetection', 'k8snode')))
  ) {
    env.push(field('K8S_NODE_NAME', 'spec.nodeName', false), field('K8S_NODE_IP', 'status.hostIP', false));
  }
  const memory = dig(v, ['resources', 'limits', 'memory']);
  if (!isEmpty(v.useGOMEMLIMIT) && !isEmpty(memory))
    env.push({ value: { name: 'GOMEMLIMIT', value: goMemLimit(String(memory)) }, from: from('resources', 'limits', 'memory') });
  const extra = dig(v, ['extraEnvs']);
  if (Array.isArray(extra)) extra.forEach((e, i) => env.push({ value: isPlainMap(e) ? e : {}, from: from('extraEnvs', i) }));
  return env;
}

/** _helpers.tpl "gomemlimit": 80% of the memory limit, in whole MiB (suffixes as "convertMemToBytes" reads them). */
function goMemLimit(limit: string): string {
  const units: [string, number][] = [
    ['ei', 2 ** 60],
    ['e', 1e18],
    ['pi', 2 ** 50],
    ['p', 1e15],
    ['ti', 2 ** 40],
    ['t', 1e12],
    ['gi', 2 ** 30],
    ['g', 1e9],
    ['mi', 2 ** 20],
    ['m', 1e6],
    ['ki', 2 ** 10],
    ['k', 1e3],
  ];
  const text = limit.toLowerCase();
  const [suffix, factor] = units.find(([u]) => text.endsWith(u)) ?? ['', 1];
  return `${Math.floor((Number.parseFloat(text.slice(0, text.length - suffix.length)) * factor * 0.8) / 2 ** 20)}MiB`;
}

/** _helpers.tpl "serviceEnabled": on unless `service.enabled` says otherwise; a DaemonSet's only when it says true. */
function serviceEnabledOf(v: PlainMap, mode: CollectorChartMode | undefined): boolean {
  const set = dig(v, ['service', 'enabled']);
  let enabled = set === undefined || set === null ? true : !isEmpty(set);
  if (mode === 'daemonset' && isEmpty(set)) enabled = false;
  return enabled;
}

/** templates/servicemonitor.yaml: the endpoints, the last one given `relabelings`/`metricRelabelings` when set. */
function serviceMonitorEndpoints(v: PlainMap): Plain[] {
  const endpoints = structuredClone(dig(v, ['serviceMonitor', 'metricsEndpoints']) as Plain[]);
  const last = endpoints[endpoints.length - 1];
  for (const key of ['relabelings', 'metricRelabelings']) {
    const extra = dig(v, ['serviceMonitor', key]);
    if (!isEmpty(extra) && isPlainMap(last)) last[key] = extra ?? null;
  }
  return endpoints;
}

/** templates/ingress.yaml: `ingress` itself, then each of `ingress.additionalIngresses`. */
function ingressesOf(v: PlainMap, fullname: string, from: (...path: (string | number)[]) => Origin): ChartIngress[] {
  const extra = dig(v, ['ingress', 'additionalIngresses']);
  const all: [Plain, (string | number)[]][] = [
    [v.ingress, ['ingress']],
    ...(Array.isArray(extra) ? extra.map((x, i): [Plain, (string | number)[]] => [x, ['ingress', 'additionalIngresses', i]]) : []),
  ];
  return all.map(([ing, base]) => {
    const m = mapOr(ing);
    const hosts = Array.isArray(m.hosts) ? m.hosts : [];
    return {
      name: isEmpty(m.name) ? fullname : `${fullname}-${String(m.name)}`,
      annotations: untemplated(mapOr(m.annotations), from(...base, 'annotations')),
      ...(isEmpty(m.ingressClassName) ? {} : { ingressClassName: { value: String(m.ingressClassName), from: from(...base, 'ingressClassName') } }),
      rules: hosts.map((h, i) => {
        const host = mapOr(h);
        const paths = Array.isArray(host.paths) ? host.paths : [];
        const hostText = String(host.host ?? '');
        return {
          // Hosts pass through `tpl`: a template in one is not evaluated here.
          host: hostText.includes('{{')
            ? { notModelled: `host ${JSON.stringify(hostText)} is a template` }
            : { value: hostText, from: from(...base, 'hosts', i, 'host') },
          paths: paths.map((p, j) => {
            const path = mapOr(p);
            return {
              value: { path: path.path ?? null, pathType: path.pathType ?? null, serviceName: fullname, port: path.port ?? null },
              from: from(...base, 'hosts', i, 'paths', j),
            };
          }),
        };
      }),
    };
  });
}

/** The schema's violations, else the chart's `fail`s (templates/NOTES.txt) these values reach, in the chart's order. */
function failuresOf(v: PlainMap, mode: CollectorChartMode | undefined, values: YamlValue): Sourced<string>[] {
  // A violation points at the nearest value the user wrote on its way (a missing key: the map it is missing from).
  const from = (...path: (string | number)[]): Origin => {
    for (let n = path.length; n > 0; n--) {
      const found = at(values, path.slice(0, n));
      if (found) return found;
    }
    return 'chart default';
  };
  const violations = schemaViolations(v);
  if (violations.length) return violations.map((x) => ({ value: x.message, from: from(...x.pointer) }));
  const set = (...path: string[]) => !isEmpty(dig(v, path));
  const guide = 'See https://github.com/open-telemetry/opentelemetry-helm-charts/blob/main/charts/opentelemetry-collector/UPGRADING.md for instructions.';
  const repository = String(dig(v, ['image', 'repository']) ?? '');
  const community = COMMUNITY_WITHOUT_PROFILING.some((d) => repository === d || repository.endsWith(`/${d}`));
  const extensions = dig(v, ['config', 'service', 'extensions']);
  const health = Array.isArray(extensions) && (extensions.includes('health_check') || extensions.includes('healthcheckv2'));
  const internal = (signal: string) =>
    set('internalTelemetryViaOTLP', signal, 'enabled') && !set('internalTelemetryViaOTLP', 'endpoint') && !set('internalTelemetryViaOTLP', signal, 'endpoint');
  const checks: [boolean, string, string[]][] = [
    [!set('image', 'repository'), `[ERROR] 'image.repository' must be set. ${guide}`, ['image', 'repository']],
    [
      set('presets', 'profiling', 'enabled') && community,
      '[ERROR] presets.profiling is enabled but image.repository is a community distribution that does not include the profiling receiver. Use the opentelemetry-collector-ebpf-profiler distribution or a custom distribution that includes the receiver.',
      ['image', 'repository'],
    ],
    [
      set('presets', 'profiling', 'enabled') && String(dig(v, ['podSecurityContext', 'runAsNonRoot'])) === 'true',
      '[ERROR] presets.profiling is enabled but podSecurityContext.runAsNonRoot is true. The eBPF profiler requires runAsUser: 0 to run. Set podSecurityContext.runAsNonRoot to false or remove it.',
      ['podSecurityContext', 'runAsNonRoot'],
    ],
    [!mode, `[ERROR] 'mode' must be set. ${guide}`, ['mode']],
    [dig(v, ['dnsPolicy']) === 'None' && !set('dnsConfig'), '[ERROR] dnsConfig should be provided when dnsPolicy is None', ['dnsPolicy']],
    [
      set('presets', 'clusterMetrics', 'enabled') &&
        (mode === 'deployment' || mode === 'statefulset') &&
        Math.trunc(Number(v.replicaCount)) > 1 &&
        set('presets', 'clusterMetrics', 'disableLeaderElection'),
      'Cluster Metrics preset requires leader election when replicaCount is greater than one. Set presets.clusterMetrics.disableLeaderElection to false or reduce replicaCount to one.',
      ['presets', 'clusterMetrics', 'disableLeaderElection'],
    ],
    [
      !health,
      '[ERROR] The opentelemetry-collector chart requires that the health_check extension or the healthcheckv2 extension to be included in the extension list.',
      ['config', 'service', 'extensions'],
    ],
    [
      set('configMap', 'create') && set('configMap', 'existingName'),
      '[ERROR] Cannot set configMap.existingName when configMap.create is true',
      ['configMap', 'existingName'],
    ],
    [
      set('configMap', 'create') && set('configMap', 'existingPath'),
      '[ERROR] Cannot set configMap.existingPath when configMap.create is true',
      ['configMap', 'existingPath'],
    ],
    ...['traces', 'metrics', 'logs'].map((signal): [boolean, string, string[]] => [
      internal(signal),
      `[ERROR] internalTelemetryViaOTLP.endpoint or .Values.internalTelemetryViaOTLP.${signal}.endpoint must be set when internalTelemetryViaOTLP.${signal}.enabled is true`,
      ['internalTelemetryViaOTLP', signal, 'enabled'],
    ]),
    [
      set('presets', 'logsCollection', 'enabled') && set('presets', 'annotationDiscovery', 'logs', 'enabled'),
      '[ERROR] logsCollection and annotationDiscovery.logs are mutually exclusive',
      ['presets', 'annotationDiscovery', 'logs', 'enabled'],
    ],
  ];
  return checks.filter(([fails]) => fails).map(([, value, path]) => ({ value, from: from(...path) }));
}

/** _helpers.tpl "profilingUnsupportedImages": community distributions without the profiling receiver. */
const COMMUNITY_WITHOUT_PROFILING = [
  'opentelemetry-collector',
  'opentelemetry-collector-contrib',
  'opentelemetry-collector-k8s',
  'opentelemetry-collector-otlp',
];

/** Whether a YAML file is a values file of this chart, for discovery (`isCollectorChartValuesObject` says how). */
export function isCollectorChartValues(root: YamlValue): boolean {
  return isCollectorChartValuesObject(root.js);
}
