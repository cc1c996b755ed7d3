import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { loadDashboard, loadDatasourceFile } from '../../src/model/grafana.js';
import { metricsBackend, victoriaMetricsSign } from '../../src/model/metrics-backend.js';

const datasources = (text: string) => loadDatasourceFile(parseYaml(new SourceFile('/ws/datasources.yml', text))).datasources;
const PROMETHEUS = 'datasources:\n  - name: Prometheus\n    uid: prom\n    type: prometheus\n    url: http://prometheus:9090\n';
const VM = 'datasources:\n  - name: VM\n    uid: vm\n    type: prometheus\n    url: http://vm:8428\n';

/** The backend of the first query of a dashboard with one panel whose datasource is `ref`, and these variables and inputs. */
function backend(ref: unknown, ds: string, extra: { variables?: unknown[]; inputs?: unknown[] } = {}) {
  const d = loadDashboard(
    new SourceFile(
      '/ws/d.json',
      JSON.stringify({
        __inputs: extra.inputs,
        panels: [{ title: 'Cost', datasource: ref, targets: [{ refId: 'A', expr: 'sum(increase(x[$__range]))' }] }],
        templating: { list: extra.variables ?? [] },
      }),
    ),
  );
  return metricsBackend(d.queries[0], d, ds ? datasources(ds) : []);
}

describe("a provisioned datasource's VictoriaMetrics sign", () => {
  const sign = (type: string, url?: string, name = 'metrics') => victoriaMetricsSign({ type, url, name });
  it('its plugin, the single-node port, a vmselect/vmsingle host, the cluster API path, a name naming it', () => {
    expect(sign('victoriametrics-metrics-datasource')).toBe('type victoriametrics-metrics-datasource');
    expect(sign('prometheus', 'http://victoria-metrics-victoria-metrics-single-server:8428')).toBe('url on port 8428');
    expect(sign('prometheus', 'http://vmselect-vm.monitoring.svc:8481/select/0/prometheus')).toBe('url host vmselect-vm.monitoring.svc');
    expect(sign('prometheus', 'https://metrics.example.com/select/12:3/prometheus')).toBe('url path /select/12:3/prometheus');
    expect(sign('prometheus', 'vmsingle:80')).toBe('url host vmsingle');
    expect(sign('prometheus', 'http://metrics:9090', 'VictoriaMetrics')).toBe('its name');
  });
  it('none for Prometheus, Thanos or Mimir, nor for a URL Grafana reads from its environment', () => {
    expect(sign('prometheus', 'http://prometheus:9090')).toBeUndefined();
    expect(sign('prometheus', 'http://thanos-query:9090')).toBeUndefined();
    expect(sign('prometheus', 'http://mimir:8080/prometheus')).toBeUndefined();
    expect(sign('prometheus', '$PROM_URL')).toBeUndefined();
  });
  it('never shows credentials in the URL', () => {
    expect(sign('prometheus', 'http://reader:s3cret@vmsingle:8429')).toBe('url host vmsingle');
  });
});

describe('the backend a dashboard query runs on', () => {
  it('the provisioned datasource it resolves to: by UID, by name, the default', () => {
    expect(backend({ type: 'prometheus', uid: 'vm' }, VM)).toEqual({
      engine: 'victoriametrics',
      from: 'datasource',
      evidence: 'datasource "VM", url on port 8428',
    });
    expect(backend('VM', VM)).toMatchObject({ engine: 'victoriametrics', from: 'datasource' });
    expect(backend(null, `${VM}    isDefault: true\n`)).toMatchObject({ engine: 'victoriametrics', from: 'datasource' });
    expect(backend({ type: 'prometheus', uid: 'prom' }, PROMETHEUS)).toEqual({ engine: 'prometheus', from: 'datasource', evidence: 'datasource "Prometheus"' });
    expect(
      backend({ uid: 'vm' }, 'datasources:\n  - name: Metrics\n    uid: vm\n    type: victoriametrics-metrics-datasource\n    url: http://metrics\n'),
    ).toMatchObject({ engine: 'victoriametrics', evidence: 'datasource "Metrics", type victoriametrics-metrics-datasource' });
  });

  it('a datasource variable: the provisioned datasource its current value names, or its only candidate', () => {
    const both = `${PROMETHEUS}  - name: VM\n    uid: vm\n    type: prometheus\n    url: http://vm:8428\n`;
    const variable = (current?: string) => ({
      name: 'ds',
      type: 'datasource',
      query: 'prometheus',
      current: current ? { text: current, value: current } : undefined,
    });
    expect(backend({ uid: '${ds}' }, both, { variables: [variable('VM')] })).toMatchObject({ engine: 'victoriametrics', from: 'datasource' });
    expect(backend({ uid: '${ds}' }, both, { variables: [variable('prom')] })).toMatchObject({ engine: 'prometheus', from: 'datasource' });
    expect(backend({ uid: '${ds}' }, both, { variables: [variable()] })).toEqual({ engine: 'prometheus', from: 'assumed' });
    expect(backend({ uid: '$ds' }, VM, { variables: [variable()] })).toMatchObject({ engine: 'victoriametrics', from: 'datasource' });
  });

  it("else the dashboard's own words: a variable's current value, the reference's UID or type, an import input", () => {
    const variable = { name: 'datasource', type: 'datasource', query: 'prometheus', current: { text: 'VictoriaMetrics', value: 'VictoriaMetrics' } };
    expect(backend({ type: 'prometheus', uid: '${datasource}' }, '', { variables: [variable] })).toEqual({
      engine: 'victoriametrics',
      from: 'dashboard',
      evidence: `the dashboard's datasource variable "datasource", set to "VictoriaMetrics"`,
    });
    expect(backend({ type: 'prometheus', uid: 'victoriametrics' }, PROMETHEUS)).toMatchObject({ engine: 'victoriametrics', from: 'dashboard' });
    expect(backend({ type: 'victoriametrics-metrics-datasource', uid: 'abc' }, '')).toMatchObject({ engine: 'victoriametrics', from: 'dashboard' });
    expect(
      backend({ uid: '${DS_VICTORIAMETRICS}' }, '', {
        inputs: [{ name: 'DS_VICTORIAMETRICS', label: 'VictoriaMetrics', type: 'datasource', pluginId: 'prometheus' }],
      }),
    ).toMatchObject({ engine: 'victoriametrics', from: 'dashboard', evidence: `the dashboard's import input DS_VICTORIAMETRICS ("VictoriaMetrics")` });
  });

  it('a provisioned datasource outranks the dashboard; words elsewhere in the dashboard do not count', () => {
    const variable = { name: 'datasource', type: 'datasource', query: 'prometheus', current: { text: 'VictoriaMetrics', value: 'VictoriaMetrics' } };
    expect(backend({ type: 'prometheus', uid: 'prom' }, PROMETHEUS, { variables: [variable] })).toMatchObject({ engine: 'prometheus', from: 'datasource' });
  });

  it('assumes Prometheus when nothing says: no datasource, a URL from the environment, an unknown UID', () => {
    expect(backend(null, '')).toEqual({ engine: 'prometheus', from: 'assumed' });
    expect(backend(null, 'datasources:\n  - name: Metrics\n    type: prometheus\n    url: $METRICS_URL\n    isDefault: true\n')).toEqual({
      engine: 'prometheus',
      from: 'assumed',
    });
    expect(backend({ uid: 'abc123' }, PROMETHEUS)).toEqual({ engine: 'prometheus', from: 'assumed' });
  });
});
