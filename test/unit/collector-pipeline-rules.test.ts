import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { collectorListeners, listenersCollide, loadCollector } from '../../src/model/collector.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';
import type { Workspace } from '../../src/model/workspace.js';
import { yamlAppendToList, yamlDeleteMapEntry, yamlInsertMapEntry, yamlReorderList } from '../../src/model/edits.js';
import type { TextEdit } from '../../src/types.js';
import exporterTls from '../../src/rules/collector/exporter-tls.js';
import invalidPipeline, { idProblem } from '../../src/rules/collector/invalid-pipeline.js';
import memoryLimiter, { goDurationSeconds } from '../../src/rules/collector/memory-limiter.js';
import portConflict from '../../src/rules/collector/port-conflict.js';
import undefinedComponent from '../../src/rules/collector/undefined-component.js';
import unusedComponent from '../../src/rules/collector/unused-component.js';
import exporterNamespace from '../../src/rules/collector/exporter-namespace.js';
import { findingsOf } from '../helpers/setup-workspace.js';
import { Facts } from '../../src/model/facts.js';

const CONFIG = '/w/otel-collector-config.yml';

function yamlOf(text: string) {
  return parseYaml(new SourceFile(CONFIG, text));
}

function apply(text: string, edits: TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.offset - a.offset)) out = out.slice(0, e.offset) + e.text + out.slice(e.offset + e.length);
  return out;
}

/** A CI-mode workspace holding one collector config (and optionally a compose file). */
function ws(config: string, opts: { version?: string; compose?: string } = {}): Workspace {
  const files: StackFile[] = [{ kind: 'collector', source: new SourceFile(CONFIG, config) }];
  if (opts.compose) files.push({ kind: 'compose', source: new SourceFile('/w/docker-compose.yml', opts.compose) });
  return {
    root: '/w',
    name: '.',
    mode: 'files',
    sources: new Map(),
    problems: [],
    stackFiles: files,
    stack: buildStack(files, { collectorVersion: opts.version }),
    facts: new Facts(),
  } as unknown as Workspace;
}

const HEAD = 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n  debug:\n';

describe('collector listeners', () => {
  const listeners = (text: string, version: string) =>
    collectorListeners(loadCollector(yamlOf(text)), version)
      .map((l) => `${l.owner}=${l.host}:${l.port}`)
      .sort();
  const service = (telemetry: string) =>
    `${HEAD}service:\n  telemetry:\n    metrics:\n${telemetry}  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n`;
  const reader =
    '      readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: 0.0.0.0\n                port: 9999\n';

  it('internal metrics: :8888 up to v0.110, localhost:8888 from v0.111', () => {
    const text = `${HEAD}service:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n`;
    expect(listeners(text, '0.105.0')).toEqual(['receivers.otlp (grpc)=0.0.0.0:4317', 'service.telemetry.metrics=:8888']);
    expect(listeners(text, '0.111.0')).toEqual(['receivers.otlp (grpc)=0.0.0.0:4317', 'service.telemetry.metrics=localhost:8888']);
  });
  it('readers: served besides the address up to v0.110, replacing the default from v0.111', () => {
    expect(listeners(service(reader), '0.110.0')).toContain('service.telemetry.metrics=:8888');
    expect(listeners(service(reader), '0.111.0')).toEqual(['receivers.otlp (grpc)=0.0.0.0:4317', 'service.telemetry.metrics (reader)=0.0.0.0:9999']);
  });
  it('address: a reader of its own v0.111–v0.122 (the default one dropped), ignored from v0.123', () => {
    const address = '      address: 0.0.0.0:7777\n';
    expect(listeners(service(address), '0.115.0')).toEqual(['receivers.otlp (grpc)=0.0.0.0:4317', 'service.telemetry.metrics=0.0.0.0:7777']);
    expect(listeners(service(address + reader), '0.115.0')).toContain('service.telemetry.metrics=0.0.0.0:7777');
    expect(listeners(service(address + reader), '0.115.0')).toContain('service.telemetry.metrics (reader)=0.0.0.0:9999');
    expect(listeners(service(address), '0.123.0')).toContain('service.telemetry.metrics=localhost:8888');
  });
  it('level none opens nothing; unused receivers and unlisted extensions do not start', () => {
    expect(listeners(service('      level: none\n'), '0.165.0')).toEqual(['receivers.otlp (grpc)=0.0.0.0:4317']);
    const text = `receivers:\n  otlp:\n    protocols:\n      grpc:\n  otlp/2:\n    protocols:\n      grpc:\nextensions:\n  health_check:\nexporters:\n  debug:\nservice:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n`;
    expect(listeners(text, '0.103.0')).toEqual(['receivers.otlp (grpc)=0.0.0.0:4317']);
    expect(listeners(text.replace('service:\n', 'service:\n  extensions: [health_check]\n'), '0.104.0')).toEqual([
      'extensions.health_check=localhost:13133',
      'receivers.otlp (grpc)=localhost:4317',
    ]);
  });
  it('collisions follow Linux bind rules', () => {
    const l = (host: string, port = 8888) => ({ host, port });
    expect(listenersCollide(l('0.0.0.0'), l('127.0.0.1'))).toBe(true);
    expect(listenersCollide(l(''), l('::1'))).toBe(true);
    expect(listenersCollide(l('localhost'), l('127.0.0.1'))).toBe(true);
    expect(listenersCollide(l('127.0.0.1'), l('127.0.0.2'))).toBe(false);
    expect(listenersCollide(l('0.0.0.0'), l('::1'))).toBe(false);
    expect(listenersCollide(l('0.0.0.0', 8888), l('0.0.0.0', 8889))).toBe(false);
  });
});

describe('collector/port-conflict', () => {
  it('a prometheus exporter on 127.0.0.2:8888 collides with :8888 (v0.105) but not with localhost:8888 (v0.111+)', () => {
    const text = `${HEAD}  prometheus:\n    endpoint: 127.0.0.2:8888\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n`;
    expect(findingsOf(portConflict, ws(text, { version: '0.105.0' }))).toHaveLength(1);
    expect(findingsOf(portConflict, ws(text, { version: '0.165.0' }))).toHaveLength(0);
  });
  it('endpoints left to env variables are not judged', () => {
    const text = `${HEAD}  prometheus:\n    endpoint: \${env:HOST}:8888\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n`;
    expect(findingsOf(portConflict, ws(text, { version: '0.165.0' }))).toHaveLength(0);
  });
});

describe('collector/invalid-pipeline', () => {
  it('id rules as the collector words them', () => {
    expect(idProblem('metrics/', 'signal')?.text).toBe('in "metrics/" id: the part after / should not be empty');
    expect(idProblem('/metrics', 'signal')?.text).toBe('in "/metrics" id: the part before / should not be empty');
    expect(idProblem('bad.type', 'type')?.text).toBe('in "bad.type" id: invalid character(s) in type "bad.type"');
    expect(idProblem('batch/a b', 'type')).toEqual({ text: 'in "batch/a b" id: invalid character(s) in name "a b"', name: true });
    expect(idProblem('otlphttp/loki-2.x_y', 'type')).toBeUndefined();
    expect(idProblem('batch/ trimmed ', 'type')).toBeUndefined();
  });
  it('name characters: fatal from v0.106.0 only', () => {
    const text = `${HEAD}service:\n  pipelines:\n    metrics/a b:\n      receivers: [otlp]\n      exporters: [debug]\n`;
    const [old] = findingsOf(invalidPipeline, ws(text, { version: '0.105.0' }));
    expect(old.severity).toBe('warning');
    expect(invalidPipeline.fatalIn!('0.105.0', old as never)).toBe(false);
    expect(invalidPipeline.fatalIn!('0.106.0', old as never)).toBe(true);
  });
  it('unsupported signal: validate catches it from v0.124.0, start before', () => {
    const text = `${HEAD}  loki:\n    endpoint: http://loki:3100/loki/api/v1/push\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [loki]\n`;
    expect(findingsOf(invalidPipeline, ws(text, { version: '0.110.0' }))[0].detail).toMatch(/validate passes .* exits at start/);
    expect(findingsOf(invalidPipeline, ws(text, { version: '0.124.0' }))[0].message).toContain('refuses this config');
  });
  it('profiles need the feature gate', () => {
    const text = `${HEAD}service:\n  pipelines:\n    profiles:\n      receivers: [otlp]\n      exporters: [debug]\n`;
    expect(findingsOf(invalidPipeline, ws(text))).toHaveLength(1);
    const compose =
      'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.165.0\n    command: ["--config=/etc/c.yml", "--feature-gates=service.profilesSupport"]\n';
    expect(findingsOf(invalidPipeline, ws(text, { compose }))).toHaveLength(0);
  });
  it('a file that does not parse is left to collector/invalid-yaml', () => {
    expect(findingsOf(invalidPipeline, ws('receivers:\n\totlp:\n'))).toEqual([]);
  });
});

describe('collector/undefined-component and unused-component', () => {
  it('ids are compared trimmed; connectors count as receivers and exporters', () => {
    const text = `${HEAD}connectors:\n  forward:\nservice:\n  pipelines:\n    metrics:\n      receivers: [" otlp"]\n      exporters: [forward]\n    metrics/2:\n      receivers: [forward]\n      exporters: [debug]\n`;
    expect(findingsOf(undefinedComponent, ws(text))).toEqual([]);
    expect(findingsOf(unusedComponent, ws(text))).toEqual([]);
  });
  it('a receiver and an exporter may share an id: each section is judged on its own', () => {
    const text = `${HEAD}  otlp:\n    endpoint: tempo:4317\n    tls:\n      insecure: true\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n`;
    expect(findingsOf(unusedComponent, ws(text)).map((f) => f.path)).toEqual(['exporters.otlp']);
    const prom = `receivers:\n  prometheus:\n    config: {}\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8888\n  debug:\nservice:\n  pipelines:\n    metrics:\n      receivers: [prometheus]\n      exporters: [debug]\n`;
    expect(findingsOf(portConflict, ws(prom, { version: '0.165.0' }))).toEqual([]);
  });
  it('a component in the wrong section is named', () => {
    const text = `${HEAD}processors:\n  batch:\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug, batch]\n`;
    const [f] = findingsOf(undefinedComponent, ws(text));
    expect(f.hint).toContain('defined under processors');
  });
  it('an undefined reference silences the unused warning for the component it most likely means', () => {
    const text = `${HEAD}  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp]\n`;
    expect(findingsOf(undefinedComponent, ws(text))[0].hint).toContain('did you mean "otlphttp/loki"');
    expect(findingsOf(unusedComponent, ws(text)).map((f) => f.message)).toEqual([
      'exporter "debug" is in no pipeline: the collector never builds it, so nothing is sent through it',
    ]);
  });
});

describe('collector/memory-limiter', () => {
  it('Go durations', () => {
    expect(goDurationSeconds('1s')).toBe(1);
    expect(goDurationSeconds('1m30s')).toBe(90);
    expect(goDurationSeconds('500ms')).toBe(0.5);
    expect(goDurationSeconds('0s')).toBe(0);
    expect(goDurationSeconds('-1s')).toBe(-1);
    expect(goDurationSeconds(1000)).toBe(1e-6);
    expect(goDurationSeconds('${env:INTERVAL}')).toBeUndefined();
  });
  it('settings errors are fatal, order is advice', () => {
    const text = `${HEAD}processors:\n  batch:\n  memory_limiter:\n    check_interval: 1s\n    limit_mib: 100\n    spike_limit_mib: 100\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      processors: [batch, memory_limiter]\n      exporters: [debug]\n`;
    const findings = findingsOf(memoryLimiter, ws(text));
    expect(findings.map((f) => [f.severity, memoryLimiter.fatalIn!('0.165.0', f as never)])).toEqual([
      ['error', true],
      ['warning', false],
    ]);
    expect(findings[0].detail).toContain("'spike_limit_mib' must be smaller than 'limit_mib'");
    expect(apply(text, findings[1].fix!.edits)).toContain('processors: [memory_limiter, batch]');
  });
});

describe('collector/exporter-tls', () => {
  const cfg = (exporter: string) => `${HEAD}  otlp/up:\n${exporter}service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [otlp/up]\n`;
  it('plaintext-looking endpoints without tls.insecure', () => {
    expect(findingsOf(exporterTls, ws(cfg('    endpoint: http://tempo:4317\n')))[0].fix?.safety).toBe('safe');
    expect(findingsOf(exporterTls, ws(cfg('    endpoint: localhost:4317\n')))[0].fix?.safety).toBe('unsafe');
    expect(findingsOf(exporterTls, ws(cfg('    endpoint: tempo:4317\n    tls:\n      insecure_skip_verify: true\n')))[0].detail).toContain(
      'insecure_skip_verify still uses TLS',
    );
  });
  it('TLS endpoints and explicit tls settings are left alone', () => {
    for (const e of [
      '    endpoint: https://tempo:4317\n',
      '    endpoint: api.honeycomb.io:443\n',
      '    endpoint: otel.example.com:4317\n',
      '    endpoint: tempo:4317\n    tls:\n      insecure: true\n',
      '    endpoint: tempo:4317\n    tls:\n      ca_file: /certs/ca.pem\n',
    ]) {
      expect(findingsOf(exporterTls, ws(cfg(e))), e).toEqual([]);
    }
  });
  it('the fix adds insecure to an existing tls block', () => {
    const text = cfg('    endpoint: http://tempo:4317\n    tls:\n      insecure_skip_verify: true\n');
    const [f] = findingsOf(exporterTls, ws(text));
    expect(apply(text, f.fix!.edits)).toContain('    tls:\n      insecure_skip_verify: true\n      insecure: true\n');
  });
});

describe('collector/exporter-namespace', () => {
  it('names the prefix; suffix-free strategy changes the example', () => {
    const text = (extra: string) => `${HEAD}  prometheus:\n    endpoint: 0.0.0.0:8889\n    namespace: claude-code\n${extra}`;
    expect(findingsOf(exporterNamespace, ws(text('')))[0].detail).toContain('claude_code_claude_code_cost_usage_USD_total');
    expect(findingsOf(exporterNamespace, ws(text('    translation_strategy: UnderscoreEscapingWithoutSuffixes\n')))[0].detail).toContain(
      'claude_code_claude_code_cost_usage (not',
    );
  });
});

describe('YAML edit helpers keep untouched bytes', () => {
  it('reorder a block list with comments and CRLF (an item keeps its trailing comment)', () => {
    const text = 'p:\r\n  - a  # first\r\n  - "b"\r\n';
    const y = yamlOf(text);
    expect(apply(text, yamlReorderList(y, ['p'], [1, 0]))).toBe('p:\r\n  - "b"\r\n  - a  # first\r\n');
  });
  it("insert a nested entry after the last one, with the file's indentation step", () => {
    const text = 'exporters:\n    otlp:\n        endpoint: x:4317 # note\n    debug:\n';
    const y = yamlOf(text);
    expect(apply(text, yamlInsertMapEntry(y, ['exporters', 'otlp'], 'tls', ['insecure: true']))).toBe(
      'exporters:\n    otlp:\n        endpoint: x:4317 # note\n        tls:\n            insecure: true\n    debug:\n',
    );
  });
  it('insert into a flow mapping, and at the end of a file without a final line break', () => {
    const flow = 'a: {b: 1}\n';
    expect(apply(flow, yamlInsertMapEntry(yamlOf(flow), ['a'], 'c', '2'))).toBe('a: {b: 1, c: 2}\n');
    const bare = 'service:\n  pipelines: {}';
    expect(apply(bare, yamlInsertMapEntry(yamlOf(bare), ['service'], 'extensions', '[health_check]'))).toBe(
      'service:\n  pipelines: {}\n  extensions: [health_check]',
    );
  });
  it('delete a mapping entry, leaving the comment before the next one', () => {
    const text = 'exporters:\n  unused:\n    endpoint: x\n  # the debug exporter\n  debug:\n';
    expect(apply(text, yamlDeleteMapEntry(yamlOf(text), ['exporters', 'unused']))).toBe('exporters:\n  # the debug exporter\n  debug:\n');
    const only = 'exporters:\n  unused:\n';
    expect(yamlDeleteMapEntry(yamlOf(only), ['exporters', 'unused'])).toEqual([]);
  });
  it('append to flow and block lists', () => {
    const flow = 'e: [a]\n';
    expect(apply(flow, yamlAppendToList(yamlOf(flow), ['e'], 'b'))).toBe('e: [a, b]\n');
    const empty = 'e: []\n';
    expect(apply(empty, yamlAppendToList(yamlOf(empty), ['e'], 'b'))).toBe('e: [b]\n');
    const block = 'e:\n  - a\nf: 1\n';
    expect(apply(block, yamlAppendToList(yamlOf(block), ['e'], 'b'))).toBe('e:\n  - a\n  - b\nf: 1\n');
  });
});
