// Every collector and Prometheus version gate in the code, tried on both sides of its version.
//
// The real-tool oracles run two collector builds (test/oracles/versions.json: 0.105.0 and 0.165.0) and two
// Prometheus versions, so a gate between them can move and every oracle stays green (the logging exporter's
// severity gate moved from 0.111.0 to 0.112.0 did). Here each gate has a case at its version and just below it,
// with the verdict written out for each side; and the versions below are read out of the source, so a gate
// that is added or moved without a case here fails "every gate in the code has a case".
// Claude Code gates (src/model/versions.ts and the naming model's Claude versions) are held by the conformance
// suite against real Claude Code, not here.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { runRules } from '../../src/engine.js';
import { SourceFile } from '../../src/load/source.js';
import { collectorListeners } from '../../src/model/collector.js';
import { absence, LIFECYCLE, RENAMES } from '../../src/model/components.js';
import { claudeSeries, claudeSeriesNames, type MetricsPipeline } from '../../src/model/naming.js';
import { buildStack, type StackFile, type StackOptions } from '../../src/model/stack.js';
import { localhostDefault, topology } from '../../src/model/topology.js';
import type { Workspace } from '../../src/model/workspace.js';
import { PROMETHEUS_FIELD_TABLES } from '../../src/model/prometheus-check.js';
import invalidConfig from '../../src/rules/prometheus/invalid-config.js';
import { isProm3 } from '../../src/model/prometheus-version-text.js';
import { packageRoot } from '../../src/util/paths.js';
import { workspaceOf } from '../helpers/setup-workspace.js';
import { Facts } from '../../src/model/facts.js';

const CONFIG = '/repo/otel-collector-config.yml';
const COMPOSE = '/repo/docker-compose.yml';
const PROMETHEUS = '/repo/prometheus.yml';

/** The highest version below a gate: 0.111.0 → 0.110.99, 3.4.0 → 3.3.99, 0.106.1 → 0.106.0. */
function justBelow(gate: string): string {
  const [major, minor, patch] = gate.split('.').map(Number);
  if (patch > 0) return `${major}.${minor}.${patch - 1}`;
  if (minor > 0) return `${major}.${minor - 1}.99`;
  return `${major - 1}.99.99`;
}

interface Files {
  /** Claude Code's user settings env. */
  claude?: Record<string, string>;
  collector?: string;
  compose?: string;
  prometheus?: string;
}

function workspace(files: Files, opts: StackOptions): Workspace {
  const list: StackFile[] = [];
  if (files.collector !== undefined) list.push({ kind: 'collector', source: new SourceFile(CONFIG, files.collector) });
  if (files.compose !== undefined) list.push({ kind: 'compose', source: new SourceFile(COMPOSE, files.compose) });
  if (files.prometheus !== undefined) list.push({ kind: 'prometheus', source: new SourceFile(PROMETHEUS, files.prometheus) });
  return {
    ...workspaceOf(files.claude ? { user: { env: files.claude } } : {}),
    mode: 'files',
    stackFiles: list,
    stack: buildStack(list, opts),
    facts: new Facts(),
  };
}

/**
 * One rule's findings as the engine reports them (severity, fatal flag from `fatalIn`), plus `[name]` for each
 * of `marks` its headline or detail matches: "warning", "error fatal [removed]", "none".
 */
function verdict(rule: string, files: Files, opts: StackOptions, marks: Record<string, RegExp> = {}): string {
  const findings = runRules([workspace(files, opts)], { config: emptyConfig('/repo'), select: [rule] }).filter((f) => f.ruleId === rule);
  if (findings.length === 0) return 'none';
  const named = (message: string) =>
    Object.entries(marks)
      .filter(([, re]) => re.test(message))
      .map(([name]) => ` [${name}]`)
      .join('');
  return findings.map((f) => `${f.severity}${f.fatal ? ' fatal' : ''}${named(`${f.message} ${f.detail ?? ''}`)}`).join(', ');
}

interface GateCase {
  /** The source file that holds the gate's version. */
  site: string;
  gate: string;
  what: string;
  /** What the code says just below the gate, and at it. */
  observe: (version: string) => string;
  below: string;
  at: string;
}

const RECEIVER = 'receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:4318\n';
const pipeline = (signal: string, exporters: string, more = '') =>
  `service:\n${more}  pipelines:\n    ${signal}:\n      receivers: [otlp]\n      exporters: [${exporters}]\n`;
const collectorWith = (section: string, exporters = 'debug', signal = 'metrics', more = '') =>
  `${RECEIVER}${section.includes('exporters:') ? section : `exporters:\n  debug: {}\n${section}`}${pipeline(signal, exporters, more)}`;
const atCollector = (rule: string, files: Files, marks?: Record<string, RegExp>) => (version: string) =>
  verdict(rule, files, { collectorVersion: version }, marks);

const COLLECTOR_CASES: GateCase[] = [
  // The logging exporter: the gate the issue moved to 0.112.0 unnoticed.
  {
    site: 'src/rules/collector/logging-exporter.ts',
    gate: '0.111.0',
    what: 'the logging exporter: a warning while it exists, a fatal error once removed',
    observe: atCollector('collector/logging-exporter', { collector: collectorWith('exporters:\n  logging: {}\n', 'logging') }),
    below: 'warning',
    at: 'error fatal',
  },
  {
    site: 'src/model/components.ts',
    gate: '0.111.0',
    what: 'the logging exporter is missing from the distributions (component windows)',
    observe: (v) =>
      String(
        absence(workspace({ collector: collectorWith('exporters:\n  logging: {}\n', 'logging') }, { collectorVersion: v }).stack, 'exporters', 'logging')
          ?.reason,
      ),
    below: 'undefined',
    at: 'version',
  },
  // Removed components (LIFECYCLE), each through collector/removed-component.
  ...(
    [
      ['0.108.0', 'extensions', 'memory_ballast', 'extensions:\n  memory_ballast: {}\n', '  extensions: [memory_ballast]\n'],
      ['0.85.0', 'exporters', 'jaeger', 'exporters:\n  jaeger: {}\n', ''],
      ['0.85.0', 'exporters', 'jaeger_thrift', 'exporters:\n  jaeger_thrift: {}\n', ''],
      ['0.96.0', 'processors', 'spanmetrics', 'processors:\n  spanmetrics: {}\n', ''],
      ['0.94.0', 'processors', 'servicegraph', 'processors:\n  servicegraph: {}\n', ''],
      ['0.132.0', 'receivers', 'opencensus', 'receivers:\n  opencensus: {}\n', ''],
      ['0.132.0', 'exporters', 'opencensus', 'exporters:\n  opencensus: {}\n', ''],
    ] as const
  ).map(([gate, kind, type, section, extensions]): GateCase => {
    const text =
      kind === 'exporters'
        ? `${RECEIVER}${section}${pipeline('traces', type)}`
        : kind === 'processors'
          ? `${RECEIVER}exporters:\n  debug: {}\n${section}service:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [${type}]\n      exporters: [debug]\n`
          : kind === 'receivers'
            ? `${section}exporters:\n  debug: {}\nservice:\n  pipelines:\n    traces:\n      receivers: [${type}]\n      exporters: [debug]\n`
            : collectorWith(section, 'debug', 'metrics', extensions);
    return {
      site: 'src/model/components.ts',
      gate,
      what: `${kind} ${type} removed in v${gate}`,
      observe: atCollector('collector/removed-component', { collector: text }),
      below: 'warning',
      at: 'error fatal',
    };
  }),
  // The loki exporter: removed in 0.131.0, and missing from contrib for the 0.122.x releases.
  ...(
    [
      ['src/model/components.ts', '0.122.0', 'warning', 'error fatal', 'the loki exporter leaves contrib for v0.122.x'],
      ['src/model/components.ts', '0.123.0', 'error fatal', 'warning', 'the loki exporter is back in v0.123.0'],
      ['src/model/components.ts', '0.131.0', 'warning', 'error fatal', 'the loki exporter removed in v0.131.0'],
    ] as const
  ).map(
    ([site, gate, below, at, what]): GateCase => ({
      site,
      gate,
      what,
      observe: atCollector('collector/loki-exporter', {
        collector: `${RECEIVER}exporters:\n  loki:\n    endpoint: http://loki:3100/loki/api/v1/push\n${pipeline('logs', 'loki')}`,
      }),
      below,
      at,
    }),
  ),
  {
    site: 'src/rules/collector/loki-exporter.ts',
    gate: '0.131.0',
    what: 'the loki exporter: "removed in v0.131.0" from then on, "missing in v0.122.x" before',
    observe: atCollector(
      'collector/loki-exporter',
      { collector: `${RECEIVER}exporters:\n  loki:\n    endpoint: http://loki:3100/loki/api/v1/push\n${pipeline('logs', 'loki')}` },
      { removed: /removed from contrib in v0\.131\.0:/ },
    ),
    below: 'warning',
    at: 'error fatal [removed]',
  },
  // A type no official release has (a typo): certain only for the releases the doctor knows.
  {
    site: 'src/model/components.ts',
    gate: '0.160.0',
    what: 'an unknown component type: an error on releases the catalogue covers, a warning on later ones',
    observe: atCollector('collector/unknown-component', {
      compose: 'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.150.0\n',
      collector: `${RECEIVER}exporters:\n  promethus: {}\n${pipeline('metrics', 'promethus')}`,
    }),
    below: 'error fatal',
    at: 'warning',
  },
  // Renamed components: the new name is an unknown type before the rename.
  ...RENAME_FACTS().map(
    ([gate, kind, type]): GateCase => ({
      site: 'src/model/components.ts',
      gate,
      what: `${kind} ${type}: a new name from v${gate}`,
      observe: atCollector('collector/renamed-component', {
        collector:
          kind === 'processors'
            ? `${RECEIVER}exporters:\n  debug: {}\nprocessors:\n  ${type}: {}\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      processors: [${type}]\n      exporters: [debug]\n`
            : `${RECEIVER}exporters:\n  ${type}:\n    endpoint: http://backend:4318\n${pipeline('metrics', type)}`,
      }),
      below: 'error fatal',
      at: 'none',
    }),
  ),
  // `${env:X}` that expands to nothing (collector-env.ts), through collector/unset-variable.
  ...(
    [
      ['0.104.0', 'http://${env:BACKEND_HOST}:4318', 'warning', 'error fatal', 'inside a longer value: refused from v0.104.0'],
      ['0.108.0', 'http://${env:BACKEND_HOST}:4318', 'error fatal', 'warning', 'inside a longer value: an empty string from v0.108.0'],
      [
        '0.127.0',
        'http://backend:4318\n    compression: ${env:COMPRESSION}',
        'warning [default]',
        'warning [cleared]',
        'the whole value: the default before v0.127.0, cleared from it',
      ],
    ] as const
  ).map(
    ([gate, endpoint, below, at, what]): GateCase => ({
      site: 'src/model/collector-env.ts',
      gate,
      what: `an unset variable ${what}`,
      observe: (v) =>
        verdict(
          'collector/unset-variable',
          { collector: `${RECEIVER}exporters:\n  otlphttp:\n    endpoint: ${endpoint}\n${pipeline('metrics', 'otlphttp')}` },
          { collectorVersion: v, collectorEnvironment: { variables: new Map(), evidence: 'the test' } },
          { default: /keeps its default/, cleared: /clears the option/ },
        ),
      below,
      at,
    }),
  ),
  // Listeners (collector.ts): the localhost default of endpoints left unset, and internal telemetry.
  {
    site: 'src/model/collector.ts',
    gate: '0.104.0',
    what: 'a receiver without an endpoint listens on localhost from v0.104.0',
    observe: (v) =>
      listeners(
        `receivers:\n  otlp:\n    protocols:\n      http: {}\nexporters:\n  debug: {}\nservice:\n  telemetry:\n    metrics:\n      level: none\n${pipeline('metrics', 'debug').replace('service:\n', '')}`,
        v,
      ),
    below: '0.0.0.0:4318',
    at: 'localhost:4318',
  },
  {
    site: 'src/model/collector.ts',
    gate: '0.111.0',
    what: 'internal metrics: the address (default :8888) up to v0.110, a localhost reader from v0.111.0',
    observe: (v) => listeners(collectorWith(''), v),
    below: '0.0.0.0:4318 :8888',
    at: '0.0.0.0:4318 localhost:8888',
  },
  {
    site: 'src/model/collector.ts',
    gate: '0.123.0',
    what: 'a set telemetry address is one more reader up to v0.122, ignored from v0.123.0',
    observe: (v) => listeners(collectorWith('', 'debug', 'metrics', '  telemetry:\n    metrics:\n      address: 0.0.0.0:9999\n'), v),
    below: '0.0.0.0:4318 0.0.0.0:9999',
    at: '0.0.0.0:4318 localhost:8888',
  },
  // topology.ts: the localhost default as a compose service runs it, and the feature gate that turned it off.
  {
    site: 'src/model/topology.ts',
    gate: '0.104.0',
    what: 'the localhost default starts in v0.104.0',
    observe: (v) => String(localhostDefaultAt(v, false)),
    below: 'false',
    at: 'true',
  },
  {
    site: 'src/model/topology.ts',
    gate: '0.112.0',
    what: '--feature-gates=-component.UseLocalHostAsDefaultHost works up to v0.111.x',
    observe: (v) => String(localhostDefaultAt(v, true)),
    below: 'false',
    at: 'true',
  },
  // naming.ts: what the collector adds to the series names and labels.
  {
    site: 'src/model/naming.ts',
    gate: '0.128.0',
    what: 'the prometheus exporter adds otel_scope_* labels from v0.128.0',
    observe: (v) => String(costLabels({ kind: 'collector-prometheus', collectorVersion: v }).includes('otel_scope_schema_url')),
    below: 'false',
    at: 'true',
  },
  {
    site: 'src/model/naming.ts',
    gate: '0.146.0',
    what: 'the remote-write translator adds otel_scope_name from v0.146.0',
    observe: (v) => String(costLabels({ kind: 'collector-prometheusremotewrite', collectorVersion: v }).includes('otel_scope_name')),
    below: 'false',
    at: 'true',
  },
  {
    site: 'src/model/naming.ts',
    gate: '0.154.0',
    what: 'add_metric_suffixes: false is ignored by the prometheus exporter from v0.154.0',
    observe: (v) => claudeSeriesNames({ kind: 'collector-prometheus', collectorVersion: v, addMetricSuffixes: false }).get('claude_code.cost.usage')!,
    below: 'claude_code_cost_usage',
    at: 'claude_code_cost_usage_USD_total',
  },
  // Rules with their own gates.
  {
    site: 'src/rules/collector/add-metric-suffixes-ignored.ts',
    gate: '0.132.0',
    what: 'translation_strategy is an unknown key before v0.132.0',
    observe: atCollector('collector/add-metric-suffixes-ignored', {
      collector: collectorWith(
        'exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    translation_strategy: UnderscoreEscapingWithoutSuffixes\n',
        'prometheus',
      ),
    }),
    below: 'error fatal',
    at: 'none',
  },
  {
    site: 'src/rules/collector/add-metric-suffixes-ignored.ts',
    gate: '0.154.0',
    what: 'add_metric_suffixes: false is ignored from v0.154.0',
    observe: atCollector('collector/add-metric-suffixes-ignored', {
      collector: collectorWith('exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    add_metric_suffixes: false\n', 'prometheus'),
    }),
    below: 'none',
    at: 'warning',
  },
  {
    site: 'src/rules/collector/env-syntax.ts',
    gate: '0.104.0',
    what: '$VAR: expanded with a warning before v0.104.0, refused from it',
    observe: atCollector('collector/env-syntax', {
      collector: `${RECEIVER}exporters:\n  otlphttp:\n    endpoint: http://$BACKEND:4318\n${pipeline('metrics', 'otlphttp')}`,
    }),
    below: 'warning',
    at: 'error fatal',
  },
  {
    site: 'src/rules/collector/env-syntax.ts',
    gate: '0.105.0',
    what: '$$VAR: a literal "$VAR" on v0.104.x, halved and then refused from v0.105.0',
    observe: atCollector('collector/env-syntax', {
      collector: `${RECEIVER}exporters:\n  otlphttp:\n    endpoint: http://backend:4318\n    headers:\n      x-note: "a$$BACKEND"\n${pipeline('metrics', 'otlphttp')}`,
    }),
    below: 'none',
    at: 'error fatal',
  },
  {
    site: 'src/rules/collector/env-syntax.ts',
    gate: '0.107.0',
    what: '$VAR: refused up to v0.106.x, left as literal text from v0.107.0',
    observe: atCollector('collector/env-syntax', {
      collector: `${RECEIVER}exporters:\n  otlphttp:\n    endpoint: http://$BACKEND:4318\n${pipeline('metrics', 'otlphttp')}`,
    }),
    below: 'error fatal',
    at: 'warning',
  },
  {
    site: 'src/rules/collector/env-syntax.ts',
    gate: '0.110.0',
    what: '${env:VAR:-default} exists from v0.110.0',
    observe: atCollector('collector/env-syntax', {
      collector: `${RECEIVER}exporters:\n  otlphttp:\n    endpoint: \${env:BACKEND:-http://backend:4318}\n${pipeline('metrics', 'otlphttp')}`,
    }),
    below: 'error fatal',
    at: 'none',
  },
  {
    site: 'src/rules/collector/invalid-pipeline.ts',
    gate: '0.106.0',
    what: 'component names are checked from v0.106.0',
    observe: atCollector('collector/invalid-pipeline', { collector: `${RECEIVER}exporters:\n  debug/a b: {}\n${pipeline('metrics', '"debug/a b"')}` }),
    below: 'warning',
    at: 'error fatal',
  },
  {
    site: 'src/rules/collector/invalid-pipeline.ts',
    gate: '0.124.0',
    what: 'an exporter in a signal it lacks fails `validate` from v0.124.0, at start before',
    observe: atCollector(
      'collector/invalid-pipeline',
      { collector: `${RECEIVER}exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n${pipeline('traces', 'prometheus')}` },
      { 'at start': /validate passes .* but it exits at start/ },
    ),
    below: 'error fatal [at start]',
    at: 'error fatal',
  },
  ...(
    [
      ['0.111.0', 'none', 'warning [deprecated]'],
      ['0.123.0', 'warning [deprecated]', 'warning [ignored]'],
      ['0.128.0', 'warning [ignored]', 'error fatal'],
    ] as const
  ).map(
    ([gate, below, at]): GateCase => ({
      site: 'src/rules/collector/telemetry-metrics-address.ts',
      gate,
      what: 'service.telemetry.metrics.address: deprecated, ignored, rejected',
      observe: atCollector(
        'collector/telemetry-metrics-address',
        { collector: collectorWith('', 'debug', 'metrics', '  telemetry:\n    metrics:\n      address: 0.0.0.0:8888\n') },
        { deprecated: /deprecated since/, ignored: /is silently ignored/ },
      ),
      below,
      at,
    }),
  ),
  // Prometheus gates in collector rules: the OTLP receiver's delta flags.
  ...(
    [
      ['3.2.0', 'otlp-deltatocumulative'],
      ['3.4.0', 'otlp-native-delta-ingestion'],
    ] as const
  ).map(
    ([gate, flag]): GateCase => ({
      site: 'src/rules/collector/delta-dropped.ts',
      gate,
      what: `Prometheus --enable-feature=${flag} accepts delta metrics from ${gate}`,
      observe: (v) =>
        verdict(
          'collector/delta-dropped',
          {
            claude: {
              CLAUDE_CODE_ENABLE_TELEMETRY: '1',
              OTEL_METRICS_EXPORTER: 'otlp',
              OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
              OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
            },
            collector: `${RECEIVER}exporters:\n  otlphttp:\n    endpoint: http://prometheus:9090/api/v1/otlp\n${pipeline('metrics', 'otlphttp')}`,
            compose: `services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes: ["./otel-collector-config.yml:/etc/otel-collector-config.yml"]\n    ports: ["127.0.0.1:4318:4318"]\n  prometheus:\n    image: prom/prometheus:v${v}\n    command: ["--config.file=/etc/prometheus/prometheus.yml", "--web.enable-otlp-receiver", "--enable-feature=${flag}"]\n`,
          },
          {},
        ),
      below: 'error',
      at: 'none',
    }),
  ),
];

/** RENAMES as the collector's CHANGELOG and metadata.yaml files state them (independent of the table it checks). */
function RENAME_FACTS(): [string, string, string][] {
  return [
    ['0.144.0', 'exporters', 'otlp_grpc'],
    ['0.144.0', 'exporters', 'otlp_http'],
    ['0.154.0', 'exporters', 'prometheus_remote_write'],
    ['0.158.0', 'processors', 'delta_to_cumulative'],
  ];
}

function listeners(config: string, version: string): string {
  const c = workspace({ collector: config }, { collectorVersion: version }).stack.collectors[0];
  return collectorListeners(c, version)
    .map((l) => `${l.host}:${l.port}`)
    .join(' ');
}

function localhostDefaultAt(version: string, gateOff: boolean): boolean {
  const flags = gateOff ? ', "--feature-gates=-component.UseLocalHostAsDefaultHost"' : '';
  const compose = `services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:${version}\n    command: ["--config=/etc/otel-collector-config.yml"${flags}]\n    volumes: ["./otel-collector-config.yml:/etc/otel-collector-config.yml"]\n`;
  const w = workspace({ compose }, { collectorVersion: version });
  return localhostDefault(w.stack, topology(w.stack).collectors[0]?.service);
}

function costLabels(p: MetricsPipeline): string[] {
  return claudeSeries(p, { auth: 'api-key' }).find((s) => s.otel === 'claude_code.cost.usage')!.labels;
}

describe.each(COLLECTOR_CASES.map((c) => [`${c.site.replace(/^src\//, '')} ${c.gate}: ${c.what}`, c] as const))('%s', (_name, c) => {
  it(`below (${justBelow(c.gate)})`, () => expect(c.observe(justBelow(c.gate))).toBe(c.below));
  it(`at ${c.gate}`, () => expect(c.observe(c.gate)).toBe(c.at));
});

// Prometheus: config fields by release (prometheus-check.ts field tables), as config/config.go and the CHANGELOG of
// each release state them; a field moved in the table without this list fails "the field tables".
const PROMETHEUS_FIELDS = [
  // where.field since until ('-': none)
  'top.runtime 2.53.0 -',
  'top.scrape_config_files 2.43.0 -',
  'top.otlp 2.55.0 -',
  'global.body_size_limit 2.45.0 -',
  'global.sample_limit 2.45.0 -',
  'global.target_limit 2.45.0 -',
  'global.label_limit 2.45.0 -',
  'global.label_name_length_limit 2.45.0 -',
  'global.label_value_length_limit 2.45.0 -',
  'global.keep_dropped_targets 2.47.0 -',
  'global.scrape_protocols 2.49.0 -',
  'global.rule_query_offset 2.53.0 -',
  'global.scrape_failure_log_file 2.55.0 -',
  'global.metric_name_validation_scheme 3.0.0 -',
  'global.metric_name_escaping_scheme 3.4.0 -',
  'global.convert_classic_histograms_to_nhcb 3.4.0 -',
  'global.always_scrape_classic_histograms 3.5.0 -',
  'global.scrape_native_histograms 3.8.0 -',
  'global.extra_scrape_metrics 3.10.0 -',
  'global.query_max_series 3.16.0 -',
  'global.query_max_samples_read 3.16.0 -',
  'global.query_max_duration 3.16.0 -',
  'scrape.native_histogram_bucket_limit 2.45.0 -',
  'scrape.scrape_classic_histograms 2.45.0 3.0.0',
  'scrape.keep_dropped_targets 2.47.0 -',
  'scrape.track_timestamps_staleness 2.48.0 -',
  'scrape.scrape_protocols 2.49.0 -',
  'scrape.enable_compression 2.49.0 -',
  'scrape.native_histogram_min_bucket_factor 2.50.0 -',
  'scrape.scrape_failure_log_file 2.55.0 -',
  'scrape.always_scrape_classic_histograms 3.0.0 -',
  'scrape.fallback_scrape_protocol 3.0.0 -',
  'scrape.convert_classic_histograms_to_nhcb 3.0.0 -',
  'scrape.metric_name_validation_scheme 3.0.0 -',
  'scrape.metric_name_escaping_scheme 3.4.0 -',
  'scrape.scrape_native_histograms 3.8.0 -',
  'scrape.extra_scrape_metrics 3.10.0 -',
  'scrape.no_proxy 2.43.0 -',
  'scrape.proxy_from_environment 2.43.0 -',
  'scrape.http_headers 2.55.0 -',
];

/** A prometheus.yml with `field:` (no value: the version check comes before the value's) where `where` puts it. */
function prometheusWith(where: string, field: string): string {
  const scrape = (extra: string) => `scrape_configs:\n  - job_name: otel-collector\n${extra}    static_configs:\n      - targets: ['otel-collector:8889']\n`;
  if (where === 'top') return `${field}:\n${scrape('')}`;
  if (where === 'global') return `global:\n  ${field}:\n${scrape('')}`;
  return scrape(`    ${field}:\n`);
}

/** prometheus/invalid-config's verdict on the one field: "error fatal" when the loader of `version` does not know it. */
const fieldVerdict = (where: string, field: string) => (version: string) => {
  const findings = runRules([workspace({ prometheus: prometheusWith(where, field) }, { prometheusVersion: version })], {
    config: emptyConfig('/repo'),
    select: ['prometheus/invalid-config'],
  });
  // The loader's own words start the detail.
  const own = findings.filter((f) => f.detail?.startsWith(`field ${field} not found`));
  return own.length === 0 ? 'none' : own.map((f) => `${f.severity}${f.fatal ? ' fatal' : ''}`).join(', ');
};

const PROMETHEUS_CASES: GateCase[] = [
  ...PROMETHEUS_FIELDS.flatMap((line): GateCase[] => {
    const [at, since, until] = line.split(' ');
    const [where, field] = at.split('.');
    const observe = fieldVerdict(where, field);
    const site = 'src/model/prometheus-check.ts';
    return [
      ...(since !== '-' ? [{ site, gate: since, what: `${where} ${field} added`, observe, below: 'error fatal', at: 'none' }] : []),
      ...(until !== '-' ? [{ site, gate: until, what: `${where} ${field} removed`, observe, below: 'none', at: 'error fatal' }] : []),
    ];
  }),
  {
    site: 'src/model/prometheus-check.ts',
    gate: '3.0.0',
    what: 'label names beyond the legacy character set are accepted from 3.0.0 (UTF-8 names)',
    observe: (v) => verdict('prometheus/invalid-config', { prometheus: 'global:\n  external_labels:\n    "team.name": claude\n' }, { prometheusVersion: v }),
    below: 'error fatal',
    at: 'none',
  },
  {
    site: 'src/model/prometheus-check.ts',
    gate: '3.0.0',
    what: 'a target with a path behind relabel rules: promtool 2.x builds and rejects it, the 3.x loader skips it',
    observe: (v) =>
      verdict(
        'prometheus/invalid-config',
        {
          prometheus:
            "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: env\n        replacement: dev\n    static_configs:\n      - targets: ['otel-collector:8889/metrics']\n",
        },
        { prometheusVersion: v },
        { promtool: /promtool check config rejects/ },
      ),
    below: 'error fatal [promtool]',
    at: 'none',
  },
  {
    site: 'src/model/prometheus-check.ts',
    gate: '3.0.0',
    what: 'rejectedIn: what only promtool 2.x rejects is fatal below 3.0.0',
    observe: (v) => {
      const relabeled =
        "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: env\n        replacement: dev\n    static_configs:\n      - targets: ['a/b']\n";
      const findings = runRules([workspace({ prometheus: relabeled }, { prometheusVersion: '2.42.0' })], {
        config: emptyConfig('/repo'),
        select: ['prometheus/invalid-config'],
      });
      return findings.map((f) => String(invalidConfig.fatalIn!(v, f as never))).join(', ');
    },
    below: 'true',
    at: 'false',
  },
  {
    site: 'src/model/prometheus-version-text.ts',
    gate: '3.0.0',
    what: 'isProm3',
    observe: (v) => String(isProm3(v)),
    below: 'false',
    at: 'true',
  },
];

describe.each(PROMETHEUS_CASES.map((c) => [`${c.site.replace(/^src\//, '')} ${c.gate}: ${c.what}`, c] as const))('%s', (_name, c) => {
  it(`below (${justBelow(c.gate)})`, () => expect(c.observe(justBelow(c.gate))).toBe(c.below));
  it(`at ${c.gate}`, () => expect(c.observe(c.gate)).toBe(c.at));
});

/**
 * Version literals in src that are not collector or Prometheus gates, with why. Claude Code versions (2.1.x) are
 * the conformance suite's; src/model/versions.ts holds Claude Code gates and the newest known releases.
 */
const NOT_GATES: Record<string, string> = {
  'src/model/components.ts 0.86.0': 'deprecatedIn of the logging exporter: message text only',
  'src/model/components.ts 0.92.0': 'deprecatedIn of memory_ballast: message text only',
  'src/model/grafana-pipelines.ts 0.153.0': 'a release on the old side of naming.ts 0.154.0, standing in for an unknown collector version',
  'src/model/grafana-pipelines.ts 0.159.0': 'example pipelines that name the series a dashboard may query',
  'src/bootstrap/kubernetes.ts 0.170.0': 'the collector Helm chart version init --kubernetes writes values for (and names in its commands)',
};
/** Files whose version literals are tables of data, not gates, with why and where their gates are tested. */
const DATA_FILES: Record<string, string> = {
  'src/model/embedded-collectors.ts':
    "image release → collector version, read off each image tag's Dockerfile; its feature-gate releases have their cases in test/unit/embedded-collectors.test.ts",
  'src/model/helm/collector-chart-defaults.ts':
    "the collector chart's version and appVersion (its default image tag), checked by test/oracles/helm-values-differential.test.ts",
};
const CLAUDE_CODE_VERSION = /^2\.1\.\d+$/; // also SARIF's own version, 2.1.0 (report/sarif.ts)

/** Every `'X.Y.Z'` literal in src, by file (versions.ts left out: see NOT_GATES). */
function versionLiterals(): string[] {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts')) {
        const site = relative(packageRoot, path).split('\\').join('/');
        if (site === 'src/model/versions.ts' || site in DATA_FILES) continue;
        // Code only: versions in comments are examples and history.
        const code = readFileSync(path, 'utf8')
          .replace(/^\s*\/\*[\s\S]*?\*\//gm, '')
          .replace(/^\s*\/\/.*$/gm, '');
        for (const m of code.matchAll(/['"`]v?(\d+\.\d+\.\d+)['"`]/g)) if (!CLAUDE_CODE_VERSION.test(m[1])) out.add(`${site} ${m[1]}`);
      }
    }
  };
  walk(join(packageRoot, 'src'));
  return [...out].sort();
}

describe('every gate in the code has cases on both sides', () => {
  const cases = [...COLLECTOR_CASES, ...PROMETHEUS_CASES];
  const covered = new Set(cases.map((c) => `${c.site} ${c.gate}`));

  it('every version literal in src is a gate with cases, or is named as no gate', () => {
    const literals = versionLiterals();
    expect(literals.length).toBeGreaterThan(40); // the scan reads the sources
    const missing = literals.filter((l) => !covered.has(l) && !(l in NOT_GATES));
    expect(missing, 'gates without a case in test/unit/version-gates.test.ts').toEqual([]);
    // And no case or exemption names a gate that is not in the code (a gate that moved leaves its case behind).
    expect([...covered, ...Object.keys(NOT_GATES)].filter((c) => !literals.includes(c))).toEqual([]);
  });

  it('the component windows and renames are the releases the cases state', () => {
    const windows = LIFECYCLE.flatMap((l) => [l.removedIn, l.addedIn, ...(l.gaps ?? []).flat()].filter(Boolean).map((v) => `${l.kind} ${l.type} ${v}`));
    const stated = [
      'exporters logging 0.111.0',
      'exporters loki 0.131.0',
      'exporters loki 0.122.0',
      'exporters loki 0.123.0',
      'extensions memory_ballast 0.108.0',
      'exporters jaeger 0.85.0',
      'exporters jaeger_thrift 0.85.0',
      'processors spanmetrics 0.96.0',
      'processors servicegraph 0.94.0',
      'receivers opencensus 0.132.0',
      'exporters opencensus 0.132.0',
      ...RENAME_FACTS().map(([v, kind, type]) => `${kind} ${type} ${v}`),
    ];
    expect(windows.sort()).toEqual(stated.sort());
    expect(RENAMES.map((r) => `${r.since} ${r.kind} ${r.type}`)).toEqual(RENAME_FACTS().map((f) => f.join(' ')));
  });

  it('the Prometheus field tables are the releases the cases state', () => {
    const inCode = Object.entries(PROMETHEUS_FIELD_TABLES).flatMap(([where, table]) =>
      Object.entries(table)
        .filter(([, f]) => f.since || f.until)
        .map(([field, f]) => `${where}.${field} ${f.since ?? '-'} ${f.until ?? '-'}`),
    );
    expect(inCode.sort()).toEqual([...PROMETHEUS_FIELDS].sort());
  });

  it('"just below" is the highest release before the gate', () => {
    expect(['0.111.0', '3.4.0', '0.106.1', '1.0.0'].map(justBelow)).toEqual(['0.110.99', '3.3.99', '0.106.0', '0.99.99']);
  });
});
