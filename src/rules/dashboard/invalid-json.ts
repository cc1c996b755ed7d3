import { defineRule, type RuleFinding } from '../define.js';
import { dashboardName } from '../../model/dashboard-queries.js';

const messages = {
  syntax: '{{problem}} in dashboard {{dashboard}}: Grafana cannot parse the file and skips it',
} as const;
type InvalidJsonFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/invalid-json',
  severity: 'error',
  title: 'Dashboard file is not valid JSON',
  checks: 'Dashboard files parse as strict JSON: no syntax errors, no comments, no trailing commas.',
  why: 'Grafana reads dashboards with a strict JSON parser: a provisioned file that does not parse is skipped with an error in the Grafana log only, and an import fails ("Not valid JSON"). The dashboard silently never appears.',
  fix: 'none',
  versions: 'all Grafana versions',
  bad: { file: 'dashboards/claude-code.json', text: '{\n  "title": "Claude Code",\n  // cost panels\n  "panels": [],\n}\n' },
  good: { file: 'dashboards/claude-code.json', text: '{\n  "title": "Claude Code",\n  "panels": []\n}\n' },
  references: [
    'https://grafana.com/docs/grafana/latest/administration/provisioning/#dashboards (file provisioning)',
    'https://www.rfc-editor.org/rfc/rfc8259 (JSON has no comments or trailing commas)',
  ],
  oracle: 'fixtures',
  certainty:
    "Grafana reads dashboards with a strict JSON parser: comments, trailing commas and syntax errors make it skip the file. Error for any such file; the doctor's tolerant parser finds them exactly.",
  stage: 'Grafana',
  repairsDroppedFile: true,
  messages,
  check(ws) {
    const findings: InvalidJsonFinding[] = [];
    for (const d of ws.stack.grafana.dashboards) {
      for (const p of d.problems) {
        findings.push({
          file: d.file,
          range: d.source.range(p.offset, p.length),
          kind: 'syntax',
          data: { problem: p.message, dashboard: dashboardName(d) },
          hint:
            p.kind === 'comment'
              ? 'remove the comment (put notes in the dashboard or panel "description")'
              : p.kind === 'trailing-comma'
                ? 'remove the trailing comma'
                : 'fix the JSON syntax at this position',
        });
      }
    }
    return findings;
  },
});
