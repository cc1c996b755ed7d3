import { defineRule, type RuleFinding } from '../define.js';
import { fix, setJsonIn } from '../../model/edits.js';
import { refKey, refType, resolveRef, type Dashboard, type DatasourceRef, type ProvisionedDatasource } from '../../model/grafana.js';
import { dashboardName, grafanaPresent, refOwner } from '../../model/dashboard-queries.js';
import { grafanaServices, isDatasourceFileRead } from '../../model/grafana-placement.js';

const messages = {
  variableMatchesNone: {
    message: (d: { variable: string }) => `datasource variable "${d.variable}" matches no provisioned datasource: every panel using it fails`,
    detail: (d: { variable: string; dashboard: string; pluginId?: string; regex?: string }) =>
      `dashboard ${d.dashboard}: it lists ${d.pluginId ?? '?'} datasources${d.regex ? ` matching ${d.regex}` : ''}, and none is provisioned; Grafana shows "Datasource \${${d.variable}} was not found" (assuming no datasource of that type is made by hand in Grafana's UI)`,
  },
  noDefault: {
    message: '{{owner}} uses the default datasource, but no provisioned datasource is the default',
    detail:
      "dashboard {{dashboard}}: no provisioned datasource has isDefault: true, so it resolves to no provisioned datasource (assuming none is made the default by hand in Grafana's UI)",
  },
  notFound: {
    message: (d: { owner: string; key: string; provisioned: boolean }) =>
      d.provisioned
        ? `${d.owner} uses datasource "${d.key}", which is not provisioned: its queries fail`
        : `${d.owner} needs a datasource with uid "${d.key}", which must come from elsewhere`,
    detail: (d: {
      owner: string;
      dashboard: string;
      key: string;
      provisioned: boolean;
      type?: string;
      sameType: { name?: string; uid: string }[];
      assumed?: Assumption;
    }) => {
      const why = d.provisioned
        ? `no provisioned datasource has that UID or name${d.type ? ` (${d.type}: ${d.sameType.map((x) => `"${x.name}", uid ${x.uid}`).join('; ') || 'none provisioned'})` : ''}`
        : 'no datasource is provisioned in this workspace';
      // Nothing provisioned: nothing here says which datasources Grafana has, so only what the panel needs is said.
      if (!d.provisioned)
        return `dashboard ${d.dashboard}: ${why}, so it must come from elsewhere (made through Grafana's HTTP API, or by another setup; one made by hand in the UI gets a random uid)`;
      return `dashboard ${d.dashboard}: ${why}, so Grafana shows "Datasource ${d.key} was not found"${d.assumed ? ` ${ASSUMED[d.assumed]}` : ''}`;
    },
  },
  unknownVariable: {
    message: (d: { owner: string; key: string; variable: string }) => `${d.owner} uses datasource "${d.key}", but no variable "${d.variable}" is defined`,
    detail: (d: { dashboard: string; key: string }) => `dashboard ${d.dashboard}: Grafana shows "Datasource ${d.key} was not found"`,
  },
} as const;
type NotFoundFinding = RuleFinding<typeof messages>;

/**
 * What a reference matching no provisioned datasource depends on, when it is not certain: a name (the legacy string
 * form) can be matched by a datasource made by hand in the UI; a UID cannot (the UI gives random ones), but only
 * where this Grafana's provisioning is seen (its compose service reads every datasource file) is the list closed.
 */
type Assumption = 'name' | 'unprovisioned' | 'unseen';
const ASSUMED: Record<Assumption, string> = {
  name: "(a reference by name: assuming no datasource of that name is made by hand in Grafana's UI)",
  unprovisioned: '',
  unseen: '(assuming Grafana gets its datasources from these files alone: no Grafana service shows them read)',
};

/** The value naming the datasource: an object reference's uid, else the string reference itself. */
function keyValue(r: DatasourceRef) {
  return (typeof r.value === 'object' && r.value !== null ? r.node?.get('uid') : undefined) ?? r.node ?? r.owner;
}

export default defineRule({
  id: 'dashboard/datasource-not-found',
  severity: 'error',
  title: 'Datasource reference that resolves to nothing',
  checks:
    'Every datasource reference of a dashboard (panels, queries, annotations, variables), resolved the way Grafana resolves it: template variables first, then UID (explicit or the one Grafana computes for a provisioned datasource without uid), then name; null means the default datasource. Checked against the datasources provisioned in the workspace.',
  why: 'A reference Grafana cannot resolve shows "Datasource PBFA97CFB590B2093 was not found" (or "Datasource ${DS_PROMETHEUS} was not found") in the panel corner and the panel stays empty. Typical causes: a UID copied from someone else\'s Grafana, a datasource created in the UI (random UID), a renamed datasource.',
  fix: 'safe',
  fixDescription:
    "When exactly one provisioned datasource has the reference's type, points the reference at its UID (explicit, or the one Grafana computes). No fix otherwise.",
  versions: 'Grafana 8.3+ (UID references); legacy name strings resolve the same way',
  bad: {
    file: 'grafana-datasources.yml + dashboards/claude-code.json',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    uid: prometheus\n    url: http://prometheus:9090\n---\n{\n  "panels": [\n    {\n      "title": "Cost",\n      "datasource": {"type": "prometheus", "uid": "PBFA97CFB590B2093"},\n      "targets": [{"expr": "sum(increase(claude_code_cost_usage_USD_total[$__range]))"}]\n    }\n  ]\n}\n',
  },
  good: {
    file: 'grafana-datasources.yml + dashboards/claude-code.json',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    uid: prometheus\n    url: http://prometheus:9090\n---\n{\n  "panels": [\n    {\n      "title": "Cost",\n      "datasource": {"type": "prometheus", "uid": "prometheus"},\n      "targets": [{"expr": "sum(increase(claude_code_cost_usage_USD_total[$__range]))"}]\n    }\n  ]\n}\n',
  },
  references: [
    'https://github.com/grafana/grafana/blob/v11.3.0/public/app/features/plugins/datasource_srv.ts (getInstanceSettings: variables, UID, name, id; "Datasource … was not found")',
    'https://github.com/grafana/grafana/blob/v11.3.0/pkg/services/provisioning/datasources/types.go (safeUIDFromName: computed UIDs)',
    'https://github.com/anthropics/claude-code-monitoring-guide/tree/02777441 (working-dashboard.json hard-codes PBFA97CFB590B2093)',
  ],
  messages,
  oracle: 'fixtures',
  certainty:
    "Grafana resolves a datasource reference by variable, then uid, then name (its documented order); an unresolved one shows 'Datasource ... was not found'. A datasource made by hand in the UI gets a random uid, so only a name can match one. Error only for a uid reference (the object form) that matches none of the datasources a compose Grafana service provisions from files it is seen to read. A name reference (the legacy string form), or provisioning no Grafana service is seen to read: a warning that names what it assumed; a workspace without any datasource provisioning says only what the panel needs (info), since nothing there tells which datasources Grafana has (they may be made through the HTTP API); so are a datasource variable listing no provisioned datasource and a default datasource none provisioned is, which a datasource made by hand would satisfy.",
  stage: 'Grafana',
  check(ws) {
    const g = ws.stack.grafana;
    if (g.dashboards.length === 0 || !grafanaPresent(ws)) return [];
    const provisioned = g.datasourceFiles.length > 0;
    if (g.datasourceFiles.some((f) => f.yaml.problems.length > 0)) return []; // the provisioning itself is broken (invalid-provisioning)
    const all = g.datasources;
    // The provisioned datasources are all there is only where a Grafana service reads every datasource file.
    const closed = provisioned && grafanaServices(ws).length > 0 && g.datasourceFiles.every((f) => isDatasourceFileRead(ws, f.file));
    const findings: NotFoundFinding[] = [];
    for (const d of g.dashboards) {
      if (d.hasSyntaxError) continue;
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
        } else if (
          res.kind === 'variable' &&
          res.variable.type === 'datasource' &&
          res.candidates.length === 0 &&
          provisioned &&
          !reportedVariables.has(res.variable.name)
        ) {
          reportedVariables.add(res.variable.name);
          findings.push({
            ...(res.variable.node.get('query') ?? res.variable.node).location(),
            // A datasource made by hand in the UI would be listed: not certain.
            severity: 'warning',
            kind: 'variableMatchesNone',
            data: { variable: res.variable.name, dashboard: dashboardName(d), pluginId: res.variable.pluginId, regex: res.variable.regex },
            hint: `provision a ${res.variable.pluginId ?? 'matching'} datasource, or fix the variable's type or regex`,
          });
        } else if (res.kind === 'default' && !res.datasource && provisioned && !defaultReported && usesDefault(d, r)) {
          defaultReported = true;
          findings.push({
            ...(r.node ?? r.owner).location(),
            severity: 'warning',
            kind: 'noDefault',
            data: { owner: refOwner(r), dashboard: dashboardName(d) },
            hint: 'mark the Prometheus datasource `isDefault: true`, or reference it by uid',
          });
        }
      }
      // One finding per reference, the key as subject: the engine reports them as one finding with every place.
      for (const [subject, refs] of notFound) {
        const r = refs[0];
        const key = refKey(r.value)!;
        const type = refType(r.value);
        const sameType = type ? all.filter((x) => x.type === type && x.orgId === 1 && x.effectiveUid) : [];
        const target: ProvisionedDatasource | undefined = sameType.length === 1 ? sameType[0] : undefined;
        const repoint = target
          ? fix(
              'safe',
              `point ${refs.length} reference${refs.length > 1 ? 's' : ''} at ${target.name} (${target.effectiveUid})`,
              refs.flatMap((x) => setJsonIn(d.source, keyValue(x).path, target.effectiveUid)),
            )
          : undefined;
        const assumed: Assumption | undefined = typeof r.value === 'string' ? 'name' : !provisioned ? 'unprovisioned' : closed ? undefined : 'unseen';
        refs.forEach((x, i) => {
          findings.push({
            ...keyValue(x).location(),
            // Without any provisioning the list of datasources is not seen at all: a note, not a verdict (#14 class 1).
            ...(assumed && { severity: assumed === 'unprovisioned' ? ('info' as const) : ('warning' as const) }),
            kind: 'notFound',
            data: {
              owner: refOwner(x),
              dashboard: dashboardName(d),
              key,
              provisioned,
              type,
              sameType: sameType.map((s) => ({ name: s.name, uid: s.effectiveUid! })),
              assumed,
            },
            hint: target
              ? `point ${refs.length > 1 ? 'them' : 'it'} at uid "${target.effectiveUid}"`
              : provisioned
                ? 'use the uid of a provisioned datasource, or a datasource variable (`${datasource}`)'
                : `provision the datasource (grafana/provisioning/datasources) with uid: ${key}`,
            subject,
            // The first reference carries the fix of every reference.
            ...(i === 0 && repoint && { fix: repoint }),
          });
        });
      }
      for (const [name, refs] of unknownVariables) {
        for (const x of refs) {
          findings.push({
            ...keyValue(x).location(),
            kind: 'unknownVariable',
            data: { owner: refOwner(x), dashboard: dashboardName(d), key: String(refKey(x.value)), variable: name },
            hint: `add a templating variable "${name}" of type datasource, or use a provisioned datasource's uid`,
            subject: name,
          });
        }
      }
    }
    return findings;
  },
});

/** A panel (or variable/annotation) whose queries really run on the default datasource. */
function usesDefault(d: Dashboard, r: DatasourceRef): boolean {
  return d.queries.some((q) => q.ref === r);
}
