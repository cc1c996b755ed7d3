import { classifySource } from '../discover/classify.js';
import type { YamlValue } from '../load/yaml-value.js';
import type { ConfigMap, KubernetesModel } from './kubernetes.js';
import { embeddedSource, sidecarDashboardLabels } from './kubernetes-embedded.js';

/**
 * Dashboards in ConfigMaps that Grafana's sidecar never loads: a key holding a dashboard (by content) in a ConfigMap
 * without the sidecar's label, in a repo where other ConfigMaps carry it (so the sidecar is how dashboards get in).
 */
export interface UnlabelledDashboard {
  configMap: ConfigMap;
  key: string;
  value: YamlValue;
  /** The sidecar label as the labelled ConfigMaps write it (name and value), and one of them. */
  label: { name: string; value: string; from: ConfigMap };
}

export function unlabelledDashboards(k: KubernetesModel): UnlabelledDashboard[] {
  const sidecar = sidecarDashboardLabels(k);
  const labelOf = (cm: ConfigMap) => Object.entries(cm.object.labels).find(([name]) => sidecar.has(name));
  const labelled = k.configMaps.filter((cm) => labelOf(cm));
  if (labelled.length === 0) return [];
  const [name, value] = labelOf(labelled[0])!;
  const out: UnlabelledDashboard[] = [];
  for (const cm of k.configMaps) {
    if (labelOf(cm)) continue;
    for (const [key, v] of cm.data) {
      const source = embeddedSource(v, `${cm.object.file}#ConfigMap/${cm.object.name ?? ''}/${key}`);
      if (source && classifySource(source)?.kind === 'dashboard') out.push({ configMap: cm, key, value: v, label: { name, value, from: labelled[0] } });
    }
  }
  return out;
}
