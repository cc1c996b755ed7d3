import { defineRule, type RuleFinding } from '../define.js';
import { fix } from '../../model/edits.js';
import { resolveRef } from '../../model/grafana.js';
import { dashboardName } from '../../model/dashboard-queries.js';
import { yamlInsertAfterKey } from '../../model/grafana-placement.js';

const messages = {
  withoutUid: {
    message: (d: { datasource: string; uid: string }) => `datasource "${d.datasource}" has no uid: Grafana computes ${d.uid} from its name`,
    detail: (d: { datasource: string; dashboards: string[]; byUid: number; byName: number }) => {
      const uses = [
        d.byUid ? `${d.byUid} reference${d.byUid > 1 ? 's resolve' : ' resolves'} only through this computed UID` : '',
        d.byName ? `${d.byName} reference${d.byName > 1 ? 's resolve' : ' resolves'} only by the name "${d.datasource}"` : '',
      ].filter(Boolean);
      return uses.length ? `in ${d.dashboards.join(', ')} ${uses.join(' and ')}` : 'no dashboard here refers to it by that UID or by name alone';
    },
  },
} as const;
type WithoutUidFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'grafana/datasource-without-uid',
  severity: 'info',
  title: 'Provisioned datasource without uid',
  checks:
    'A provisioned datasource with a name but no `uid`: shows the UID Grafana computes for it ("P" + the first 8 bytes of SHA-256 of the name, upper-case hex) and which dashboard references in the workspace depend on it.',
  why: 'Dashboards that hard-code `PBFA97CFB590B2093` (Anthropic\'s guide, the claude-code-otel-setup skill) work only because Grafana derives that UID from the name "Prometheus" when it inserts the datasource. Renaming the datasource, or creating it in the UI (random UID), breaks every panel with "Datasource PBFA97CFB590B2093 was not found".',
  fix: 'safe',
  fixDescription:
    "Adds `uid: <the computed UID>` after the datasource's `name`, so the UID no longer depends on the name; nothing changes for Grafana or the dashboards.",
  versions: 'Grafana 8.3+ (UIDs computed from the name on insert)',
  bad: { file: 'grafana-datasources.yml', text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    url: http://prometheus:9090\n' },
  good: {
    file: 'grafana-datasources.yml',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    uid: PBFA97CFB590B2093\n    type: prometheus\n    url: http://prometheus:9090\n',
  },
  references: [
    'https://github.com/grafana/grafana/blob/v11.3.0/pkg/services/provisioning/datasources/types.go (safeUIDFromName: Prometheus → PBFA97CFB590B2093, Loki → P8E80F9AEF21F6940)',
    'https://github.com/anthropics/claude-code-monitoring-guide/tree/02777441 (working-dashboard.json hard-codes PBFA97CFB590B2093)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const findings: WithoutUidFinding[] = [];
    const all = ws.stack.grafana.datasources;
    for (const f of ws.stack.grafana.datasourceFiles) {
      if (f.yaml.problems.length) continue;
      for (const d of f.datasources) {
        if (d.uid !== undefined || !d.name || !d.effectiveUid) continue;
        let byUid = 0;
        let byName = 0;
        const dashboards = new Set<string>();
        for (const dash of ws.stack.grafana.dashboards) {
          for (const r of dash.refs) {
            const res = resolveRef(r.value, dash, all);
            if (res.kind === 'uid' && res.datasource === d) byUid++;
            else if (res.kind === 'name' && res.datasource === d) byName++;
            else continue;
            dashboards.add(dashboardName(dash));
          }
        }
        findings.push({
          ...d.value.get('name')!.location(),
          kind: 'withoutUid',
          data: { datasource: d.name, uid: d.effectiveUid, dashboards: [...dashboards], byUid, byName },
          hint: `pin it: uid: ${d.effectiveUid} (then renaming the datasource no longer breaks dashboards)`,
          fix: fix('safe', `pin uid ${d.effectiveUid} on datasource ${d.name}`, yamlInsertAfterKey(d.value.doc, d.value.path, 'name', 'uid', d.effectiveUid)),
        });
      }
    }
    return findings;
  },
});
