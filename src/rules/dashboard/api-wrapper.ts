import { dashboardName } from '../../model/dashboard-queries.js';
import { fix } from '../../model/edits.js';
import { fileProvisioning, PROVISIONING_ASSUMED } from '../../model/grafana-placement.js';
import type { Dashboard } from '../../model/grafana.js';
import type { TextEdit } from '../../types.js';
import { defineRule, type RuleFinding } from '../define.js';

const LOADED_AS_IS = 'a file provider loads a file as the dashboard itself: only the API takes this wrapper';

/** Where no Grafana service shows which provider reads the file, the finding says it assumed one does. */
const assumption = (d: { assumed: boolean }) => (d.assumed ? ` ${PROVISIONING_ASSUMED}` : '');

const messages = {
  noTitle: {
    message: (d: { dashboard: string }) => `dashboard ${d.dashboard} is in the HTTP API's wrapper form: Grafana skips the file, none of its panels appear`,
    detail: (d: { assumed: boolean }) =>
      `the wrapper is {"dashboard": {…}, …}, but ${LOADED_AS_IS}${assumption(d)}; the top level has no title: "failed to load dashboard … Dashboard title cannot be empty"`,
  },
  emptyDashboard: {
    message: (d: { dashboard: string }) => `dashboard ${d.dashboard} is in the HTTP API's wrapper form: Grafana shows none of its panels`,
    detail: (d: { title: string; assumed: boolean }) =>
      `the wrapper is {"dashboard": {…}, …}, but ${LOADED_AS_IS}${assumption(d)}; Grafana loads the wrapper as a dashboard titled "${d.title}" with none of the panels inside "dashboard"`,
  },
} as const;
type ApiWrapperFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/api-wrapper',
  severity: 'error',
  title: 'API wrapper form in a file-provisioned dashboard',
  checks:
    'A dashboard file loaded by a file provider whose JSON is the HTTP API\'s request body (`{"dashboard": {…}, "overwrite": …}`, as `POST /api/dashboards/db` takes and scripts save) instead of the dashboard model itself.',
  why: 'File provisioning reads the whole file as the dashboard model. The wrapper has no top-level `title`, so Grafana logs "failed to load dashboard from … error=\\"Dashboard title cannot be empty\\"" and the dashboard never appears; with a top-level title it loads an empty dashboard. The same file works when posted to the API, which is why it gets copied into provisioning folders.',
  fix: 'unsafe',
  fixDescription:
    'Replaces the file with the value of its `dashboard` key (the dashboard model, formatting kept, dedented). Unsafe: a script that posts the same file to the API needs the wrapper back.',
  versions: 'all Grafana versions with file provisioning (5.0 and later)',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "dashboard": {\n    "uid": "claude-code",\n    "title": "Claude Code",\n    "panels": []\n  },\n  "overwrite": true\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "uid": "claude-code",\n  "title": "Claude Code",\n  "panels": []\n}\n',
  },
  messages,
  references: [
    'https://github.com/grafana/grafana/tree/v11.3.0/pkg/services/provisioning/dashboards (file reader: the file is the dashboard model)',
    'https://github.com/grafana/grafana/tree/v11.3.0/pkg/services/dashboards (ErrDashboardTitleEmpty, "Dashboard title cannot be empty")',
    'https://grafana.com/docs/grafana/latest/administration/provisioning/#dashboards (dashboard provider YAML)',
  ],
  oracle: 'fixtures',
  certainty:
    "File provisioning reads a file as the dashboard model itself; the HTTP API wrapper has no top-level title and Grafana refuses it ('Dashboard title cannot be empty', ErrDashboardTitleEmpty). Error only for a wrapped file a file provider of this workspace loads. Where no Grafana runs in compose, where the files land cannot be seen: a warning that says it assumed a provider reads the file.",
  stage: 'Grafana',
  check(ws) {
    const findings: ApiWrapperFinding[] = [];
    for (const d of ws.stack.grafana.dashboards) {
      if (d.base.length === 0 || d.hasSyntaxError || !d.root) continue;
      const provisioning = fileProvisioning(ws, d.file);
      if (!provisioning) continue;
      // Certain only where the compose Grafana shows the provider reading the file; else a warning that says so.
      const assumed = provisioning === 'assumed';
      const title = topLevelTitle(d);
      const at = { ...d.root.location('key'), path: '/dashboard', ...(assumed ? { severity: 'warning' as const } : {}) };
      const hint = 'put the value of "dashboard" at the top level of the file (the wrapper is for the HTTP API only)';
      const unwrap = fix('unsafe', `unwrap the dashboard in ${d.file.split(/[\\/]/).pop()}`, unwrapEdits(d));
      const dashboard = dashboardName(d);
      if (title !== undefined) findings.push({ ...at, kind: 'emptyDashboard', data: { dashboard, title, assumed }, hint, fix: unwrap });
      else findings.push({ ...at, kind: 'noTitle', data: { dashboard, assumed }, hint, fix: unwrap });
    }
    return findings;
  },
});

/** The wrapper's own top-level `title`, when it has one (Grafana then loads the wrapper as an empty dashboard). */
function topLevelTitle(d: Dashboard): string | undefined {
  const title = d.doc.root?.children?.find((p) => p.children?.[0]?.value === 'title')?.children?.[1];
  return title?.type === 'string' && typeof title.value === 'string' && title.value !== '' ? title.value : undefined;
}

/** The whole file replaced by the `dashboard` value's own text, its lines moved left by its closing brace's indent. */
function unwrapEdits(d: Dashboard): TextEdit[] {
  const inner = d.root!.node;
  const text = d.source.text.slice(inner.offset, inner.offset + inner.length);
  const lastLine = d.source.text.slice(d.source.text.lastIndexOf('\n', inner.offset + inner.length - 1) + 1, inner.offset + inner.length - 1);
  const indent = /^[ \t]*$/.test(lastLine) ? lastLine.length : 0;
  const eol = d.source.text.includes('\r\n') ? '\r\n' : '\n';
  const dedented = text
    .split(/\r?\n/)
    .map((line, i) => (i > 0 && line.slice(0, indent).trim() === '' ? line.slice(indent) : line))
    .join(eol);
  return [{ file: d.file, offset: 0, length: d.source.text.length, text: `${dedented}${eol}` }];
}
