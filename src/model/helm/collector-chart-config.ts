// The collector config the chart writes into its ConfigMap (`relay`), from the coalesced values: templates/_config.tpl
// "deploymentConfig" / "daemonsetConfig" at chart 0.170.0. The base config (or `alternateConfig`), the internal
// telemetry switches, the presets in the chart's order, then the renames of deprecated component names.
import { DEPRECATED_COMPONENT_RENAMES, DEPRECATED_DETECTOR_RENAMES } from './collector-chart-defaults.js';
import type { YamlValue } from '../../load/yaml-value.js';
import { copy, dig, isEmpty, isPlainMap, mergeMissing, mergeOverwrite, type Plain, type PlainMap, uniq } from './merge.js';

export type CollectorChartMode = 'deployment' | 'daemonset' | 'statefulset';

/** Where a part of the reading came from: the user's value, or the chart's default (which has no line to point at). */
export type Origin = YamlValue | 'chart default';

/** A part the reading does not model: the chart renders it, the doctor does not know how. */
export interface NotModelled {
  notModelled: string;
}

export interface EffectiveConfig {
  /** The collector config as plain data, as the chart renders it into the ConfigMap's `relay` key. */
  value: PlainMap;
  /**
   * Where the value at a config path came from: the user's value (below `config:` or `alternateConfig:`, under its
   * old name when the chart renamed it), else the switch of the preset that added the component, else the chart.
   */
  origin(path: (string | number)[]): Origin;
}

interface ConfigContext {
  fullname: string;
  namespace: string;
  /** The user's value at a path below `config:` (or `alternateConfig:`). */
  origin(path: (string | number)[]): Origin;
  /** The `enabled` switch of a preset (path below `presets:`). */
  presetOrigin(path: string[]): Origin;
}

const SECTIONS = ['receivers', 'processors', 'exporters', 'extensions', 'connectors'];

/** The components of a config, as `section\0name`. */
function components(config: PlainMap): Set<string> {
  return new Set(SECTIONS.flatMap((section) => (isPlainMap(config[section]) ? Object.keys(config[section]).map((name) => `${section}\0${name}`) : [])));
}

export function effectiveConfig(v: PlainMap, mode: CollectorChartMode, ctx: ConfigContext): EffectiveConfig | NotModelled {
  const preset = (...path: string[]) => dig(v, ['presets', ...path]);
  const on = (...path: string[]) => !isEmpty(preset(...path, 'enabled'));
  let config = baseConfig(v);
  /** Components a preset added (not in the config before it), with the preset's path. */
  const addedBy = new Map<string, string[]>();
  const apply = (presetPath: string[], step: (c: PlainMap) => PlainMap) => {
    const before = components(config);
    config = step(config);
    for (const c of components(config)) if (!before.has(c) && !addedBy.has(c)) addedBy.set(c, presetPath);
  };
  if (on('logsCollection')) apply(['logsCollection'], (c) => logsCollection(c, v, ctx));
  if (on('annotationDiscovery', 'logs') || on('annotationDiscovery', 'metrics')) {
    apply(['annotationDiscovery', on('annotationDiscovery', 'logs') ? 'logs' : 'metrics'], (c) => annotationDiscovery(c, v, mode));
  }
  if (on('hostMetrics')) apply(['hostMetrics'], (c) => addReceiver(c, 'metrics', 'hostmetrics', HOST_METRICS));
  if (on('profiling')) apply(['profiling'], profiling);
  if (on('kubeletMetrics')) apply(['kubeletMetrics'], (c) => addReceiver(c, 'metrics', 'kubeletstats', KUBELET_METRICS));
  if (on('kubernetesAttributes')) apply(['kubernetesAttributes'], (c) => kubernetesAttributes(c, v, mode));
  // The DaemonSet's config has no events preset: events come from one collector, not one per node.
  if (on('kubernetesEvents') && mode !== 'daemonset') apply(['kubernetesEvents'], (c) => kubernetesEvents(c, v));
  if (on('kubernetesObjects')) apply(['kubernetesObjects'], (c) => kubernetesObjects(c, v, mode, ctx));
  if (on('clusterMetrics')) apply(['clusterMetrics'], (c) => clusterMetrics(c, v, mode, ctx));
  if (on('resourceDetection') && ['env', 'k8s_api', 'k8snode', 'eks', 'aks', 'gcp'].some((d) => on('resourceDetection', d))) {
    apply(['resourceDetection'], (c) => resourceDetection(c, v));
  }
  const renamedFrom = new Map<string, string>();
  if (!isEmpty(v.rewriteDeprecatedComponentNames)) config = rewriteDeprecatedNames(config, renamedFrom);
  // The chart renders the config through `tpl`: a template in it is evaluated by helm, not here.
  const templated = findString(config, (s) => s.includes('{{'));
  if (templated !== undefined) return { notModelled: `the config holds a template (${JSON.stringify(templated)}), which helm evaluates` };
  const origin = (path: (string | number)[]): Origin => {
    const [section, name, ...rest] = path;
    const key = `${section}\0${name}`;
    const old = renamedFrom.get(key);
    const user = ctx.origin(old === undefined ? path : [section, old, ...rest]);
    if (user !== 'chart default') return user;
    const preset = addedBy.get(old === undefined ? key : `${section}\0${old}`);
    return preset ? ctx.presetOrigin(preset) : 'chart default';
  };
  return { value: config, origin };
}

function mapAt(parent: PlainMap, key: string): PlainMap {
  if (!isPlainMap(parent[key])) parent[key] = {};
  return parent[key] as PlainMap;
}

function listOf(v: Plain | undefined): Plain[] {
  return Array.isArray(v) ? v : [];
}

/** "baseConfig": `alternateConfig` when set, else `config`, with internalTelemetryViaOTLP's exporters merged in. */
function baseConfig(v: PlainMap): PlainMap {
  if (!isEmpty(v.alternateConfig)) return copy(v.alternateConfig as PlainMap);
  const config = isPlainMap(v.config) ? copy(v.config) : {};
  const internal = (signal: string) => dig(v, ['internalTelemetryViaOTLP', signal]);
  const service = mapAt(config, 'service');
  for (const signal of ['traces', 'metrics', 'logs']) {
    if (isEmpty(dig(internal(signal), ['enabled']))) continue;
    if (signal === 'metrics') {
      if (isPlainMap(config.receivers)) delete config.receivers.prometheus;
      const metrics = dig(config, ['service', 'pipelines', 'metrics']);
      if (isPlainMap(metrics)) metrics.receivers = listOf(metrics.receivers).filter((r) => r !== 'prometheus');
      const telemetryMetrics = dig(config, ['service', 'telemetry', 'metrics']);
      if (isPlainMap(telemetryMetrics)) delete telemetryMetrics.readers;
    }
    service.telemetry = mergeMissing(isPlainMap(service.telemetry) ? service.telemetry : {}, internalTelemetry(v, signal));
  }
  return config;
}

/** "otelsdkotlp.<signal>": the collector's own telemetry sent over OTLP/HTTP. */
function internalTelemetry(v: PlainMap, signal: string): PlainMap {
  const own = (key: string) => dig(v, ['internalTelemetryViaOTLP', signal, key]);
  const all = (key: string) => dig(v, ['internalTelemetryViaOTLP', key]);
  const pick = (key: string) => (isEmpty(own(key)) ? all(key) : own(key));
  const otlp: PlainMap = { protocol: 'http/protobuf', endpoint: pick('endpoint') ?? null };
  if (!isEmpty(all('headers')) || !isEmpty(own('headers'))) otlp.headers = copy(pick('headers') ?? null);
  const exporter = { exporter: { otlp } };
  return signal === 'metrics' ? { metrics: { readers: [{ periodic: exporter }] } } : { [signal]: { processors: [{ batch: exporter }] } };
}

/** The "apply…Config" pattern: the preset's config under the user's, and its receiver appended to a pipeline. */
function addReceiver(config: PlainMap, signal: string, receiver: string, presetConfig: PlainMap): PlainMap {
  const merged = mergeOverwrite({ service: { pipelines: { [signal]: { receivers: [] } } } }, presetConfig, config);
  const pipeline = dig(merged, ['service', 'pipelines', signal]) as PlainMap;
  pipeline.receivers = uniq([...listOf(pipeline.receivers), receiver]);
  return merged;
}

/** Appends to `service.extensions` (uniq), creating the list when absent. */
function addExtension(config: PlainMap, name: string): void {
  const service = mapAt(config, 'service');
  service.extensions = uniq([...listOf(service.extensions), name]);
}

/** Prepends a processor to the pipelines of `signals` present, unless one of `names` is there. */
function prependProcessor(config: PlainMap, processor: string, names: string[], signals = ['logs', 'metrics', 'traces']): PlainMap {
  let out = config;
  for (const signal of signals) {
    if (isEmpty(dig(out, ['service', 'pipelines', signal]))) continue;
    out = mergeOverwrite({ service: { pipelines: { [signal]: { processors: [] } } } }, out);
    const pipeline = dig(out, ['service', 'pipelines', signal]) as PlainMap;
    const processors = listOf(pipeline.processors);
    if (!processors.some((p) => names.includes(p as string))) pipeline.processors = uniq([processor, ...processors]);
  }
  return out;
}

const HOST_METRICS: PlainMap = {
  receivers: {
    hostmetrics: {
      root_path: '/hostfs',
      collection_interval: '10s',
      scrapers: {
        cpu: null,
        load: null,
        memory: null,
        disk: null,
        filesystem: {
          exclude_mount_points: {
            mount_points: [
              '^/dev($|/)',
              '^/proc($|/)',
              '^/sys($|/)',
              '^/run/k3s/containerd($|/)',
              '^/var/lib/docker($|/)',
              '^/var/lib/kubelet($|/)',
              '^/snap($|/)',
            ],
            match_type: 'regexp',
          },
          exclude_fs_types: {
            fs_types: [
              'autofs',
              'binfmt_misc',
              'bpf',
              'cgroup2',
              'configfs',
              'debugfs',
              'devpts',
              'devtmpfs',
              'fusectl',
              'hugetlbfs',
              'iso9660',
              'mqueue',
              'nsfs',
              'overlay',
              'proc',
              'procfs',
              'pstore',
              'rpc_pipefs',
              'securityfs',
              'selinuxfs',
              'squashfs',
              'sysfs',
              'tracefs',
            ],
            match_type: 'strict',
          },
        },
        network: null,
      },
    },
  },
};

const KUBELET_METRICS: PlainMap = {
  receivers: { kubeletstats: { collection_interval: '20s', auth_type: 'serviceAccount', endpoint: '${env:K8S_NODE_IP}:10250' } },
};

/** "applyLogsCollectionConfig": the filelog receiver on the node's pod logs (minus the collector's own, by default). */
function logsCollection(config: PlainMap, v: PlainMap, ctx: ConfigContext): PlainMap {
  const opt = (key: string) => dig(v, ['presets', 'logsCollection', key]);
  const checkpoints = !isEmpty(opt('storeCheckpoints'));
  const filelog: PlainMap = {
    include: ['/var/log/pods/*/*/*.log'],
    exclude: isEmpty(opt('includeCollectorLogs')) ? [`/var/log/pods/${ctx.namespace}_${ctx.fullname}*_*/opentelemetry-collector/*.log`] : [],
    start_at: 'end',
    retry_on_failure: { enabled: true },
    ...(checkpoints ? { storage: 'file_storage' } : {}),
    include_file_path: true,
    include_file_name: false,
    operators: [{ type: 'container', id: 'container-parser', max_log_size: opt('maxRecombineLogSize') ?? null }],
  };
  const presetConfig: PlainMap = { ...(checkpoints ? { extensions: { file_storage: { directory: '/var/lib/otelcol' } } } : {}), receivers: { filelog } };
  const out = addReceiver(config, 'logs', 'filelog', presetConfig);
  if (checkpoints) addExtension(out, 'file_storage');
  return out;
}

const K8S_ATTRIBUTES_METADATA = [
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.pod.uid',
  'k8s.node.name',
  'k8s.pod.start_time',
  'k8s.deployment.name',
  'k8s.replicaset.name',
  'k8s.replicaset.uid',
  'k8s.daemonset.name',
  'k8s.daemonset.uid',
  'k8s.job.name',
  'k8s.job.uid',
  'k8s.container.name',
  'k8s.cronjob.name',
  'k8s.statefulset.name',
  'k8s.statefulset.uid',
  'container.image.tag',
  'container.image.name',
  'k8s.cluster.uid',
  'service.namespace',
  'service.name',
  'service.version',
  'service.instance.id',
];

/** "applyKubernetesAttributesConfig": the k8s attributes processor, first in each pipeline that lacks it. */
function kubernetesAttributes(config: PlainMap, v: PlainMap, mode: CollectorChartMode): PlainMap {
  const name = isEmpty(v.rewriteDeprecatedComponentNames) ? 'k8sattributes' : 'k8s_attributes';
  const opt = (key: string) => !isEmpty(dig(v, ['presets', 'kubernetesAttributes', key]));
  const all = [{ tag_name: '$$1', key_regex: '(.*)', from: 'pod' }];
  const processor: PlainMap = {
    ...(mode === 'daemonset' ? { filter: { node_from_env_var: 'K8S_NODE_NAME' } } : {}),
    passthrough: false,
    pod_association: [
      { sources: [{ from: 'resource_attribute', name: 'k8s.pod.ip' }] },
      { sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] },
      { sources: [{ from: 'connection' }] },
    ],
    extract: {
      otel_annotations: true,
      metadata: K8S_ATTRIBUTES_METADATA,
      ...(opt('extractAllPodLabels') ? { labels: all } : {}),
      ...(opt('extractAllPodAnnotations') ? { annotations: all } : {}),
    },
  };
  const merged = prependProcessor(
    mergeOverwrite({ processors: { [name]: processor } }, config),
    name,
    ['k8sattributes', 'k8s_attributes'],
    ['logs', 'metrics', 'traces', 'profiles'],
  );
  // Profiles carry the container's id: the processor then matches on it first.
  if (!isEmpty(dig(merged, ['service', 'pipelines', 'profiles']))) {
    const block = dig(merged, ['processors', name]) as PlainMap;
    const byContainer = (s: Plain) => isPlainMap(s) && s.from === 'resource_attribute' && s.name === 'container.id';
    const associations = listOf(block.pod_association);
    if (!associations.some((a) => isPlainMap(a) && listOf(a.sources).some(byContainer))) {
      block.pod_association = [{ sources: [{ from: 'resource_attribute', name: 'container.id' }] }, ...associations];
    }
  }
  return merged;
}

/** "applyAnnotationDiscoveryConfig": receiver creators started by pod annotations, watching the k8s_observer. */
function annotationDiscovery(config: PlainMap, v: PlainMap, mode: CollectorChartMode): PlainMap {
  const logs = !isEmpty(dig(v, ['presets', 'annotationDiscovery', 'logs', 'enabled']));
  const metrics = !isEmpty(dig(v, ['presets', 'annotationDiscovery', 'metrics', 'enabled']));
  const creator = (extra: PlainMap) => ({ watch_observers: ['k8s_observer'], discovery: { enabled: true, ...extra } });
  const presetConfig: PlainMap = {
    extensions: { k8s_observer: { auth_type: 'serviceAccount', ...(mode === 'daemonset' ? { node: '${env:K8S_NODE_NAME}' } : {}) } },
    receivers: {
      ...(logs ? { 'receiver_creator/logs': creator({ default_annotations: { 'io.opentelemetry.discovery.logs/enabled': 'true' } }) } : {}),
      ...(metrics ? { 'receiver_creator/metrics': creator({}) } : {}),
    },
  };
  const merged = mergeOverwrite(presetConfig, config);
  addExtension(merged, 'k8s_observer');
  for (const [signal, wanted] of [
    ['logs', logs],
    ['metrics', metrics],
  ] as const) {
    const pipeline = dig(merged, ['service', 'pipelines', signal]);
    if (wanted && isPlainMap(pipeline)) pipeline.receivers = uniq([...listOf(pipeline.receivers), `receiver_creator/${signal}`]);
  }
  return merged;
}

/** "applyProfilingConfig": the profiling receiver in a profiles pipeline (to debug when it has no exporter). */
function profiling(config: PlainMap): PlainMap {
  const merged = mergeOverwrite(
    { service: { pipelines: { profiles: { receivers: [], exporters: [] } } } },
    { receivers: { profiling: {} }, exporters: { debug: {} } },
    config,
  );
  const profiles = dig(merged, ['service', 'pipelines', 'profiles']) as PlainMap;
  profiles.receivers = uniq([...listOf(profiles.receivers), 'profiling']);
  if (isEmpty(profiles.exporters)) profiles.exporters = ['debug'];
  return merged;
}

/** The objects "kubernetesObjectsConfig" lists, by switch: [switch, group, resources]. */
const K8S_OBJECTS: [string[], string | undefined, string[]][] = [
  [['core'], undefined, ['namespaces', 'pods', 'nodes', 'services', 'serviceaccounts']],
  [['core'], 'apps', ['deployments', 'replicasets', 'daemonsets', 'statefulsets']],
  [['core'], 'batch', ['jobs', 'cronjobs']],
  [['rbac'], 'rbac.authorization.k8s.io', ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings']],
  [['storage'], 'storage.k8s.io', ['storageclasses']],
  [['storage'], undefined, ['persistentvolumes', 'persistentvolumeclaims']],
  [['networking'], 'networking.k8s.io', ['ingresses', 'networkpolicies']],
  [['autoscaling'], 'autoscaling', ['horizontalpodautoscalers']],
  [['autoscaling', 'vpa'], 'autoscaling.k8s.io', ['verticalpodautoscalers']],
  [['policy'], 'policy', ['poddisruptionbudgets']],
  [['apiExtensions'], 'apiextensions.k8s.io', ['customresourcedefinitions']],
];

/** "applyKubernetesObjectsConfig": the k8sobjects receiver pulling (and watching) the cluster's objects, as logs. */
function kubernetesObjects(config: PlainMap, v: PlainMap, mode: CollectorChartMode, ctx: ConfigContext): PlainMap {
  const opt = (...path: string[]) => dig(v, ['presets', 'kubernetesObjects', ...path]);
  const on = (path: string[]) => !isEmpty(opt(...path, 'enabled'));
  const watch = !isEmpty(opt('watch'));
  const leader = mode === 'daemonset' && isEmpty(opt('disableLeaderElection'));
  const elector = 'k8s_leader_elector/k8s_objects';
  const objects: Plain[] = [];
  for (const [path, group, resources] of K8S_OBJECTS) {
    // A nested switch (vpa) counts only under its parent's.
    if (!on(path.slice(0, 1)) || !on(path)) continue;
    for (const name of resources) {
      objects.push({ name, mode: 'pull', ...(group ? { group } : {}) });
      if (watch) objects.push({ name, mode: 'watch', ...(group ? { group } : {}) });
    }
  }
  if (on(['events'])) objects.push({ name: 'events', mode: 'watch', group: 'events.k8s.io', exclude_watch_type: ['DELETED'] });
  const existing = listOf(dig(config, ['receivers', 'k8sobjects', 'objects']));
  const presetConfig: PlainMap = {
    ...(leader
      ? { extensions: { [elector]: { auth_type: 'serviceAccount', lease_name: 'k8s.objects.receiver.opentelemetry.io', lease_namespace: ctx.namespace } } }
      : {}),
    receivers: { k8sobjects: { ...(leader ? { k8s_leader_elector: elector } : {}), objects } },
  };
  const merged = mergeOverwrite({ service: { pipelines: { logs: { receivers: [] } } } }, presetConfig, config);
  (dig(merged, ['receivers', 'k8sobjects']) as PlainMap).objects = [...objects, ...existing];
  if (leader) addExtension(merged, elector);
  const logs = dig(merged, ['service', 'pipelines', 'logs']) as PlainMap;
  logs.receivers = uniq([...listOf(logs.receivers), 'k8sobjects']);
  return merged;
}

/** "applyKubernetesEventsConfig": the cluster's events as logs. */
function kubernetesEvents(config: PlainMap, v: PlainMap): PlainMap {
  if (!isEmpty(dig(v, ['presets', 'kubernetesEvents', 'useK8sEventsReceiver'])))
    return addReceiver(config, 'logs', 'k8s_events', { receivers: { k8s_events: {} } });
  const k8sobjects = { objects: [{ name: 'events', mode: 'watch', group: 'events.k8s.io', exclude_watch_type: ['DELETED'] }] };
  return addReceiver(config, 'logs', 'k8sobjects', { receivers: { k8sobjects } });
}

/** "applyClusterMetricsConfig": the k8s_cluster receiver, under a leader elector when several collectors run it. */
function clusterMetrics(config: PlainMap, v: PlainMap, mode: CollectorChartMode, ctx: ConfigContext): PlainMap {
  const several = mode === 'daemonset' || Math.trunc(Number(v.replicaCount)) > 1;
  const leader = several && isEmpty(dig(v, ['presets', 'clusterMetrics', 'disableLeaderElection']));
  const elector = 'k8s_leader_elector/k8s_cluster';
  const presetConfig: PlainMap = {
    ...(leader
      ? { extensions: { [elector]: { auth_type: 'serviceAccount', lease_name: 'k8s.cluster.receiver.opentelemetry.io', lease_namespace: ctx.namespace } } }
      : {}),
    receivers: { k8s_cluster: { ...(leader ? { k8s_leader_elector: elector } : {}), collection_interval: '10s' } },
  };
  const merged = mergeOverwrite({ service: { pipelines: { metrics: { receivers: [] } } } }, presetConfig, config);
  if (leader) addExtension(merged, elector);
  const metrics = dig(merged, ['service', 'pipelines', 'metrics']) as PlainMap;
  metrics.receivers = uniq([...listOf(metrics.receivers), 'k8s_cluster']);
  return merged;
}

/** "applyResourceDetectionConfig": the `resourcedetection/env` processor with the detectors switched on. */
function resourceDetection(config: PlainMap, v: PlainMap): PlainMap {
  const on = (d: string) => !isEmpty(dig(v, ['presets', 'resourceDetection', d, 'enabled']));
  const processors = isEmpty(config.processors) ? {} : (config.processors as PlainMap);
  let processor = isEmpty(processors['resourcedetection/env']) ? {} : (processors['resourcedetection/env'] as PlainMap);
  let detectors = isEmpty(processor.detectors) ? [] : listOf(processor.detectors);
  if (on('env')) detectors = uniq([...detectors, 'env']);
  if (on('k8snode')) detectors = uniq([...detectors, 'k8snode']);
  else if (on('k8s_api')) detectors = uniq([...detectors, 'k8s_api']);
  const clusterName = { resource_attributes: { 'k8s.cluster.name': { enabled: true } } };
  if (on('aks')) processor = mergeOverwrite(processor, { aks: clusterName });
  if (on('aks')) detectors = uniq([...detectors, 'aks']);
  if (on('eks')) processor = mergeOverwrite(processor, { timeout: '15s', eks: clusterName });
  if (on('eks')) detectors = uniq([...detectors, 'eks']);
  if (on('gcp')) processor = mergeOverwrite(processor, { gcp: clusterName });
  if (on('gcp')) detectors = uniq([...detectors, 'gcp']);
  processor.detectors = detectors;
  processors['resourcedetection/env'] = processor;
  config.processors = processors;
  return prependProcessor(config, 'resourcedetection/env', ['resourcedetection/env']);
}

/**
 * "rewriteDeprecatedComponentNames": renamed components get their new names, in their section (merged over an entry
 * already under the new name) and in every pipeline, whose receiver and processor lists are then deduplicated.
 */
function rewriteDeprecatedNames(config: PlainMap, renamedFrom: Map<string, string>): PlainMap {
  const renamed = (name: string, old: string, now: string) => (name === old ? now : name.startsWith(`${old}/`) ? `${now}/${name.slice(old.length + 1)}` : name);
  for (const [kind, table] of Object.entries(DEPRECATED_COMPONENT_RENAMES)) {
    for (const [old, now] of Object.entries(table)) {
      const section = config[kind];
      if (isPlainMap(section)) {
        for (const key of Object.keys(section).sort()) {
          const to = renamed(key, old, now);
          if (to === key) continue;
          renamedFrom.set(`${kind}\0${to}`, key);
          section[to] = mergeOverwrite(isEmpty(section[to]) ? {} : (section[to] as PlainMap), isPlainMap(section[key]) ? section[key] : {});
          delete section[key];
        }
      }
      const pipelines = dig(config, ['service', 'pipelines']);
      for (const pipeline of isPlainMap(pipelines) ? Object.values(pipelines) : []) {
        if (!isPlainMap(pipeline) || isEmpty(pipeline[kind])) continue;
        pipeline[kind] = uniq(listOf(pipeline[kind]).map((r) => (typeof r === 'string' ? renamed(r, old, now) : r)));
      }
    }
  }
  for (const [key, processor] of Object.entries(isPlainMap(config.processors) ? config.processors : {})) {
    if (!(key === 'resourcedetection' || key.startsWith('resourcedetection/')) || !isPlainMap(processor) || isEmpty(processor.detectors)) continue;
    processor.detectors = uniq(listOf(processor.detectors).map((d) => DEPRECATED_DETECTOR_RENAMES[d as string] ?? d));
  }
  return config;
}

function findString(v: Plain, test: (s: string) => boolean): string | undefined {
  if (typeof v === 'string') return test(v) ? v : undefined;
  for (const child of Array.isArray(v) ? v : isPlainMap(v) ? [...Object.keys(v), ...Object.values(v)] : []) {
    const found = findString(child, test);
    if (found !== undefined) return found;
  }
  return undefined;
}
