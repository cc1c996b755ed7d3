import { atLeast, compareVersions } from './versions.js';

/**
 * The eight Claude Code metrics (2.1.197): OTel name, unit (all monotonic counters), the datapoint attributes a
 * plain run always attaches besides the standard ones (`attributes`), and those that appear only in some runs
 * (`conditional`: fast mode, subagents, skills, plugins, MCP tools). claude-code.md §4.1; the attribute sets were
 * observed by the naming oracle (test/pipeline).
 */
export const CLAUDE_METRICS = [
  { otel: 'claude_code.session.count', unit: '', attributes: ['start_type'], conditional: [] },
  { otel: 'claude_code.lines_of_code.count', unit: '', attributes: ['type', 'model'], conditional: [] },
  { otel: 'claude_code.pull_request.count', unit: '', attributes: [], conditional: [] },
  { otel: 'claude_code.commit.count', unit: '', attributes: [], conditional: [] },
  { otel: 'claude_code.cost.usage', unit: 'USD', attributes: ['model', 'query_source', 'effort'], conditional: ATTRIBUTION() },
  { otel: 'claude_code.token.usage', unit: 'tokens', attributes: ['model', 'query_source', 'effort', 'type'], conditional: ATTRIBUTION() },
  { otel: 'claude_code.code_edit_tool.decision', unit: '', attributes: ['tool_name', 'decision', 'source', 'language'], conditional: [] },
  { otel: 'claude_code.active_time.total', unit: 's', attributes: ['type'], conditional: [] },
] as const satisfies readonly { otel: string; unit: string; attributes: readonly string[]; conditional: readonly string[] }[];

function ATTRIBUTION(): string[] {
  return ['speed', 'agent.name', 'skill.name', 'plugin.name', 'marketplace.name', 'mcp_server.name', 'mcp_tool.name'];
}

export type ClaudeMetricName = (typeof CLAUDE_METRICS)[number]['otel'];

export type TranslationStrategy = 'UnderscoreEscapingWithSuffixes' | 'UnderscoreEscapingWithoutSuffixes' | 'NoUTF8EscapingWithSuffixes' | 'NoTranslation';
export const TRANSLATION_STRATEGIES: TranslationStrategy[] = [
  'UnderscoreEscapingWithSuffixes',
  'UnderscoreEscapingWithoutSuffixes',
  'NoUTF8EscapingWithSuffixes',
  'NoTranslation',
];

/**
 * Which resource attributes an exporter copies onto every series: `resource_to_telemetry_conversion` (`enabled`,
 * `exclude_service_attributes`, newer `included`/`excluded` patterns) or `resource_constant_labels`.
 */
export interface ResourcePromotion {
  /** Patterns (`*`, `?` wildcards) of keys to copy; `['*']` = all. */
  include: string[];
  exclude?: string[];
}

/** A Prometheus scrape of a /metrics endpoint: what Prometheus does to the exposed labels. */
export interface ScrapeSide {
  /** The scrape job's `job_name`, which becomes `job` (undefined: no scrape job for it is known). */
  job?: string;
  /** undefined: not known (no prometheus.yml scraping it in the workspace). */
  honorLabels?: boolean;
  /** `static_configs[].labels` of the target (they win over exposed labels unless honor_labels). */
  targetLabels?: Record<string, string>;
  /** The job has metric_relabel_configs: names and labels may be rewritten, so nothing is certain. */
  relabels?: boolean;
}

/** How metrics reach Prometheus; each way names them (and labels them) differently. */
export type MetricsPipeline =
  | {
      kind: 'collector-prometheus';
      collectorVersion: string;
      namespace?: string;
      translationStrategy?: TranslationStrategy;
      addMetricSuffixes?: boolean;
      constLabels?: Record<string, string>;
      resourceToTelemetry?: ResourcePromotion;
      withoutScopeInfo?: boolean;
      scrape?: ScrapeSide;
    }
  | {
      kind: 'collector-prometheusremotewrite';
      collectorVersion: string;
      namespace?: string;
      translationStrategy?: TranslationStrategy;
      addMetricSuffixes?: boolean;
      externalLabels?: Record<string, string>;
      resourceToTelemetry?: ResourcePromotion;
      disableScopeInfo?: boolean;
    }
  | {
      kind: 'prometheus-otlp';
      translationStrategy?: TranslationStrategy;
      /** `otlp.promote_resource_attributes`, or all (minus `ignore_resource_attributes`) with `promote_all_resource_attributes`. */
      promoteResourceAttributes?: ResourcePromotion;
      promoteScopeMetadata?: boolean;
    }
  | { kind: 'claude-builtin'; scrape?: ScrapeSide };

/**
 * Versions that change the labels (read in the contrib sources of the exporters, and checked by the naming oracle
 * on the two oracle builds): the prometheus exporter adds `otel_scope_name`, `otel_scope_version` and
 * `otel_scope_schema_url` from v0.128.0 (absent in v0.127.0); the remote-write translator adds `otel_scope_name`
 * and `otel_scope_version` (when not empty) from v0.146.0 (absent in v0.145.0).
 */
export const SCOPE_LABELS_FROM = { prometheus: '0.128.0', prometheusremotewrite: '0.146.0' } as const;
/** From this version the prometheus exporter ignores `add_metric_suffixes` (gate DisableAddMetricSuffixes beta). */
export const ADD_METRIC_SUFFIXES_IGNORED_FROM = '0.154.0';

/** UCUM units the translator spells out; anything else is kept verbatim, case included (USD, tokens). */
const UNIT_WORDS: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  min: 'minutes',
  h: 'hours',
  d: 'days',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  '%': 'percent',
  '1': '',
  '': '',
};

/**
 * The strategy in force: an explicit translation_strategy wins; otherwise add_metric_suffixes: false removes
 * suffixes, except in the collector's prometheus exporter from v0.154.0, where the DisableAddMetricSuffixes gate
 * went beta and the option is silently ignored (collector.md §4.3). The remote-write exporter still honours it
 * (v0.165.0 has no such gate; the naming oracle checks both builds). Claude Code's built-in exporter adds no units.
 */
export function effectiveStrategy(p: MetricsPipeline): TranslationStrategy {
  if (p.kind === 'claude-builtin') return 'UnderscoreEscapingWithoutSuffixes';
  if (p.translationStrategy) return p.translationStrategy;
  if (p.kind === 'prometheus-otlp') return 'UnderscoreEscapingWithSuffixes';
  if (p.addMetricSuffixes === false && !(p.kind === 'collector-prometheus' && atLeast(p.collectorVersion, ADD_METRIC_SUFFIXES_IGNORED_FROM))) {
    return 'UnderscoreEscapingWithoutSuffixes';
  }
  return 'UnderscoreEscapingWithSuffixes';
}

/** The Prometheus series name a monotonic counter gets through a pipeline (prometheus/otlptranslator rules). */
export function prometheusName(otelName: string, unit: string, p: MetricsPipeline): string {
  if (p.kind === 'claude-builtin') {
    // Claude Code's own exporter only replaces invalid characters and appends _total when missing. 2.1.332 also
    // leaves the `# UNIT` lines out (2.1.197 writes them for cost and tokens); the names are the same (both scraped).
    const base = otelName.replace(/[^A-Za-z0-9_:]/g, '_');
    return base.endsWith('_total') ? base : `${base}_total`;
  }
  const strategy = effectiveStrategy(p);
  if (strategy === 'NoTranslation') return otelName;
  const utf8 = strategy === 'NoUTF8EscapingWithSuffixes';
  let tokens = utf8 ? [otelName] : otelName.split(/[^A-Za-z0-9:]+/).filter(Boolean);
  if (strategy !== 'UnderscoreEscapingWithoutSuffixes') {
    const unitWord = unit
      .split('/')
      .filter((part) => !/[{}]/.test(part))
      .map((part) => UNIT_WORDS[part] ?? part)
      .filter(Boolean)
      .join('_per_');
    if (unitWord && !tokens.includes(unitWord)) tokens.push(unitWord);
    tokens = tokens.filter((t) => t !== 'total');
    tokens.push('total');
  }
  const namespace = p.kind !== 'prometheus-otlp' && p.namespace ? p.namespace.replace(/[^A-Za-z0-9_]/g, '_') : undefined;
  const name = [...(namespace ? [namespace] : []), ...tokens].join('_');
  return /^\d/.test(name) ? `_${name}` : name;
}

/** Every Claude Code metric's series name through a pipeline, keyed by OTel name. */
export function claudeSeriesNames(p: MetricsPipeline): Map<string, string> {
  return new Map(CLAUDE_METRICS.map((m) => [m.otel, prometheusName(m.otel, m.unit, p)]));
}

/** An attribute key as a Prometheus label name (otlptranslator NormalizeLabel); UTF-8 strategies keep it. */
export function labelName(key: string, strategy: TranslationStrategy = 'UnderscoreEscapingWithSuffixes'): string {
  if (strategy === 'NoUTF8EscapingWithSuffixes' || strategy === 'NoTranslation') return key;
  let label = key.replace(/[^A-Za-z0-9_]/g, '_');
  if (/^\d/.test(label)) label = `key_${label}`;
  else if (/^_[^_]/.test(label)) label = `key${label}`;
  return label;
}

// ---------------------------------------------------------------------------------------------------------------
// What Claude Code attaches

/** The parts of Claude Code's environment that decide its attributes (claude-code.md §2.2, §4.1). */
export interface ClaudeAttributeOptions {
  claudeVersion?: string;
  /** OTEL_METRICS_INCLUDE_SESSION_ID (default on). */
  includeSessionId?: boolean;
  /** OTEL_METRICS_INCLUDE_VERSION (default off): app.version. */
  includeVersion?: boolean;
  /** OTEL_METRICS_INCLUDE_ACCOUNT_UUID (default on; account fields need Claude-account auth). */
  includeAccountUuid?: boolean;
  /** OTEL_METRICS_INCLUDE_ENTRYPOINT (default off, 2.1.152+): app.entrypoint. */
  includeEntrypoint?: boolean;
  /** OTEL_METRICS_INCLUDE_RESOURCE_ATTRIBUTES (default on, 2.1.161+): custom resource keys on every datapoint. */
  includeResourceAttributes?: boolean;
  /** API key (no account fields), Claude account (organization.id, user.email, account ids), or not known. */
  auth?: 'api-key' | 'account' | 'unknown';
  /** Keys of OTEL_RESOURCE_ATTRIBUTES (e.g. team.id, deployment). */
  resourceAttributes?: string[];
  /** OTEL_SERVICE_NAME or service.name in OTEL_RESOURCE_ATTRIBUTES; default `claude-code`. */
  serviceName?: string;
  serviceNamespace?: string;
}

export const CLAUDE_SERVICE_NAME = 'claude-code';

/**
 * Attributes newer Claude Code puts on every datapoint and event. `absentIn` is the last provisioned version seen
 * without them and `from` the first seen with them; the releases in between were not measured, so there they are
 * possible, not certain. `observed`: seen on real runs (test/conformance, API-key login); the account-login keys
 * are taken from issue #12 and the 2.1.332 binary's strings.
 */
export const CLAUDE_ATTRIBUTES_BY_VERSION = [
  { keys: ['anthropic.provider', 'anthropic.custom_base_url'], absentIn: '2.1.282', from: '2.1.322', accountOnly: false, observed: true },
  { keys: ['anthropic.plan', 'anthropic.seat_type'], absentIn: '2.1.282', from: '2.1.322', accountOnly: true, observed: false },
] as const;

/** Keys of CLAUDE_ATTRIBUTES_BY_VERSION on every datapoint and event of this version and login: certain, and possible. */
export function versionedAttributes(version: string, auth: ClaudeAttributeOptions['auth']): { always: string[]; possible: string[] } {
  const always: string[] = [];
  const possible: string[] = [];
  for (const a of CLAUDE_ATTRIBUTES_BY_VERSION) {
    if (a.accountOnly && auth === 'api-key') continue;
    if (!atLeast(version, a.from) && compareVersions(version, a.absentIn) <= 0) continue;
    possible.push(...a.keys);
    if (atLeast(version, a.from) && a.observed && (!a.accountOnly || auth === 'account')) always.push(...a.keys);
  }
  return { always, possible };
}

/**
 * Claude Code's events (OTLP log records, `event.name`) with their own attributes besides the common ones (user,
 * session, terminal, event.*, and versionedAttributes). `since`: a version gate as in CLAUDE_ATTRIBUTES_BY_VERSION.
 * Observed with a plain `claude -p` on the provisioned versions (test/conformance/naming-versions.test.ts runs each
 * `absentIn` and `from`); retention_sweep and safety_event were never emitted there and are taken from issue #12
 * (both names are in the 2.1.332 binary).
 */
export const CLAUDE_EVENTS: readonly {
  name: string;
  attributes: readonly { key: string; since?: { absentIn: string; from: string } }[];
  since?: { absentIn: string; from: string; observed: boolean };
}[] = [
  {
    name: 'user_prompt',
    attributes: [
      { key: 'prompt.id' },
      { key: 'prompt_length' },
      { key: 'prompt' },
      { key: 'message.uuid', since: { absentIn: '2.1.197', from: '2.1.217' } },
      { key: 'prompt_text', since: { absentIn: '2.1.282', from: '2.1.322' } },
    ],
  },
  {
    name: 'api_request',
    attributes: [
      ...[
        'prompt.id',
        'model',
        'input_tokens',
        'output_tokens',
        'cache_read_tokens',
        'cache_creation_tokens',
        'cost_usd',
        'cost_usd_micros',
        'duration_ms',
        'speed',
        'query_source',
        'effort',
      ].map((key) => ({ key })),
      ...['cache_creation_5m_tokens', 'cache_creation_1h_tokens'].map((key) => ({ key, since: { absentIn: '2.1.282', from: '2.1.322' } })),
      { key: 'ttft_ms', since: { absentIn: '2.1.251', from: '2.1.282' } },
    ],
  },
  {
    name: 'assistant_response',
    attributes: [
      ...['prompt.id', 'response_length', 'response', 'model', 'query_source'].map((key) => ({ key })),
      { key: 'message.uuid', since: { absentIn: '2.1.197', from: '2.1.251' } },
    ],
  },
  {
    name: 'managed_settings_resolved',
    since: { absentIn: '2.1.251', from: '2.1.282', observed: true },
    attributes: [
      'managed_settings.trigger',
      'managed_settings.sources',
      'managed_settings.source_behavior',
      'managed_settings.helper.state',
      'managed_settings.helper.applied',
    ].map((key) => ({ key })),
  },
  {
    name: 'plugin_loaded',
    // Emitted by a plain run (no plugins installed) from 2.1.282.
    since: { absentIn: '2.1.251', from: '2.1.282', observed: true },
    attributes: [
      'plugin.name',
      'marketplace.name',
      'plugin.scope',
      'enabled_via',
      'plugin_id_hash',
      'has_hooks',
      'has_mcp',
      'host_owned_mcp',
      'skill_path_count',
      'command_path_count',
      'agent_path_count',
      'safe_mode',
    ].map((key) => ({ key })),
  },
  { name: 'retention_sweep', since: { absentIn: '2.1.197', from: '2.1.332', observed: false }, attributes: [] },
  { name: 'safety_event', since: { absentIn: '2.1.197', from: '2.1.332', observed: false }, attributes: [] },
];

/** The events a version can emit, each with the attribute keys it can carry on that version (common ones left out). */
export function claudeEvents(version: string): Map<string, string[]> {
  const possible = (since: { absentIn: string } | undefined) => !since || compareVersions(version, since.absentIn) > 0;
  return new Map(CLAUDE_EVENTS.filter((e) => possible(e.since)).map((e) => [e.name, e.attributes.filter((a) => possible(a.since)).map((a) => a.key)]));
}

const ACCOUNT_ATTRIBUTES = ['organization.id', 'user.email', 'user.account_uuid', 'user.account_id'];

/** Datapoint attribute keys of one metric: in a plain run with these options, and in any run. */
export function claudeDatapointAttributes(metric: (typeof CLAUDE_METRICS)[number], o: ClaudeAttributeOptions = {}): { always: string[]; possible: string[] } {
  const version = o.claudeVersion ?? '2.1.197';
  const always = ['user.id', 'terminal.type', ...metric.attributes];
  if (o.includeSessionId !== false) always.push('session.id');
  if (o.includeVersion) always.push('app.version');
  if (o.includeEntrypoint && atLeast(version, '2.1.152')) always.push('app.entrypoint');
  const account = o.includeAccountUuid === false ? ['organization.id', 'user.email'] : ACCOUNT_ATTRIBUTES;
  if (o.auth === 'account') always.push(...account);
  const custom = o.includeResourceAttributes !== false && atLeast(version, '2.1.161') ? (o.resourceAttributes ?? []) : [];
  always.push(...custom);
  const versioned = versionedAttributes(version, o.auth);
  always.push(...versioned.always);
  const possible = [...always, ...versioned.possible, ...metric.conditional, 'ccr.session.id', ...(o.auth === 'api-key' ? [] : account)];
  return { always: unique(always), possible: unique(possible) };
}

/** Claude Code's resource attributes (no service.instance.id). */
export function claudeResourceAttributes(o: ClaudeAttributeOptions = {}): { always: string[]; possible: string[] } {
  const always = ['service.name', 'service.version', 'os.type', 'os.version', 'host.arch', ...(o.resourceAttributes ?? [])];
  if (o.serviceNamespace) always.push('service.namespace');
  return { always: unique(always), possible: unique([...always, 'wsl.version']) };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function globMatch(pattern: string, key: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(key);
}

export function promoted(r: ResourcePromotion | undefined, key: string): boolean {
  if (!r) return false;
  if (r.exclude?.some((p) => globMatch(p, key))) return false;
  return r.include.some((p) => globMatch(p, key));
}

// ---------------------------------------------------------------------------------------------------------------
// The series

export interface ClaudeSeries {
  otel: ClaudeMetricName;
  name: string;
  /** Label names a plain run produces (sorted). */
  labels: string[];
  /** Every label name some run can produce (attribution, account fields, WSL...), a superset of `labels`. */
  possibleLabels: string[];
  /** Values known whatever the run (job, static labels...), for checks on matcher values. */
  fixedValues: Record<string, string>;
  /** Why the exporter drops this metric entirely, when it does. */
  dropped?: string;
  /** Nothing is certain about labels (metric_relabel_configs). */
  uncertainLabels?: boolean;
}

/**
 * The Prometheus series the eight Claude Code metrics become through a pipeline: exact names and label names,
 * as the exporter exposes them (a pipeline without `scrape`), or as Prometheus stores them after scraping.
 */
export function claudeSeries(p: MetricsPipeline, claude: ClaudeAttributeOptions = {}): ClaudeSeries[] {
  // Both arguments are plain data (strings, booleans, lists and records of strings): their JSON says all they hold.
  const key = JSON.stringify([p, claude]);
  let series = seriesByArguments.get(key);
  if (!series) {
    if (seriesByArguments.size >= 500) seriesByArguments.clear();
    series = frozen(computeClaudeSeries(p, claude));
    seriesByArguments.set(key, series);
  }
  return series;
}

/**
 * claudeSeries by the JSON of its arguments: the workspaces of a repo share a few pipeline shapes (a team's settings
 * beside one stack, stacks copied from one template), and the series of one shape are the same for all. Bounded.
 */
const seriesByArguments = new Map<string, ClaudeSeries[]>();

/** Series shared between callers are read-only: a caller that changed them would change them for every other. */
function frozen(series: ClaudeSeries[]): ClaudeSeries[] {
  for (const s of series) {
    Object.freeze(s.labels);
    Object.freeze(s.possibleLabels);
    Object.freeze(s.fixedValues);
    Object.freeze(s);
  }
  return Object.freeze(series) as ClaudeSeries[];
}

function computeClaudeSeries(p: MetricsPipeline, claude: ClaudeAttributeOptions): ClaudeSeries[] {
  const strategy = effectiveStrategy(p);
  const ln = (k: string) => labelName(k, strategy);
  const resource = claudeResourceAttributes(claude);
  const serviceName = claude.serviceName ?? CLAUDE_SERVICE_NAME;
  const job = claude.serviceNamespace ? `${claude.serviceNamespace}/${serviceName}` : serviceName;
  return CLAUDE_METRICS.map((m) => {
    const dp = claudeDatapointAttributes(m, claude);
    const build = (attrs: string[], resourceKeys: string[]) => {
      const labels = new Set<string>();
      const fixed: Record<string, string> = {};
      const empty = new Set<string>();
      let dropped: string | undefined;
      const add = (l: string, value?: string) => {
        labels.add(l);
        if (value !== undefined) fixed[l] = value;
      };
      switch (p.kind) {
        case 'claude-builtin':
          attrs.forEach((a) => add(ln(a)));
          add('otel_scope_name', 'com.anthropic.claude_code');
          add('otel_scope_version');
          break;
        case 'collector-prometheus': {
          attrs.forEach((a) => add(ln(a)));
          resourceKeys.filter((k) => promoted(p.resourceToTelemetry, k)).forEach((k) => add(ln(k)));
          if (!p.withoutScopeInfo && atLeast(p.collectorVersion, SCOPE_LABELS_FROM.prometheus)) {
            add('otel_scope_name', 'com.anthropic.claude_code');
            add('otel_scope_version');
            add('otel_scope_schema_url', '');
            empty.add('otel_scope_schema_url');
          }
          add('job', job);
          const clash = Object.keys(p.constLabels ?? {}).filter((k) => labels.has(k));
          if (clash.length)
            dropped = `const_labels ${clash.map((c) => `"${c}"`).join(', ')} clash with the metric's own label${clash.length > 1 ? 's' : ''}: the exporter logs "duplicate label names in constant and variable labels" and drops the metric`;
          for (const [k, v] of Object.entries(p.constLabels ?? {})) add(k, v);
          break;
        }
        case 'collector-prometheusremotewrite':
          attrs.forEach((a) => add(ln(a)));
          resourceKeys.filter((k) => promoted(p.resourceToTelemetry, k)).forEach((k) => add(ln(k)));
          add('job', job);
          for (const [k, v] of Object.entries(p.externalLabels ?? {})) if (!labels.has(k)) add(k, v);
          if (!p.disableScopeInfo && atLeast(p.collectorVersion, SCOPE_LABELS_FROM.prometheusremotewrite)) {
            add('otel_scope_name', 'com.anthropic.claude_code');
            add('otel_scope_version');
          }
          break;
        case 'prometheus-otlp':
          attrs.forEach((a) => add(ln(a)));
          resourceKeys.filter((k) => promoted(p.promoteResourceAttributes, k)).forEach((k) => add(ln(k)));
          add('job', job);
          if (p.promoteScopeMetadata) {
            add('otel_scope_name', 'com.anthropic.claude_code');
            add('otel_scope_version');
          }
          break;
      }
      const scrape = p.kind === 'collector-prometheus' || p.kind === 'claude-builtin' ? p.scrape : undefined;
      return { ...(scrape ? scraped(labels, fixed, empty, scrape) : { labels, fixed }), dropped };
    };
    const plain = build(dp.always, resource.always);
    const any = build(dp.possible, resource.possible);
    const scrape = p.kind === 'collector-prometheus' || p.kind === 'claude-builtin' ? p.scrape : undefined;
    return {
      otel: m.otel,
      name: prometheusName(m.otel, m.unit, p),
      labels: [...plain.labels].sort(),
      possibleLabels: [...new Set([...plain.labels, ...any.labels])].sort(),
      fixedValues: plain.fixed,
      ...(plain.dropped ? { dropped: plain.dropped } : {}),
      ...(scrape?.relabels ? { uncertainLabels: true } : {}),
    };
  });
}

/**
 * What a Prometheus scrape does to exposed labels (prometheus.md §1, configuration.md `honor_labels`): target
 * labels `job`, `instance` and static labels are attached; an exposed label of the same name is kept as
 * `exported_<name>` unless honor_labels (then the exposed value wins); empty values are not stored.
 */
function scraped(
  labels: Set<string>,
  fixed: Record<string, string>,
  empty: Set<string>,
  s: ScrapeSide,
): { labels: Set<string>; fixed: Record<string, string> } {
  const out = new Set<string>();
  const values: Record<string, string> = {};
  for (const l of labels) {
    if (empty.has(l)) continue;
    out.add(l);
    if (fixed[l] !== undefined) values[l] = fixed[l];
  }
  const target: Record<string, string | undefined> = { job: s.job, instance: undefined, ...(s.targetLabels ?? {}) };
  for (const [k, v] of Object.entries(target)) {
    if (out.has(k)) {
      if (s.honorLabels === true) continue;
      out.add(`exported_${k}`);
      if (values[k] !== undefined) values[`exported_${k}`] = values[k];
      if (s.honorLabels === undefined) {
        // Not known which value wins: no value of `k` is certain.
        delete values[k];
        continue;
      }
    }
    out.add(k);
    if (v !== undefined) values[k] = v;
    else delete values[k];
  }
  return { labels: out, fixed: values };
}
