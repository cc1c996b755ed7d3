import type { Scalar } from 'yaml';
import { classifySource, type FileKind } from '../discover/classify.js';
import { EmbeddedSource, type SourceFile } from '../load/source.js';
import type { YamlValue } from '../load/yaml-value.js';
import { isScalar, parseYaml, subDocument, type YamlDocument } from '../load/yaml.js';
import type { Finding, Range, TextEdit } from '../types.js';
import { collectorContainers, mountedKey, type KubernetesModel } from './kubernetes.js';

/**
 * Configs written inside Kubernetes objects, read as the files they stand for: a ConfigMap key holding a collector
 * config, a prometheus.yml, Grafana datasource provisioning or a dashboard; the Operator's OpenTelemetryCollector
 * `spec.config`. Each is a stack input like a file of its own, so every rule checks it, and its findings point into
 * the manifest (see `EmbeddedSource`).
 */
export interface EmbeddedInput {
  kind: Extract<FileKind, 'collector' | 'prometheus' | 'grafana-datasources' | 'grafana-dashboards' | 'dashboard'>;
  /** The embedded text (a string value), or the host file itself for a config written as YAML in place (v1beta1). */
  source: SourceFile;
  /** Its YAML document; undefined for a dashboard (JSON). */
  yaml?: YamlDocument;
  /** Where in the manifest it is written: the ConfigMap key or `spec.config`. */
  value: YamlValue;
}

/** The label the Grafana chart's dashboard sidecar looks for unless told another (`sidecar.dashboards.label`). */
export const SIDECAR_DASHBOARD_LABEL = 'grafana_dashboard';

const EMBEDDABLE = new Set<FileKind>(['collector', 'prometheus', 'grafana-datasources', 'grafana-dashboards', 'dashboard']);

export function embeddedInputs(k: KubernetesModel): EmbeddedInput[] {
  const out: EmbeddedInput[] = [];
  const mountedAsConfig = collectorConfigKeys(k);
  const dashboardLabels = sidecarDashboardLabels(k);
  for (const cm of k.configMaps) {
    for (const [key, value] of cm.data) {
      const source = embeddedSource(value, `${cm.object.file}#ConfigMap/${cm.object.name ?? ''}/${key}`);
      if (!source) continue;
      const forced: FileKind | undefined = mountedAsConfig.has(`${cm.object.namespace}/${cm.object.name}/${key}`) ? 'collector' : undefined;
      const classified = forced ? { kind: forced } : classifySource(source);
      const kind = classified?.kind;
      if (!kind || !EMBEDDABLE.has(kind)) continue;
      // A dashboard is Grafana's only when its sidecar picks the ConfigMap up by label.
      if (kind === 'dashboard' && !Object.keys(cm.object.labels).some((l) => dashboardLabels.has(l))) continue;
      out.push({
        kind: kind as EmbeddedInput['kind'],
        source,
        yaml: kind === 'dashboard' ? undefined : parseYaml(source, classified && 'yamlDoc' in classified ? classified.yamlDoc : undefined),
        value,
      });
    }
  }
  for (const c of k.operatorCollectors) {
    const config = c.config;
    if (!config) continue;
    const path = `${c.object.file}#OpenTelemetryCollector/${c.object.name ?? ''}/spec.config`;
    if (config.isMap()) {
      out.push({ kind: 'collector', source: config.doc.source, yaml: subDocument(config.doc, config.node!, path), value: config });
      continue;
    }
    const source = embeddedSource(config, path);
    if (source) out.push({ kind: 'collector', source, yaml: parseYaml(source), value: config });
  }
  return out;
}

/** `namespace/configmap/key` of every ConfigMap key a collector container reads as its `--config`. */
function collectorConfigKeys(k: KubernetesModel): Set<string> {
  const keys = new Set<string>();
  for (const { workload, container } of collectorContainers(k)) {
    for (const arg of container.configs) {
      const m = arg.path !== undefined ? mountedKey(container, arg.path) : undefined;
      if (m?.type === 'configMap') keys.add(`${workload.object.namespace}/${m.name}/${m.key}`);
    }
  }
  return keys;
}

/** Labels a Grafana dashboard sidecar (kiwigrid/k8s-sidecar) selects ConfigMaps by: its `LABEL` env, and the chart's default. */
export function sidecarDashboardLabels(k: KubernetesModel): Set<string> {
  const labels = new Set([SIDECAR_DASHBOARD_LABEL]);
  for (const w of k.workloads)
    for (const c of w.containers) {
      if (!/k8s-sidecar$/.test(c.repository ?? '')) continue;
      for (const e of c.env) if (e.name === 'LABEL' && e.source.from === 'value') labels.add(e.source.value);
    }
  return labels;
}

/**
 * The string value as a source of its own. A literal block (`|`, `|-`, `|+`, with or without an indentation
 * indicator) maps each line to the manifest; any other style points at its key and is read-only.
 */
export function embeddedSource(value: YamlValue, path: string): EmbeddedSource | undefined {
  const text = value.string();
  const node = value.node;
  if (text === undefined || !isScalar(node) || !node.range) return undefined;
  const host = value.doc.source;
  const literal = literalBlock(node as Scalar, host);
  return new EmbeddedSource(
    path,
    text,
    host,
    literal ?? { at: value.pair?.key && isScalar(value.pair.key) ? (value.pair.key.range?.[0] ?? node.range[0]) : node.range[0] },
  );
}

/** The first content line (1-based) and the indentation of a literal block scalar, from its header and the text. */
function literalBlock(node: Scalar, host: SourceFile): { firstLine: number; indent: number } | undefined {
  if (node.type !== 'BLOCK_LITERAL') return undefined;
  const token = (node as { srcToken?: { indent?: number; props?: { type: string; source: string; offset: number }[] } }).srcToken;
  const header = token?.props?.find((p) => p.type === 'block-scalar-header');
  if (!header) return undefined;
  const firstLine = host.position(header.offset).line + 1;
  const explicit = /[1-9]/.exec(header.source)?.[0];
  if (explicit) return { firstLine, indent: (token?.indent ?? 0) + Number(explicit) };
  // Detected as YAML does: the first line that is not empty gives the block's indentation.
  for (let line = firstLine; line <= host.lineStarts.length; line++) {
    const t = host.lineText(line);
    if (t.trim() !== '') return { firstLine, indent: t.length - t.trimStart().length };
  }
  return { firstLine, indent: 0 };
}

/**
 * A finding about an embedded config as a finding about its manifest: the manifest's path (positions are already
 * the manifest's), and the fix's edits mapped into it; an edit of a read-only value (not a literal block, or a config
 * a Helm chart renders from its values) drops the fix, whose hint then says to edit the manifest or values by hand.
 */
export function toHostFinding(f: Finding, embedded: ReadonlyMap<string, EmbeddedSource>): Finding {
  // A config inside a built object's ConfigMap is two steps from its file: the object, then the file it came from.
  const host = (file: string | undefined, range: Range | undefined): { file?: string; range?: Range } => {
    let at: { file?: string; range?: Range } = { file, range };
    for (let source = at.file && embedded.get(at.file); source; source = at.file && embedded.get(at.file))
      at = at.range ? source.hostLocation(at.range) : { file: source.host.path };
    return at;
  };
  const here = host(f.file, f.range);
  const out: Finding = { ...f, file: here.file, ...(f.range ? { range: here.range } : {}) };
  if (f.locations) out.locations = f.locations.map((l) => ({ ...l, ...host(l.file, l.range) }));
  if (!f.fix) return out;
  const mapEdit = (e: TextEdit): TextEdit | undefined => {
    const source = embedded.get(e.file);
    if (!source) return e;
    const mapped = source.hostEdit(e.offset, e.length, e.text);
    return mapped && mapEdit({ file: source.host.path, ...mapped });
  };
  const edits = f.fix.edits.map(mapEdit);
  const addEnv = f.fix.addEnv?.map((a) => ({ ...a, edits: a.edits.map(mapEdit) }));
  if (edits.some((e) => !e) || addEnv?.some((a) => a.edits.some((e) => !e))) {
    const { fix: _dropped, ...rest } = out;
    const block = (f.file !== undefined && embedded.get(f.file)?.block) || {};
    const built = f.file !== undefined && [f.file, embedded.get(f.file)?.host.path].some((p) => p !== undefined && 'locate' in (embedded.get(p)?.block ?? {}));
    const why = built
      ? 'this object is what kustomize builds from the base and its overlays, so --fix does not edit it: change the file it comes from by hand'
      : 'offsetOf' in block
        ? 'this config is what the Helm chart renders from the values file, so --fix does not edit it: change the values file by hand'
        : 'this config is written as a quoted or folded string in its manifest, so --fix does not edit it: change it there by hand';
    return { ...rest, hint: `${f.hint ? `${f.hint}; ` : ''}${why}` };
  }
  out.fix = { ...f.fix, edits: edits as TextEdit[], ...(addEnv ? { addEnv: addEnv.map((a) => ({ ...a, edits: a.edits as TextEdit[] })) } : {}) };
  return out;
}
