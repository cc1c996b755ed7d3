import { defineRule, type RuleFinding } from '../define.js';
import { collectorContainers, type Container, type KubernetesModel, objectFile, sameScope, type VolumeMount, type Workload } from '../../model/kubernetes.js';
import { defaultCollectorConfigPath } from '../../model/topology.js';
import type { Workspace } from '../../model/workspace.js';

interface Where {
  container: string;
  workload: string;
  file: string;
  path: string;
  /** Set when a kustomize build the doctor does not model may change the objects (then a warning that says so). */
  assumed?: string;
}

const place = (d: Where) => `container "${d.container}" of ${d.workload} (${d.file})`;
const refuses = (d: Where) => `the collector refuses to start ("unable to read the file file:${d.path}")`;
const assuming = (d: Where) => (d.assumed ? `; this assumes ${d.assumed}` : '');
const headline = (d: Where, why: string) => `container "${d.container}" reads its config from ${d.path}, ${why}: the collector fails`;

const messages = {
  notMounted: { message: (d: Where) => headline(d, 'but no volume is mounted there'), detail: (d: Where) => `${place(d)}: ${refuses(d)}${assuming(d)}` },
  noKey: {
    message: (d: Where & { object: string; key: string; holds: string }) => headline(d, `a key the mounted ${d.object.split(' ')[0]} lacks`),
    detail: (d: Where & { object: string; key: string; holds: string }) =>
      `${place(d)} reads key "${d.key}" of the mounted ${d.object}, which has no such key (it holds ${d.holds}): ${refuses(d)}${assuming(d)}`,
  },
  folder: {
    message: (d: Where & { object: string }) => headline(d, 'a folder: the whole volume is mounted there'),
    detail: (d: Where & { object: string }) =>
      `${place(d)}: ${d.object} is mounted whole at ${d.path} (a subPath would mount one key); the collector refuses to start ("read ${d.path}: is a directory")${assuming(d)}`,
  },
  emptyVolume: {
    message: (d: Where & { volume: string; sourceless: boolean }) => headline(d, 'in an empty volume nothing writes'),
    detail: (d: Where & { volume: string; sourceless: boolean }) =>
      `${place(d)}: volume "${d.volume}" ${d.sourceless ? 'names no source, so Kubernetes makes it an emptyDir' : 'is an emptyDir'}, and no other container of the pod mounts it to write the config there; ${refuses(d)}${assuming(d)}`,
  },
  notInItems: {
    message: (d: Where & { object: string; items: string }) => headline(d, `which the items of ${d.object}'s volume leave out`),
    detail: (d: Where & { object: string; items: string }) => `${place(d)}: the volume lists only ${d.items} under its items; ${refuses(d)}${assuming(d)}`,
  },
} as const;
type Found = RuleFinding<typeof messages>;

export default defineRule({
  id: 'kubernetes/config-not-mounted',
  severity: 'error',
  title: "A collector container's --config file is not mounted",
  checks:
    "For each container of a Deployment, DaemonSet, StatefulSet or Pod that runs an OpenTelemetry Collector image: the file each `--config` names (a plain path or a `file:` URI) against the container's volume mounts. Flags a path no volume is mounted at (other than the image's own default config), and a path a ConfigMap or Secret volume should provide when that object, in the scanned manifests, has no such key (or the volume's `items` do not list the path). A path in an emptyDir volume (also a volume that names no source, which Kubernetes makes an emptyDir) that no other container of the pod mounts, to write the config there (an init container rendering it), is empty. Mounts of other volumes (projected, a claim, a host path) and objects not in the scan are not judged. Kustomize builds are read as `kustomize build` makes them (the objects of a root kustomization, with its bases, patches and generators, in place of the files it reads), so a finding about a built object is certain and points into the file that wrote the value; with a kustomization the doctor does not model (helmCharts, replacements, vars...) or kustomize refuses, which may add keys or objects, the finding is a warning that says so.",
  why: 'The collector reads its config only from the file `--config` names. When no file is there it stops at once with "cannot retrieve the configuration: unable to read the file file:/conf/config.yaml: open /conf/config.yaml: no such file or directory" (or "read …: is a directory" when a `subPath` names no key), the pod restarts in CrashLoopBackOff, and no Claude Code telemetry is received.',
  fix: 'none',
  versions: 'all collector versions (error text measured on collector 0.105.0 and 0.165.0)',
  bad: {
    file: 'k8s/collector.yaml',
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel-collector-conf\ndata:\n  config.yaml: |\n    receivers:\n      otlp:\n        protocols:\n          grpc:\n            endpoint: 0.0.0.0:4317\n    exporters:\n      debug: {}\n    service:\n      pipelines:\n        metrics:\n          receivers: [otlp]\n          exporters: [debug]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    matchLabels: {app: otel-collector}\n  template:\n    metadata:\n      labels: {app: otel-collector}\n    spec:\n      containers:\n        - name: otel-collector\n          image: otel/opentelemetry-collector-contrib:0.115.1\n          args: ["--config=/conf/otel-collector-config.yaml"]\n          volumeMounts:\n            - name: conf\n              mountPath: /conf\n      volumes:\n        - name: conf\n          configMap:\n            name: otel-collector-conf\n',
  },
  good: {
    file: 'k8s/collector.yaml',
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: otel-collector-conf\ndata:\n  config.yaml: |\n    receivers:\n      otlp:\n        protocols:\n          grpc:\n            endpoint: 0.0.0.0:4317\n    exporters:\n      debug: {}\n    service:\n      pipelines:\n        metrics:\n          receivers: [otlp]\n          exporters: [debug]\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: otel-collector\nspec:\n  selector:\n    matchLabels: {app: otel-collector}\n  template:\n    metadata:\n      labels: {app: otel-collector}\n    spec:\n      containers:\n        - name: otel-collector\n          image: otel/opentelemetry-collector-contrib:0.115.1\n          args: ["--config=/conf/config.yaml"]\n          volumeMounts:\n            - name: conf\n              mountPath: /conf\n      volumes:\n        - name: conf\n          configMap:\n            name: otel-collector-conf\n',
  },
  references: [
    'https://kubernetes.io/docs/concepts/configuration/configmap/#using-configmaps-as-files-from-a-pod (each key a file; items; subPath)',
    'https://kubernetes.io/docs/concepts/storage/volumes/#using-subpath',
    'https://kubernetes.io/docs/concepts/storage/volumes/#emptydir (an emptyDir starts empty)',
    'https://github.com/kubernetes/kubernetes/blob/v1.34.0/pkg/apis/core/v1/defaults.go (SetDefaults_Volume: a volume with no source becomes an emptyDir)',
    "https://github.com/open-telemetry/opentelemetry-collector-releases/blob/v0.159.0/distributions/otelcol-contrib/Dockerfile (the image's own config at /etc/otelcol-contrib/config.yaml)",
  ],
  oracle: 'fixtures',
  certainty:
    "A ConfigMap or Secret volume holds exactly its keys as files (or the `items` listed, at their paths), and a container sees only what is mounted (Kubernetes docs); the official collector images hold nothing but the binary and their default config. Error only when the image is an official collector image, the `--config` path is absolute, and either no mount covers it, or the covering mount is an emptyDir (or sourceless) volume no other container of the pod mounts, or a ConfigMap/Secret volume whose object, found in the scanned manifests under that namespace and name (every copy of it), lacks the key. The collector's error for a missing file was measured on 0.105.0 and 0.165.0.",
  stage: 'Collector',
  messages,
  check(ws) {
    const k = ws.stack.kubernetes;
    const out: Found[] = [];
    for (const { workload, container } of collectorContainers(k)) {
      if (container.init) continue;
      const assumed = kustomized(ws, workload);
      for (const arg of container.configs) {
        // Kubernetes expands `$(VAR)` in args from the container's env: such a path is not known here.
        if (!arg.path?.startsWith('/') || arg.path.includes('$(')) continue;
        const d: Where = { container: container.name ?? '?', workload: describe(workload), file: objectFile(workload.object), path: arg.path };
        if (assumed) d.assumed = assumed;
        const f = judge(k, workload, container, arg.path, d);
        if (f) out.push({ ...arg.value.location('value'), ...f, ...(assumed ? { severity: 'warning' as const } : {}) } as Found);
      }
    }
    return out;
  },
});

/** What a container finds at a config path, as a finding's kind and data; undefined when it finds the file or the doctor cannot tell. */
function judge(k: KubernetesModel, w: Workload, c: Container, path: string, d: Where): Pick<Found, 'kind' | 'data'> | undefined {
  const mount = coveringMount(c, path);
  if (!mount) {
    // The image's own default config is there without a mount; an image whose default is not known may hold others.
    const own = defaultCollectorConfigPath(c.repository);
    return own === undefined || own === path ? undefined : { kind: 'notMounted', data: d };
  }
  const src = mount.source;
  if (src?.type === 'other' && (src.what === 'emptyDir' || src.what === 'unknown')) {
    // An init container (or a sidecar) may render the config into it.
    const written = w.containers.some((x) => x !== c && x.volumeMounts.some((m) => m.volume === mount.volume));
    return written ? undefined : { kind: 'emptyVolume', data: { ...d, volume: mount.volume, sourceless: src.what === 'unknown' } };
  }
  if (!src || src.type === 'other' || !src.name) return undefined;
  const kind = src.type === 'configMap' ? 'ConfigMap' : 'Secret';
  const object = `${kind} "${src.name}"`;
  if (mount.subPath === undefined && path === mount.mountPath.replace(/\/+$/, '')) return { kind: 'folder', data: { ...d, object } };
  const rel = mount.subPath ?? path.slice(mount.mountPath.replace(/\/+$/, '').length + 1);
  const keysOf = (type: 'ConfigMap' | 'Secret') =>
    type === 'ConfigMap'
      ? k.configMaps.filter((m) => m.object.name === src.name && sameScope(m.object, w.object)).map((m) => [...m.data.keys(), ...m.binaryKeys])
      : k.secrets.filter((s) => s.object.name === src.name && sameScope(s.object, w.object)).map((s) => s.keys);
  const copies = keysOf(kind);
  if (copies.length === 0) return undefined; // made elsewhere (a generator, another repo): not seen
  if (src.items) {
    const item = src.items.find((i) => i.path === rel);
    if (!item) return { kind: 'notInItems', data: { ...d, object, items: src.items.map((i) => i.path).join(', ') || 'nothing' } };
    return copies.some((keys) => keys.includes(item.key)) ? undefined : { kind: 'noKey', data: { ...d, object, key: item.key, holds: holds(copies) } };
  }
  if (rel.includes('/')) return undefined;
  return copies.some((keys) => keys.includes(rel)) ? undefined : { kind: 'noKey', data: { ...d, object, key: rel, holds: holds(copies) } };
}

/** The mount a path is read through: the one at the path itself (`subPath`, or a whole volume) or the deepest folder above it. */
function coveringMount(c: Container, path: string): VolumeMount | undefined {
  const covering = c.volumeMounts.filter((m) => {
    const dir = m.mountPath.replace(/\/+$/, '');
    return path === dir || (m.subPath === undefined && path.startsWith(`${dir}/`));
  });
  return covering.sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

/** The keys an object holds (every copy's), for the message: keys only, never a value. */
const holds = (copies: string[][]) => {
  const keys = [...new Set(copies.flat())];
  return keys.length === 0 ? 'no keys' : keys.map((k) => `"${k}"`).join(', ');
};

const describe = (w: Workload) => `${w.object.kind} "${w.object.name ?? '?'}"`;

/**
 * Why the objects read may not be what is applied: a kustomize build the doctor does not model (or kustomize
 * refuses), which may add or change objects. An object a modelled build made is what that build applies.
 */
function kustomized(ws: Workspace, w: Workload): string | undefined {
  if (w.object.unit) return undefined;
  const u = ws.stack.kustomize.find((x) => !('objects' in x.build));
  if (!u || 'objects' in u.build) return undefined;
  const why = 'notModelled' in u.build ? `the doctor does not model it: ${u.build.notModelled}` : `kustomize refuses it: ${u.build.refused}`;
  return `the manifests apply as written, though the kustomize build of ${u.kustomization.split('/').slice(-2).join('/')} may add or change objects (${why})`;
}
