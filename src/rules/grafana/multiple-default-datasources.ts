import { basename } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import type { ProvisionedDatasource } from '../../model/grafana.js';
import { datasourceReaders } from '../../model/grafana-placement.js';

const messages = {
  secondDefault: {
    message: (d: { datasource: string; earlier: string }) => `datasource "${d.datasource}" is a second default, after "${d.earlier}": Grafana does not start`,
    detail: (d: { earlier: string; earlierFile?: string }) =>
      `both are marked isDefault ("${d.earlier}"${d.earlierFile ? ` in ${d.earlierFile}` : ''}); Grafana refuses the provisioning: "Only one datasource per organization can be marked as default"`,
  },
} as const;
type MultipleDefaultsFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'grafana/multiple-default-datasources',
  severity: 'error',
  title: 'More than one default datasource',
  checks:
    'Provisioned datasources (across all provisioning files Grafana reads: with a Grafana compose service, those mounted into its provisioning/datasources folder) with `isDefault: true` more than once in the same organisation.',
  why: 'Grafana rejects the provisioning with "datasource.yaml config is invalid. Only one datasource per organization can be marked as default" and stops at startup, so no dashboard works.',
  fix: 'none',
  versions: 'all Grafana versions with datasource provisioning',
  bad: {
    file: 'grafana-datasources.yml',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    url: http://prometheus:9090\n    isDefault: true\n  - name: Loki\n    type: loki\n    url: http://loki:3100\n    isDefault: true\n',
  },
  good: {
    file: 'grafana-datasources.yml',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    url: http://prometheus:9090\n    isDefault: true\n  - name: Loki\n    type: loki\n    url: http://loki:3100\n',
  },
  references: [
    'https://github.com/grafana/grafana/blob/v11.3.0/pkg/services/provisioning/datasources/config_reader.go (ErrInvalidConfigToManyDefault)',
    'https://grafana.com/docs/grafana/latest/administration/provisioning/#data-sources (isDefault: at most one per org)',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    "Grafana refuses provisioning that marks more than one datasource default in an organisation ('Only one datasource per organization can be marked as default') and stops. Error only across the datasource files this Grafana reads.",
  stage: 'Grafana',
  check(ws) {
    const findings: MultipleDefaultsFinding[] = [];
    // Per Grafana that reads the file, and per org: two Grafanas (two compose projects) each have their own default.
    const first = new Map<string, ProvisionedDatasource>();
    for (const d of ws.stack.grafana.datasources) {
      if (!d.isDefault || d.yaml.problems.length) continue;
      const keys = datasourceReaders(ws, d.file).map((reader) => `${reader}\0${d.orgId}`);
      const earlier = keys.map((k) => first.get(k)).find(Boolean);
      for (const k of keys) if (!first.has(k)) first.set(k, d);
      if (!earlier) continue;
      findings.push({
        ...d.value.get('isDefault')!.location('value'),
        kind: 'secondDefault',
        data: { datasource: d.name ?? '?', earlier: earlier.name ?? '?', earlierFile: earlier.file === d.file ? undefined : basename(earlier.file) },
        hint: `keep isDefault: true on one datasource of org ${d.orgId} only`,
      });
    }
    return findings;
  },
});
