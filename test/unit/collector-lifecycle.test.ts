// Group c1: component catalogue and version windows (removed, renamed, contrib-only, custom builds), `$VAR`
// expansion by release, and the YAML rewrites of the lifecycle rules.
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { SourceFile } from '../../src/load/source.js';
import { absence, isContribOnly, moduleKey } from '../../src/model/components.js';
import { buildStack, type StackFile, type StackOptions } from '../../src/model/stack.js';
import type { Workspace } from '../../src/model/workspace.js';
import type { Finding } from '../../src/types.js';
import { RULES_BY_ID } from '../../src/rules/index.js';
import { defaultRefs, dollarRefs, fatalAt } from '../../src/rules/collector/env-syntax.js';
import { lokiOtlpEndpoint } from '../../src/rules/collector/loki-exporter.js';
import { addressParts } from '../../src/rules/collector/telemetry-metrics-address.js';
import { applyEdits, workspaceOf, findingsOf } from '../helpers/setup-workspace.js';

const CONFIG = '/repo/otel-collector-config.yml';
const COMPOSE = '/repo/docker-compose.yml';

const composeFor = (image: string) => `services:\n  otel-collector:\n    image: ${image}\n    command: ["--config=/etc/otel-collector-config.yml"]\n`;

/** A workspace holding one collector config, run by `image` (or by nothing when undefined). */
function ws(config: string, image?: string, opts: StackOptions = {}): Workspace {
  const files: StackFile[] = [{ kind: 'collector', source: new SourceFile(CONFIG, config) }];
  if (image) files.push({ kind: 'compose', source: new SourceFile(COMPOSE, composeFor(image)) });
  return { ...workspaceOf({}), mode: 'files', stack: buildStack(files, opts) };
}

function run(id: string, w: Workspace) {
  return findingsOf(RULES_BY_ID.get(id)!, w);
}

const fatal = (id: string, version: string, f: object) => !!RULES_BY_ID.get(id)!.fatalIn?.(version, f as never);

function fixed(config: string, f: Pick<Finding, 'fix'>): string {
  return applyEdits(
    config,
    f.fix!.edits.filter((e) => e.file === CONFIG),
  );
}

const pipelines = (exporter: string) => `service:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [${exporter}]\n`;
const RECEIVER = 'receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: 0.0.0.0:4317\n';

describe('component catalogue', () => {
  it('compares types with underscores removed and knows the few module names that differ', () => {
    expect(moduleKey('extensions', 'health_check')).toBe('extensions:healthcheck');
    expect(moduleKey('processors', 'memory_limiter')).toBe('processors:memorylimiter');
    expect(moduleKey('exporters', 'otlp_grpc')).toBe('exporters:otlp');
    expect(moduleKey('exporters', 'otlp_http')).toBe('exporters:otlphttp');
    expect(moduleKey('extensions', 'memory_ballast')).toBe('extensions:ballast');
  });

  it('knows contrib-only components', () => {
    expect(isContribOnly('processors', 'deltatocumulative')).toBe(true);
    expect(isContribOnly('processors', 'transform')).toBe(true);
    expect(isContribOnly('connectors', 'spanmetrics')).toBe(true);
    expect(isContribOnly('processors', 'resource')).toBe(false);
    expect(isContribOnly('exporters', 'prometheusremotewrite')).toBe(false);
    expect(isContribOnly('extensions', 'health_check')).toBe(false);
  });

  it('the core image lacks contrib-only components; contrib and unknown distributions are not guessed', () => {
    const cfg = RECEIVER;
    expect(absence(ws(cfg, 'otel/opentelemetry-collector:0.115.1').stack, 'processors', 'deltatocumulative')).toEqual({
      reason: 'distribution',
      distribution: 'core',
    });
    expect(absence(ws(cfg, 'otel/opentelemetry-collector:0.115.1').stack, 'processors', 'resource')).toBeUndefined();
    expect(absence(ws(cfg, 'otel/opentelemetry-collector-contrib:0.115.1').stack, 'processors', 'deltatocumulative')).toBeUndefined();
    expect(absence(ws(cfg).stack, 'processors', 'deltatocumulative')).toBeUndefined();
    // A type the catalogue does not know is not called contrib-only.
    expect(absence(ws(cfg, 'otel/opentelemetry-collector:0.115.1').stack, 'processors', 'made_up')).toBeUndefined();
  });

  it('a custom build is decided by its manifest alone (underscores ignored), plus the v0.144.0 names', () => {
    const manifestComponents = new Set(['receivers:otlp', 'processors:memorylimiter', 'extensions:healthcheck', 'exporters:otlp', 'exporters:otlphttp']);
    const stack = ws(RECEIVER, undefined, { manifestComponents, collectorVersion: '0.110.0' }).stack;
    expect(absence(stack, 'processors', 'memory_limiter')).toBeUndefined();
    expect(absence(stack, 'extensions', 'health_check')).toBeUndefined();
    expect(absence(stack, 'processors', 'batch')).toEqual({ reason: 'manifest' });
    expect(absence(stack, 'exporters', 'otlp_http')).toMatchObject({ reason: 'version' });
    const newer = ws(RECEIVER, undefined, { manifestComponents, collectorVersion: '0.150.0' }).stack;
    expect(absence(newer, 'exporters', 'otlp_http')).toBeUndefined();
    expect(absence(newer, 'exporters', 'otlp_grpc')).toBeUndefined();
  });

  it('loki windows: present until v0.121.x, missing in v0.122.x, back v0.123.0–v0.130.x, gone from v0.131.0', () => {
    const at = (v: string) => absence(ws(RECEIVER, `otel/opentelemetry-collector-contrib:${v}`).stack, 'exporters', 'loki')?.reason;
    expect(at('0.121.0')).toBeUndefined();
    expect(at('0.122.0')).toBe('version');
    expect(at('0.122.1')).toBe('version');
    expect(at('0.123.0')).toBeUndefined();
    expect(at('0.130.1')).toBeUndefined();
    expect(at('0.131.0')).toBe('version');
    expect(absence(ws(RECEIVER, 'otel/opentelemetry-collector:0.115.1').stack, 'exporters', 'loki')?.reason).toBe('distribution');
  });
});

describe('collector/env-syntax', () => {
  it('finds $ references the way os.Expand does, skipping ${…}', () => {
    const refs = (s: string) => dollarRefs(s).map((r) => [r.dollars, r.name, r.special]);
    expect(refs('$FOO')).toEqual([[1, 'FOO', false]]);
    expect(refs('a-$FOO_1.b')).toEqual([[1, 'FOO_1', false]]);
    expect(refs('$$FOO')).toEqual([[2, 'FOO', false]]);
    expect(refs('$$$FOO')).toEqual([[3, 'FOO', false]]);
    expect(refs('${FOO} ${env:BAR:-$BAZ} $$')).toEqual([]);
    expect(refs('cost $ 5, 100$')).toEqual([]);
    expect(refs('session-$1')).toEqual([[1, '1', true]]);
  });

  it('is fatal exactly where the expandconverter rejects it', () => {
    expect(fatalAt('0.103.0', 1)).toBe(false);
    expect(fatalAt('0.104.0', 1)).toBe(true);
    // v0.104.0: the converter sees `$$FOO` and turns it into a literal `$FOO`.
    expect(fatalAt('0.104.0', 2)).toBe(false);
    expect(fatalAt('0.104.0', 3)).toBe(true);
    // v0.105.0–v0.106.x: the resolver halves `$$` first.
    expect(fatalAt('0.105.0', 2)).toBe(true);
    expect(fatalAt('0.105.0', 3)).toBe(false);
    expect(fatalAt('0.106.1', 1)).toBe(true);
    expect(fatalAt('0.107.0', 1)).toBe(false);
    expect(fatalAt('0.113.0', 1)).toBe(false);
  });

  const cfg = `${RECEIVER}exporters:
  otlphttp/loki:
    endpoint: http://loki:3100/otlp # token is $NOT_A_VALUE
    headers:
      X-Scope-OrgID: $LOKI_TENANT
      $KEY_IS_NEVER_EXPANDED: x
      X-Price: "5$"
  prometheus:
    endpoint: 0.0.0.0:8889
    const_labels:
      pattern: session-$1
${pipelines('otlphttp/loki')}`;

  it('reports values only (not keys or comments), by version', () => {
    const at = (v: string) => run('collector/env-syntax', ws(cfg, `otel/opentelemetry-collector-contrib:${v}`));
    const old = at('0.105.0');
    expect(old.map((f) => [f.path, f.severity])).toEqual([
      ['exporters.otlphttp/loki.headers.X-Scope-OrgID', 'error'],
      ['exporters.prometheus.const_labels.pattern', 'error'],
    ]);
    expect(old[0].detail).toContain('please update $LOKI_TENANT or temporarily disable the confmap.unifyEnvVarExpansion feature gate');
    expect(old.every((f) => fatal('collector/env-syntax', '0.105.0', f))).toBe(true);
    expect(old.some((f) => fatal('collector/env-syntax', '0.165.0', f))).toBe(false);
    // From v0.107.0 `$1` is the literal text it was meant to be; `$LOKI_TENANT` is literal too, which is the problem.
    const current = at('0.115.1');
    expect(current.map((f) => [f.path, f.severity])).toEqual([['exporters.otlphttp/loki.headers.X-Scope-OrgID', 'warning']]);
    expect(current[0].message).toContain('"$LOKI_TENANT" in exporters.otlphttp/loki.headers.X-Scope-OrgID is the literal text, not the variable LOKI_TENANT');
    const before = at('0.100.0');
    expect(before.map((f) => f.severity)).toEqual(['warning']);
  });

  it('finds unescaped defaults, with and without the env: scheme', () => {
    const refs = (s: string) => defaultRefs(s).map((d) => [s.slice(d.offset, d.offset + d.length), d.scheme, d.name, d.fallback]);
    expect(refs('${A:-x}')).toEqual([['${A:-x}', false, 'A', 'x']]);
    expect(refs('http://${env:HOST:-localhost}:4317')).toEqual([['${env:HOST:-localhost}', true, 'HOST', 'localhost']]);
    expect(refs('$${A:-x} ${env:A} ${A}')).toEqual([]);
    expect(refs('$$${A:-}')).toEqual([['${A:-}', false, 'A', '']]);
  });

  it('defaults: no scheme is fatal everywhere; env: defaults before v0.110.0', () => {
    const cfgDefaults = `${RECEIVER}exporters:\n  debug:\n    sampling_initial: 5\n  otlphttp:\n    endpoint: \${OTLP_TARGET:-http://collector:4318}\n    headers:\n      X-Tenant: \${env:TENANT:-claude}\n${pipelines('otlphttp')}`;
    const at = (v: string) => run('collector/env-syntax', ws(cfgDefaults, `otel/opentelemetry-collector-contrib:${v}`));
    const old = at('0.109.0');
    expect(old.map((f) => f.path)).toEqual(['exporters.otlphttp.endpoint', 'exporters.otlphttp.headers.X-Tenant']);
    expect(old.every((f) => fatal('collector/env-syntax', '0.109.0', f))).toBe(true);
    expect(old[0].fix).toBeUndefined();
    const current = at('0.110.0');
    expect(current.map((f) => f.path)).toEqual(['exporters.otlphttp.endpoint']);
    expect(fatal('collector/env-syntax', '0.165.0', current[0])).toBe(true);
    expect(fixed(cfgDefaults, current[0])).toContain('endpoint: ${env:OTLP_TARGET:-http://collector:4318}\n');
  });

  it('a $ left literal in a listen address is fatal from v0.107.0, only where the component runs', () => {
    const listen = `receivers:\n  otlp:\n    protocols:\n      grpc:\n        endpoint: $OTLP_HOST:4317\n  otlp/spare:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:$$PORT\nexporters:\n  debug:\n${pipelines('debug')}`;
    const at = (v: string) => run('collector/env-syntax', ws(listen, `otel/opentelemetry-collector-contrib:${v}`));
    const current = at('0.115.1');
    expect(current.map((f) => [f.path, f.severity, fatal('collector/env-syntax', '0.115.1', f)])).toEqual([
      ['receivers.otlp.protocols.grpc.endpoint', 'error', true],
    ]);
    expect(current[0].detail).toContain('listen tcp: lookup $OTLP_HOST: no such host');
    // The same text before v0.107.0 is the expandconverter's error, decided by fatalAt.
    expect(fatal('collector/env-syntax', '0.100.0', current[0])).toBe(false);
    const escaped = `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 0.0.0.0:$$PORT\nexporters:\n  debug:\n${pipelines('debug')}`;
    const [e] = run('collector/env-syntax', ws(escaped, 'otel/opentelemetry-collector-contrib:0.115.1'));
    expect(e.detail).toContain('reads "$$" as the escape for a literal "$"');
    expect(e.detail).toContain('lookup tcp/$PORT: unknown port');
    expect(fatal('collector/env-syntax', '0.115.1', e)).toBe(true);
  });

  it('the unsafe fix writes ${env:VAR}', () => {
    const [f] = run('collector/env-syntax', ws(cfg, 'otel/opentelemetry-collector-contrib:0.115.1'));
    expect(f.fix?.safety).toBe('unsafe');
    expect(fixed(cfg, f)).toContain('X-Scope-OrgID: ${env:LOKI_TENANT}\n');
  });
});

describe('collector/loki-exporter', () => {
  const cfg = `${RECEIVER}exporters:
  loki:
    endpoint: https://logs.internal:3100/loki/api/v1/push # push API
    tenant_id: claude
    tls:
      insecure_skip_verify: true
${pipelines('loki')}`;

  it('derives the OTLP endpoint from the push URL', () => {
    expect(lokiOtlpEndpoint('http://loki:3100/loki/api/v1/push')).toBe('http://loki:3100/otlp');
    expect(lokiOtlpEndpoint('https://logs.internal:3100/')).toBe('https://logs.internal:3100/otlp');
    expect(lokiOtlpEndpoint(undefined)).toBe('http://loki:3100/otlp');
  });

  it('error where the build lacks it (fatal), warning where it still ships', () => {
    const [gone] = run('collector/loki-exporter', ws(cfg, 'otel/opentelemetry-collector-contrib:0.131.0'));
    expect(gone.severity).toBe('error');
    expect(fatal('collector/loki-exporter', '0.131.0', gone)).toBe(true);
    const [old] = run('collector/loki-exporter', ws(cfg, 'otel/opentelemetry-collector-contrib:0.110.0'));
    expect(old.severity).toBe('warning');
    expect(fatal('collector/loki-exporter', '0.110.0', old)).toBe(false);
    // The version not known: removed only from v0.131.0 on, so a warning that names the assumption, not fatal.
    const [assumed] = run('collector/loki-exporter', ws(cfg));
    expect(assumed.severity).toBe('warning');
    expect(fatal('collector/loki-exporter', '0.165.0', assumed)).toBe(false);
    expect(assumed.message).toContain('collectors from v0.131.0 on refuse to start');
    expect(assumed.detail).toContain("the collector's version here is not known: collector 0.165.0 (assumed: the newest the doctor knows; ");
    // The core image never had it: an error at every version, known or not.
    const [core] = run('collector/loki-exporter', ws(cfg, 'otel/opentelemetry-collector:latest'));
    expect(core.severity).toBe('error');
    expect(core.kind).toBe('notInBuild');
  });

  it('the unsafe fix keeps http client options, drops loki-only ones, and renames the pipeline entry', () => {
    const [f] = run('collector/loki-exporter', ws(cfg, 'otel/opentelemetry-collector-contrib:0.131.0'));
    const out = fixed(cfg, f);
    const value = parseDocument(out).toJS();
    expect(value.exporters).toEqual({ 'otlphttp/loki': { endpoint: 'https://logs.internal:3100/otlp', tls: { insecure_skip_verify: true } } });
    expect(value.service.pipelines.logs.exporters).toEqual(['otlphttp/loki']);
    expect(out).toContain('# push API');
  });

  it('uses the new otlp_http name on a pinned v0.144.0 or later, and gives no fix when the id is taken', () => {
    const [f] = run('collector/loki-exporter', ws(cfg, 'otel/opentelemetry-collector-contrib:0.150.0'));
    expect(Object.keys(parseDocument(fixed(cfg, f)).toJS().exporters)).toEqual(['otlp_http/loki']);
    const taken = cfg.replace('exporters:\n', 'exporters:\n  otlphttp/loki:\n    endpoint: http://loki:3100/otlp\n');
    expect(run('collector/loki-exporter', ws(taken, 'otel/opentelemetry-collector-contrib:0.131.0'))[0].fix).toBeUndefined();
  });
});

describe('collector/renamed-component', () => {
  const newNames = `${RECEIVER}exporters:\n  otlp_grpc:\n    endpoint: tempo:4317\n  otlp_http/loki:\n    endpoint: http://loki:3100/otlp\n${pipelines('otlp_http/loki')}`;
  const oldNames = newNames.replace(/otlp_grpc/g, 'otlp').replace(/otlp_http/g, 'otlphttp');

  it('new names before v0.144.0 are fatal, with a safe rename back', () => {
    const found = run('collector/renamed-component', ws(newNames, 'otel/opentelemetry-collector-contrib:0.143.0'));
    expect(found.map((f) => [f.path, f.severity])).toEqual([
      ['exporters.otlp_grpc', 'error'],
      ['exporters.otlp_http/loki', 'error'],
    ]);
    expect(found.every((f) => fatal('collector/renamed-component', '0.105.0', f) && !fatal('collector/renamed-component', '0.165.0', f))).toBe(true);
    const out = applyEdits(
      newNames,
      found.flatMap((f) => f.fix!.edits),
    );
    expect(parseDocument(out).toJS().service.pipelines.logs.exporters).toEqual(['otlphttp/loki']);
    expect(run('collector/renamed-component', ws(newNames, 'otel/opentelemetry-collector-contrib:0.144.0'))).toEqual([]);
  });

  it('old aliases are info only when a pinned tag or flag gives v0.144.0 or later', () => {
    expect(run('collector/renamed-component', ws(oldNames, 'otel/opentelemetry-collector-contrib:0.150.0')).map((f) => f.severity)).toEqual(['info', 'info']);
    expect(run('collector/renamed-component', ws(oldNames, undefined, { collectorVersion: '0.144.0' }))).toHaveLength(2);
    expect(run('collector/renamed-component', ws(oldNames))).toEqual([]);
    expect(run('collector/renamed-component', ws(oldNames, 'otel/opentelemetry-collector-contrib:latest'))).toEqual([]);
    expect(run('collector/renamed-component', ws(oldNames, 'otel/opentelemetry-collector-contrib:0.143.0'))).toEqual([]);
    // The otlp receiver keeps its name.
    expect(run('collector/renamed-component', ws(oldNames, 'otel/opentelemetry-collector-contrib:0.150.0')).map((f) => f.path)).not.toContain('receivers.otlp');
  });
});

describe('collector/renamed-component: contrib renames', () => {
  const cfg = `${RECEIVER}processors:\n  delta_to_cumulative:\nexporters:\n  prometheus_remote_write:\n    endpoint: http://prometheus:9090/api/v1/write\nservice:\n  pipelines:\n    metrics:\n      receivers: [otlp]\n      processors: [delta_to_cumulative]\n      exporters: [prometheus_remote_write]\n`;
  const sev = (config: string, v: string) =>
    run('collector/renamed-component', ws(config, `otel/opentelemetry-collector-contrib:${v}`)).map((f) => `${f.path} ${f.severity}`);

  it('prometheus_remote_write exists from v0.154.0, delta_to_cumulative from v0.158.0', () => {
    expect(sev(cfg, '0.153.0')).toEqual(['processors.delta_to_cumulative error', 'exporters.prometheus_remote_write error']);
    expect(sev(cfg, '0.154.0')).toEqual(['processors.delta_to_cumulative error']);
    expect(sev(cfg, '0.158.0')).toEqual([]);
    const [f] = run('collector/renamed-component', ws(cfg, 'otel/opentelemetry-collector-contrib:0.157.0'));
    expect(fatal('collector/renamed-component', '0.105.0', f)).toBe(true);
    expect(fatal('collector/renamed-component', '0.165.0', f)).toBe(false);
    // The rename reaches the pipeline's processor list.
    expect(parseDocument(fixed(cfg, f)).toJS().service.pipelines.metrics.processors).toEqual(['deltatocumulative']);
  });

  it('the old names are info from the rename on a pinned collector', () => {
    const old = cfg.replace(/delta_to_cumulative/g, 'deltatocumulative').replace(/prometheus_remote_write/g, 'prometheusremotewrite');
    expect(sev(old, '0.157.0')).toEqual(['exporters.prometheusremotewrite info']);
    expect(sev(old, '0.158.0')).toEqual(['processors.deltatocumulative info', 'exporters.prometheusremotewrite info']);
  });

  it('delta_to_cumulative with the core image is reported once, as not in the distribution', () => {
    const core = run('collector/renamed-component', ws(cfg, 'otel/opentelemetry-collector:0.160.0'));
    expect(core.map((f) => f.path)).toEqual(['processors.delta_to_cumulative']);
    expect(core[0].message).toContain('is not in the core distribution');
    expect(run('collector/not-in-distribution', ws(cfg, 'otel/opentelemetry-collector:0.160.0'))).toEqual([]);
  });
});

describe('collector/removed-component', () => {
  it('memory_ballast: warning until v0.107.x, fatal from v0.108.0; the fix removes it and its listing', () => {
    const cfg = `extensions:\n  memory_ballast:\n    size_mib: 512\n${RECEIVER}exporters:\n  debug:\n${'service:\n  extensions: [memory_ballast]\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug]\n'}`;
    const [old] = run('collector/removed-component', ws(cfg, 'otel/opentelemetry-collector-contrib:0.107.0'));
    expect(old.severity).toBe('warning');
    const [gone] = run('collector/removed-component', ws(cfg, 'otel/opentelemetry-collector-contrib:0.108.0'));
    expect(gone.severity).toBe('error');
    expect(fatal('collector/removed-component', '0.108.0', gone)).toBe(true);
    expect(fatal('collector/removed-component', '0.107.0', gone)).toBe(false);
    const out = parseDocument(fixed(cfg, gone)).toJS();
    expect(out.extensions).toBeUndefined();
    expect(out.service.extensions).toBeUndefined();
    expect(out.service.pipelines.logs.exporters).toEqual(['debug']);
  });

  it('a custom build without the component refuses whatever the version', () => {
    const cfg = `${RECEIVER}processors:\n  spanmetrics:\n    metrics_exporter: prometheus\nexporters:\n  debug:\n${pipelines('debug')}`;
    const [f] = run(
      'collector/removed-component',
      ws(cfg, undefined, { manifestComponents: new Set(['receivers:otlp', 'exporters:debug']), collectorVersion: '0.90.0' }),
    );
    expect(f.severity).toBe('error');
    expect(f.message).toContain('is not in the custom build');
    expect(fatal('collector/removed-component', '0.90.0', f)).toBe(true);
  });
});

describe('collector/not-in-distribution', () => {
  const cfg = `${RECEIVER}processors:\n  transform:\n    metric_statements: []\n  loki_like_typo:\nexporters:\n  debug:\n  loki:\n    endpoint: http://loki:3100/loki/api/v1/push\n${pipelines('debug')}`;

  it('reports contrib-only components with the core image, leaving lifecycle components to their rules', () => {
    const found = run('collector/not-in-distribution', ws(cfg, 'otel/opentelemetry-collector:0.115.1'));
    expect(found.map((f) => f.path)).toEqual(['processors.transform']);
    expect(found[0].fix?.safety).toBe('unsafe');
    expect(found[0].fix?.edits).toEqual([
      {
        file: COMPOSE,
        offset: composeFor('otel/opentelemetry-collector:0.115.1').indexOf('otel/'),
        length: 'otel/opentelemetry-collector'.length,
        text: 'otel/opentelemetry-collector-contrib',
      },
    ]);
    expect(run('collector/not-in-distribution', ws(cfg, 'otel/opentelemetry-collector-contrib:0.115.1'))).toEqual([]);
    expect(run('collector/not-in-distribution', ws(cfg))).toEqual([]);
  });
});

describe('collector/add-metric-suffixes-ignored', () => {
  const cfg = `${RECEIVER}exporters:\n  prometheus:\n    endpoint: 0.0.0.0:8889\n    add_metric_suffixes: false\n${pipelines('prometheus')}`;

  it('fires from v0.154.0 and when the version is unknown, not when translation_strategy is set', () => {
    expect(run('collector/add-metric-suffixes-ignored', ws(cfg, 'otel/opentelemetry-collector-contrib:0.153.0'))).toEqual([]);
    const [f] = run('collector/add-metric-suffixes-ignored', ws(cfg, 'otel/opentelemetry-collector-contrib:0.154.0'));
    expect(f.severity).toBe('warning');
    expect(parseDocument(fixed(cfg, f)).toJS().exporters.prometheus).toEqual({
      endpoint: '0.0.0.0:8889',
      translation_strategy: 'UnderscoreEscapingWithoutSuffixes',
    });
    expect(run('collector/add-metric-suffixes-ignored', ws(cfg))).toHaveLength(1);
    const explicit = cfg.replace('add_metric_suffixes: false', 'add_metric_suffixes: false\n    translation_strategy: UnderscoreEscapingWithSuffixes');
    expect(run('collector/add-metric-suffixes-ignored', ws(explicit, 'otel/opentelemetry-collector-contrib:0.154.0'))).toEqual([]);
  });
});

describe('collector/telemetry-metrics-address', () => {
  const cfg = `${RECEIVER}exporters:\n  debug:\nservice:\n  telemetry:\n    metrics:\n      address: :8888\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug]\n`;

  it('parses addresses for the fix', () => {
    expect(addressParts(':8888')).toEqual({ host: '0.0.0.0', port: 8888 });
    expect(addressParts('localhost:9999')).toEqual({ host: 'localhost', port: 9999 });
    expect(addressParts('${env:MY_POD_IP}:8888')).toBeUndefined();
  });

  it('severity by version: none before v0.111.0, warning until v0.127.x, error (fatal) from v0.128.0', () => {
    const sev = (v: string) => run('collector/telemetry-metrics-address', ws(cfg, `otel/opentelemetry-collector-contrib:${v}`)).map((f) => f.severity);
    expect(sev('0.110.0')).toEqual([]);
    expect(sev('0.111.0')).toEqual(['warning']);
    expect(sev('0.127.0')).toEqual(['warning']);
    expect(sev('0.128.0')).toEqual(['error']);
    // The version not known: rejected only from v0.128.0 on, so a warning that names the assumption.
    const unknown = run('collector/telemetry-metrics-address', ws(cfg));
    expect(unknown.map((f) => [f.severity, f.kind, fatal('collector/telemetry-metrics-address', '0.165.0', f)])).toEqual([
      ['warning', 'rejectedFromUnknown', false],
    ]);
  });

  it('the fix replaces a lone address with a pull reader that keeps the old metric names', () => {
    const [f] = run('collector/telemetry-metrics-address', ws(cfg, 'otel/opentelemetry-collector-contrib:0.128.0'));
    expect(parseDocument(fixed(cfg, f)).toJS().service.telemetry.metrics).toEqual({
      readers: [
        { pull: { exporter: { prometheus: { host: '0.0.0.0', port: 8888, without_type_suffix: true, without_units: true, without_scope_info: true } } } },
      ],
    });
  });

  it('with readers already there, the fix only deletes address', () => {
    const both = cfg.replace(
      '      address: :8888\n',
      '      address: :8888\n      readers:\n        - pull:\n            exporter:\n              prometheus:\n                host: 0.0.0.0\n                port: 8888\n',
    );
    const [f] = run('collector/telemetry-metrics-address', ws(both, 'otel/opentelemetry-collector-contrib:0.130.0'));
    const metrics = parseDocument(fixed(both, f)).toJS().service.telemetry.metrics;
    expect(Object.keys(metrics)).toEqual(['readers']);
  });
});
