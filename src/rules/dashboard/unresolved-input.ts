import { defineRule, type RuleFinding } from '../define.js';
import { fix, setJsonIn } from '../../model/edits.js';
import { fileProvisioning, PROVISIONING_ASSUMED } from '../../model/grafana-placement.js';
import { dashboardName, mentionsOf } from '../../model/dashboard-queries.js';

const messages = {
  unresolvedInput: {
    message: (d: { dashboard: string; input: string }) => `dashboard ${d.dashboard} uses import input "${d.input}", which file provisioning never fills in`,
    detail: (d: { input: string; values: number; assumed: boolean }) =>
      `it is provisioned from a file${d.assumed ? ` ${PROVISIONING_ASSUMED}` : ''}, which does not substitute import inputs: ${d.values} value${d.values > 1 ? 's' : ''} using \${${d.input}} stay literal and Grafana shows "Datasource \${${d.input}} was not found"`,
  },
} as const;
type UnresolvedInputFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'dashboard/unresolved-input',
  severity: 'error',
  title: 'Import placeholder in a file-provisioned dashboard',
  checks: 'A dashboard loaded by a file provider that uses `${DS_…}` from its `__inputs` without a templating variable of that name (type `datasource`).',
  why: 'Only the import flow (UI import or POST /api/dashboards/import) replaces `${DS_PROMETHEUS}` with a real datasource. File provisioning loads the JSON as it is, so every panel shows "Datasource ${DS_PROMETHEUS} was not found" unless a datasource variable of exactly that name exists.',
  fix: 'safe',
  fixDescription:
    "Adds a templating variable of type `datasource` with the input's name and plugin (e.g. `DS_PROMETHEUS`, `prometheus`), which makes the placeholders resolve under file provisioning and changes nothing for imports (the pattern of grafana.com dashboard 25255).",
  versions: 'all Grafana versions with file provisioning',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],\n  "panels": [{"datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}],\n  "templating": {"list": []}\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "__inputs": [{"name": "DS_PROMETHEUS", "type": "datasource", "pluginId": "prometheus"}],\n  "panels": [{"datasource": {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}}],\n  "templating": {"list": [{"name": "DS_PROMETHEUS", "type": "datasource", "query": "prometheus"}]}\n}\n',
  },
  references: [
    'https://github.com/grafana/grafana/blob/v11.3.0/pkg/services/dashboardimport/utils/dash_template_evaluator.go (__inputs are substituted only by the import flow)',
    'https://github.com/rockdarko/claude-code-metrics-prometheus (an __inputs entry plus a datasource variable of the same name)',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    'Only the import flow replaces ${DS_...} import inputs; file provisioning loads the JSON as written (Grafana docs), so the placeholders stay literal. Error only for a dashboard a file provider of this workspace loads, without a datasource variable of that name. Where no Grafana runs in compose, where the files land cannot be seen: a warning that says it assumed a provider reads the file.',
  stage: 'Grafana',
  check(ws) {
    const findings: UnresolvedInputFinding[] = [];
    for (const d of ws.stack.grafana.dashboards) {
      if (d.inputs.length === 0 || d.hasSyntaxError) continue;
      const provisioning = fileProvisioning(ws, d.file);
      if (!provisioning) continue;
      // Certain only where the compose Grafana shows the provider reading the file; else a warning that says so.
      const assumed = provisioning === 'assumed';
      for (const input of d.inputs.filter((i) => i.type === 'datasource')) {
        if (d.variables.some((v) => v.name === input.name)) continue;
        const uses = mentionsOf(d, input.name);
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
        // First in templating.list; else a list in templating; else a templating block.
        const templating = d.root?.get('templating');
        const list = templating?.get('list');
        const edits = list?.isArray()
          ? setJsonIn(d.source, [...list.path, 0], variable, true)
          : templating?.isObject()
            ? setJsonIn(d.source, [...templating.path, 'list'], [variable])
            : setJsonIn(d.source, [...d.base, 'templating'], { list: [variable] });
        findings.push({
          ...input.node.get('name')!.location(),
          kind: 'unresolvedInput',
          data: { dashboard: dashboardName(d), input: input.name, values: uses.length, assumed },
          ...(assumed ? { severity: 'warning' as const } : {}),
          hint: `add a templating variable "${input.name}" of type datasource (query: ${input.pluginId ?? 'prometheus'})`,
          fix: fix('safe', `add datasource variable ${input.name}`, edits),
        });
      }
    }
    return findings;
  },
});
