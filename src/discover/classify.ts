import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Document } from 'yaml';
import { parseYamlDocument, parseYamlDocuments } from '../load/yaml.js';
import { jsonNestingOffset, syntaxOf } from '../load/nesting.js';
import { plainJsonValue } from '../load/json.js';
import { SourceFile } from '../load/source.js';

export type FileKind =
  | 'claude-settings'
  | 'collector'
  | 'prometheus'
  | 'compose'
  | 'grafana-datasources'
  | 'grafana-dashboards'
  | 'dashboard'
  | 'loki'
  | 'env-file'
  /** Kubernetes objects: any document with a string `apiVersion` and `kind` (multi-document streams, `List`s). */
  | 'kubernetes'
  /** A Kustomize `kustomization.yaml`: built with its bases and overlays as `kustomize build` would (model/kustomize). */
  | 'kustomization'
  /** A values file of the OpenTelemetry Collector Helm chart (`isCollectorChartValuesObject`): the config it renders is checked. */
  | 'helm-collector-values'
  /** Another tool's config (`OtherToolFile` says which): recognised so that no rule misreads it, and not checked. */
  | 'other-tool';

/**
 * Tools whose configs sit beside the pipeline in real stacks. Several share a key with a file the doctor reads
 * (Promtail's `scrape_configs`, Alertmanager's `receivers`, Tempo's `auth_enabled` beside `server`), so each is
 * recognised by what only it has, before those keys decide.
 */
export type OtherTool =
  | 'promtail'
  | 'grafana-alloy'
  | 'grafana-agent'
  | 'vector'
  | 'fluent-bit'
  | 'prometheus-rules'
  | 'loki-rules'
  | 'alertmanager'
  | 'tempo'
  | 'mimir';

/** What says a file is another tool's: keys only it has, its file extension, its section headers, or where compose mounts it. */
export type OtherToolEvidence =
  | { by: 'keys'; keys: string[] }
  | { by: 'extension'; extension: string }
  | { by: 'sections'; sections: string[] }
  | { by: 'mount'; service: string; image?: string; containerPath: string };

export interface OtherToolFile {
  tool: OtherTool;
  evidence: OtherToolEvidence;
}

/** The result of classifying one file: its kind, the YAML Document parsed on the way, and for another tool's file, which. */
export interface Classified {
  kind: FileKind;
  yamlDoc?: Document.Parsed;
  /** Every document of a Kubernetes manifest stream (kind `kubernetes`), in order. */
  yamlDocs?: Document.Parsed[];
  other?: OtherToolFile;
}

const CLAUDE_ENV_KEY = /^(CLAUDE_CODE_|OTEL_|OLTP_)/;

/**
 * Names a config file the doctor reads can have: a file by such a name that cannot be read is worth a line
 * (a broken link named README.md is not).
 */
export function looksLikeConfigName(path: string): boolean {
  return /\.(jsonc?|json\.[a-z]+|ya?ml|env)$|^\.env(\..+)?$|settings/.test(basename(path).toLowerCase());
}

/**
 * Top-level mapping keys found by text (column 0, `key:`), for YAML the parser rejects or cannot resolve (an alias
 * without its anchor, aliases over the limit); `apiVersion` and `kind` with their plain value, so a manifest that
 * kubectl refuses is still read as one and its error reported.
 */
function topLevelKeys(text: string): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  for (const m of text.matchAll(/^([A-Za-z_][\w-]*)\s*:[ \t]*([\w./-]*)[ \t]*$/gm)) keys[m[1]] = (m[1] === 'apiVersion' || m[1] === 'kind') && m[2] ? m[2] : {};
  for (const m of text.matchAll(/^([A-Za-z_][\w-]*)\s*:/gm)) keys[m[1]] ??= {};
  return keys;
}

/**
 * Decides what a file is, by content as well as by name: guides ship settings as `settings.json.local`,
 * collector configs under any name, dashboards as plain `.json`. Returns undefined for files that are none of these.
 */
export function classify(path: string, text: string): FileKind | undefined {
  return classifySource(new SourceFile(path, text))?.kind;
}

/**
 * `classify`, keeping the YAML Document it parsed: loading reuses it (`StackFile.yamlDoc`) instead of parsing the
 * file a second time.
 */
export function classifySource(source: SourceFile): Classified | undefined {
  const { path, text } = source;
  const name = basename(path).toLowerCase();
  const inDotClaude = basename(dirname(path)) === '.claude';
  const syntax = syntaxOf(path, text);
  if (syntax === 'env') return { kind: 'env-file' };
  if (syntax === 'json') {
    if (inDotClaude && /^settings(\.local)?\.json$/.test(name)) return { kind: 'claude-settings' };
    if (name === 'managed-settings.json' || name === '.claude.json') return { kind: 'claude-settings' };
    // jsonc-parser recurses per level (readTextFile refuses such files already; this keeps classify safe alone).
    if (source.nestingChecked !== 'json' && jsonNestingOffset(text) !== undefined) return undefined;
    const value = plainJsonValue(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const obj = value as Record<string, unknown>;
    if (Array.isArray(obj.panels) || (obj.dashboard && typeof obj.dashboard === 'object' && 'panels' in (obj.dashboard as object)))
      return { kind: 'dashboard' };
    if (obj.env && typeof obj.env === 'object' && Object.keys(obj.env).some((k) => CLAUDE_ENV_KEY.test(k))) return { kind: 'claude-settings' };
    if (/settings/.test(name) && ('permissions' in obj || 'otelHeadersHelper' in obj || 'model' in obj)) return { kind: 'claude-settings' };
    return undefined;
  }
  if (syntax === 'yaml') {
    if (isHelmTemplate(path)) return undefined;
    const yamlDoc = parseYamlDocument(source);
    // A file that does not parse is still classified by its top-level keys, so its syntax error is reported.
    const obj = lenientValue(yamlDoc) ?? topLevelKeys(text);
    if (/^kustomization\.ya?ml$/.test(name) || (obj.kind === 'Kustomization' && typeof obj.apiVersion === 'string')) return { kind: 'kustomization', yamlDoc };
    const multiple = yamlDoc.errors.some((e) => e.code === 'MULTIPLE_DOCS');
    if (multiple || isKubernetesObject(obj)) {
      const yamlDocs = multiple ? parseYamlDocuments(source) : [yamlDoc];
      const byText = (d: Document.Parsed) => topLevelKeys(text.slice(d.range[0], d.range[2]));
      if (yamlDocs.some((d) => isKubernetesObject(lenientValue(d) ?? byText(d)))) return { kind: 'kubernetes', yamlDocs };
    }
    // A chart's values file holds a collector config under `config:`, and is often named after the collector.
    if (isCollectorChartValuesObject(obj)) return { kind: 'helm-collector-values', yamlDoc };
    // Another tool's schema decides before any key it shares with ours; a compose file and an OTel collector's
    // receivers (a mapping: Alertmanager's are a list) are never another tool's.
    const other = isCompose(name, obj) || isMap(obj.receivers) ? undefined : otherToolOfYaml(obj);
    if (other) return { kind: 'other-tool', yamlDoc, other };
    const kind = yamlKind(name, obj);
    return kind && { kind, yamlDoc };
  }
  const other = otherToolOfText(name, text);
  return other && { kind: 'other-tool', other };
}

/** A Kubernetes object: a string `apiVersion` and `kind` (Grafana's provisioning files have a numeric apiVersion and no kind). */
function isKubernetesObject(obj: Record<string, unknown>): boolean {
  return typeof obj.apiVersion === 'string' && typeof obj.kind === 'string';
}

/**
 * A file of a Helm chart's `templates/` folder (a `Chart.yaml` beside that folder): Go templates that are YAML only
 * once `helm template` has rendered them, so they are not read (the chart's values are what a user writes).
 */
function isHelmTemplate(path: string): boolean {
  const dirs = dirname(path).split(/[\\/]/);
  const at = dirs.lastIndexOf('templates');
  return at > 0 && existsSync(join(dirs.slice(0, at).join('/') || '/', 'Chart.yaml'));
}

/** The workload kinds the OpenTelemetry Collector chart renders (its `mode`). */
export const COLLECTOR_CHART_MODES = ['deployment', 'daemonset', 'statefulset'] as const;

/**
 * Whether a YAML file's plain value is a values file of the OpenTelemetry Collector Helm chart: a map (not a
 * Kubernetes object) with a valid `mode` beside a collector image, a `config` map or a `command.name`; or a collector
 * image with a `config` map. (A Chart.yaml dependency, a Flux HelmRelease or an Argo CD Application naming the chart
 * `opentelemetry-collector` also points at its values: not read yet.)
 */
export function isCollectorChartValuesObject(obj: unknown): boolean {
  if (!isMap(obj) || 'apiVersion' in obj || 'kind' in obj) return false;
  const validMode = COLLECTOR_CHART_MODES.some((m) => m === obj.mode);
  const image = isMap(obj.image) ? obj.image.repository : undefined;
  const repository = typeof image === 'string' ? image : '';
  const collectorImage = /(^|\/)opentelemetry-collector(-[a-z0-9-]+)?$|(^|\/)otelcol(-[a-z0-9-]+)?$/.test(repository);
  const config = isMap(obj.config) || isMap(obj.alternateConfig);
  const command = isMap(obj.command) && 'name' in obj.command;
  return (validMode && (collectorImage || config || command)) || (collectorImage && config);
}

/**
 * `datasources` of the Grafana Helm chart's values: a map of file names to provisioning documents (each with its
 * `apiVersion` or `datasources`), which the chart renders into the provisioning folder. A provisioning file's own
 * `datasources` is a list (a map there is the mistake grafana/invalid-provisioning reports).
 */
function isGrafanaChartDatasources(v: unknown): boolean {
  if (!isMap(v)) return false;
  const files = Object.values(v);
  return files.length > 0 && files.every((f) => isMap(f) && ('apiVersion' in f || 'datasources' in f));
}

function isCompose(name: string, obj: Record<string, unknown>): boolean {
  return /compose/.test(name) || (!!obj.services && typeof obj.services === 'object' && !('receivers' in obj));
}

function yamlKind(name: string, obj: Record<string, unknown>): FileKind | undefined {
  if (isCompose(name, obj)) return 'compose';
  // The Grafana chart's values write each key of `datasources` as a provisioning file of its own: not one itself.
  if (isGrafanaChartDatasources(obj.datasources)) return undefined;
  // Grafana datasource files are often named after their datasource (prometheus.yml, loki.yaml): content first.
  if (('datasources' in obj || 'deleteDatasources' in obj) && !('receivers' in obj) && !('scrape_configs' in obj)) return 'grafana-datasources';
  // Loki's config: its schema periods (or its server block beside auth_enabled) say so, whatever the name.
  if (!('receivers' in obj) && ('schema_config' in obj || ('auth_enabled' in obj && 'server' in obj))) return 'loki';
  if ('receivers' in obj || ('exporters' in obj && 'service' in obj) || /otel|collector/.test(name)) return 'collector';
  if ('scrape_configs' in obj || ('global' in obj && /prometheus/.test(name)) || name === 'prometheus.yml') return 'prometheus';
  if ('datasources' in obj || 'deleteDatasources' in obj) return 'grafana-datasources';
  if ('providers' in obj) return 'grafana-dashboards';
  return undefined;
}

type Obj = Record<string, unknown>;
const isMap = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const mapsIn = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isMap) : []);
const byKeys = (tool: OtherTool, keys: string[]): OtherToolFile | undefined => (keys.length > 0 ? { tool, evidence: { by: 'keys', keys } } : undefined);

/** Promtail scrape-job keys that Prometheus has not (its log sources and its pipeline). */
const PROMTAIL_JOB_KEYS = [
  'pipeline_stages',
  'journal',
  'syslog',
  'loki_push_api',
  'windows_events',
  'gcplog',
  'gelf',
  'cloudflare',
  'heroku_drain',
  'azure_event_hubs',
  'kafka',
];

/**
 * Another tool's YAML config, by the keys only it has (each tool's documented top-level blocks). Keys that a
 * Prometheus, Loki or collector config could hold by mistake (Promtail's `server`) never decide alone: a broken
 * config of ours is still ours, and still checked.
 */
function otherToolOfYaml(obj: Obj): OtherToolFile | undefined {
  const present = (...keys: string[]) => keys.filter((k) => k in obj);
  const nested = (key: string, inner: string) => isMap(obj[key]) && inner in (obj[key] as Obj);
  // Promtail: where it keeps its read positions and the Loki clients it pushes to; or a scrape job only Promtail runs.
  const jobs = mapsIn(obj.scrape_configs);
  const promtailJob = PROMTAIL_JOB_KEYS.filter((k) => jobs.some((j) => k in j));
  const pathLabel = jobs.some((j) => mapsIn(j.static_configs).some((s) => isMap(s.labels) && '__path__' in s.labels));
  const promtail = [...present('clients', 'client', 'positions'), ...promtailJob.map((k) => `scrape_configs[].${k}`)];
  if (pathLabel) promtail.push('the __path__ target label');
  // Grafana Agent (static mode): its subsystems, each a list of `configs` (the pre-0.20 names too), or integrations.
  const agent = present('metrics', 'logs', 'traces', 'prometheus', 'loki', 'tempo').filter((k) => nested(k, 'configs'));
  if (isMap(obj.integrations)) agent.push('integrations');
  // Vector: components under sources/transforms/sinks, each with its `type`.
  const vector = present('sources', 'transforms', 'sinks').filter((k) => isMap(obj[k]) && Object.values(obj[k] as Obj).some((c) => isMap(c) && 'type' in c));
  const tempo = [
    ...(nested('storage', 'trace') ? ['storage.trace'] : []),
    ...(nested('distributor', 'receivers') ? ['distributor.receivers'] : []),
    ...present('metrics_generator', 'stream_over_http_enabled'),
  ];
  const loki = 'schema_config' in obj;
  return (
    byKeys('promtail', promtail) ??
    byKeys('grafana-agent', agent) ??
    byKeys('vector', vector.some((k) => k !== 'transforms') ? vector : []) ??
    // Fluent Bit's YAML form: one pipeline of inputs and outputs (an OTel collector's pipelines live under service).
    byKeys('fluent-bit', nested('pipeline', 'inputs') || nested('pipeline', 'outputs') ? ['pipeline'] : []) ??
    // Prometheus (or Loki) rule groups; Grafana's alerting provisioning has groups too, under an apiVersion.
    byKeys('prometheus-rules', !('apiVersion' in obj) && mapsIn(obj.groups).some((g) => 'rules' in g) ? ['groups'] : []) ??
    byKeys('alertmanager', 'route' in obj && !('service' in obj) ? present('route', 'receivers', 'inhibit_rules') : []) ??
    byKeys('tempo', loki ? [] : tempo) ??
    byKeys('mimir', loki ? [] : present('blocks_storage', 'multitenancy_enabled', 'ruler_storage', 'alertmanager_storage', 'store_gateway'))
  );
}

/** Fluent Bit's classic sections (`[INPUT]`, `[OUTPUT]`...), as its `.conf` files write them. */
const FLUENT_BIT_SECTION = /^[ \t]*\[(SERVICE|INPUT|FILTER|OUTPUT|PARSER|MULTILINE_PARSER|PLUGINS|UPSTREAM)\][ \t]*$/gim;
/** Vector's TOML components (`[sources.docker]`, `[sinks.loki]`). */
const VECTOR_TOML_SECTION = /^[ \t]*\[(sources|transforms|sinks)\.[\w.-]+\][ \t]*$/gm;

/** Suffixes of templating tools (Go templates, Jinja, envsubst) put after a config's own extension. */
const TEMPLATE_SUFFIX = /\.(tmpl|tpl|template|j2|jinja2?)$/;

/** Another tool's config in a syntax the doctor does not parse: Alloy and Agent flow mode's own language, TOML, `.conf`. */
function otherToolOfText(name: string, text: string): OtherToolFile | undefined {
  // A template an installer renders into the real config (`claude.alloy.tmpl`) is that tool's file all the same.
  const template = TEMPLATE_SUFFIX.exec(name)?.[0] ?? '';
  const base = name.slice(0, name.length - template.length);
  if (base.endsWith('.alloy')) return { tool: 'grafana-alloy', evidence: { by: 'extension', extension: `.alloy${template}` } };
  if (base.endsWith('.river')) return { tool: 'grafana-agent', evidence: { by: 'extension', extension: `.river${template}` } };
  const sectionsOf = (re: RegExp) => [...new Set([...text.matchAll(re)].map((m) => m[0].trim()))];
  if (name.endsWith('.toml')) {
    const sections = sectionsOf(VECTOR_TOML_SECTION);
    if (sections.length > 0) return { tool: 'vector', evidence: { by: 'sections', sections: sections.slice(0, 3) } };
  }
  if (name.endsWith('.conf')) {
    const sections = sectionsOf(FLUENT_BIT_SECTION).map((s) => s.toUpperCase());
    if (sections.some((s) => /INPUT|OUTPUT|PARSER/.test(s)))
      return { tool: 'fluent-bit', evidence: { by: 'sections', sections: [...new Set(sections)].slice(0, 3) } };
  }
  return undefined;
}

/**
 * What `yaml.parse(text, { strict: false, uniqueKeys: false, logLevel: 'silent' })` gave here before (an object, or
 * undefined when it threw or gave a scalar), taken from the one Document parsed with the loader's options: `strict`
 * and `uniqueKeys` only add errors, never change the nodes, and errors are ignored here as `parse` ignored them.
 */
function lenientValue(doc: Document.Parsed): Record<string, unknown> | undefined {
  const options = doc.options;
  const logLevel = options.logLevel;
  options.logLevel = 'silent'; // toJS warns about collection keys; classifying stays quiet, as before
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 }); // parse's default; loading allows more
  } catch {
    value = undefined;
  } finally {
    options.logLevel = logLevel;
  }
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}
