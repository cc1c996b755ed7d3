import { describe, expect, it } from 'vitest';
import { classify, classifySource } from '../../src/discover/classify.js';
import { SourceFile } from '../../src/load/source.js';

// YAML is classified from the Document loading reuses (parsed once, with the loader's strict options). These
// cases pin what the former lenient `yaml.parse` decided on YAML that is broken or unusual in some way.
describe('classify: YAML by content', () => {
  const cases: [string, string, string | undefined][] = [
    ['syntax error: by its top-level keys', 'services:\n  a: [\nreceivers: x\n', 'collector'],
    ['tab indentation: by its top-level keys', 'datasources:\n\t- x\n', 'grafana-datasources'],
    ['duplicate keys: the last value counts', 'services: 1\nservices: {a: 1}\n', 'compose'],
    ['duplicate keys: a null last value', 'services:\n  x: 1\n"services": null\n', undefined],
    ['several documents: the first counts', 'services: {}\n---\nreceivers: {}\n', 'compose'],
    // 150 uses of one anchor: over the 100 aliases classifying resolves; top-level keys found by text count no quoted key.
    [
      'aliases over the limit: by its top-level keys',
      `x: &x {a: 1}\n${Array.from({ length: 150 }, (_, i) => `k${i}: *x`).join('\n')}\n"services": {}\n`,
      undefined,
    ],
    ['aliases under the limit', `x: &x {a: 1}\n${Array.from({ length: 50 }, (_, i) => `k${i}: *x`).join('\n')}\n"services": {}\n`, 'compose'],
    ['an unresolved alias', 'providers: *nope\n', 'grafana-dashboards'],
    ['a collection key', '? [a, b]\n: 1\nscrape_configs: []\n', 'prometheus'],
    ['a quoted key', '"receivers": 1\n', 'collector'],
    ['YAML 1.1 merge key', '%YAML 1.1\n---\nbase: &b {receivers: 1}\n<<: *b\n', 'collector'],
    ['a Loki config: schema periods', 'schema_config:\n  configs: []\n', 'loki'],
    ['a Loki config: auth_enabled beside server', 'auth_enabled: false\nserver:\n  http_listen_port: 3100\n', 'loki'],
    ['a collector config with a server-like key stays a collector', 'receivers: {}\nauth_enabled: false\nserver: {}\n', 'collector'],
    [
      "the Grafana chart's values: their datasources are files it renders",
      'datasources:\n  datasources.yaml:\n    apiVersion: 1\n    datasources: []\nsidecar: {}\n',
      undefined,
    ],
    [
      'a provisioning file with one datasource as a map stays one (the mistake)',
      'apiVersion: 1\ndatasources:\n  name: Prometheus\n  type: prometheus\n',
      'grafana-datasources',
    ],
    ['a sequence', '- services\n- receivers\n', undefined],
    ['a scalar', 'just a scalar\n', undefined],
    ['empty', '', undefined],
  ];
  for (const [what, text, kind] of cases) {
    it(what, () => expect(classify('/repo/config.yaml', text)).toBe(kind));
  }

  it('keeps the parsed Document of a YAML file it classifies, and none for others', () => {
    expect(classifySource(new SourceFile('/repo/otel.yaml', 'receivers: {}\n'))?.yamlDoc?.toJS()).toEqual({ receivers: {} });
    expect(classifySource(new SourceFile('/repo/.env', 'A=1\n'))).toEqual({ kind: 'env-file' });
  });
});

// Other tools' configs share keys with ours (Promtail's scrape_configs, Alertmanager's receivers, an early Tempo's
// auth_enabled beside server): each is recognised by what only its format has, and ours stay ours.
describe('classify: other tools, by their own schema', () => {
  const toolOf = (name: string, text: string) => {
    const c = classifySource(new SourceFile(`/repo/${name}`, text));
    return c?.kind === 'other-tool' ? c.other?.tool : c?.kind;
  };
  const cases: [string, string, string, string | undefined][] = [
    [
      'Promtail: clients and positions',
      'promtail.yml',
      'server: {}\npositions: {filename: /tmp/p.yaml}\nclients: [{url: http://loki:3100/loki/api/v1/push}]\nscrape_configs: []\n',
      'promtail',
    ],
    ['Promtail: a job with pipeline_stages', 'config.yml', 'scrape_configs:\n  - job_name: a\n    pipeline_stages: []\n', 'promtail'],
    [
      'Promtail: a __path__ target label',
      'config.yml',
      'scrape_configs:\n  - job_name: a\n    static_configs:\n      - labels: {__path__: /var/log/*.log}\n',
      'promtail',
    ],
    ['Prometheus with a stray server key stays Prometheus (its own error)', 'prometheus.yml', 'server: {}\nscrape_configs:\n  - job_name: a\n', 'prometheus'],
    [
      'Prometheus with docker_sd_configs stays Prometheus',
      'p.yml',
      'scrape_configs:\n  - job_name: a\n    docker_sd_configs: [{host: unix:///var/run/docker.sock}]\n',
      'prometheus',
    ],
    ['Alertmanager: route and a list of receivers', 'alertmanager.yml', 'route: {receiver: a}\nreceivers:\n  - name: a\n', 'alertmanager'],
    ['a collector (receivers a mapping) stays a collector', 'config.yml', 'receivers: {otlp: {}}\nroute: {}\n', 'collector'],
    ['Prometheus rule groups', 'alerts.yml', 'groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: up == 0\n', 'prometheus-rules'],
    ["Grafana's alerting provisioning is not a rule file", 'alerting.yml', 'apiVersion: 1\ngroups:\n  - orgId: 1\n    name: a\n    rules: []\n', undefined],
    ['Tempo: storage.trace', 'tempo.yaml', 'server: {}\nstorage:\n  trace: {backend: local}\n', 'tempo'],
    [
      'an early Tempo: auth_enabled beside server, and distributor receivers',
      't.yaml',
      'auth_enabled: false\nserver: {}\ndistributor:\n  receivers: {otlp: {}}\n',
      'tempo',
    ],
    ['Loki with schema periods stays Loki', 'loki.yaml', 'auth_enabled: false\nschema_config: {configs: []}\nstorage: {trace: {}}\n', 'loki'],
    ['Mimir: blocks_storage', 'mimir.yaml', 'multitenancy_enabled: false\nblocks_storage: {backend: filesystem}\n', 'mimir'],
    ['Grafana Agent static mode: metrics configs', 'agent.yaml', 'metrics:\n  configs:\n    - name: a\n', 'grafana-agent'],
    ['Vector: typed sources and sinks', 'vector.yaml', 'sources:\n  d: {type: docker_logs}\nsinks:\n  l: {type: loki, inputs: [d]}\n', 'vector'],
    ['Fluent Bit YAML, even named otel', 'fluent-bit-otel.yaml', 'service: {flush: 1}\npipeline:\n  inputs: [{name: tail}]\n', 'fluent-bit'],
    ['an Alloy file', 'config.alloy', 'otelcol.receiver.otlp "default" {\n}\n', 'grafana-alloy'],
    ['an Agent flow-mode file', 'config.river', 'logging {\n}\n', 'grafana-agent'],
    ['an Alloy template an installer renders', 'claude.alloy.tmpl', 'otelcol.receiver.otlp "claude_code" {\n}\n', 'grafana-alloy'],
    ['an Alloy Jinja template', 'config.alloy.j2', 'logging {\n}\n', 'grafana-alloy'],
    ['a template of nothing we know', 'nginx.conf.tmpl', 'server {\n}\n', undefined],
    ['Vector TOML', 'vector.toml', '[sources.in]\ntype = "stdin"\n', 'vector'],
    ['other TOML', 'pyproject.toml', '[tool.poetry]\nname = "x"\n', undefined],
    ['Fluent Bit classic', 'fluent-bit.conf', '[SERVICE]\n    Flush 1\n[INPUT]\n    Name tail\n', 'fluent-bit'],
    ['other .conf', 'nginx.conf', 'server {\n  listen 80;\n}\n', undefined],
  ];
  for (const [what, name, text, tool] of cases) {
    it(what, () => expect(toolOf(name, text)).toBe(tool));
  }

  it('says what recognised it', () => {
    expect(classifySource(new SourceFile('/repo/p.yml', 'positions: {}\nclients: []\n'))?.other).toEqual({
      tool: 'promtail',
      evidence: { by: 'keys', keys: ['clients', 'positions'] },
    });
    expect(classifySource(new SourceFile('/repo/claude.alloy.tmpl', 'logging {\n}\n'))?.other?.evidence).toEqual({ by: 'extension', extension: '.alloy.tmpl' });
    expect(classifySource(new SourceFile('/repo/fb.conf', '[INPUT]\n  Name tail\n[OUTPUT]\n  Name stdout\n'))?.other?.evidence).toEqual({
      by: 'sections',
      sections: ['[INPUT]', '[OUTPUT]'],
    });
  });
});
