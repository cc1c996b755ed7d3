import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { YamlValue } from '../../src/load/yaml-value.js';

const doc = (text: string) => YamlValue.root(parseYaml(new SourceFile('/c.yaml', text)));

describe('YamlValue: typed values that keep their place', () => {
  const root = doc('exporters:\n  otlp:\n    endpoint: tempo:4317\n    port: 4317\n    quoted: "4317"\n    tls:\n    list: [a, 2]\n');
  const otlp = root.at('exporters', 'otlp')!;

  it('reads typed values and says when the type is another', () => {
    expect(otlp.get('endpoint')!.string()).toBe('tempo:4317');
    expect(otlp.get('port')!.string()).toBeUndefined();
    expect(otlp.get('port')!.number()).toBe(4317);
    expect(otlp.get('quoted')!.text()).toBe('4317');
    expect(otlp.get('quoted')!.number()).toBeUndefined();
    expect(otlp.get('tls')!.isNull()).toBe(true);
    expect(otlp.get('missing')).toBeUndefined();
    expect(
      otlp
        .get('list')!
        .items()
        .map((i) => i.js),
    ).toEqual(['a', 2]);
    expect(root.keys()).toEqual(['exporters']);
    expect(otlp.js).toMatchObject({ endpoint: 'tempo:4317', port: 4317 });
  });

  it('points at the key or the value, with the path', () => {
    expect(otlp.get('endpoint')!.location()).toEqual({
      file: '/c.yaml',
      path: 'exporters.otlp.endpoint',
      range: { start: { line: 3, column: 5 }, end: { line: 3, column: 13 } },
    });
    expect(otlp.get('endpoint')!.location('value').range).toEqual({ start: { line: 3, column: 15 }, end: { line: 3, column: 25 } });
    // An empty value points at its key, never at the start of the file.
    expect(otlp.get('tls')!.location('value').range!.start).toEqual({ line: 6, column: 5 });
    expect(otlp.get('list')!.items()[1].location().path).toBe('exporters.otlp.list[1]');
  });
});

describe('YamlValue: aliases', () => {
  it('an alias reads as its anchored value; what is inside is found where the anchor wrote it', () => {
    const root = doc('defaults: &ep\n  endpoint: tempo:4317\nexporters:\n  otlp: *ep\n  port: &p 4317\n  again: *p\n  list: [*p]\n');
    const otlp = root.at('exporters', 'otlp')!;
    expect(otlp.get('endpoint')!.string()).toBe('tempo:4317');
    expect(otlp.get('endpoint')!.location('value').range!.start).toEqual({ line: 2, column: 13 });
    // A value written as an alias points at the alias.
    expect(root.at('exporters', 'again')!.location('value').range!.start).toEqual({ line: 6, column: 10 });
    // The key of the entry that uses the alias stays where it is.
    expect(otlp.location().range!.start).toEqual({ line: 4, column: 3 });
    expect(root.at('exporters', 'again')!.number()).toBe(4317);
    expect(root.at('exporters', 'list')!.items()[0].number()).toBe(4317);
    expect(root.get('exporters')!.js).toMatchObject({ otlp: { endpoint: 'tempo:4317' }, again: 4317, list: [4317] });
  });
});

describe('YamlValue.nearest and atYaml: a missing path points where it would go', () => {
  const text = 'scrape_configs:\n  - job_name: otel\n    static_configs:\n      - targets: [a:1]\n';
  const y = parseYaml(new SourceFile('/p.yml', text));

  it('walks keys and indexes as far as they exist', () => {
    expect(YamlValue.nearest(y, ['scrape_configs', 0, 'job_name']).string()).toBe('otel');
    expect(YamlValue.nearest(y, ['scrape_configs', 0, 'scrape_interval']).location().path).toBe('scrape_configs[0]');
    expect(YamlValue.nearest(y, ['scrape_configs', 5]).location().path).toBe('scrape_configs');
  });

  it('atYaml of a missing key keeps the path it was asked for and points at the enclosing value, not 1:1', async () => {
    const { atYaml } = await import('../../src/model/yaml-locate.js');
    const at = atYaml(y, ['scrape_configs', 0, 'scrape_interval']);
    expect(at.path).toBe('scrape_configs[0].scrape_interval');
    expect(at.range!.start).toEqual({ line: 2, column: 5 });
  });
});
