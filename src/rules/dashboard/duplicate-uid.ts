import { relative } from 'node:path';
import { defineRule, type RuleFinding } from '../define.js';
import type { Dashboard } from '../../model/grafana.js';
import { dashboardName } from '../../model/dashboard-queries.js';

const messages = {
  duplicateUid: {
    message: 'dashboard {{dashboard}} has the uid of {{earlier}}: Grafana keeps only one of them',
    detail: 'both have uid "{{uid}}"; {{earlier}} is in {{earlierFile}}',
  },
} as const;
type DuplicateUidFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/duplicate-uid',
  severity: 'error',
  title: 'Two dashboards with the same uid',
  checks: 'Dashboard files of one workspace (one Grafana) that share a `uid`.',
  why: 'A uid identifies one dashboard in the whole Grafana instance: provisioning loads only one of the files (Grafana logs that the uid is used more than once), and importing the second overwrites the first. One dashboard silently disappears.',
  fix: 'none',
  versions: 'all Grafana versions',
  bad: {
    file: 'dashboards/claude-code.json + dashboards/costs.json',
    text: '{\n  "uid": "claude-code",\n  "title": "Claude Code",\n  "panels": []\n}\n---\n{\n  "uid": "claude-code",\n  "title": "Claude Code - Costs",\n  "panels": []\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json + dashboards/costs.json',
    text: '{\n  "uid": "claude-code",\n  "title": "Claude Code",\n  "panels": []\n}\n---\n{\n  "uid": "claude-code-costs",\n  "title": "Claude Code - Costs",\n  "panels": []\n}\n',
  },
  references: ['https://grafana.com/docs/grafana/latest/administration/provisioning/#dashboards ("don\'t reuse UIDs across the instance")'],
  messages,
  oracle: 'fixtures',
  certainty:
    'A uid identifies one dashboard per Grafana instance: provisioning loads one of two files with the same uid (Grafana logs it). Error only for files the same Grafana loads.',
  stage: 'Grafana',
  check(ws) {
    const findings: DuplicateUidFinding[] = [];
    const first = new Map<string, Dashboard>();
    for (const d of ws.stack.grafana.dashboards) {
      if (!d.uid) continue;
      const earlier = first.get(d.uid);
      if (!earlier) {
        first.set(d.uid, d);
        continue;
      }
      findings.push({
        ...d.root!.get('uid')!.location(),
        kind: 'duplicateUid',
        data: { dashboard: dashboardName(d), uid: d.uid, earlier: dashboardName(earlier), earlierFile: relative(ws.root, earlier.file) || earlier.file },
        hint: 'give each dashboard its own uid',
      });
    }
    return findings;
  },
});
