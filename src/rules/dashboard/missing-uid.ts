import { defineRule, type RuleFinding } from '../define.js';
import { fix, setJsonIn } from '../../model/edits.js';
import { dashboardName } from '../../model/dashboard-queries.js';

/** A stable uid from the title: lower case, words joined by `-`, at most 40 characters (Grafana's limit). */
export function uidFromTitle(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (slug || 'dashboard').slice(0, 40).replace(/-+$/, '');
}

const messages = {
  missingUid: { message: 'dashboard {{dashboard}} has no uid: every import creates another copy', detail: 'links to it break when it is re-created' },
} as const;
type MissingUidFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/missing-uid',
  severity: 'warning',
  title: 'Dashboard without uid',
  checks: 'A dashboard JSON without a top-level `uid`.',
  why: 'Without a uid every import creates a new copy, and links, alerts and "Explore" URLs that point at a dashboard break when it is re-created. Provisioning by file matches dashboards by uid, so renaming the title creates duplicates.',
  fix: 'safe',
  fixDescription: "Adds a `uid` derived from the title (lower case, dashes, at most 40 characters), made unique among the workspace's dashboards.",
  versions: 'all Grafana versions',
  bad: { file: 'dashboards/claude-code-overview.json', text: '{\n  "title": "Claude Code - Overview",\n  "panels": []\n}\n' },
  good: {
    file: 'dashboards/claude-code-overview.json',
    text: '{\n  "title": "Claude Code - Overview",\n  "uid": "claude-code-overview",\n  "panels": []\n}\n',
  },
  references: [
    'https://grafana.com/docs/grafana/latest/administration/provisioning/#dashboards (uid makes provisioning idempotent)',
    'https://github.com/cskiro/claudex/tree/ab4a351/skills/otel-monitoring-setup/dashboards/claude-code-overview.json (no top-level uid)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const findings: MissingUidFinding[] = [];
    const dashboards = ws.stack.grafana.dashboards.filter((d) => !d.hasSyntaxError && d.root);
    const taken = new Set(dashboards.flatMap((d) => (d.uid ? [d.uid] : [])));
    for (const d of dashboards) {
      if (d.uid) continue;
      let uid = uidFromTitle(
        d.title ??
          d.file
            .split(/[\\/]/)
            .pop()!
            .replace(/\.json$/i, ''),
      );
      for (let n = 2; taken.has(uid); n++) uid = `${uidFromTitle(d.title ?? 'dashboard').slice(0, 36)}-${n}`;
      taken.add(uid);
      // Point at an empty uid, else the title, else the dashboard's opening brace.
      const key = d.root!.get('uid') ?? (d.title !== undefined ? d.root!.get('title') : undefined);
      findings.push({
        ...(key ? key.location('key') : d.root!.location()),
        kind: 'missingUid',
        data: { dashboard: dashboardName(d) },
        hint: `add "uid": "${uid}"`,
        fix: fix('safe', `add uid "${uid}"`, setJsonIn(d.source, [...d.base, 'uid'], uid)),
      });
    }
    return findings;
  },
});
