// The collector's environment and `${env:X}` expansion by version (model/collector-env.ts), the required
// options (model/required-options.ts), and collector/unset-variable on top of them. The version windows are
// the ones the oracle builds confirm (test/oracles/corpus/collector/unset-*.yaml on 0.105.0 and 0.165.0).
import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/load/yaml.js';
import { SourceFile } from '../../src/load/source.js';
import { composeEnvironment, envReferences, expandsEmpty, type CollectorEnvironment } from '../../src/model/collector-env.js';
import { loadCompose } from '../../src/model/compose.js';
import { requiredOptionFailures } from '../../src/model/required-options.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';
import type { Workspace } from '../../src/model/workspace.js';
import type { AnyRule } from '../../src/rules/define.js';
import { RULES_BY_ID } from '../../src/rules/index.js';
import { workspaceOf, findingsOf } from '../helpers/setup-workspace.js';

const yaml = (text: string) => parseYaml(new SourceFile('/repo/otel-collector-config.yml', text));

describe('envReferences', () => {
  it('finds unescaped references without a default, whole or inside a value', () => {
    const refs = envReferences(yaml('a: ${env:A}\nb: http://${B}:4318\nc: $${env:C}\nd: ${env:D:-x}\ne: $$${env:E}\nf:\n  - ${env:F}\n'));
    expect(refs.map((r) => [r.name, r.whole, r.path.join('.'), r.token])).toEqual([
      ['A', true, 'a', '${env:A}'],
      ['B', false, 'b', '${B}'],
      ['E', false, 'e', '${env:E}'],
      ['F', true, 'f.0', '${env:F}'],
    ]);
  });
});

describe('the collector environment', () => {
  const compose = (service: string) =>
    loadCompose(
      parseYaml(
        new SourceFile('/repo/docker-compose.yml', `services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.130.0\n${service}`),
      ),
    );
  it('is the compose service environment; pass-through and interpolated values count as set', () => {
    const c = compose('    environment:\n      - A=1\n      - B=\n      - C\n      - D=${HOST_D}\n');
    const env = composeEnvironment(c, c.services[0])!;
    expect(['A', 'B', 'C', 'D', 'E'].map((n) => expandsEmpty(env, n))).toEqual([false, true, false, false, true]);
  });
  it('is not known when the service also reads an env_file', () => {
    const c = compose('    env_file: .env\n    environment:\n      A: 1\n');
    expect(composeEnvironment(c, c.services[0])).toBeUndefined();
  });
});

describe('required options', () => {
  it('reports what the collector refuses, at validate or create time', () => {
    const f = (kind: 'exporters' | 'extensions' | 'processors', type: string, config: unknown) =>
      requiredOptionFailures(kind, type, config).map((x) => `${x.stage}: ${x.error}`);
    expect(f('exporters', 'otlp_http', {})).toEqual(['validate: at least one endpoint must be specified']);
    expect(f('exporters', 'otlphttp', { metrics_endpoint: 'http://x:4318/v1/metrics' })).toEqual([]);
    expect(f('exporters', 'prometheusremotewrite', {})).toEqual([]); // the placeholder default is a valid URL
    expect(f('exporters', 'prometheusremotewrite', { endpoint: '' })).toEqual(['create: invalid endpoint']);
    expect(f('extensions', 'bearertokenauth', { filename: '/run/secrets/token' })).toEqual([]);
    expect(
      f('processors', 'resource', {
        attributes: [
          { key: 'a', action: 'upsert', value: '' },
          { key: 'b', action: 'delete' },
        ],
      }),
    ).toEqual([]);
    expect(f('processors', 'resource', { attributes: [{ key: 'a', action: 'upsert' }] })).toHaveLength(1);
    expect(f('exporters', 'otlp', { endpoint: '${env:X}' })).toEqual([]); // judged by unset-variable
  });
});

describe('collector/unset-variable', () => {
  const config = (exporters: string, pipeline: string) =>
    `receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n${exporters}service:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [${pipeline}]\n`;
  const env: CollectorEnvironment = {
    variables: new Map([
      ['PATH', '/usr/bin'],
      ['EMPTY', ''],
    ]),
    evidence: 'test',
  };
  const run = (text: string, version: string, environment: CollectorEnvironment | null = env) => {
    const files: StackFile[] = [{ kind: 'collector', source: new SourceFile('/repo/otel-collector-config.yml', text) }];
    const w: Workspace = {
      ...workspaceOf({}),
      mode: 'files',
      stack: buildStack(files, { collectorVersion: version, collectorEnvironment: environment ?? undefined }),
    };
    const rule = RULES_BY_ID.get('collector/unset-variable') as AnyRule;
    return findingsOf(rule, w).map((f) => ({
      severity: f.severity ?? rule.severity,
      message: f.message,
      detail: f.detail,
      fatal: !!rule.fatalIn?.(version, f as never),
    }));
  };

  it('says nothing when the environment is not known', () => {
    expect(run(config('  otlphttp:\n    endpoint: ${env:UPSTREAM}\n', 'otlphttp'), '0.130.0', null)).toEqual([]);
  });

  it('inside a longer value: fatal v0.104.0-v0.107.x, a warning before and after', () => {
    const text = config('  otlphttp:\n    endpoint: http://${env:HOST}:4318\n', 'otlphttp');
    expect(['0.103.0', '0.104.0', '0.107.0', '0.108.0', '0.165.0'].map((v) => run(text, v)[0].fatal)).toEqual([false, true, true, false, false]);
    expect(run(text, '0.105.0')[0].detail).toContain('retrieved value does not have unambiguous string representation: <nil>');
    expect(run(text, '0.130.0')[0].detail).toContain('endpoint is "http://:4318"');
  });

  it('a whole value keeps the default before v0.127.0 and is emptied from then on', () => {
    const text = config('  prometheusremotewrite:\n    endpoint: ${env:REMOTE_WRITE_URL}\n', 'prometheusremotewrite');
    const old = run(text, '0.126.0');
    expect(old).toMatchObject([{ severity: 'warning', fatal: false }]);
    expect(old[0].detail).toContain('keeps its default, "http://some.url:9411/api/prom/push"');
    const current = run(text, '0.127.0');
    expect(current).toMatchObject([{ severity: 'error', fatal: true }]);
    expect(current[0].detail).toContain('says "exporters::prometheusremotewrite: invalid endpoint"');
  });

  it('a variable set to the empty string counts as unset; a set one is fine', () => {
    const text = config('  otlphttp:\n    endpoint: ${env:EMPTY}\n  otlphttp/b:\n    endpoint: http://x:4318/${env:PATH}\n', 'otlphttp, otlphttp/b');
    const found = run(text, '0.165.0');
    expect(found.map((f) => [f.fatal, f.message, f.detail?.slice(0, 40)])).toEqual([
      [true, 'EMPTY is empty for the collector: it refuses to start', '"${env:EMPTY}" in exporters.otlphttp.end'],
    ]);
    expect(found[0].message).toContain('EMPTY is empty for the collector');
  });

  it('a create-time failure only counts for a component that runs', () => {
    const text = config('  debug:\n  prometheus:\n    endpoint: ${env:PROM_ENDPOINT}\n', 'debug');
    expect(run(text, '0.165.0')).toMatchObject([{ severity: 'warning', fatal: false }]);
  });
});
