import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { computedDatasourceUid, loadDashboard, loadDatasourceFile, loadProviderFile, resolveRef } from '../../src/model/grafana.js';
import { atDashboard, mentionsOf, refOwner } from '../../src/model/dashboard-queries.js';
import { loadLoki } from '../../src/model/loki.js';
import { uidFromTitle } from '../../src/rules/dashboard/missing-uid.js';

const yaml = (text: string) => parseYaml(new SourceFile('/ws/datasources.yml', text));
const dashboard = (value: unknown) => loadDashboard(new SourceFile('/ws/d.json', JSON.stringify(value, null, 2)));

describe('provisioned datasources', () => {
  it('computes the UID Grafana gives a datasource without uid (grafana-loki.md §3 table)', () => {
    expect(computedDatasourceUid('Prometheus')).toBe('PBFA97CFB590B2093');
    expect(computedDatasourceUid('prometheus')).toBe('P1809F7CD0C75ACF3');
    expect(computedDatasourceUid('Loki')).toBe('P8E80F9AEF21F6940');
    expect(computedDatasourceUid('loki')).toBe('P982945308D3682D1');
  });
  it('keeps an explicit uid, computes the missing one, and leaves $VAR names alone', () => {
    const f = loadDatasourceFile(
      yaml(
        'apiVersion: 1\ndatasources:\n  - name: Prometheus\n    type: prometheus\n  - name: Loki\n    uid: loki\n    type: loki\n  - name: ${DS_NAME}\n    type: loki\n',
      ),
    );
    expect(f.datasources.map((d) => [d.effectiveUid, d.computed])).toEqual([
      ['PBFA97CFB590B2093', true],
      ['loki', false],
      [undefined, true],
    ]);
  });
});

describe("Grafana's resolution of a reference", () => {
  const ds = loadDatasourceFile(
    yaml('datasources:\n  - name: Prometheus\n    type: prometheus\n    isDefault: true\n  - name: loki\n    type: loki\n'),
  ).datasources;
  const d = dashboard({
    __inputs: [{ name: 'DS_IMPORT', type: 'datasource', pluginId: 'prometheus' }],
    panels: [],
    templating: {
      list: [
        { name: 'DS', type: 'datasource', query: 'prometheus' },
        { name: 'fixed', type: 'constant', query: 'loki' },
      ],
    },
  });
  const kind = (v: unknown) => resolveRef(v, d, ds).kind;
  it('UID (computed), then name, then special UIDs, variables and inputs', () => {
    expect(resolveRef({ type: 'prometheus', uid: 'PBFA97CFB590B2093' }, d, ds)).toMatchObject({ kind: 'uid', computed: true });
    expect(kind({ uid: 'loki' })).toBe('name');
    expect(kind('loki')).toBe('name');
    expect(kind({ uid: '-- Grafana --' })).toBe('special');
    expect(kind({ type: 'datasource', uid: '-- Mixed --' })).toBe('special');
    expect(kind({ uid: '__expr__' })).toBe('special');
    expect(resolveRef({ uid: '${DS}' }, d, ds)).toMatchObject({ kind: 'variable', candidates: [{ name: 'Prometheus' }] });
    expect(kind('$fixed')).toBe('name');
    expect(kind({ uid: '${DS_IMPORT}' })).toBe('input');
    expect(kind({ uid: '${nothing}' })).toBe('unknown-variable');
    expect(kind({ uid: 'P1809F7CD0C75ACF3' })).toBe('not-found');
  });
  it('null and "default" go to the default datasource', () => {
    expect(resolveRef(null, d, ds)).toMatchObject({ kind: 'default', datasource: { name: 'Prometheus' } });
    expect(resolveRef('default', d, ds)).toMatchObject({ kind: 'default', datasource: { name: 'Prometheus' } });
  });
});

describe('dashboards', () => {
  it('finds references and queries in panels, collapsed rows, targets, annotations and variables; wrapped files too', () => {
    const model = {
      panels: [
        { type: 'row', collapsed: true, panels: [{ title: 'inner', datasource: { uid: 'a' }, targets: [{ refId: 'A', expr: 'up' }] }] },
        { title: 'outer', datasource: null, targets: [{ refId: 'A', datasource: { uid: 'b' }, expr: 'rate(x_total[5m])' }] },
      ],
      annotations: { list: [{ name: 'deploys', datasource: { uid: 'c' }, expr: 'changes(x_total[1m])' }] },
      templating: { list: [{ name: 'model', type: 'query', datasource: { uid: 'd' }, query: { query: 'label_values(x_total, model)' } }] },
    };
    for (const d of [dashboard(model), dashboard({ dashboard: model, overwrite: true })]) {
      expect(d.refs.map((r) => r.where)).toEqual(['panel', 'panel', 'panel', 'target', 'annotation', 'variable']);
      expect(d.queries.map((q) => q.text)).toEqual(['up', 'rate(x_total[5m])', 'changes(x_total[1m])', 'label_values(x_total, model)']);
      expect(d.queries[1].ref?.value).toEqual({ uid: 'b' });
    }
    expect(dashboard({ dashboard: model }).base).toEqual(['dashboard']);
  });
  it('derives a stable uid from the title', () => {
    expect(uidFromTitle('Claude Code - Overview (Working)')).toBe('claude-code-overview-working');
    expect(uidFromTitle('Überblick: Kosten & Tokens')).toBe('uberblick-kosten-tokens');
    expect(uidFromTitle('x'.repeat(60)).length).toBe(40);
  });
});

describe('located values: findings point at the value, never at the start of the file', () => {
  it('datasources, providers and Loki periods carry their YAML values', () => {
    const ds = loadDatasourceFile(yaml('apiVersion: 1\ndatasources:\n  - name: Prometheus\n    url: http://localhost:9090\n')).datasources[0];
    expect(ds.value.get('url')!.location('value')).toMatchObject({ path: 'datasources[0].url', range: { start: { line: 4, column: 10 } } });
    const p = loadProviderFile(yaml('providers:\n  - name: a\n    options:\n      path: /var/lib/grafana/dashboards\n')).providers[0];
    expect([p.optionsPath, p.value.location().range!.start]).toEqual(['/var/lib/grafana/dashboards', { line: 2, column: 5 }]);
    const loki = loadLoki(yaml('schema_config:\n  configs:\n    - from: 2020-10-24\n      schema: v11\nlimits_config:\n  allow_structured_metadata: false\n'));
    expect(loki.periods[0]).toMatchObject({ from: '2020-10-24', schema: 'v11' });
    expect(loki.periods[0].value.get('schema')!.location('value').range!.start).toEqual({ line: 4, column: 15 });
    expect(loki.allowStructuredMetadata).toMatchObject({ allowed: false });
    expect(loki.allowStructuredMetadata!.value.location('value').range!.start).toEqual({ line: 6, column: 30 });
  });

  it('dashboards: the whole dashboard at its brace (a wrapped one at its inner brace), an unreadable one where reading stopped', () => {
    expect(atDashboard(dashboard({ title: 'x' })).range!.start).toEqual({ line: 1, column: 1 });
    expect(atDashboard(dashboard({ dashboard: { title: 'x' } })).range!.start).toEqual({ line: 2, column: 16 });
    const deep = loadDashboard(new SourceFile('/ws/d.json', `{\n  "panels": ${'['.repeat(70)}`));
    expect(deep.root).toBeUndefined();
    expect(atDashboard(deep).range!.start).toEqual({ line: 2, column: 76 });
  });

  it('says whose datasource reference it is, and finds the values that mention a variable', () => {
    const d = dashboard({
      panels: [{ title: 'Cost', datasource: { uid: '${DS}' }, targets: [{ refId: 'A', datasource: { uid: 'b' }, expr: 'up' }] }],
      annotations: { list: [{ name: 'deploys', datasource: '$DS' }] },
      __inputs: [{ name: 'DS', type: 'datasource' }],
    });
    expect(d.refs.map(refOwner)).toEqual(['panel "Cost"', 'query A of panel "Cost"', 'annotation "deploys"']);
    expect(mentionsOf(d, 'DS').map((v) => v.location().path)).toEqual(['/panels/0/datasource/uid', '/annotations/list/0/datasource']);
  });
});
