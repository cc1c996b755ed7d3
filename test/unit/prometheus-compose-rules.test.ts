import { describe, expect, it } from 'vitest';
import { SourceFile } from '../../src/load/source.js';
import { parseYaml } from '../../src/load/yaml.js';
import { parseGoDuration } from '../../src/model/collector.js';
import { parsePromDuration } from '../../src/model/prometheus.js';
import { buildStack, type StackFile } from '../../src/model/stack.js';
import type { Workspace } from '../../src/model/workspace.js';
import type { AnyRule } from '../../src/rules/define.js';
import { checkPrometheusConfig, promDuration } from '../../src/model/prometheus-check.js';
import invalidConfig from '../../src/rules/prometheus/invalid-config.js';
import collectorNotScraped from '../../src/rules/prometheus/collector-not-scraped.js';
import localhostTarget from '../../src/rules/prometheus/localhost-target.js';
import targetPortMismatch from '../../src/rules/prometheus/target-port-mismatch.js';
import scrapeInterval from '../../src/rules/prometheus/scrape-interval.js';
import unpinnedImage from '../../src/rules/compose/unpinned-image.js';
import portsOnAllInterfaces from '../../src/rules/compose/ports-on-all-interfaces.js';
import defaultGrafanaPassword from '../../src/rules/compose/default-grafana-password.js';
import shellHealthcheck from '../../src/rules/compose/shell-healthcheck.js';
import obsoleteVersion from '../../src/rules/compose/obsolete-version.js';
import { applyEdits, findingsOf } from '../helpers/setup-workspace.js';
import { Facts } from '../../src/model/facts.js';

const PROM = '/w/prometheus.yml';
const COMPOSE = '/w/docker-compose.yml';
const COLLECTOR = '/w/otel-collector-config.yml';

const issues = (text: string, version: string, assumed = false) =>
  checkPrometheusConfig(parseYaml(new SourceFile(PROM, text)), version, assumed).map((i) => i.error);

function ws(files: { prometheus?: string; compose?: string; collector?: string }, opts: { prometheusVersion?: string } = {}): Workspace {
  const list: StackFile[] = [];
  if (files.prometheus !== undefined) list.push({ kind: 'prometheus', source: new SourceFile(PROM, files.prometheus) });
  if (files.compose !== undefined) list.push({ kind: 'compose', source: new SourceFile(COMPOSE, files.compose) });
  if (files.collector !== undefined) list.push({ kind: 'collector', source: new SourceFile(COLLECTOR, files.collector) });
  return {
    root: '/w',
    name: '.',
    mode: 'files',
    sources: new Map(),
    problems: [],
    stackFiles: list,
    stack: buildStack(list, opts),
    facts: new Facts(),
  } as unknown as Workspace;
}

const fixed = (text: string, rule: AnyRule, w: Workspace, file: string) => {
  const f = findingsOf(rule, w).find((x) => x.fix);
  return applyEdits(
    text,
    f!.fix!.edits.filter((e) => e.file === file),
  );
};

describe('Prometheus durations', () => {
  it('units from the largest to the smallest, each once, or a bare 0', () => {
    expect(parsePromDuration('1h30m')).toBe(5400);
    expect(parsePromDuration('1s500ms')).toBe(1.5);
    expect(parsePromDuration('0')).toBe(0);
    for (const bad of ['15', '1.5m', '30s1m', '1h1h', '15S', '-1s', '', '1m 30s']) expect(parsePromDuration(bad), bad).toBeUndefined();
  });

  it('prints the error each loader prints', () => {
    expect(promDuration('15', false)).toEqual({ error: 'not a valid duration string: "15"' });
    expect(promDuration('15', true)).toEqual({ error: 'not a valid duration string: "15"' });
    expect(promDuration('15S', false)).toEqual({ error: 'not a valid duration string: "15S"' });
    expect(promDuration('15S', true)).toEqual({ error: 'unknown unit "S" in duration "15S"' });
    expect(promDuration('', true)).toEqual({ error: 'empty duration string' });
  });

  it('Go durations for collector options', () => {
    expect(parseGoDuration('5m')).toBe(300);
    expect(parseGoDuration('1.5h')).toBe(5400);
    expect(parseGoDuration('180m')).toBe(10800);
    expect(parseGoDuration('1d')).toBeUndefined();
  });
});

/**
 * Verdicts of the real oracles (promtool 2.42.0 `check config --syntax-only`, and the Prometheus 3.16.0 config
 * loader) on these files, recorded by running them: true = rejected.
 */
const RELABEL = "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n    metric_relabel_configs:\n";
const ORACLE: [string, string, boolean, boolean][] = [
  ['valid', "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n", false, false],
  ['empty file', '', false, false],
  ['unit-less duration', 'global:\n  scrape_interval: 15\n', true, true],
  ['ordered units', 'global:\n  scrape_interval: 1m30s\n', false, false],
  ['units out of order', 'global:\n  scrape_interval: 500ms1s\n', true, true],
  ['bare 0', "global:\n  scrape_interval: '0'\n", false, false],
  ['scheme in target', "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['http://a:1']\n", true, true],
  ['path in target', "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1/metrics']\n", true, true],
  [
    'scheme behind a harmless relabel rule',
    "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: x\n        replacement: y\n    static_configs:\n      - targets: ['http://a:1']\n",
    true,
    false,
  ],
  ['empty target', "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['']\n", true, false],
  [
    'duplicate job',
    "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['a:1']\n  - job_name: a\n    static_configs:\n      - targets: ['a:2']\n",
    true,
    true,
  ],
  ['missing job_name', "scrape_configs:\n  - static_configs:\n      - targets: ['a:1']\n", true, true],
  [
    'job timeout above job interval',
    "scrape_configs:\n  - job_name: a\n    scrape_interval: 10s\n    scrape_timeout: 20s\n    static_configs:\n      - targets: ['a:1']\n",
    true,
    true,
  ],
  ['job timeout above the default 1m', "scrape_configs:\n  - job_name: a\n    scrape_timeout: 2m\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  [
    'short interval, default timeout',
    "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    static_configs:\n      - targets: ['a:1']\n",
    false,
    false,
  ],
  ['global timeout above global interval', 'global:\n  scrape_interval: 5s\n  scrape_timeout: 10s\n', true, true],
  ['global interval below the default timeout', 'global:\n  scrape_interval: 5s\n', false, false],
  ['unknown global field', 'global:\n  scrape_intervall: 15s\n', true, true],
  ['unknown job field', "scrape_configs:\n  - job_name: a\n    static_config:\n      - targets: ['a:1']\n", true, true],
  ['null scrape config', 'scrape_configs:\n  -\n', true, true],
  ['null static config', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      -\n', true, true],
  [
    'fallback_scrape_protocol (3.0.0)',
    "scrape_configs:\n  - job_name: a\n    fallback_scrape_protocol: PrometheusText0.0.4\n    static_configs:\n      - targets: ['a:1']\n",
    true,
    false,
  ],
  [
    'scrape_classic_histograms (2.45.0 until 3.0.0)',
    "scrape_configs:\n  - job_name: a\n    scrape_classic_histograms: true\n    static_configs:\n      - targets: ['a:1']\n",
    true,
    true,
  ],
  ['otlp block (2.55.0)', 'otlp:\n  promote_resource_attributes: [service.name]\n', true, false],
  ['dotted external label (UTF-8 from 3.0.0)', 'global:\n  external_labels:\n    team.name: x\n', true, false],
  [
    'dashed target label',
    "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - target_label: a-b\n        replacement: y\n    static_configs:\n      - targets: ['a:1']\n",
    true,
    false,
  ],
  ['YAML 1.1 boolean', "scrape_configs:\n  - job_name: a\n    honor_labels: yes\n    static_configs:\n      - targets: ['a:1']\n", false, false],
  ['quoted boolean', "scrape_configs:\n  - job_name: a\n    honor_labels: 'true'\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['string into uint', "scrape_configs:\n  - job_name: a\n    sample_limit: '100'\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['body size without unit', "scrape_configs:\n  - job_name: a\n    body_size_limit: 100\n    static_configs:\n      - targets: ['a:1']\n", true, true],
  ['targets as a string', 'scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: a:1\n', true, true],
  ['scrape_configs as a map', 'scrape_configs: {}\n', true, true],
  ['tracing without endpoint', 'tracing:\n  insecure: true\n', true, true],
  ['relabel regex with an unclosed group', `${RELABEL}      - source_labels: [__name__]\n        regex: 'claude_code_(.*'\n        action: keep\n`, true, true],
  ['relabel regex with a lookahead', `${RELABEL}      - source_labels: [__name__]\n        regex: '(?=x).*'\n        action: keep\n`, true, true],
  [
    'relabel regex with RE2 syntax',
    `${RELABEL}      - source_labels: [__name__]\n        regex: '(?i)claude_[[:alpha:]]+'\n        action: keep\n`,
    false,
    false,
  ],
  ['relabel action in capitals', `${RELABEL}      - source_labels: [__name__]\n        regex: claude_.*\n        action: Keep\n`, false, false],
  ['unknown relabel action', `${RELABEL}      - source_labels: [__name__]\n        action: keeper\n`, true, true],
  ['replace without target_label', `${RELABEL}      - source_labels: [__name__]\n        replacement: x\n`, true, true],
  ['lowercase into a dashed label', `${RELABEL}      - source_labels: [a]\n        action: lowercase\n        target_label: b-c\n`, true, false],
  ['remote_write without url', 'remote_write:\n  - remote_timeout: 30s\n', true, true],
  [
    'legacy validation scheme in 3.x with a dotted external label',
    'global:\n  metric_name_validation_scheme: legacy\n  external_labels:\n    team.name: x\n',
    true,
    true,
  ],
];

describe('prometheus.yml validity per version (recorded oracle verdicts)', () => {
  for (const [name, text, v2, v3] of ORACLE) {
    it(name, () => {
      const y = parseYaml(new SourceFile(PROM, text));
      const rejected = (version: string) => y.problems.length > 0 || checkPrometheusConfig(y, version, false).length > 0;
      expect(rejected('2.42.0'), '2.42.0').toBe(v2);
      expect(rejected('3.16.0'), '3.16.0').toBe(v3);
    });
  }

  it('an assumed version accepts fields any release knows, but not removed ones', () => {
    const fallback =
      "scrape_configs:\n  - job_name: a\n    fallback_scrape_protocol: PrometheusText0.0.4\n    query_max_series: 1\n    static_configs:\n      - targets: ['a:1']\n";
    expect(issues(fallback, '3.14.0', true)).toEqual(['field query_max_series not found in type config.ScrapeConfig']);
    expect(issues('global:\n  query_max_series: 10\n', '3.14.0', true)).toEqual([]);
    expect(issues('global:\n  query_max_series: 10\n', '3.14.0', false)).toEqual(['field query_max_series not found in type config.plain']);
  });
});

describe('prometheus/invalid-config fatalIn', () => {
  const fatal = (text: string, version: string, at: string) => {
    const w = ws({ prometheus: text }, { prometheusVersion: version });
    return findingsOf(invalidConfig, w).map((f) => invalidConfig.fatalIn!(at, f as never));
  };
  it('a field added in 3.0.0 is fatal before it only', () => {
    const text = "scrape_configs:\n  - job_name: a\n    fallback_scrape_protocol: PrometheusText0.0.4\n    static_configs:\n      - targets: ['a:1']\n";
    expect(fatal(text, '2.55.1', '2.55.1')).toEqual([true]);
    expect(fatal(text, '2.55.1', '3.0.0')).toEqual([false]);
    expect(fatal(text, '3.0.0', '3.0.0')).toEqual([]);
  });
  it('a removed field is fatal from its removal, and before it was added', () => {
    const text = "scrape_configs:\n  - job_name: a\n    scrape_classic_histograms: true\n    static_configs:\n      - targets: ['a:1']\n";
    expect(fatal(text, '3.5.0', '3.5.0')).toEqual([true]);
    expect(fatal(text, '3.5.0', '2.50.0')).toEqual([false]);
    expect(fatal(text, '3.5.0', '2.42.0')).toEqual([true]);
  });
  it('legacy label names and promtool target checks are fatal before 3.0.0 only; the rest always', () => {
    const label = 'global:\n  external_labels:\n    "a.b": x\n';
    expect(fatal(label, '2.55.1', '2.55.1')).toEqual([true]);
    expect(fatal(label, '2.55.1', '3.0.0')).toEqual([false]);
    expect(fatal("scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['']\n", '2.42.0', '3.1.0')).toEqual([false]);
    expect(fatal("scrape_configs:\n  - job_name: ''\n    static_configs:\n      - targets: ['a:1']\n", '3.5.0', '2.42.0')).toEqual([true]);
  });
  it('YAML errors are reported once per problem, and other prometheus rules skip the file', () => {
    const w = ws({ prometheus: 'scrape_configs:\n  - job_name: a\n\tstatic_configs: []\n' });
    expect(findingsOf(invalidConfig, w).map((f) => [f.message, f.detail])).toEqual([
      [
        'Prometheus refuses to load prometheus.yml: invalid YAML',
        'yaml: Tabs are not allowed as indentation; at Prometheus 3.14.0 (assumed: the newest the doctor knows; no pinned prom/prometheus image or --prometheus-version)',
      ],
    ]);
    expect(findingsOf(collectorNotScraped, w)).toEqual([]);
  });
});

const COLLECTOR_CONFIG = (exporter = '  prometheus:\n    endpoint: 0.0.0.0:8889\n') =>
  `receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\nexporters:\n${exporter}service:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      exporters: [prometheus]\n`;
const STACK = `services:
  otel-collector:
    image: otel/opentelemetry-collector-contrib:0.115.1
    command: ["--config=/etc/otel-collector-config.yml"]
    volumes:
      - ./otel-collector-config.yml:/etc/otel-collector-config.yml
  prometheus:
    image: prom/prometheus:v3.5.0
    volumes:
      - ./prometheus.yml:/etc/prometheus/prometheus.yml
`;
const job = (target: string, extra = '') => `scrape_configs:\n  - job_name: otel-collector\n${extra}    static_configs:\n      - targets: ['${target}']\n`;

describe('scrape targets and the collector', () => {
  const check = (rule: AnyRule, prometheus: string, compose = STACK, collector = COLLECTOR_CONFIG()) =>
    findingsOf(rule, ws({ prometheus, compose, collector })).map((f) => f.message);

  it('a job on the service name and exporter port scrapes it: all four rules stay silent', () => {
    for (const rule of [collectorNotScraped, localhostTarget, targetPortMismatch, scrapeInterval])
      expect(check(rule, job('otel-collector:8889')), rule.id).toEqual([]);
  });

  it('container_name and network aliases count as the collector host', () => {
    const compose = STACK.replace('  otel-collector:\n', '  otel-collector:\n    container_name: claude-otel-collector\n');
    expect(check(collectorNotScraped, job('claude-otel-collector:8889'), compose)).toEqual([]);
  });

  it('exactly one of the rules reports a target meant for the collector', () => {
    const hits = (target: string) =>
      [collectorNotScraped, localhostTarget, targetPortMismatch].filter((r) => check(r, job(target)).length > 0).map((r) => r.id);
    expect(hits('localhost:8889')).toEqual(['prometheus/localhost-target']);
    expect(hits('127.0.0.1:8889')).toEqual(['prometheus/localhost-target']);
    expect(hits('otel-collector:4318')).toEqual(['prometheus/target-port-mismatch']);
    expect(hits('otel-collector')).toEqual(['prometheus/target-port-mismatch']);
    expect(hits('otel-colector:8889')).toEqual([]); // compose/unknown-host reports the misspelt name
    expect(hits('localhost:9090')).toEqual(['prometheus/collector-not-scraped']);
  });

  it('internal telemetry on 8888 is a metrics port, not a mismatch', () => {
    expect(
      check(targetPortMismatch, `${job('otel-collector:8889')}  - job_name: internal\n    static_configs:\n      - targets: ['otel-collector:8888']\n`),
    ).toEqual([]);
  });

  it('localhost is fine when Prometheus runs on the host and the port is published', () => {
    const compose =
      'services:\n  otel-collector:\n    image: otel/opentelemetry-collector-contrib:0.115.1\n    command: ["--config=/etc/otel-collector-config.yml"]\n    volumes:\n      - ./otel-collector-config.yml:/etc/otel-collector-config.yml\n    ports:\n      - "127.0.0.1:9889:8889"\n';
    expect(check(localhostTarget, job('localhost:9889'), compose)).toEqual([]);
    expect(check(collectorNotScraped, job('localhost:9889'), compose)).toEqual([]);
  });

  it('an unused prometheus exporter needs no scraping', () => {
    const collector = COLLECTOR_CONFIG('  prometheus:\n    endpoint: 0.0.0.0:8889\n  prometheus/unused:\n    endpoint: 0.0.0.0:9464\n');
    expect(check(collectorNotScraped, job('otel-collector:8889'), STACK, collector)).toEqual([]);
  });

  it('service discovery makes the scraped targets unknown', () => {
    expect(check(collectorNotScraped, 'scrape_configs:\n  - job_name: sd\n    file_sd_configs:\n      - files: [targets.json]\n')).toEqual([]);
  });

  it('fixes: the service name for localhost, the exporter port, a new job', () => {
    const w1 = ws({ prometheus: job('localhost:8889'), compose: STACK, collector: COLLECTOR_CONFIG() });
    expect(fixed(job('localhost:8889'), localhostTarget, w1, PROM)).toBe(job('otel-collector:8889'));
    const w2 = ws({ prometheus: job('otel-collector:4318'), compose: STACK, collector: COLLECTOR_CONFIG() });
    expect(fixed(job('otel-collector:4318'), targetPortMismatch, w2, PROM)).toBe(job('otel-collector:8889'));
    const w3 = ws({ prometheus: job('otel-collector'), compose: STACK, collector: COLLECTOR_CONFIG() });
    expect(fixed(job('otel-collector'), targetPortMismatch, w3, PROM)).toBe(job('otel-collector:8889'));
    const self = "scrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['localhost:9090']\n";
    const w4 = ws({ prometheus: self, compose: STACK, collector: COLLECTOR_CONFIG() });
    expect(fixed(self, collectorNotScraped, w4, PROM)).toBe(
      `${self}  - job_name: otel-collector-2\n    static_configs:\n      - targets: ['otel-collector:8889']\n`,
    );
    const empty = 'global:\n  scrape_interval: 15s\nscrape_configs: []\n';
    const w5 = ws({ prometheus: empty, compose: STACK, collector: COLLECTOR_CONFIG() });
    expect(fixed(empty, collectorNotScraped, w5, PROM)).toBe(
      "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: otel-collector\n    static_configs:\n      - targets: ['otel-collector:8889']\n",
    );
  });

  it('scrape interval against metric_expiration and the 5m lookback', () => {
    const exp = (e: string) => COLLECTOR_CONFIG(`  prometheus:\n    endpoint: 0.0.0.0:8889\n    metric_expiration: ${e}\n`);
    expect(check(scrapeInterval, job('otel-collector:8889', '    scrape_interval: 2m\n'), STACK, exp('2m'))).toHaveLength(1);
    expect(check(scrapeInterval, job('otel-collector:8889', '    scrape_interval: 2m\n'), STACK, exp('180m'))).toEqual([]);
    const [slow] = findingsOf(
      scrapeInterval,
      ws({ prometheus: `global:\n  scrape_interval: 5m\n${job('otel-collector:8889')}`, compose: STACK, collector: exp('180m') }),
    );
    expect(slow.detail).toContain('too long scrape interval found, data point will be marked as stale - job: otel-collector, interval: 5m');
    // Only jobs that scrape the exporter are compared with its metric_expiration.
    expect(
      check(
        scrapeInterval,
        `${job('otel-collector:8889')}  - job_name: slow\n    scrape_interval: 2m\n    static_configs:\n      - targets: ['other:1']\n`,
        STACK,
        exp('90s'),
      ),
    ).toEqual([]);
  });
});

describe('compose rules', () => {
  const compose = (text: string) => ws({ compose: text });

  it('unpinned images: latest, no tag, nightly; digests and variables are fine', () => {
    const text =
      'services:\n  a:\n    image: otel/opentelemetry-collector-contrib\n  b:\n    image: prom/prometheus:latest\n  c:\n    image: grafana/grafana@sha256:abc\n  d:\n    image: grafana/loki:${LOKI_VERSION}\n  e:\n    build: .\n';
    const w = compose(text);
    const findings = findingsOf(unpinnedImage, w);
    expect(findings.map((f) => f.path)).toEqual(['services.a.image', 'services.b.image']);
    expect(
      applyEdits(
        text,
        findings.flatMap((f) => f.fix!.edits),
      ),
    ).toContain('image: otel/opentelemetry-collector-contrib:0.165.0\n  b:\n    image: prom/prometheus:v3.14.0\n');
  });

  it('ports on all interfaces: short, 0.0.0.0, long syntax; loopback and host networking are fine', () => {
    const text =
      'services:\n  a:\n    ports:\n      - "4317:4317"\n      - "127.0.0.1:4318:4318"\n      - "[::]:8889:8889"\n      - target: 3000\n        published: 3000\n  b:\n    network_mode: host\n    ports:\n      - "9090:9090"\n';
    const findings = findingsOf(portsOnAllInterfaces, compose(text));
    expect(findings.map((f) => f.path)).toEqual(['services.a.ports[0]', 'services.a.ports[2]', 'services.a.ports[3]']);
    expect(
      applyEdits(
        text,
        findings.flatMap((f) => f.fix!.edits),
      ),
    ).toBe(
      'services:\n  a:\n    ports:\n      - "127.0.0.1:4317:4317"\n      - "127.0.0.1:4318:4318"\n      - "127.0.0.1:8889:8889"\n      - target: 3000\n        published: 3000\n        host_ip: 127.0.0.1\n  b:\n    network_mode: host\n    ports:\n      - "9090:9090"\n',
    );
  });

  it('Grafana password: admin or unset; a variable, a _FILE or an env_file is not judged', () => {
    const g = (env: string) => `services:\n  grafana:\n    image: grafana/grafana:11.3.0\n${env}`;
    expect(findingsOf(defaultGrafanaPassword, compose(g('    environment:\n      GF_SECURITY_ADMIN_PASSWORD: admin\n')))).toHaveLength(1);
    expect(findingsOf(defaultGrafanaPassword, compose(g('')))).toHaveLength(1);
    expect(findingsOf(defaultGrafanaPassword, compose(g('    environment:\n      GF_SECURITY_ADMIN_PASSWORD: ${PW}\n')))).toEqual([]);
    expect(findingsOf(defaultGrafanaPassword, compose(g('    environment:\n      GF_SECURITY_ADMIN_PASSWORD__FILE: /run/secrets/pw\n')))).toEqual([]);
    expect(findingsOf(defaultGrafanaPassword, compose(g('    env_file: grafana.env\n')))).toEqual([]);
  });

  it('healthchecks on the collector image: curl, CMD-SHELL and strings fail; NONE and disable do not', () => {
    const c = (hc: string) => `services:\n  otel-collector:\n    image: otel/opentelemetry-collector:0.115.1\n    healthcheck:\n${hc}`;
    expect(findingsOf(shellHealthcheck, compose(c('      test: ["CMD", "wget", "-q", "http://localhost:13133"]\n')))).toHaveLength(1);
    expect(findingsOf(shellHealthcheck, compose(c('      test: ["CMD-SHELL", "/otelcol --version"]\n')))).toHaveLength(1);
    expect(findingsOf(shellHealthcheck, compose(c('      test: ["NONE"]\n')))).toEqual([]);
    expect(findingsOf(shellHealthcheck, compose(c('      disable: true\n')))).toEqual([]);
    expect(findingsOf(shellHealthcheck, compose(c('      test: ["CMD", "/otelcol", "--version"]\n')))).toEqual([]);
  });

  it('obsolete version: removes only its line', () => {
    const text = '# stack\nversion: "3.8" # old\nservices:\n  a:\n    image: x:1\n';
    const w = compose(text);
    expect(fixed(text, obsoleteVersion, w, COMPOSE)).toBe('# stack\nservices:\n  a:\n    image: x:1\n');
  });
});
