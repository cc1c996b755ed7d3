import { defineRule, type RuleFinding } from '../define.js';
import { fix, setJsonIn } from '../../model/edits.js';
import { refKey, refType, resolveRef, type Dashboard, type DatasourceRef, type ProvisionedDatasource } from '../../model/grafana.js';
import { atJson, dashboardName, grafanaPresent } from '../../model/dashboard-queries.js';

const WHERE: Record<DatasourceRef['where'], string> = { panel: 'panel', target: 'query', annotation: 'annotation', variable: 'variable' };

function owner(d: Dashboard, r: DatasourceRef): string {
  let node: unknown = d.model;
  for (const p of r.ownerPath) node = (node as Record<string | number, unknown>)?.[p];
  const o = node as Record<string, unknown> | undefined;
  const title = typeof o?.title === 'string' ? o.title : typeof o?.name === 'string' ? o.name : undefined;
  if (r.where === 'target') {
    let panel: unknown = d.model;
    for (const p of r.ownerPath.slice(0, -2)) panel = (panel as Record<string | number, unknown>)?.[p];
    const pt = (panel as Record<string, unknown> | undefined)?.title;
    return `query ${typeof o?.refId === 'string' ? o.refId : ''} of panel ${typeof pt === 'string' ? `"${pt}"` : ''}`.replace(/\s+/g, ' ').trim();
  }
  return title ? `${WHERE[r.where]} "${title}"` : WHERE[r.where];
}

export default defineRule({
  id: 'dashboard/datasource-not-found',
  severity: 'error',
  title: 'Datasource reference that resolves to nothing',
  checks:
    'Every datasource reference of a dashboard (panels, queries, annotations, variables), resolved the way Grafana resolves it: template variables first, then UID (explicit or the one Grafana computes for a provisioned datasource without uid), then name; null means the default datasource. Checked against the datasources provisioned in the workspace.',
  why: 'A reference Grafana cannot resolve shows "Datasource PBFA97CFB590B2093 was not found" (or "Datasource ${DS_PROMETHEUS} was not found") in the panel corner and the panel stays empty. Typical causes: a UID copied from someone else\'s Grafana, a datasource created in the UI (random UID), a renamed datasource.',
  fix: 'safe',
  fixDescription: 'When exactly one provisioned datasource has the reference\'s type, points the reference at its UID (explicit, or the one Grafana computes). No fix otherwise.',
  versions: 'Grafana 8.3+ (UID references); legacy name strings resolve the same way',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [\n    {\n      "title": "Cost",\n      "datasource": {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"},\n      "targets": [{"expr": "sum(increase(claude_code_cost_usage_USD_total[$__range]))"}]\n    }\n  ]\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [\n    {\n      "title": "Cost",\n      "datasource": {"type": "prometheus", "uid": "PBFA97CFB590B2093"},\n      "targets": [{"expr": "sum(increase(claude_code_cost_usage_USD_total[$__range]))"}]\n    }\n  ]\n}\n',
  },
  references: ['grafana-loki.md §2 (resolution order: variables, UID, name, id; "Datasource <key> was not found") and §3 (computed UIDs)', 'peers.md §1.1 and §3 (hard-coded PBFA97CFB590B2093)'],
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const g = ws.stack.grafana;
    if (g.dashboards.length === 0 || !grafanaPresent(ws)) return [];
    const provisioned = g.datasourceFiles.length > 0;
    if (g.datasourceFiles.some((f) => f.yaml.problems.length > 0)) return []; // the provisioning itself is broken (invalid-provisioning)
    const all = g.datasources;
    const findings: RuleFinding[] = [];
    for (const d of g.dashboards) {
      if (d.doc.problems.some((p) => p.kind === 'syntax')) continue;
      const reportedVariables = new Set<string>();
      let defaultReported = false;
      const notFound = new Map<string, DatasourceRef[]>();
      const unknownVariables = new Map<string, DatasourceRef[]>();
      for (const r of d.refs) {
        // A query without its own datasource runs on the panel's (checked there).
        if (r.where === 'target' && (r.value === null || r.value === undefined)) continue;
        const res = resolveRef(r.value, d, all);
        if (res.kind === 'not-found') {
          const key = `${refType(r.value) ?? ''}\0${res.key}`;
          notFound.set(key, [...(notFound.get(key) ?? []), r]);
        } else if (res.kind === 'unknown-variable') {
          unknownVariables.set(res.name, [...(unknownVariables.get(res.name) ?? []), r]);
        } else if (res.kind === 'variable' && res.variable.type === 'datasource' && res.candidates.length === 0 && provisioned && !reportedVariables.has(res.variable.name)) {
          reportedVariables.add(res.variable.name);
          findings.push({
            ...atJson(d, [...res.variable.path, 'query']),
            message: `datasource variable "${res.variable.name}" of dashboard ${dashboardName(d)} lists ${res.variable.pluginId ?? '?'} datasources${res.variable.regex ? ` matching ${res.variable.regex}` : ''}, but none is provisioned: every panel using it shows "Datasource \${${res.variable.name}} was not found"`,
            hint: `provision a ${res.variable.pluginId ?? 'matching'} datasource, or fix the variable's type or regex`,
          });
        } else if (res.kind === 'default' && !res.datasource && provisioned && !defaultReported && usesDefault(d, r)) {
          defaultReported = true;
          findings.push({
            ...atJson(d, r.node ? r.path : r.ownerPath),
            message: `${owner(d, r)} of dashboard ${dashboardName(d)} uses the default datasource, but no provisioned datasource has isDefault: true, so it resolves to no provisioned datasource`,
            hint: 'mark the Prometheus datasource `isDefault: true`, or reference it by uid',
          });
        }
      }
      for (const refs of notFound.values()) {
        const r = refs[0];
        const key = refKey(r.value)!;
        const type = refType(r.value);
        const sameType = type ? all.filter((x) => x.type === type && x.orgId === 1 && x.effectiveUid) : [];
        const target: ProvisionedDatasource | undefined = sameType.length === 1 ? sameType[0] : undefined;
        const pathOf = (x: DatasourceRef) => (typeof x.value === 'object' && x.value !== null ? [...x.path, 'uid'] : x.path);
        const why = provisioned
          ? `no provisioned datasource has that UID or name${type ? ` (${type}: ${sameType.map((x) => `"${x.name}", uid ${x.effectiveUid}`).join('; ') || 'none provisioned'})` : ''}`
          : 'no datasource is provisioned in this workspace, and one created in the Grafana UI gets a random UID';
        const count = refs.length > 1 ? ` (and ${refs.length - 1} more reference${refs.length > 2 ? 's' : ''})` : '';
        findings.push({
          ...atJson(d, pathOf(r)),
          message: `${owner(d, r)}${count} of dashboard ${dashboardName(d)} uses datasource "${key}": ${why}, so Grafana shows "Datasource ${key} was not found"`,
          hint: target
            ? `point ${refs.length > 1 ? 'them' : 'it'} at uid "${target.effectiveUid}"`
            : provisioned
              ? 'use the uid of a provisioned datasource, or a datasource variable (`${datasource}`)'
              : `provision the datasource (grafana/provisioning/datasources) with uid: ${key}`,
          fix: target
            ? fix('safe', `point ${refs.length} reference${refs.length > 1 ? 's' : ''} at ${target.name} (${target.effectiveUid})`, refs.flatMap((x) => setJsonIn(d.source, [...d.base, ...pathOf(x)], target.effectiveUid)))
            : undefined,
        });
      }
      for (const [name, refs] of unknownVariables) {
        const r = refs[0];
        const count = refs.length > 1 ? ` (and ${refs.length - 1} more reference${refs.length > 2 ? 's' : ''})` : '';
        findings.push({
          ...atJson(d, typeof r.value === 'object' && r.value !== null ? [...r.path, 'uid'] : r.path),
          message: `${owner(d, r)}${count} of dashboard ${dashboardName(d)} uses datasource "${refKey(r.value)}", but the dashboard defines no variable "${name}": Grafana shows "Datasource ${refKey(r.value)} was not found"`,
          hint: `add a templating variable "${name}" of type datasource, or use a provisioned datasource's uid`,
        });
      }
    }
    return findings;
  },
});

/** A panel (or variable/annotation) whose queries really run on the default datasource. */
function usesDefault(d: Dashboard, r: DatasourceRef): boolean {
  return d.queries.some((q) => q.ref === r);
}
