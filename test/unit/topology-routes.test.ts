import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';
import { localhostDefault, topology } from '../../src/model/topology.js';
import { claudeRoutes, deliveries } from '../../src/model/routes.js';
import type { Workspace } from '../../src/model/workspace.js';
import type { FileKind } from '../../src/discover/classify.js';
import type { AnyRule } from '../../src/rules/define.js';
import { yamlFillEmptyKey, yamlReplaceInScalar } from '../../src/model/edits.js';
import localhostEndpoint from '../../src/rules/collector/localhost-endpoint.js';
import missingSignalPipeline from '../../src/rules/collector/missing-signal-pipeline.js';
import protocolNotEnabled from '../../src/rules/collector/protocol-not-enabled.js';
import deltaDropped from '../../src/rules/collector/delta-dropped.js';
import noPrometheusPath from '../../src/rules/collector/no-prometheus-path.js';
import otlpPortNotPublished from '../../src/rules/compose/otlp-port-not-published.js';
import configNotMounted from '../../src/rules/compose/config-not-mounted.js';
import unknownHost, { composeHostOf } from '../../src/rules/compose/unknown-host.js';
import protocolPortMismatch from '../../src/rules/settings/protocol-port-mismatch.js';
import { applyEdits, workspaceOf, findingsOf } from '../helpers/setup-workspace.js';

const KIND: Record<string, FileKind> = {
  'docker-compose.yml': 'compose',
  'otel-collector-config.yml': 'collector',
  'prometheus.yml': 'prometheus',
  'grafana-datasources.yml': 'grafana-datasources',
};

/** A workspace at /repo from in-memory files (the kind from the name, or `kind:path`), with user settings env. */
function ws(files: Record<string, string>, env?: Record<string, string>, versions: { collector?: string } = {}): Workspace {
  const stackFiles: StackFile[] = Object.entries(files).map(([name, text]) => {
    const [kind, path] = name.includes(':') ? (name.split(':') as [FileKind, string]) : [KIND[name], name];
    return { kind, source: new SourceFile(`/repo/${path}`, text) };
  });
  const base = workspaceOf(env ? { user: { env } } : {});
  const stack = buildStack(stackFiles, { collectorVersion: versions.collector });
  return { ...base, mode: 'files', stackFiles, stack };
}

const COMPOSE = (collector: string, extra = '') => `services:\n${collector}${extra}`;
const COLLECTOR_SVC = (opts: { image?: string; command?: string; volumes?: string; ports?: string; more?: string } = {}) =>
  `  otel-collector:\n    image: ${opts.image ?? 'otel/opentelemetry-collector-contrib:0.115.1'}\n` +
  (opts.command === undefined ? '    command: ["--config=/etc/otel-collector-config.yml"]\n' : opts.command) +
  (opts.volumes ?? '    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n') +
  (opts.ports ?? '    ports:\n      - "127.0.0.1:4317:4317"\n      - "127.0.0.1:4318:4318"\n') +
  (opts.more ?? '');

const RECEIVERS = (grpc = '0.0.0.0:4317', http = '0.0.0.0:4318') =>
  `receivers:\n  otlp:\n    protocols:\n${grpc ? `      grpc:\n        endpoint: ${grpc}\n` : ''}${http ? `      http:\n        endpoint: ${http}\n` : ''}`;
const CONFIG = (receivers = RECEIVERS(), pipelines = ['metrics', 'logs']) =>
  `${receivers}exporters:\n  debug: {}\nservice:\n  pipelines:\n${pipelines.map((p) => `    ${p}:\n      receivers: [otlp]\n      exporters: [debug]\n`).join('')}`;

const CLAUDE = (protocol = 'grpc', endpoint = 'http://localhost:4317') => ({
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
});

const ids = (rules: AnyRule[], w: Workspace) => rules.flatMap((r) => findingsOf(r, w).map(() => r.id));

describe('topology: which service runs which config', () => {
  it('reads --config in its forms, else the image default; a command without --config reads nothing', () => {
    const reads = (svc: string) => topology(ws({ 'docker-compose.yml': COMPOSE(svc) }).stack).collectors[0].reads?.map((r) => r.path);
    expect(reads(COLLECTOR_SVC())).toEqual(['/etc/otel-collector-config.yml']);
    expect(reads(COLLECTOR_SVC({ command: '    command: ["--config", "file:/etc/a.yaml", "--config=env:CFG"]\n' }))).toEqual(['/etc/a.yaml', 'env:CFG']);
    expect(reads(COLLECTOR_SVC({ command: '' }))).toEqual(['/etc/otelcol-contrib/config.yaml']);
    expect(reads(COLLECTOR_SVC({ command: '', image: 'otel/opentelemetry-collector:0.115.1' }))).toEqual(['/etc/otelcol/config.yaml']);
    expect(reads(COLLECTOR_SVC({ command: '', image: 'otel/opentelemetry-collector-k8s:0.115.1' }))).toBeUndefined();
    expect(reads(COLLECTOR_SVC({ command: '    command: --feature-gates=x\n' }))).toEqual([]);
    expect(reads(COLLECTOR_SVC({ command: '    entrypoint: ["sh", "-c", "/otelcol-contrib --config=/x.yaml"]\n' }))).toBeUndefined();
  });

  it('maps files through file, folder, long-form and configs mounts, and ~ sources by name', () => {
    const files = (svc: string, extra = '') => ({
      'docker-compose.yml': COMPOSE(svc, extra),
      'collector:otel/config.yaml': CONFIG(),
      'otel-collector-config.yml': CONFIG(),
    });
    const runs = (svc: string, extra = '') => {
      const w = ws(files(svc, extra));
      return topology(w.stack).collectors[0].runs.map((c) => c.file);
    };
    expect(runs(COLLECTOR_SVC())).toEqual(['/repo/otel-collector-config.yml']);
    expect(runs(COLLECTOR_SVC({ command: '', volumes: '    volumes:\n      - ./otel:/etc/otelcol-contrib:ro\n' }))).toEqual(['/repo/otel/config.yaml']);
    expect(
      runs(
        COLLECTOR_SVC({
          command: '',
          volumes: '    volumes:\n      - type: bind\n        source: ${PWD}/otel/config.yaml\n        target: /etc/otelcol-contrib/config.yaml\n',
        }),
      ),
    ).toEqual(['/repo/otel/config.yaml']);
    expect(
      runs(
        COLLECTOR_SVC({ volumes: '    configs:\n      - source: otel\n        target: /etc/otel-collector-config.yml\n' }),
        'configs:\n  otel:\n    file: ./otel-collector-config.yml\n',
      ),
    ).toEqual(['/repo/otel-collector-config.yml']);
    expect(runs(COLLECTOR_SVC({ volumes: '    volumes:\n      - ~/.claude/telemetry/otel-collector-config.yml:/etc/otel-collector-config.yml\n' }))).toEqual([
      '/repo/otel-collector-config.yml',
    ]);
    // A named volume holds unknown content: nothing from the workspace runs.
    expect(runs(COLLECTOR_SVC({ volumes: '    volumes:\n      - otel-config:/etc\n' }))).toEqual([]);
  });

  it('Prometheus reads --config.file, the image default, or prometheus.yml in /prometheus', () => {
    const read = (svc: string) =>
      topology(ws({ 'docker-compose.yml': `services:\n  prometheus:\n    image: prom/prometheus:v2.55.1\n${svc}` }).stack).prometheus[0].reads?.[0];
    expect(read('')).toMatchObject({ path: '/etc/prometheus/prometheus.yml', origin: 'image-default' });
    expect(read('    command: ["--web.enable-lifecycle"]\n')).toMatchObject({ path: '/prometheus/prometheus.yml', origin: 'working-dir-default' });
    expect(read('    command: ["--config.file", "conf/p.yml"]\n')).toMatchObject({ path: '/prometheus/conf/p.yml', origin: 'flag' });
  });

  it('published ports: reachable at localhost unless bound to another address; host networking publishes everything', () => {
    const t = (ports: string, more = '') => topology(ws({ 'docker-compose.yml': COMPOSE(COLLECTOR_SVC({ ports, more })) }).stack);
    expect(t('    ports:\n      - "4317:4317"\n').publisherOf(4317)?.containerPort).toBe(4317);
    expect(t('    ports:\n      - "[::1]:14317:4317"\n').publisherOf(14317)?.containerPort).toBe(4317);
    expect(t('    ports:\n      - target: 4317\n        published: "4317"\n        host_ip: 127.0.0.1\n').publisherOf(4317)?.containerPort).toBe(4317);
    expect(t('    ports:\n      - "192.168.1.5:4317:4317"\n').publisherOf(4317)).toBeUndefined();
    expect(t('    ports:\n      - "4317:4317/udp"\n').publisherOf(4317)).toBeUndefined();
    expect(t('    ports:\n      - "4317"\n').publisherOf(4317)).toBeUndefined();
    expect(t('', '    network_mode: host\n').publisherOf(4318)?.containerPort).toBe(4318);
  });

  it('a port published by an always-started service and by one under a profile reaches the always-started one', () => {
    const svc = (name: string, more: string) => `  ${name}:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n${more}    ports:\n      - "4317:4317"\n`;
    const gatedFirst = `services:\n${svc('otel-debug', '    profiles: [debug]\n')}${svc('otel-collector', '')}`;
    expect(topology(ws({ 'docker-compose.yml': gatedFirst }).stack).publisherOf(4317)?.ref.service.name).toBe('otel-collector');
    // Only a gated service publishes it: that one, and the route says which profile it needs.
    const onlyGated = `services:\n${svc('otel-debug', '    profiles: [debug]\n')}`;
    expect(topology(ws({ 'docker-compose.yml': onlyGated }).stack).publisherOf(4317)?.ref.service.name).toBe('otel-debug');
  });

  it('an export reaching a service under a profile: the receiving config is judged in a warning that names the profile', () => {
    const compose = `services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    profiles: [telemetry]\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n`;
    const config =
      'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:4318\nexporters:\n  debug:\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [debug]\n';
    const env = {
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4317',
    };
    const w = ws({ 'docker-compose.yml': compose, 'otel-collector-config.yml': config }, env);
    const [f] = findingsOf(protocolNotEnabled, w);
    expect(f.severity).toBe('warning');
    expect(f.detail).toContain('whenever service "otel-collector" runs (it starts only with profile telemetry');
    const ungated = ws({ 'docker-compose.yml': compose.replace('    profiles: [telemetry]\n', ''), 'otel-collector-config.yml': config }, env);
    expect(findingsOf(protocolNotEnabled, ungated).map((x) => x.severity)).toEqual(['error']);
  });

  it('the localhost default: from v0.104.0, off with the gate up to v0.111.x', () => {
    const gate = COMPOSE(
      COLLECTOR_SVC({ command: '    command: ["--config=/etc/otel-collector-config.yml", "--feature-gates=-component.UseLocalHostAsDefaultHost"]\n' }),
    );
    const at = (version: string, compose = COMPOSE(COLLECTOR_SVC())) => {
      const w = ws({ 'docker-compose.yml': compose }, undefined, { collector: version });
      return localhostDefault(w.stack, topology(w.stack).collectors[0].service);
    };
    expect(at('0.103.0')).toBe(false);
    expect(at('0.104.0')).toBe(true);
    expect(at('0.110.0', gate)).toBe(false);
    expect(at('0.112.0', gate)).toBe(true);
  });
});

describe('routes: one wrong port is reported once', () => {
  const CROSS = [otlpPortNotPublished, protocolNotEnabled, missingSignalPipeline, protocolPortMismatch];
  const stackWith = (ports: string, receivers: string, pipelines = ['metrics', 'logs']) => ({
    'docker-compose.yml': COMPOSE(COLLECTOR_SVC({ ports })),
    'otel-collector-config.yml': CONFIG(receivers, pipelines),
  });
  const BOTH = '    ports:\n      - "127.0.0.1:4317:4317"\n      - "127.0.0.1:4318:4318"\n';
  const HTTP_ONLY_PORT = '    ports:\n      - "127.0.0.1:4318:4318"\n';

  it.each([
    ['healthy', BOTH, RECEIVERS(), CLAUDE(), []],
    ['not published', HTTP_ONLY_PORT, RECEIVERS(), CLAUDE(), ['compose/otlp-port-not-published']],
    ['not published and no grpc', HTTP_ONLY_PORT, RECEIVERS(''), CLAUDE(), ['compose/otlp-port-not-published']],
    ['published, no grpc', BOTH, RECEIVERS(''), CLAUDE(), ['collector/protocol-not-enabled']],
    ['grpc to the http port', BOTH, RECEIVERS(), CLAUDE('grpc', 'http://localhost:4318'), ['collector/protocol-not-enabled']],
    ['http to the grpc port', BOTH, RECEIVERS(), CLAUDE('http/protobuf', 'http://localhost:4317'), ['collector/protocol-not-enabled']],
    ['receiver on another container port', BOTH, RECEIVERS('0.0.0.0:14317'), CLAUDE(), ['collector/protocol-not-enabled']],
    ['remote endpoint', HTTP_ONLY_PORT, RECEIVERS(''), CLAUDE('grpc', 'https://otel.example.com:4317'), []],
  ] as const)('%s', (_name, ports, receivers, env, expected) => {
    expect(ids(CROSS, ws(stackWith(ports, receivers), { ...env }))).toEqual(expected);
  });

  it('missing pipelines are reported per signal, only where the export arrives', () => {
    const w = ws(stackWith(BOTH, RECEIVERS(), ['metrics']), CLAUDE());
    expect(deliveries(w).map((d) => `${d.route.signal}:${d.status}`)).toEqual(['metrics:received', 'logs:no-pipeline']);
    expect(ids(CROSS, w)).toEqual(['collector/missing-signal-pipeline']);
  });

  it('Claude Code on the compose network reaches the service by name, without published ports', () => {
    const w = ws(stackWith('', RECEIVERS()), CLAUDE('grpc', 'http://otel-collector:4317'));
    expect(claudeRoutes(w).map((r) => r.kind)).toEqual(['network', 'network']);
    expect(ids(CROSS, w)).toEqual([]);
  });

  it('without compose a bare name or localhost is the collector of the workspace', () => {
    const w = ws({ 'otel-collector-config.yml': CONFIG(RECEIVERS('0.0.0.0:4318', '')) }, CLAUDE('grpc', 'http://otel-collector:4318'));
    expect(deliveries(w).map((d) => d.status)).toEqual(['received', 'received']);
  });
});

describe('collector/localhost-endpoint', () => {
  it('is fatal only for a prometheus exporter without an endpoint', () => {
    const w = ws({
      'docker-compose.yml': COMPOSE(COLLECTOR_SVC()),
      'otel-collector-config.yml': `${RECEIVERS('localhost:4317')}exporters:\n  prometheus:\n  prometheus/2:\n    endpoint: localhost:8890\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus, prometheus/2]\n`,
    });
    const found = findingsOf(localhostEndpoint, w).map((f) => [f.path, localhostEndpoint.fatalIn!('0.105.0', f as never)]);
    expect(found).toEqual([
      ['receivers.otlp.protocols.grpc.endpoint', false],
      ['exporters.prometheus/2.endpoint', false],
      ['exporters.prometheus', true],
    ]);
  });

  it('the fix keeps quoting and fills an empty protocol key', () => {
    const text =
      'receivers:\n  otlp:\n    protocols:\n      grpc:   # defaults\n      http:\n        endpoint: "localhost:4318"\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug]\nexporters:\n  debug:\n';
    const w = ws({ 'docker-compose.yml': COMPOSE(COLLECTOR_SVC()), 'otel-collector-config.yml': text });
    const edits = findingsOf(localhostEndpoint, w).flatMap((f) => f.fix?.edits ?? []);
    expect(applyEdits(text, edits)).toBe(
      text.replace('# defaults\n', '# defaults\n        endpoint: 0.0.0.0:4317\n').replace('"localhost:4318"', '"0.0.0.0:4318"'),
    );
  });

  it('is silent on host networking and outside containers', () => {
    const cfg = CONFIG(RECEIVERS('localhost:4317', 'localhost:4318'));
    expect(findingsOf(localhostEndpoint, ws({ 'otel-collector-config.yml': cfg }))).toEqual([]);
    expect(
      findingsOf(
        localhostEndpoint,
        ws({ 'docker-compose.yml': COMPOSE(COLLECTOR_SVC({ ports: '', more: '    network_mode: host\n' })), 'otel-collector-config.yml': cfg }),
      ),
    ).toEqual([]);
  });
});

describe('collector/delta-dropped', () => {
  const rw = `${RECEIVERS()}exporters:\n  otlphttp/prom:\n    endpoint: http://prometheus:9090/api/v1/otlp\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [otlphttp/prom]\n`;
  const prom = (image: string, flag: string) =>
    `  prometheus:\n    image: ${image}\n    command: ["--web.enable-otlp-receiver"${flag ? `, "--enable-feature=${flag}"` : ''}]\n`;
  const run = (image: string, flag: string, env = CLAUDE()) =>
    findingsOf(deltaDropped, ws({ 'docker-compose.yml': COMPOSE(COLLECTOR_SVC(), prom(image, flag)), 'otel-collector-config.yml': rw }, env)).length;

  it('a Prometheus flag counts only from the version that has it', () => {
    expect(run('prom/prometheus:v3.5.0', '')).toBe(1);
    expect(run('prom/prometheus:v3.5.0', 'otlp-deltatocumulative')).toBe(0);
    expect(run('prom/prometheus:v3.1.0', 'otlp-deltatocumulative')).toBe(1);
    expect(run('prom/prometheus:v3.3.0', 'otlp-native-delta-ingestion')).toBe(1);
    expect(run('prom/prometheus:v3.4.0', 'otlp-native-delta-ingestion')).toBe(0);
  });

  it('cumulative temporality, or no metrics exporter, is silent', () => {
    expect(
      run('prom/prometheus:v3.5.0', '', { ...CLAUDE(), OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'cumulative' } as ReturnType<typeof CLAUDE>),
    ).toBe(0);
    const { OTEL_METRICS_EXPORTER: _m, ...logsOnly } = CLAUDE();
    expect(run('prom/prometheus:v3.5.0', '', logsOnly as ReturnType<typeof CLAUDE>)).toBe(0);
  });
});

describe('collector/no-prometheus-path', () => {
  it('follows connectors into a pipeline that reaches Prometheus', () => {
    const cfg = `${RECEIVERS()}connectors:\n  forward: {}\nexporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\nservice:\n  pipelines:\n    metrics/in:\n      receivers: [otlp]\n      exporters: [forward]\n    metrics/out:\n      receivers: [forward]\n      exporters: [prometheus]\n`;
    const files = { 'docker-compose.yml': COMPOSE(COLLECTOR_SVC(), '  prometheus:\n    image: prom/prometheus:v2.55.1\n'), 'otel-collector-config.yml': cfg };
    expect(findingsOf(noPrometheusPath, ws(files))).toEqual([]);
    expect(
      findingsOf(noPrometheusPath, ws({ ...files, 'otel-collector-config.yml': cfg.replace('exporters: [prometheus]', 'exporters: [debug]') })),
    ).toHaveLength(1);
  });
});

describe('compose/config-not-mounted and compose/unknown-host', () => {
  it('a Grafana datasources file outside provisioning/datasources, or under a non-YAML name', () => {
    const grafana = (target: string, env = '') =>
      `  grafana:\n    image: grafana/grafana:11.3.0\n${env}    volumes:\n      - ./grafana-datasources.yml:${target}\n`;
    const run = (target: string, env = '') =>
      findingsOf(
        configNotMounted,
        ws({
          'docker-compose.yml': COMPOSE(COLLECTOR_SVC(), grafana(target, env)),
          'otel-collector-config.yml': CONFIG(),
          'grafana-datasources.yml': 'apiVersion: 1\ndatasources: []\n',
        }),
      ).length;
    expect(run('/etc/grafana/provisioning/datasources/ds.yaml')).toBe(0);
    expect(run('/etc/grafana/provisioning/datasources/ds.json')).toBe(1);
    expect(run('/etc/grafana/provisioning/dashboards/ds.yaml')).toBe(1);
    expect(run('/srv/prov/datasources/ds.yml', '    environment:\n      GF_PATHS_PROVISIONING: /srv/prov\n')).toBe(0);
  });

  it('a stack file outside the workspace folder (~/.claude/telemetry seen from a project) is named by its full path, not ../..', () => {
    const stackFiles: StackFile[] = [
      {
        kind: 'compose',
        source: new SourceFile('/home/dev/.claude/telemetry/docker-compose.yml', COMPOSE(COLLECTOR_SVC(), '  grafana:\n    image: grafana/grafana:11.3.0\n')),
      },
      { kind: 'collector', source: new SourceFile('/home/dev/.claude/telemetry/otel-collector-config.yml', CONFIG()) },
      { kind: 'grafana-datasources', source: new SourceFile('/home/dev/.claude/telemetry/grafana-datasources.yml', 'apiVersion: 1\ndatasources: []\n') },
    ];
    const w: Workspace = { ...workspaceOf({}), root: '/work/project', mode: 'machine', stackFiles, stack: buildStack(stackFiles, {}) };
    const messages = findingsOf(configNotMounted, w)
      .map((f) => f.message)
      .join('\n');
    expect(messages).toContain('/home/dev/.claude/telemetry/grafana-datasources.yml');
    expect(messages).not.toContain('../');
  });

  it('only plain single-label names are checked', () => {
    expect(['http://loki:3100/otlp', 'otel-colector:8889', 'tempo', 'http://user@mimir:9009/api/v1/push', 'dns:///tempo:4317'].map(composeHostOf)).toEqual([
      'loki',
      'otel-colector',
      'tempo',
      'mimir',
      'tempo',
    ]);
    expect(
      [
        'localhost:9090',
        '127.0.0.1:8889',
        'host.docker.internal:9100',
        'https://otlp.example.com',
        '${env:LOKI_HOST}:3100',
        '[::1]:4317',
        '',
        'unix:///run/otel.sock',
      ].map(composeHostOf),
    ).toEqual(Array(8).fill(undefined));
  });

  it('names compare without case, as Docker DNS does', () => {
    const cfg = `${RECEIVERS()}exporters:\n  otlphttp:\n    endpoint: http://Loki:3100/otlp\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [otlphttp]\n`;
    expect(
      findingsOf(
        unknownHost,
        ws({ 'docker-compose.yml': COMPOSE(COLLECTOR_SVC(), '  loki:\n    image: grafana/loki:3.0.0\n'), 'otel-collector-config.yml': cfg }),
      ),
    ).toEqual([]);
  });
});

describe('YAML edit helpers', () => {
  const doc = (text: string) => parseYaml(new SourceFile('/x.yml', text));
  it('yamlReplaceInScalar edits inside quotes and refuses text that is not there', () => {
    const y = doc('a:\n  b: "localhost:4317"  # c\n');
    expect(applyEdits(y.source.text, yamlReplaceInScalar(y, ['a', 'b'], 'localhost:4317', '0.0.0.0:4317'))).toBe('a:\n  b: "0.0.0.0:4317"  # c\n');
    expect(yamlReplaceInScalar(y, ['a', 'b'], 'nowhere', 'x')).toEqual([]);
  });
  it('yamlFillEmptyKey keeps CRLF and a missing final line break', () => {
    const crlf = doc('a:\r\n  b:\r\n  c: 1\r\n');
    expect(applyEdits(crlf.source.text, yamlFillEmptyKey(crlf, ['a', 'b'], ['x: 1']))).toBe('a:\r\n  b:\r\n    x: 1\r\n  c: 1\r\n');
    const last = doc('a:\n  b:');
    expect(applyEdits(last.source.text, yamlFillEmptyKey(last, ['a', 'b'], ['x: 1']))).toBe('a:\n  b:\n    x: 1');
    expect(yamlFillEmptyKey(doc('a:\n  b: 2\n'), ['a', 'b'], ['x: 1'])).toEqual([]);
  });
});
