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
