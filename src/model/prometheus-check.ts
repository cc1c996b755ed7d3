import { nearest } from '../util/distance.js';
import type { Node, Scalar, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq, type YamlDocument, type YamlPath } from '../load/yaml.js';
import type { Location } from '../types.js';
import { atLeast } from './versions.js';
import { atYaml } from './yaml-locate.js';

/**
 * What the Prometheus config loader (`config.LoadFile`, strict YAML) and `promtool check config --syntax-only`
 * reject in a prometheus.yml, per version: promtool 2.x (which also builds the static targets) and the 3.x loader.
 * Field tables come from `config/config.go` of prometheus 2.53.0, 2.54.1, 3.15.1 and 3.16.0, the CHANGELOG for
 * the release that added a field, and runs of promtool 2.42.0 and the 3.16 loader. Of service discovery, the
 * blocks a collector stack uses are checked inside (file, dns; kubernetes roles); other nested blocks (other
 * discovery, TLS, auth, remote write, alerting) are checked for null entries only.
 */

/** The releases that accept what an issue is about: from `since` (when given) and before `until` (when given). */
export interface PromAcceptance {
  since?: string;
  until?: string;
}

interface RawIssue {
  path: YamlPath;
  part: 'key' | 'value';
  /** The error text Prometheus prints, verbatim where the loader has one. */
  error: string;
  /** What it means, appended to the message. */
  why?: string;
  hint?: string;
  /** Releases that accept it after all (a field added or removed, UTF-8 names); absent: none does. */
  accepted?: PromAcceptance;
  /** Only `promtool check config` of 2.x rejects it (it builds the targets); the 3.x loader does not. */
  promtoolOnly?: true;
}

export interface PromIssue extends RawIssue {
  /** Where it is: the key or the value at `path`. */
  at: Location;
}

type Kind = 'duration' | 'bytes' | 'bool' | 'uint' | 'seq' | 'map' | 'scalar' | 'any';
interface Field {
  kind: Kind;
  /** The Go type go-yaml names in a type error, when it is not the plain kind. */
  into?: string;
  /** First release that knows the field (absent: 2.42 and earlier already did). */
  since?: string;
  /** First release that no longer knows it. */
  until?: string;
  renamedTo?: string;
}

const f = (kind: Kind, since?: string, until?: string, renamedTo?: string): Field => ({ kind, since, until, renamedTo });

const TOP: Record<string, Field> = {
  global: { kind: 'map', into: 'config.plain' },
  runtime: f('map', '2.53.0'),
  alerting: f('map'),
  rule_files: f('seq'),
  scrape_config_files: f('seq', '2.43.0'),
  scrape_configs: { kind: 'seq', into: '[]*config.ScrapeConfig' },
  storage: f('map'),
  tracing: f('map'),
  remote_write: f('seq'),
  remote_read: f('seq'),
  otlp: f('map', '2.55.0'),
};

const GLOBAL: Record<string, Field> = {
  scrape_interval: f('duration'),
  scrape_timeout: f('duration'),
  evaluation_interval: f('duration'),
  query_log_file: f('scalar'),
  external_labels: f('map'),
  body_size_limit: f('bytes', '2.45.0'),
  sample_limit: f('uint', '2.45.0'),
  target_limit: f('uint', '2.45.0'),
  label_limit: f('uint', '2.45.0'),
  label_name_length_limit: f('uint', '2.45.0'),
  label_value_length_limit: f('uint', '2.45.0'),
  keep_dropped_targets: f('uint', '2.47.0'),
  scrape_protocols: f('seq', '2.49.0'),
  rule_query_offset: f('duration', '2.53.0'),
  scrape_failure_log_file: f('scalar', '2.55.0'),
  metric_name_validation_scheme: f('scalar', '3.0.0'),
  metric_name_escaping_scheme: f('scalar', '3.4.0'),
  convert_classic_histograms_to_nhcb: f('bool', '3.4.0'),
  always_scrape_classic_histograms: f('bool', '3.5.0'),
  scrape_native_histograms: f('bool', '3.8.0'),
  extra_scrape_metrics: f('bool', '3.10.0'),
  query_max_series: f('uint', '3.16.0'),
  query_max_samples_read: f('uint', '3.16.0'),
  query_max_duration: f('duration', '3.16.0'),
};

/** Service discovery blocks inline in a scrape config (`<name>_sd_configs`); not version-gated here. */
const SD_NAMES = [
  'aws',
  'azure',
  'consul',
  'digitalocean',
  'dns',
  'docker',
  'dockerswarm',
  'ec2',
  'ecs',
  'elasticache',
  'eureka',
  'file',
  'gce',
  'hetzner',
  'http',
  'ionos',
  'kubernetes',
  'kuma',
  'lightsail',
  'linode',
  'marathon',
  'msk',
  'nerve',
  'nomad',
  'oci',
  'openstack',
  'outscale',
  'ovhcloud',
  'puppetdb',
  'rds',
  'scaleway',
  'serverset',
  'stackit',
  'triton',
  'uyuni',
  'vultr',
];

const SCRAPE: Record<string, Field> = {
  job_name: f('scalar'),
  honor_labels: f('bool'),
  honor_timestamps: f('bool'),
  params: f('map'),
  scrape_interval: f('duration'),
  scrape_timeout: f('duration'),
  metrics_path: f('scalar'),
  scheme: f('scalar'),
  body_size_limit: f('bytes'),
  sample_limit: f('uint'),
  target_limit: f('uint'),
  label_limit: f('uint'),
  label_name_length_limit: f('uint'),
  label_value_length_limit: f('uint'),
  relabel_configs: f('seq'),
  metric_relabel_configs: f('seq'),
  static_configs: f('seq'),
  native_histogram_bucket_limit: f('uint', '2.45.0'),
  scrape_classic_histograms: f('bool', '2.45.0', '3.0.0', 'always_scrape_classic_histograms'),
  keep_dropped_targets: f('uint', '2.47.0'),
  track_timestamps_staleness: f('bool', '2.48.0'),
  scrape_protocols: f('seq', '2.49.0'),
  enable_compression: f('bool', '2.49.0'),
  native_histogram_min_bucket_factor: f('any', '2.50.0'),
  scrape_failure_log_file: f('scalar', '2.55.0'),
  always_scrape_classic_histograms: f('bool', '3.0.0'),
  fallback_scrape_protocol: f('scalar', '3.0.0'),
  convert_classic_histograms_to_nhcb: f('bool', '3.0.0'),
  metric_name_validation_scheme: f('scalar', '3.0.0'),
  metric_name_escaping_scheme: f('scalar', '3.4.0'),
  scrape_native_histograms: f('bool', '3.8.0'),
  extra_scrape_metrics: f('bool', '3.10.0'),
  // HTTP client settings (prometheus/common HTTPClientConfig, inlined).
  basic_auth: f('map'),
  authorization: f('map'),
  oauth2: f('map'),
  bearer_token: f('scalar'),
  bearer_token_file: f('scalar'),
  tls_config: f('map'),
  proxy_url: f('scalar'),
  proxy_connect_header: f('map'),
  follow_redirects: f('bool'),
  enable_http2: f('bool'),
  no_proxy: f('scalar', '2.43.0'),
  proxy_from_environment: f('bool', '2.43.0'),
  http_headers: f('map', '2.55.0'),
  ...Object.fromEntries(SD_NAMES.map((n) => [`${n}_sd_configs`, f('seq')])),
};

/** The version-gated field tables, by where the fields go (for the gate tests: test/unit/version-gates.test.ts). */
export const PROMETHEUS_FIELD_TABLES = { top: TOP, global: GLOBAL, scrape: SCRAPE } as const;

const STATIC: Record<string, Field> = { targets: { kind: 'seq', into: '[]string' }, labels: f('map') };

const RELABEL: Record<string, Field> = {
  source_labels: f('seq'),
  separator: f('scalar'),
  regex: f('scalar'),
  modulus: f('uint'),
  target_label: f('scalar'),
  replacement: f('scalar'),
  action: f('scalar'),
};
const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];
/** A target_label with `$1`/`${name}` references, as Prometheus 2.x accepts it (relabelTarget). */
const LEGACY_RELABEL_TARGET = /^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$/;

const STATIC_TYPE = 'struct { Targets []string "yaml:\\"targets\\""; Labels model.LabelSet "yaml:\\"labels\\"" }';

/** Names Prometheus before 3.0 accepts for labels (`model.LabelName.IsValid` with legacy validation). */
const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** YAML 1.1 booleans, as go-yaml v2 resolves plain scalars. */
const YAML11_BOOL = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const YAML11_INT = /^[-+]?(0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+|0|[1-9][0-9_]*)$/;
const YAML11_FLOAT = /^[-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;

const UNITS: [string, number][] = [
  ['y', 31536000],
  ['w', 604800],
  ['d', 86400],
  ['h', 3600],
  ['m', 60],
  ['s', 1],
  ['ms', 0.001],
];

/**
 * Prometheus' `model.ParseDuration`: `[0-9]+(ms|s|m|h|d|w|y)` with units from largest to smallest, each at most
 * once, or a bare `0`. Returns seconds, or the error the loader prints (2.x and 3.x word some errors differently).
 */
export function promDuration(text: string, prom3: boolean): { seconds: number } | { error: string } {
  if (text === '0') return { seconds: 0 };
  if (text === '') return { error: 'empty duration string' };
  const invalid = { error: `not a valid duration string: ${JSON.stringify(text)}` };
  let rest = text;
  let last = -1;
  let seconds = 0;
  while (rest !== '') {
    const m = /^(\d+)(\D*)/.exec(rest);
    if (!m) return invalid;
    const unit = m[2];
    if (unit === '') return invalid;
    const index = UNITS.findIndex(([u]) => u === unit);
    if (index < 0) return prom3 ? { error: `unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}` } : invalid;
    if (index <= last) return invalid;
    last = index;
    seconds += Number(m[1]) * UNITS[index][1];
    rest = rest.slice(m[0].length);
  }
  // time.Duration is int64 nanoseconds: about 292 years.
  if (seconds > 9.2e9) return prom3 ? invalid : { error: 'duration out of range' };
  return { seconds };
}

interface Ctx {
  y: YamlDocument;
  version: string;
  /** Nothing pinned the version: fields added in any release are accepted, removed ones are not. */
  assumed: boolean;
  prom3: boolean;
  /** Label names follow the legacy rules: before 3.0.0, or with `metric_name_validation_scheme: legacy`. */
  legacy: boolean;
  /** Why the legacy rules apply, for messages. */
  legacyWhy: string;
  /** Releases that accept names beyond the legacy rules (from 3.0.0, unless the config asks for legacy). */
  legacyAccepted?: PromAcceptance;
  issues: RawIssue[];
}

/** go-yaml v2's tag for a node, as its unmarshal errors name it. */
function tagOf(ctx: Ctx, node: Node | null | undefined): string {
  if (isMap(node)) return '!!map';
  if (isSeq(node)) return '!!seq';
  if (!isScalar(node)) return '!!str';
  if (node.type !== 'PLAIN') return '!!str';
  const raw = rawText(ctx, node);
  if (node.value === null) return '!!null';
  if (YAML11_BOOL.test(raw)) return '!!bool';
  if (YAML11_INT.test(raw)) return '!!int';
  if (YAML11_FLOAT.test(raw)) return '!!float';
  return '!!str';
}

/** A plain scalar's text as written (go-yaml hands that to string fields); quoted scalars their value. */
function rawText(ctx: Ctx, node: Scalar): string {
  if (node.type === 'PLAIN' && node.range) return ctx.y.source.text.slice(node.range[0], node.range[1]).trim();
  return node.value === null || node.value === undefined ? '' : String(node.value);
}

const isNull = (node: unknown) => node === null || node === undefined || (isScalar(node) && node.value === null && (node as Scalar).type === 'PLAIN');

/** go-yaml v2 shortens values in type errors: `otel-co...`. */
function short(text: string): string {
  return text.length > 10 ? `${text.slice(0, 7)}...` : text;
}

function typeError(ctx: Ctx, node: Node | null | undefined, into: string): string {
  const tag = tagOf(ctx, node);
  const value = isScalar(node) ? ` \`${short(rawText(ctx, node))}\`` : '';
  return `cannot unmarshal ${tag}${value} into ${into}`;
}

/** Duration text as the loader sees it, undefined for null (zero, i.e. the default). */
function durationOf(ctx: Ctx, node: Node | null | undefined, path: YamlPath): number | undefined {
  if (isNull(node)) return undefined;
  if (!isScalar(node)) {
    ctx.issues.push({ path, part: 'value', error: typeError(ctx, node, 'string') });
    return undefined;
  }
  const r = promDuration(rawText(ctx, node), ctx.prom3);
  if ('error' in r) {
    ctx.issues.push({
      path,
      part: 'value',
      error: r.error,
      hint: 'Prometheus durations are an integer and a unit (ms, s, m, h, d, w, y), largest unit first: 15s, 1m30s',
    });
    return undefined;
  }
  return r.seconds;
}

function knownIn(ctx: Ctx, field: Field): boolean {
  if (field.until && atLeast(ctx.version, field.until)) return false;
  if (field.since && !ctx.assumed && !atLeast(ctx.version, field.since)) return false;
  return true;
}

/** Checks a mapping's keys against a field table and each value's type; returns the value nodes by key. */
function checkFields(ctx: Ctx, map: YAMLMap, path: YamlPath, table: Record<string, Field>, typeName: string): Map<string, Node | null> {
  const values = new Map<string, Node | null>();
  for (const pair of map.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const at = [...path, key];
    const field = Object.hasOwn(table, key) ? table[key] : undefined;
    if (!field) {
      const near = nearest(key.toLowerCase(), Object.keys(table), 3)?.names[0];
      ctx.issues.push({
        path: at,
        part: 'key',
        error: `field ${key} not found in type ${typeName}`,
        hint: near ? `did you mean "${near}"?` : 'remove it, or check the spelling against the Prometheus configuration docs',
      });
      continue;
    }
    if (!knownIn(ctx, field)) {
      const removed = field.until && atLeast(ctx.version, field.until);
      ctx.issues.push({
        path: at,
        part: 'key',
        error: `field ${key} not found in type ${typeName}`,
        why: `the field was ${[field.since ? `added in Prometheus ${field.since}` : '', field.until ? `removed in Prometheus ${field.until}` : ''].filter(Boolean).join(', ')}${
          field.renamedTo ? `: renamed ${field.renamedTo}` : ''
        }`,
        accepted: { since: field.since, until: field.until },
        hint: removed ? (field.renamedTo ? `rename it to ${field.renamedTo}` : 'remove it') : `remove it, or run Prometheus ${field.since} or newer`,
      });
      continue;
    }
    const value = (pair.value ?? null) as Node | null;
    values.set(key, value);
    checkKind(ctx, field, value, at);
  }
  return values;
}

function checkKind(ctx: Ctx, field: Field, node: Node | null, path: YamlPath): void {
  const kind = field.kind;
  if (kind === 'any' || kind === 'duration' || isNull(node)) return;
  if (kind === 'map' && !isMap(node)) ctx.issues.push({ path, part: 'value', error: typeError(ctx, node, field.into ?? 'a mapping') });
  else if (kind === 'seq' && !isSeq(node)) ctx.issues.push({ path, part: 'value', error: typeError(ctx, node, field.into ?? 'a list') });
  else if (kind === 'scalar' && !isScalar(node)) ctx.issues.push({ path, part: 'value', error: typeError(ctx, node, 'string') });
  else if (kind === 'bool' && tagOf(ctx, node) !== '!!bool')
    ctx.issues.push({ path, part: 'value', error: typeError(ctx, node, 'bool'), hint: 'write true or false without quotes' });
  else if (kind === 'bytes') {
    const text = isScalar(node) ? rawText(ctx, node) : '';
    const error = bytesError(text);
    if (error) ctx.issues.push({ path, part: 'value', error, hint: 'a size with a unit: 10MB, 512KiB' });
  } else if (kind === 'uint' && (!['!!int', '!!float'].includes(tagOf(ctx, node)) || rawText(ctx, node as Scalar).startsWith('-'))) {
    // go-yaml v2 also truncates a non-negative float into a uint.
    ctx.issues.push({ path, part: 'value', error: typeError(ctx, node, 'uint'), hint: 'a non-negative integer without quotes' });
  }
}

/** `units.ParseBase2Bytes` (alecthomas/units), which body_size_limit uses: a number and a unit, `0` alone. */
function bytesError(text: string): string | undefined {
  if (text === '0') return undefined;
  if (text === '') return 'units: invalid';
  if (/^(\d+(\.\d+)?(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB))+$/.test(text)) return undefined;
  const unit = /^[\d.]*([^\d.]*)/.exec(text)?.[1] ?? '';
  return `units: unknown unit ${unit} in ${text}`;
}

/** Checks one prometheus.yml (that parsed as YAML) the way the loader of `version` does. */
export function checkPrometheusConfig(y: YamlDocument, version: string, assumed: boolean): PromIssue[] {
  const prom3 = atLeast(version, '3.0.0');
  const ctx: Ctx = { y, version, assumed, prom3, legacy: !prom3, legacyWhy: LEGACY_BEFORE_3, legacyAccepted: { since: '3.0.0' }, issues: [] };
  checkRoot(ctx);
  return ctx.issues.map((i) => ({ ...i, at: atYaml(y, i.path, i.part) }));
}

function checkRoot(ctx: Ctx): void {
  const prom3 = ctx.prom3;
  const root = ctx.y.doc.contents as Node | null;
  if (isNull(root) || isSeq(root)) return; // an empty file is valid; go-yaml v2 also lets a top-level list through
  if (!isMap(root)) {
    ctx.issues.push({ path: [], part: 'value', error: typeError(ctx, root, 'config.plain') });
    return;
  }
  const top = checkFields(ctx, root, [], TOP, 'config.plain');

  // global (decoded with its own `type plain`, so unknown keys also name config.plain)
  let globalInterval = 60;
  const global = top.get('global');
  if (isMap(global)) {
    const g = checkFields(ctx, global, ['global'], GLOBAL, 'config.plain');
    const scheme = g.get('metric_name_validation_scheme');
    if (prom3 && isScalar(scheme) && scheme.value === 'legacy') {
      ctx.legacy = true;
      ctx.legacyWhy = 'global metric_name_validation_scheme is legacy: names must match [a-zA-Z_][a-zA-Z0-9_]*';
      ctx.legacyAccepted = undefined;
    }
    const before = ctx.issues.length;
    const interval = durationOf(ctx, g.get('scrape_interval'), ['global', 'scrape_interval']);
    const timeout = durationOf(ctx, g.get('scrape_timeout'), ['global', 'scrape_timeout']);
    const durationsOk = ctx.issues.length === before;
    for (const k of ['evaluation_interval', 'rule_query_offset', 'query_max_duration']) if (g.has(k)) durationOf(ctx, g.get(k), ['global', k]);
    if (interval) globalInterval = interval;
    if (durationsOk && timeout && timeout > globalInterval) {
      ctx.issues.push({
        path: ['global', 'scrape_timeout'],
        part: 'value',
        error: 'global scrape timeout greater than scrape interval',
        hint: 'keep scrape_timeout at or below scrape_interval',
      });
    }
    const labels = g.get('external_labels');
    if (isMap(labels)) legacyLabelNames(ctx, labels, ['global', 'external_labels']);
  }

  const tracing = top.get('tracing');
  if (isMap(tracing) && !tracing.get('endpoint'))
    ctx.issues.push({ path: ['tracing'], part: 'key', error: 'tracing endpoint must be set', hint: 'set tracing.endpoint, or remove the tracing block' });

  const scrapeConfigs = top.get('scrape_configs');
  if (isSeq(scrapeConfigs)) {
    const seen = new Set<string>();
    scrapeConfigs.items.forEach((item, i) => checkScrapeConfig(ctx, item as Node | null, ['scrape_configs', i], globalInterval, seen));
  }
  for (const [key, what] of [
    ['remote_write', 'remote write'],
    ['remote_read', 'remote read'],
  ] as const) {
    const list = top.get(key);
    if (!isSeq(list)) continue;
    list.items.forEach((item, i) => {
      if (isNull(item)) ctx.issues.push({ path: [key, i], part: 'value', error: `empty or null ${what} config section` });
      else if (isMap(item)) {
        const url = item.get('url');
        if (url === undefined || url === null || url === '')
          ctx.issues.push({
            path: [key, i],
            part: 'value',
            error: `url for ${key} is empty`,
            hint: `set url, e.g. http://prometheus:9090/api/v1/${key === 'remote_write' ? 'write' : 'read'}`,
          });
        const relabels = item.get('write_relabel_configs', true);
        if (isSeq(relabels)) relabels.items.forEach((r, k) => isMap(r) && checkRelabel(ctx, r, [key, i, 'write_relabel_configs', k]));
      }
    });
  }
}

function checkScrapeConfig(ctx: Ctx, node: Node | null, path: YamlPath, globalInterval: number, seen: Set<string>): void {
  if (isNull(node)) {
    ctx.issues.push({ path, part: 'value', error: 'empty or null scrape config section', hint: 'remove the empty list entry' });
    return;
  }
  if (!isMap(node)) {
    ctx.issues.push({ path, part: 'value', error: typeError(ctx, node, 'config.ScrapeConfig') });
    return;
  }
  const v = checkFields(ctx, node, path, SCRAPE, 'config.ScrapeConfig');
  if (v.has('no_proxy') && !isNull(v.get('no_proxy')) && (!v.has('proxy_url') || isNull(v.get('proxy_url')))) {
    ctx.issues.push({ path: [...path, 'no_proxy'], part: 'key', error: 'if no_proxy is configured, proxy_url must also be configured' });
  }
  const nameNode = v.get('job_name');
  const name = isScalar(nameNode) && nameNode.value !== null ? rawText(ctx, nameNode) : '';
  if (name === '' && (isNull(nameNode) || isScalar(nameNode))) {
    ctx.issues.push({
      path: v.has('job_name') ? [...path, 'job_name'] : path,
      part: v.has('job_name') ? 'key' : 'value',
      error: 'job_name is empty',
      hint: 'give every scrape config a unique job_name',
    });
  } else if (seen.has(name)) {
    ctx.issues.push({
      path: [...path, 'job_name'],
      part: 'value',
      error: `found multiple scrape configs with job name ${JSON.stringify(name)}`,
      hint: 'job names must be unique: rename one, or merge their targets',
    });
  }
  seen.add(name);

  const before = ctx.issues.length;
  const interval = durationOf(ctx, v.get('scrape_interval'), [...path, 'scrape_interval']) || globalInterval;
  const timeout = durationOf(ctx, v.get('scrape_timeout'), [...path, 'scrape_timeout']);
  if (ctx.issues.length === before && timeout && timeout > interval) {
    ctx.issues.push({
      path: [...path, 'scrape_timeout'],
      part: 'value',
      error: `scrape timeout greater than scrape interval for scrape config with job name ${JSON.stringify(name)}`,
      why: `scrape_timeout ${rawText(ctx, v.get('scrape_timeout') as Scalar)} is above the ${v.has('scrape_interval') ? "job's" : 'global'} scrape_interval of ${interval}s`,
      hint: 'keep scrape_timeout at or below scrape_interval',
    });
  }

  const relabel = v.get('relabel_configs');
  const relabelRules = isSeq(relabel) ? relabel.items : [];
  relabelRules.forEach((r, k) => {
    if (isNull(r)) ctx.issues.push({ path: [...path, 'relabel_configs', k], part: 'value', error: 'empty or null target relabeling rule in scrape config' });
    else if (isMap(r)) checkRelabel(ctx, r, [...path, 'relabel_configs', k]);
  });
  const metricRelabel = v.get('metric_relabel_configs');
  if (isSeq(metricRelabel)) {
    metricRelabel.items.forEach((r, k) => {
      if (isNull(r))
        ctx.issues.push({ path: [...path, 'metric_relabel_configs', k], part: 'value', error: 'empty or null metric relabeling rule in scrape config' });
      else if (isMap(r)) checkRelabel(ctx, r, [...path, 'metric_relabel_configs', k]);
    });
  }

  checkDiscovery(ctx, v, path);

  const statics = v.get('static_configs');
  if (!isSeq(statics)) return;
  // The loader checks static targets only without relabel_configs; promtool 2.x builds the targets, after relabeling.
  const loaderChecks = relabelRules.length === 0;
  const promtoolChecks = !ctx.prom3 && relabelRules.every((r) => isMap(r) && keepsAddress(r));
  statics.items.forEach((group, k) => {
    const gpath = [...path, 'static_configs', k];
    if (isNull(group)) {
      ctx.issues.push({ path: gpath, part: 'value', error: 'empty or null section in static_configs' });
      return;
    }
    if (!isMap(group)) {
      ctx.issues.push({ path: gpath, part: 'value', error: typeError(ctx, group as Node, 'targetgroup.Group') });
      return;
    }
    const g = checkFields(ctx, group, gpath, STATIC, STATIC_TYPE);
    const labels = g.get('labels');
    if (isMap(labels)) legacyLabelNames(ctx, labels, [...gpath, 'labels'], true);
    const targets = g.get('targets');
    if (!isSeq(targets)) return;
    targets.items.forEach((t, n) => {
      if (!isScalar(t)) {
        ctx.issues.push({ path: [...gpath, 'targets', n], part: 'value', error: typeError(ctx, t as Node, 'string') });
        return;
      }
      const address = t.value === null ? '' : rawText(ctx, t);
      const tpath = [...gpath, 'targets', n];
      if (address.includes('/') && (loaderChecks || promtoolChecks)) {
        const error = `${JSON.stringify(address)} is not a valid hostname`;
        ctx.issues.push({
          path: tpath,
          part: 'value',
          error: loaderChecks ? error : `instance ${n} in group ${k}: ${error}`,
          why: loaderChecks
            ? 'targets are host:port only'
            : 'promtool 2.x rejects it after relabeling (the 3.x loader skips this check when relabel_configs are present)',
          ...(loaderChecks ? {} : PROMTOOL_2_ONLY),
          hint: /^[a-z]+:\/\//i.test(address)
            ? 'drop the scheme and path from the target; use the scheme: and metrics_path: fields'
            : 'targets are host:port; put the path in metrics_path:',
        });
      } else if (address === '' && promtoolChecks) {
        ctx.issues.push({
          path: tpath,
          part: 'value',
          error: `instance ${n} in group ${k}: no address`,
          why: 'promtool 2.x rejects an empty target',
          ...PROMTOOL_2_ONLY,
          hint: 'remove the empty target',
        });
      }
    });
  });
}

const FILE_SD: Record<string, Field> = { files: { kind: 'seq', into: '[]string' }, refresh_interval: f('duration') };
const DNS_SD: Record<string, Field> = { names: { kind: 'seq', into: '[]string' }, type: f('scalar'), port: f('any'), refresh_interval: f('duration') };
/** discovery/file: the pattern a `files` entry must match (a `*` only in the last path element). */
const FILE_SD_PATTERN = /^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$/;
const DNS_TYPES = ['SRV', 'A', 'AAAA', 'MX', 'NS'];
const KUBERNETES_ROLES = ['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'];

/** file_sd_configs and dns_sd_configs field by field, and the role of kubernetes_sd_configs, as their UnmarshalYAML do. */
function checkDiscovery(ctx: Ctx, job: Map<string, Node | null>, path: YamlPath): void {
  const entries = (key: string) => {
    const list = job.get(key);
    return isSeq(list)
      ? list.items.map((e, i) => ({ e: e as Node | null, at: [...path, key, i] })).filter((x): x is { e: YAMLMap; at: YamlPath } => isMap(x.e))
      : [];
  };
  for (const { e, at } of entries('file_sd_configs')) {
    const before = ctx.issues.length;
    const v = checkFields(ctx, e, at, FILE_SD, 'file.plain');
    durationOf(ctx, v.get('refresh_interval'), [...at, 'refresh_interval']);
    if (ctx.issues.length > before) continue;
    const files = v.get('files');
    const names = isSeq(files) ? files.items.filter(isScalar).map((n) => ({ n, text: rawText(ctx, n) })) : [];
    if (names.length === 0) {
      ctx.issues.push({
        path: v.has('files') ? [...at, 'files'] : at,
        part: v.has('files') ? 'value' : 'key',
        error: 'file service discovery config must contain at least one path name',
        hint: 'list the target files, e.g. files: [/etc/prometheus/targets/*.json]',
      });
      continue;
    }
    const bad = names.find((x) => !FILE_SD_PATTERN.test(x.text));
    if (bad) {
      const i = (files as { items: unknown[] }).items.indexOf(bad.n);
      ctx.issues.push({
        path: [...at, 'files', i],
        part: 'value',
        error: `path name ${JSON.stringify(bad.text)} is not valid for file discovery`,
        why: 'target files end in .json, .yml or .yaml, with at most one * and only in the file name',
        hint: 'e.g. /etc/prometheus/targets/*.json',
      });
    }
  }
  for (const { e, at } of entries('dns_sd_configs')) {
    const before = ctx.issues.length;
    const v = checkFields(ctx, e, at, DNS_SD, 'dns.plain');
    durationOf(ctx, v.get('refresh_interval'), [...at, 'refresh_interval']);
    if (ctx.issues.length > before) continue;
    const names = v.get('names');
    if (!isSeq(names) || names.items.length === 0) {
      ctx.issues.push({
        path: v.has('names') ? [...at, 'names'] : at,
        part: v.has('names') ? 'value' : 'key',
        error: 'DNS-SD config must contain at least one SRV record name',
        hint: 'names: [otel-collector] (with type: A and port:), or an SRV name',
      });
      continue;
    }
    const typeNode = v.get('type');
    const type = isScalar(typeNode) && typeNode.value !== null ? rawText(ctx, typeNode).toUpperCase() : 'SRV';
    if (!DNS_TYPES.includes(type)) {
      ctx.issues.push({
        path: [...at, 'type'],
        part: 'value',
        error: `invalid DNS-SD records type ${rawText(ctx, typeNode as Scalar)}`,
        hint: `one of ${DNS_TYPES.join(', ')}`,
      });
      continue;
    }
    const port = v.get('port');
    if (type !== 'SRV' && (isNull(port) || (isScalar(port) && Number(rawText(ctx, port)) === 0))) {
      ctx.issues.push({
        path: v.has('port') ? [...at, 'port'] : at,
        part: v.has('port') ? 'value' : 'key',
        error: 'a port is required in DNS-SD configs for all record types except SRV',
        hint: "add port: (e.g. 8889 for the collector's prometheus exporter)",
      });
    }
  }
  for (const { e, at } of entries('kubernetes_sd_configs')) {
    const role = e.get('role', true) as Node | null | undefined;
    if (isNull(role)) {
      ctx.issues.push({ path: at, part: 'value', error: `role missing (one of: ${KUBERNETES_ROLES.join(', ')})` });
    } else if (isScalar(role) && !KUBERNETES_ROLES.includes(rawText(ctx, role))) {
      ctx.issues.push({
        path: [...at, 'role'],
        part: 'value',
        error: `unknown Kubernetes SD role ${JSON.stringify(rawText(ctx, role))}`,
        hint: `one of ${KUBERNETES_ROLES.join(', ')} (lower case)`,
      });
    }
  }
}

/** Relabel rules that neither drop targets nor rewrite `__address__`, so the target promtool checks is the one written. */
function keepsAddress(rule: YAMLMap): boolean {
  const action = rule.get('action');
  const target = rule.get('target_label');
  const act = typeof action === 'string' ? action.toLowerCase() : 'replace';
  return ['replace', 'lowercase', 'uppercase'].includes(act) && target !== '__address__';
}

const LEGACY_BEFORE_3 = 'names beyond [a-zA-Z_][a-zA-Z0-9_]* are accepted from Prometheus 3.0.0 (UTF-8 names)';
/** What only promtool 2.x rejects: the 3.x loader accepts it. */
const PROMTOOL_2_ONLY = { promtoolOnly: true, accepted: { since: '3.0.0' } } as const;

function legacyLabelNames(ctx: Ctx, labels: YAMLMap, path: YamlPath, onlyBefore3 = false): void {
  if (!ctx.legacy || (onlyBefore3 && ctx.prom3)) return;
  for (const pair of labels.items) {
    if (!isScalar(pair.key)) continue;
    const name = String(pair.key.value);
    if (!LEGACY_LABEL.test(name)) {
      ctx.issues.push({
        path: [...path, name],
        part: 'key',
        error: `${JSON.stringify(name)} is not a valid label name`,
        why: ctx.legacyWhy,
        accepted: ctx.legacyAccepted,
        hint: `use ${JSON.stringify(name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^(\d)/, '_$1'))}`,
      });
    }
  }
}

/** One relabel rule, as relabel.Config's UnmarshalYAML and Validate check it (both versions, legacy names before 3.0.0). */
function checkRelabel(ctx: Ctx, rule: YAMLMap, path: YamlPath): void {
  const v = checkFields(ctx, rule, path, RELABEL, 'relabel.plain');
  const text = (k: string): string | undefined => {
    const n = v.get(k);
    return isScalar(n) && n.value !== null ? rawText(ctx, n) : undefined;
  };
  const push = (key: string | undefined, error: string, legacy?: true) =>
    ctx.issues.push({ path: key ? [...path, key] : path, part: 'value', error, ...(legacy ? { why: ctx.legacyWhy, accepted: ctx.legacyAccepted } : {}) });
  const actionText = text('action');
  const action = actionText === undefined ? 'replace' : actionText.toLowerCase();
  if (!RELABEL_ACTIONS.includes(action)) {
    push('action', `unknown relabel action ${JSON.stringify(actionText)}`);
    return;
  }
  const regex = text('regex');
  const regexError = regex === undefined ? undefined : re2Error(regex);
  if (regexError) push('regex', `error parsing regexp: ${regexError}`);
  const target = text('target_label') ?? '';
  const replacement = text('replacement') ?? '$1';
  const modulus = Number(text('modulus') ?? 0);
  const sources = v.get('source_labels');
  if (action === 'hashmod' && !(modulus > 0)) push(undefined, 'relabel configuration for hashmod requires non-zero modulus');
  if (['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action) && target === '') {
    push(undefined, `relabel configuration for ${action} action requires 'target_label' value`);
    return;
  }
  if (ctx.legacy) {
    const ok = action === 'replace' && target.includes('$') ? LEGACY_RELABEL_TARGET.test(target) : LEGACY_LABEL.test(target);
    if (['replace', 'hashmod', 'lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action) && !ok) {
      push('target_label', `${JSON.stringify(target)} is invalid 'target_label' for ${action} action`, true);
    }
    if (action === 'labelmap' && !LEGACY_RELABEL_TARGET.test(replacement))
      push('replacement', `${JSON.stringify(replacement)} is invalid 'replacement' for labelmap action`, true);
  }
  if (['lowercase', 'uppercase', 'keepequal', 'dropequal'].includes(action) && replacement !== '$1')
    push('replacement', `'replacement' can not be set for ${action} action`);
  else if ((action === 'keepequal' || action === 'dropequal') && ((regex ?? '(.*)') !== '(.*)' || modulus !== 0 || (text('separator') ?? ';') !== ';')) {
    push(undefined, `${action} action requires only 'source_labels' and \`target_label\`, and no other fields`);
  }
  if (
    (action === 'labeldrop' || action === 'labelkeep') &&
    ((isSeq(sources) && sources.items.length > 0) || target !== '' || modulus !== 0 || (text('separator') ?? ';') !== ';' || replacement !== '$1')
  ) {
    push(undefined, `${action} action requires only 'regex', and no other fields`);
  }
}

/**
 * Whether Go's RE2 (`regexp.Compile`) rejects a relabel regex, and why. Perl-only syntax RE2 lacks is caught
 * here; the rest is left to JavaScript's parser after mapping RE2-only syntax to something it reads. Returns
 * undefined when it compiles (or when the two engines might disagree).
 */
export function re2Error(re: string): string | undefined {
  const perl = /\(\?(<=|<!|=|!)/.exec(re);
  if (perl) return `invalid or unsupported Perl syntax: \`${perl[0]}\``;
  // Escapes, read left to right so an escaped backslash is not taken for the start of another escape.
  for (let i = 0; i < re.length; i++) {
    if (re[i] !== '\\') continue;
    const c = re[i + 1] ?? '';
    if (/[1-9]/.test(c) && !/[0-7]/.test(re[i + 2] ?? '')) return `invalid escape sequence: \`\\${c}\``; // a backreference
    if (/[a-zA-Z]/.test(c) && !'aAbBdDfnrsStvwWzpPQEx'.includes(c)) return `invalid escape sequence: \`\\${c}\``;
    i++;
  }
  const js = re
    .replace(/\\Q[\s\S]*?(\\E|$)/g, 'x')
    .replace(/\(\?P</g, '(?<')
    .replace(/\(\?[imsU-]+\)/g, '')
    .replace(/\(\?[imsU-]+:/g, '(?:')
    .replace(/\[:\^?[a-z]+:\]/g, 'a')
    .replace(/\\[pP](\{\^?\w+\}|\w)/g, 'a')
    .replace(/\\[zA]/g, '');
  const bare = js.replace(/\\./g, 'x').replace(/\[(?:\\.|[^\]])*\]/g, 'x');
  const repeat = /\{(\d+),(\d+)\}/.exec(bare);
  if (repeat && Number(repeat[1]) > Number(repeat[2])) return `invalid repeat count: \`${repeat[0]}\``;
  const nested = /([*+?}])([*+])/.exec(bare);
  if (nested) return `invalid nested repetition operator: \`${nested[1]}${nested[2]}\``;
  try {
    new RegExp(`^(?:${js})$`);
    return undefined;
  } catch (e) {
    const reason = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
    if (/Unterminated group/i.test(reason)) return 'missing closing )';
    if (/Unmatched '\)'/i.test(reason)) return 'unexpected )';
    if (/Unterminated character class/i.test(reason)) return 'missing closing ]';
    if (/Nothing to repeat/i.test(reason)) return 'missing argument to repetition operator';
    return reason;
  }
}

/** Whether what an issue is about is rejected at `version`: outside the releases that accept it, or always. */
export function rejectedIn(accepted: PromAcceptance | undefined, version: string): boolean {
  if (!accepted) return true;
  return (accepted.since !== undefined && !atLeast(version, accepted.since)) || (accepted.until !== undefined && atLeast(version, accepted.until));
}
