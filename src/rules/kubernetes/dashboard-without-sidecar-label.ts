import { defineRule } from '../define.js';
import { fix, yamlInsertMapEntry } from '../../model/edits.js';
import { unlabelledDashboards } from '../../model/kubernetes-dashboards.js';
import { objectName, objectText } from '../../model/kubernetes-routes.js';

const messages = {
  unlabelled: {
    message: (d: { configMap: string; labelName: string }) =>
      `${d.configMap} holds a dashboard without the sidecar's label ${d.labelName}: Grafana never loads it`,
    detail: (d: { where: string; key: string; from: string; label: string }) =>
      `key "${d.key}" of ${d.where} is a Grafana dashboard; the dashboard sidecar loads ConfigMaps by label, and ${d.from} carries ${d.label} (assuming the sidecar selects by that label, as the Grafana chart's sidecar.dashboards.label does)`,
  },
} as const;

export default defineRule({
  id: 'kubernetes/dashboard-without-sidecar-label',
  severity: 'warning',
  title: "A dashboard ConfigMap without the Grafana sidecar's label",
  checks:
    "ConfigMaps whose data holds a Grafana dashboard (recognised by content, whatever the key's name) but none of the labels the dashboard sidecar selects on (`grafana_dashboard`, the Grafana chart's default, or the `LABEL` of a k8s-sidecar container in the manifests), in a repo where another ConfigMap carries such a label: the sidecar is how dashboards get into Grafana there.",
  why: "The Grafana chart's dashboard sidecar (kiwigrid/k8s-sidecar) watches ConfigMaps with its label and writes their keys into Grafana's dashboards folder; a ConfigMap without the label is never seen. The dashboard does not appear in Grafana, with no error anywhere, while its neighbours load.",
  fix: 'safe',
  fixDescription: "Adds the label (name and value as the other dashboard ConfigMaps write it) to the ConfigMap's metadata.labels.",
  versions: 'all Grafana chart versions (sidecar.dashboards.label, default grafana_dashboard)',
  bad: {
    file: 'k8s/dashboards.yaml',
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboard-overview\n  labels:\n    grafana_dashboard: "1"\ndata:\n  overview.json: |\n    {"uid": "overview", "title": "Overview", "panels": []}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboard-claude-code\ndata:\n  claude-code.json: |\n    {"uid": "claude-code", "title": "Claude Code", "panels": []}\n',
  },
  good: {
    file: 'k8s/dashboards.yaml',
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboard-overview\n  labels:\n    grafana_dashboard: "1"\ndata:\n  overview.json: |\n    {"uid": "overview", "title": "Overview", "panels": []}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboard-claude-code\n  labels:\n    grafana_dashboard: "1"\ndata:\n  claude-code.json: |\n    {"uid": "claude-code", "title": "Claude Code", "panels": []}\n',
  },
  references: [
    'https://github.com/grafana/helm-charts/blob/grafana-8.5.0/charts/grafana/README.md (sidecar.dashboards.enabled, sidecar.dashboards.label: grafana_dashboard)',
    'https://github.com/kiwigrid/k8s-sidecar/blob/1.28.0/README.md (LABEL, LABEL_VALUE: the ConfigMaps and Secrets it collects)',
  ],
  oracle: 'fixtures',
  stage: 'Grafana',
  messages,
  check(ws) {
    return unlabelledDashboards(ws.stack.kubernetes).map((u) => {
      const meta = u.configMap.object.value.get('metadata');
      const labels = meta?.get('labels');
      const entry = `${u.label.name}: ${JSON.stringify(u.label.value)}`;
      const edits = !meta
        ? []
        : labels?.isMap() && labels.keys().length > 0
          ? yamlInsertMapEntry(labels.doc, labels.path, u.label.name, JSON.stringify(u.label.value))
          : labels
            ? []
            : yamlInsertMapEntry(meta.doc, meta.path, 'labels', [entry]);
      const label = `${u.label.name}=${u.label.value}`;
      return {
        ...(meta?.get('name') ?? u.configMap.object.value).location('value'),
        kind: 'unlabelled' as const,
        data: {
          configMap: objectName(u.configMap),
          where: objectText(u.configMap),
          labelName: u.label.name,
          label,
          key: u.key,
          from: objectText(u.label.from),
        },
        hint: `add the label ${entry} to metadata.labels`,
        fix: fix('safe', `label ${objectText(u.configMap)} with ${label}`, edits),
      };
    });
  },
});
