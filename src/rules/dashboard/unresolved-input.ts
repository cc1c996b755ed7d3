import { defineRule, type RuleFinding } from '../define.js';
import { fix, setJsonIn } from '../../model/edits.js';
import type { Dashboard } from '../../model/grafana.js';
import { isFileProvisioned } from '../../model/grafana-placement.js';
import { atJson, dashboardName } from '../../model/dashboard-queries.js';

/** Every string in the dashboard that mentions `${NAME}` (or `$NAME`), with its path. */
function mentions(d: Dashboard, name: string): (string | number)[][] {
  const re = new RegExp(`\\$\\{${name}(?::[^}]*)?\\}|\\$${name}\\b`);
  const out: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (typeof v === 'string') {
      if (re.test(v)) out.push(path);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== '__inputs') walk(x, [...path, k]);
  };
  walk(d.model, []);
  return out;
}

export default defineRule({
  id: 'dashboard/unresolved-input',
  severity: 'error',
  title: 'Import placeholder in a file-provisioned dashboard',
  checks: 'A dashboard loaded by a file provider that uses `${DS_…}` from its `__inputs` without a templating variable of that name (type `datasource`).',
  why: 'Only the import flow (UI import or POST /api/dashboards/import) replaces `${DS_PROMETHEUS}` with a real datasource. File provisioning loads the JSON as it is, so every panel shows "Datasource ${DS_PROMETHEUS} was not found" unless a datasource variable of exactly that name exists.',
  fix: 'safe',
  fixDescription: 'Adds a templating variable of type `datasource` with the input\'s name and plugin (e.g. `DS_PROMETHEUS`, `prometheus`), which makes the placeholders resolve under file provisioning and changes nothing for imports (the pattern of grafana.com dashboard 25255).',
  versions: 'all Grafana versions with file provisioning',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],\n  "panels": [{"datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}],\n  "templating": {"list": []}\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],\n  "panels": [{"datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}],\n  "templating": {"list": [{"name": "DS_PROMETHEUS", "type": "datasource", "query": "prometheus"}]}\n}\n',
  },
  references: ['grafana-loki.md §4 (__inputs are substituted only by the import flow; the variable pattern)', 'peers.md §1.4 and §3 (rockdarko/claude-code-metrics-prometheus)'],
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const findings: RuleFinding[] = [];
    for (const d of ws.stack.grafana.dashboards) {
      if (d.inputs.length === 0 || d.doc.problems.some((p) => p.kind === 'syntax') || !isFileProvisioned(ws, d.file)) continue;
      for (const input of d.inputs.filter((i) => i.type === 'datasource')) {
        if (d.variables.some((v) => v.name === input.name)) continue;
        const uses = mentions(d, input.name);
        if (uses.length === 0) continue;
        const variable = {
          current: {},
          hide: 0,
          includeAll: false,
          label: input.label ?? input.name,
          multi: false,
          name: input.name,
          options: [],
          query: input.pluginId ?? 'prometheus',
          refresh: 1,
          regex: '',
          type: 'datasource',
        };
        const templating = d.model.templating as { list?: unknown } | undefined;
        const edits =
          templating && typeof templating === 'object' && Array.isArray(templating.list)
            ? setJsonIn(d.source, [...d.base, 'templating', 'list', 0], variable, true)
            : templating && typeof templating === 'object'
              ? setJsonIn(d.source, [...d.base, 'templating', 'list'], [variable])
              : setJsonIn(d.source, [...d.base, 'templating'], { list: [variable] });
        findings.push({
          ...atJson(d, [...input.path, 'name']),
          message: `dashboard ${dashboardName(d)} is provisioned from a file, which does not substitute its import input "${input.name}": ${uses.length} value${uses.length > 1 ? 's' : ''} using \${${input.name}} stay literal and Grafana shows "Datasource \${${input.name}} was not found"`,
          hint: `add a templating variable "${input.name}" of type datasource (query: ${input.pluginId ?? 'prometheus'})`,
          fix: fix('safe', `add datasource variable ${input.name}`, edits),
        });
      }
    }
    return findings;
  },
});
