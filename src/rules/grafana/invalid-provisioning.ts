import { defineRule, type RuleFinding } from '../define.js';
import { atYaml } from '../../model/yaml-locate.js';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

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
  references: ['grafana-loki.md §5 (datasource provisioning YAML), §6 (dashboard provider YAML)', 'grafana/grafana docs/sources/administration/provisioning/index.md'],
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const findings: RuleFinding[] = [];
    const g = ws.stack.grafana;
    for (const f of [...g.datasourceFiles, ...g.providerFiles]) {
      for (const p of f.yaml.problems) {
        findings.push({
          file: f.file,
          range: f.yaml.source.range(p.offset, p.length),
          message: `${p.message}${p.code === 'DUPLICATE_KEY' ? ' (a duplicate key)' : ''}: Grafana cannot read this provisioning file`,
          hint: p.code === 'TAB_AS_INDENT' ? 'indent with spaces' : p.code === 'DUPLICATE_KEY' ? 'keep one of the two entries' : 'fix the YAML syntax at this position',
        });
      }
    }
    for (const f of g.datasourceFiles.filter((x) => x.yaml.problems.length === 0)) {
      const root = isObject(f.yaml.value) ? f.yaml.value : {};
      if ('datasources' in root && root.datasources !== null && !Array.isArray(root.datasources)) {
        findings.push({ ...atYaml(f.yaml, ['datasources']), message: '`datasources` must be a list of datasources: Grafana provisions none of them', hint: 'write each datasource as a list item: `- name: Prometheus`' });
        continue;
      }
      for (const d of f.datasources) {
        const label = d.name ? `datasource "${d.name}"` : `datasource #${d.index + 1}`;
        if (!isObject((root.datasources as unknown[])[d.index])) {
          findings.push({ ...atYaml(f.yaml, d.path, 'value'), message: `${label} is not a mapping: Grafana cannot provision it`, hint: 'give it `name`, `type` and `url` keys' });
          continue;
        }
        if (typeof d.raw.name !== 'string' || d.raw.name.trim() === '') {
          findings.push({ ...atYaml(f.yaml, d.path, 'value'), message: `${label} has no name: Grafana cannot provision a datasource without one`, hint: 'add `name: Prometheus` (dashboards and the computed UID depend on it)' });
        }
        if (typeof d.raw.type !== 'string' || d.raw.type.trim() === '') {
          findings.push({ ...atYaml(f.yaml, 'name' in d.raw ? [...d.path, 'name'] : d.path), message: `${label} has no type: Grafana does not know which plugin serves it`, hint: 'add `type: prometheus` or `type: loki`' });
        }
        if ('access' in d.raw && d.raw.access !== 'proxy' && d.raw.access !== 'direct') {
          findings.push({ ...atYaml(f.yaml, [...d.path, 'access'], 'value'), message: `${label} has access "${String(d.raw.access)}": Grafana only accepts proxy (server side) or direct (browser)`, hint: 'use `access: proxy`' });
        }
        if (typeof d.raw.uid === 'string' && d.raw.uid.length > 40) {
          findings.push({ ...atYaml(f.yaml, [...d.path, 'uid'], 'value'), message: `${label} has a uid of ${d.raw.uid.length} characters: Grafana allows at most 40`, hint: 'use a short uid such as `prometheus`' });
        }
        if ('isDefault' in d.raw && typeof d.raw.isDefault !== 'boolean') {
          findings.push({ ...atYaml(f.yaml, [...d.path, 'isDefault'], 'value'), message: `${label} has isDefault "${String(d.raw.isDefault)}", not true or false`, hint: 'write `isDefault: true` or `isDefault: false`' });
        }
      }
      const deletes = root.deleteDatasources;
      if (Array.isArray(deletes)) {
        deletes.forEach((x, i) => {
          if (!isObject(x) || typeof x.name !== 'string') findings.push({ ...atYaml(f.yaml, ['deleteDatasources', i], 'value'), message: 'a deleteDatasources entry without a name deletes nothing', hint: 'write `- name: <datasource name>`' });
        });
      }
    }
    for (const f of g.providerFiles.filter((x) => x.yaml.problems.length === 0)) {
      const root = isObject(f.yaml.value) ? f.yaml.value : {};
      if (root.providers !== null && !Array.isArray(root.providers)) {
        findings.push({ ...atYaml(f.yaml, ['providers']), message: '`providers` must be a list: Grafana provisions no dashboards from this file', hint: 'write each provider as a list item: `- name: claude-code`' });
        continue;
      }
      const names = new Map<string, number>();
      for (const p of f.providers) {
        const label = p.name ? `provider "${p.name}"` : `provider #${(p.path[1] as number) + 1}`;
        if (!isObject((root.providers as unknown[])[p.path[1] as number])) {
          findings.push({ ...atYaml(f.yaml, p.path, 'value'), message: `${label} is not a mapping`, hint: 'give it `name`, `type: file` and `options.path`' });
          continue;
        }
        if (!p.name) findings.push({ ...atYaml(f.yaml, p.path, 'value'), message: `${label} has no name: Grafana requires a unique provider name`, hint: 'add `name: claude-code`' });
        else if (names.has(p.name)) findings.push({ ...atYaml(f.yaml, [...p.path, 'name'], 'value'), message: `provider name "${p.name}" is used twice: Grafana requires unique provider names`, hint: 'rename one of them' });
        if (p.name) names.set(p.name, 1);
        if (!p.optionsPath) {
          findings.push({
            ...atYaml(f.yaml, 'options' in p.raw ? [...p.path, 'options'] : p.path, 'options' in p.raw ? 'key' : 'value'),
            message: `${label} has no options.path: it has no folder to read dashboards from`,
            hint: 'add `options: {path: /var/lib/grafana/dashboards}` and mount the dashboards there',
          });
        }
      }
    }
    return findings;
  },
});
