import { defineRule, type RuleFinding } from '../define.js';

/** A datasource or provider as messages name it: by name, else by its place in the list. */
type Item = { name?: string; number: number };
const datasource = (d: Item) => (d.name ? `datasource "${d.name}"` : `datasource #${d.number}`);
const provider = (d: Item) => (d.name ? `provider "${d.name}"` : `provider #${d.number}`);

const messages = {
  yamlProblem: (d: { problem: string; duplicateKey: boolean }) =>
    `${d.problem}${d.duplicateKey ? ' (a duplicate key)' : ''}: Grafana cannot read this provisioning file`,
  datasourcesNotList: '`datasources` must be a list of datasources: Grafana provisions none of them',
  datasourceNotMapping: (d: Item) => `${datasource(d)} is not a mapping: Grafana cannot provision it`,
  datasourceWithoutName: (d: Item) => `${datasource(d)} has no name: Grafana cannot provision a datasource without one`,
  datasourceWithoutType: (d: Item) => `${datasource(d)} has no type: Grafana does not know which plugin serves it`,
  badAccess: (d: Item & { access: string }) => `${datasource(d)} has access "${d.access}": Grafana only accepts proxy (server side) or direct (browser)`,
  longUid: (d: Item & { length: number }) => `${datasource(d)} has a uid of ${d.length} characters: Grafana allows at most 40`,
  badIsDefault: (d: Item & { isDefault: string }) => `${datasource(d)} has isDefault "${d.isDefault}", not true or false`,
  deleteWithoutName: 'a deleteDatasources entry without a name deletes nothing',
  providersNotList: '`providers` must be a list: Grafana provisions no dashboards from this file',
  providerNotMapping: (d: Item) => `${provider(d)} is not a mapping`,
  providerWithoutName: (d: Item) => `${provider(d)} has no name: Grafana requires a unique provider name`,
  providerNameTwice: 'provider name "{{name}}" is used twice: Grafana requires unique provider names',
  providerWithoutPath: (d: Item) => `${provider(d)} has no options.path: it has no folder to read dashboards from`,
} as const;
type InvalidProvisioningFinding = RuleFinding<typeof messages>;

export default defineRule({
  id: 'grafana/invalid-provisioning',
  severity: 'error',
  title: 'Grafana provisioning file is not valid',
  checks:
    'Datasource and dashboard-provider provisioning files: YAML syntax (tabs, duplicate keys), `datasources`/`providers` as lists of mappings, a `name` and `type` on every datasource, `access` of `proxy` or `direct`, a `uid` of at most 40 characters, a unique `name` and an `options.path` on every provider.',
  why: 'Grafana reads these files at startup. A file that does not parse, or a datasource it cannot insert, stops provisioning (Grafana logs the error and does not start, or starts without the datasource); a provider without a path provisions no dashboard. Every panel then shows "Datasource … was not found" or the dashboards never appear.',
  fix: 'none',
  versions: 'all Grafana versions with file provisioning (5.0+)',
  bad: {
    file: 'grafana/provisioning/datasources/datasources.yml',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    url: http://prometheus:9090\n    access: server\n',
  },
  good: {
    file: 'grafana/provisioning/datasources/datasources.yml',
    text: 'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n    url: http://prometheus:9090\n    access: proxy\n',
  },
  references: [
    'https://grafana.com/docs/grafana/latest/administration/provisioning/ (datasource and dashboard provider YAML)',
    'https://github.com/grafana/grafana/blob/v11.3.0/docs/sources/administration/provisioning/index.md',
  ],
  oracle: 'fixtures',
  certainty:
    "Grafana refuses provisioning files that do not parse or do not match its schema (provisioning docs and code: name and type required, access proxy or direct, uid of at most 40 characters). Error only for what Grafana's own checks reject.",
  stage: 'Grafana',
  messages,
  check(ws) {
    const findings: InvalidProvisioningFinding[] = [];
    const g = ws.stack.grafana;
    for (const f of [...g.datasourceFiles, ...g.providerFiles]) {
      for (const p of f.yaml.problems) {
        findings.push({
          file: f.file,
          range: f.yaml.source.range(p.offset, p.length),
          kind: 'yamlProblem',
          data: { problem: p.message, duplicateKey: p.code === 'DUPLICATE_KEY' },
          hint:
            p.code === 'TAB_AS_INDENT'
              ? 'indent with spaces'
              : p.code === 'DUPLICATE_KEY'
                ? 'keep one of the two entries'
                : 'fix the YAML syntax at this position',
        });
      }
    }
    for (const f of g.datasourceFiles.filter((x) => x.yaml.problems.length === 0)) {
      const list = f.root.get('datasources');
      if (list && !list.isNull() && !list.isList()) {
        findings.push({ ...list.location(), kind: 'datasourcesNotList', hint: 'write each datasource as a list item: `- name: Prometheus`' });
        continue;
      }
      for (const d of f.datasources) {
        const item: Item = { name: d.name, number: d.index + 1 };
        const v = d.value;
        if (!v.isMap()) {
          findings.push({ ...v.location('value'), kind: 'datasourceNotMapping', data: item, hint: 'give it `name`, `type` and `url` keys' });
          continue;
        }
        if (!d.name?.trim()) {
          findings.push({
            ...v.location('value'),
            kind: 'datasourceWithoutName',
            data: item,
            hint: 'add `name: Prometheus` (dashboards and the computed UID depend on it)',
          });
        }
        if (!d.type?.trim()) {
          findings.push({ ...(v.get('name') ?? v).location(), kind: 'datasourceWithoutType', data: item, hint: 'add `type: prometheus` or `type: loki`' });
        }
        const access = v.get('access');
        if (access && access.js !== 'proxy' && access.js !== 'direct') {
          findings.push({ ...access.location('value'), kind: 'badAccess', data: { ...item, access: String(access.js) }, hint: 'use `access: proxy`' });
        }
        const uid = v.get('uid');
        const uidText = uid?.string();
        if (uid && uidText !== undefined && uidText.length > 40) {
          findings.push({ ...uid.location('value'), kind: 'longUid', data: { ...item, length: uidText.length }, hint: 'use a short uid such as `prometheus`' });
        }
        const isDefault = v.get('isDefault');
        if (isDefault && isDefault.boolean() === undefined) {
          findings.push({
            ...isDefault.location('value'),
            kind: 'badIsDefault',
            data: { ...item, isDefault: String(isDefault.js) },
            hint: 'write `isDefault: true` or `isDefault: false`',
          });
        }
      }
      for (const x of f.root.get('deleteDatasources')?.items() ?? []) {
        if (x.get('name')?.string() === undefined)
          findings.push({ ...x.location('value'), kind: 'deleteWithoutName', hint: 'write `- name: <datasource name>`' });
      }
    }
    for (const f of g.providerFiles.filter((x) => x.yaml.problems.length === 0)) {
      const list = f.root.get('providers');
      if (!list || (!list.isNull() && !list.isList())) {
        findings.push({ ...(list ?? f.root).location(), kind: 'providersNotList', hint: 'write each provider as a list item: `- name: claude-code`' });
        continue;
      }
      const names = new Set<string>();
      for (const p of f.providers) {
        const item: Item = { name: p.name, number: p.index + 1 };
        const v = p.value;
        if (!v.isMap()) {
          findings.push({ ...v.location('value'), kind: 'providerNotMapping', data: item, hint: 'give it `name`, `type: file` and `options.path`' });
          continue;
        }
        if (!p.name) findings.push({ ...v.location('value'), kind: 'providerWithoutName', data: item, hint: 'add `name: claude-code`' });
        else if (names.has(p.name))
          findings.push({ ...v.get('name')!.location('value'), kind: 'providerNameTwice', data: { name: p.name }, hint: 'rename one of them' });
        if (p.name) names.add(p.name);
        if (!p.optionsPath) {
          const options = v.get('options');
          findings.push({
            ...(options ? options.location('key') : v.location('value')),
            kind: 'providerWithoutPath',
            data: item,
            hint: 'add `options: {path: /var/lib/grafana/dashboards}` and mount the dashboards there',
          });
        }
      }
    }
    return findings;
  },
});
