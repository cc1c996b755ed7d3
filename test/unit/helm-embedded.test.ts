// A values file of the collector chart in a stack: discovered as such (not as a collector config), the config the
// chart renders read as a collector input whose positions land in the values file, the collector version and
// environment the chart gives.
import { describe, expect, it } from 'vitest';
import { classifySource } from '../../src/discover/classify.js';
import { textSource } from '../../src/load/read.js';
import type { YamlValue } from '../../src/load/yaml-value.js';
import { buildStack, type Stack } from '../../src/model/stack.js';

const PATH = '/repo/k8s/collector-values.yaml';

function stack(text: string): Stack {
  const src = textSource(PATH, text);
  if (!src.ok) throw new Error(src.problem.reason);
  const classified = classifySource(src.source);
  if (!classified) throw new Error('not classified');
  return buildStack([{ kind: classified.kind, source: src.source, yamlDoc: classified.yamlDoc }]);
}

/** Line and column in the values file where a value of the rendered config points. */
const at = (v: YamlValue | undefined, part: 'key' | 'value' = 'key') => {
  const r = v!.location(part).range!.start;
  return `${r.line}:${r.column}`;
};

const VALUES = [
  'mode: deployment', // 1
  'image:', // 2
  '  repository: otel/opentelemetry-collector-contrib', // 3
  'presets:', // 4
  '  kubernetesAttributes:', // 5
  '    enabled: true', // 6
  'config:', // 7
  '  exporters:', // 8
  '    prometheus:', // 9
  '      endpoint: ${env:MY_POD_IP}:8889', // 10
  '  service:', // 11
  '    pipelines:', // 12
  '      metrics:', // 13
  '        exporters: [prometheus]', // 14
  '',
].join('\n');

describe('a values file of the collector chart', () => {
  it('is classified as the chart values, even when its name says collector', () => {
    const src = textSource(PATH, VALUES);
    if (!src.ok) throw new Error(src.problem.reason);
    expect(classifySource(src.source)?.kind).toBe('helm-collector-values');
    const config = textSource('/repo/otel-collector.yaml', 'receivers:\n  otlp: {}\n');
    if (!config.ok) throw new Error(config.problem.reason);
    expect(classifySource(config.source)?.kind).toBe('collector');
  });

  it('gives the rendered config as a collector input whose positions land in the values file', () => {
    const s = stack(VALUES);
    expect(s.collectors).toHaveLength(1);
    const c = s.collectors[0];
    expect(c.yaml.source.path).toBe(`${PATH}#config`);
    expect(s.embedded.get(`${PATH}#config`)?.host.path).toBe(PATH);
    const component = (kind: string, id: string) => c.components.find((x) => x.kind === kind && x.id === id)?.value;
    // Written by the user: its own key and value.
    expect(at(component('exporters', 'prometheus'))).toBe('9:5');
    expect(at(component('exporters', 'prometheus')?.get('endpoint'), 'value')).toBe('10:17');
    // Added by a preset: the preset's switch.
    expect(at(component('processors', 'k8s_attributes'))).toBe('6:5');
    // A pipeline's entry the preset added: the preset's switch too.
    const metrics = c.pipelines.find((p) => p.id === 'metrics')!;
    expect(at(metrics.processors.find((p) => p.id === 'k8s_attributes')?.value, 'value')).toBe('6:5');
    // The user's entry of a list they wrote: that entry.
    expect(at(metrics.exporters[0].value, 'value')).toBe('14:21');
    // A chart default under a map the user wrote: that map's key; elsewhere: `config:`.
    expect(at(component('exporters', 'debug'))).toBe('8:3');
    expect(at(component('receivers', 'jaeger'))).toBe('7:1');
    // Read-only: fixes are not mapped into the values file.
    expect(s.embedded.get(`${PATH}#config`)?.readOnly).toBe(true);
  });

  it('gives the collector version the chart pins when the tag is left to it, and the environment the chart sets', () => {
    const s = stack(VALUES);
    expect(s.collector).toMatchObject({ version: '0.158.0', source: 'kubernetes', distribution: 'contrib' });
    expect(s.collector.evidence).toContain('collector-values.yaml, the tag chart 0.170.0 sets');
    expect(s.collectorEnvironment?.variables.has('MY_POD_IP')).toBe(true);
    expect(s.collectorEnvironment?.variables.get('MY_POD_IP')).toBeUndefined();
  });

  it('a tag the user sets is the version; a custom image names no version', () => {
    expect(stack(VALUES.replace('image:\n', 'image:\n  tag: "0.140.0"\n')).collector).toMatchObject({ version: '0.140.0', source: 'kubernetes' });
    const custom = stack(VALUES.replace('otel/opentelemetry-collector-contrib', 'registry.example.com/otelcol-custom'));
    expect(custom.collector).toMatchObject({ source: 'assumed', distribution: 'unknown' });
  });

  it('adds no collector input when helm refuses the values (nothing is deployed)', () => {
    const s = stack(VALUES.replace('        exporters: [prometheus]\n', '        exporters: [prometheus]\n  extensions: null\nreplicas: 2\n'));
    expect(s.helmValues[0].reading.failures.length).toBeGreaterThan(0);
    expect(s.collectors).toHaveLength(0);
  });
});

describe('collector/unused-component in a values file', () => {
  // The chart's defaults configure jaeger, zipkin and prometheus receivers; a values file whose pipelines replace the
  // chart's lists leaves them unused. The user never wrote them, so the hint is the values' `null`, which Helm's
  // coalescing turns into deleting the chart's key (model/helm/merge.ts, held to helm template).
  const values = (extra: string) =>
    `mode: deployment\nimage:\n  repository: otel/opentelemetry-collector-contrib\nconfig:\n${extra}  exporters:\n    debug: {}\n  service:\n    pipelines:\n      traces:\n        receivers: [otlp]\n        exporters: [debug]\n      metrics:\n        receivers: [otlp]\n        exporters: [debug]\n      logs:\n        receivers: [otlp]\n        exporters: [debug]\n`;
  const unusedOf = async (text: string) => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runCli } = await import('../helpers/cli.js');
    const dir = mkdtempSync(join(tmpdir(), 'chart-unused-'));
    try {
      writeFileSync(join(dir, 'values.yaml'), text);
      const r = JSON.parse(runCli(['check', dir, '--format', 'json']).stdout) as {
        findings: { ruleId: string; message: string; detail?: string; hint?: string }[];
      };
      return r.findings.filter((f) => f.ruleId === 'collector/unused-component');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("says the chart's defaults configure the receivers the values leave out, and how to drop them", async () => {
    const found = await unusedOf(values(''));
    const jaeger = found.find((f) => f.message.startsWith('receiver "jaeger"'));
    expect(jaeger?.detail).toMatch(/^the chart's defaults configure it, not the values/);
    expect(jaeger?.hint).toMatch(/^drop the chart's default with `receivers: \{jaeger: null\}` under config in the values/);
  });

  it('says what a user-written component gets, and nothing of a default the values drop with null', async () => {
    const found = await unusedOf(values('  receivers:\n    jaeger: null\n    zipkin: null\n    prometheus: null\n    hostmetrics: {}\n'));
    expect(found.map((f) => f.message.split(':')[0])).toEqual(['receiver "hostmetrics" is in no pipeline']);
    expect(found[0].detail).toBeUndefined();
    expect(found[0].hint).toMatch(/^list it in a pipeline under service.pipelines, or delete it/);
  });
});
