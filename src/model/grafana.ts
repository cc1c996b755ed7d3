import { createHash } from 'node:crypto';
import type { FileKind } from '../discover/classify.js';
import { parseJson, type JsonDocument, type JsonSyntaxProblem } from '../load/json.js';
import { JsonValue, type JsonPath } from '../load/json-value.js';
import type { SourceFile } from '../load/source.js';
import type { YamlDocument } from '../load/yaml.js';
import { YamlValue } from '../load/yaml-value.js';

/**
 * Grafana as files describe it: provisioned datasources (with the UID Grafana really uses), dashboard providers,
 * and dashboards with every datasource reference and query in them, resolved the way Grafana resolves them
 * (grafana-loki.md §1–4).
 */

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------------------------
// Datasource provisioning

/**
 * The UID Grafana gives a provisioned datasource without `uid` when it inserts it: "P" + the first 8 bytes of
 * SHA-256(name), hex, upper case (pkg/services/provisioning/datasources, safeUIDFromName). `Prometheus` →
 * `PBFA97CFB590B2093`. A datasource created in the UI gets a random UID instead.
 */
export function computedDatasourceUid(name: string): string {
  return `P${createHash('sha256').update(name, 'utf8').digest().subarray(0, 8).toString('hex')}`.toUpperCase();
}

export interface ProvisionedDatasource {
  yaml: YamlDocument;
  file: string;
  /** Its item of the `datasources` list: where findings about it and its keys point. */
  value: YamlValue;
  index: number;
  name?: string;
  type?: string;
  /** `uid` as written. */
  uid?: string;
  /** The UID Grafana uses: the written one, else the computed one (undefined when the name is missing or holds `$VAR`). */
  effectiveUid?: string;
  computed: boolean;
  url?: string;
  isDefault: boolean;
  orgId: number;
}

export interface DatasourceFile {
  yaml: YamlDocument;
  file: string;
  /** The document's root value (`apiVersion`, `datasources`, `deleteDatasources`). */
  root: YamlValue;
  datasources: ProvisionedDatasource[];
}

export interface DashboardProvider {
  yaml: YamlDocument;
  file: string;
  /** Its item of the `providers` list. */
  value: YamlValue;
  index: number;
  name?: string;
  type: string;
  /** `options.path`: a folder (or file) inside the Grafana container. */
  optionsPath?: string;
}

export interface ProviderFile {
  yaml: YamlDocument;
  file: string;
  root: YamlValue;
  providers: DashboardProvider[];
}

/** Provisioning values may hold `$VAR` / `${VAR}` (expanded from Grafana's environment); `$$` escapes. */
export const hasEnvReference = (s: string) => /\$(?!\$)(\{?\w)/.test(s.replace(/\$\$/g, ''));

export function loadDatasourceFile(yaml: YamlDocument): DatasourceFile {
  const root = YamlValue.root(yaml);
  const datasources = (root.get('datasources')?.items() ?? []).map((value, index): ProvisionedDatasource => {
    const text = (key: string) => value.get(key)?.string();
    const name = text('name');
    const uid = text('uid') || undefined;
    const computable = name !== undefined && !hasEnvReference(name);
    const orgId = value.get('orgId')?.number();
    return {
      yaml,
      file: yaml.source.path,
      value,
      index,
      name,
      type: text('type'),
      uid,
      effectiveUid: uid ?? (computable ? computedDatasourceUid(name!) : undefined),
      computed: uid === undefined,
      url: text('url'),
      isDefault: value.get('isDefault')?.boolean() === true,
      orgId: orgId !== undefined && orgId > 0 ? orgId : 1,
    };
  });
  return { yaml, file: yaml.source.path, root, datasources };
}

export function loadProviderFile(yaml: YamlDocument): ProviderFile {
  const root = YamlValue.root(yaml);
  return {
    yaml,
    file: yaml.source.path,
    root,
    providers: (root.get('providers')?.items() ?? []).map((value, index) => ({
      yaml,
      file: yaml.source.path,
      value,
      index,
      name: value.get('name')?.string(),
      type: value.get('type')?.string() ?? 'file',
      optionsPath: value.at('options', 'path')?.string(),
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboards

export type { JsonPath };

/** A `datasource` value somewhere in a dashboard. */
export interface DatasourceRef {
  /** The `datasource` value; undefined when the property is absent. */
  node?: JsonValue;
  value: unknown;
  where: 'panel' | 'target' | 'annotation' | 'variable';
  /** The object that holds it (panel, target, annotation, variable). */
  owner: JsonValue;
  /** For targets: the panel's reference (what an absent target datasource inherits). */
  parent?: DatasourceRef;
  /** For targets: the panel they belong to. */
  panel?: JsonValue;
}

export interface TemplateVariable {
  name: string;
  type: string;
  /** The variable's object in `templating.list`. */
  node: JsonValue;
  /** For `datasource` variables: the plugin id (`prometheus`, `loki`). */
  pluginId?: string;
  regex?: string;
  /** For constant/custom/textbox variables: the value as written. */
  value?: string;
  datasource?: DatasourceRef;
}

export interface DashboardInput {
  name: string;
  type: string;
  pluginId?: string;
  label?: string;
  /** The input's object in `__inputs`. */
  node: JsonValue;
}

/** A query expression (PromQL or LogQL) in a target, annotation or query variable. */
export interface DashboardQuery {
  text: string;
  /** The string value. */
  value: JsonValue;
  where: 'target' | 'annotation' | 'variable';
  /** The target, annotation or variable it belongs to. */
  owner: JsonValue;
  /** For targets: their panel. */
  panel?: JsonValue;
  /** The datasource reference in force for it (own, else inherited from the panel). */
  ref?: DatasourceRef;
  /** The variable, for variable queries. */
  variable?: TemplateVariable;
}

export interface Dashboard {
  doc: JsonDocument;
  file: string;
  source: SourceFile;
  /** [] or ['dashboard'] for `{"dashboard": {...}}` files (the API's import/save body). */
  base: JsonPath;
  /** The dashboard object (for a wrapped file, the value of `dashboard`); undefined when the file gave no tree. */
  root?: JsonValue;
  /** What a strict JSON reader (Grafana) refuses in it: syntax errors, comments, trailing commas. */
  problems: JsonSyntaxProblem[];
  /** A syntax error among them: the tolerant parse's tree may be partial, so the dashboard is not analysed. */
  hasSyntaxError: boolean;
  title?: string;
  uid?: string;
  refs: DatasourceRef[];
  variables: TemplateVariable[];
  inputs: DashboardInput[];
  queries: DashboardQuery[];
}

export function loadDashboard(source: SourceFile): Dashboard {
  const doc = parseJson(source);
  const top = JsonValue.at(doc, []);
  const wrapped = !top?.get('panels')?.isArray() && !!top?.get('dashboard')?.isObject();
  const base: JsonPath = wrapped ? ['dashboard'] : [];
  const root = wrapped ? top?.get('dashboard') : top;
  const refs: DatasourceRef[] = [];
  const queries: DashboardQuery[] = [];
  const ref = (owner: JsonValue, where: DatasourceRef['where'], parent?: DatasourceRef, panel?: JsonValue): DatasourceRef => {
    const node = owner.get('datasource');
    const r: DatasourceRef = { node, value: node?.js, where, owner, parent, panel };
    refs.push(r);
    return r;
  };
  const query = (owner: JsonValue, key: string, q: Omit<DashboardQuery, 'text' | 'value' | 'owner'>) => {
    const value = owner.get(key);
    const text = value?.string();
    if (value && text !== undefined && text.trim() !== '') queries.push({ text, value, owner, ...q });
  };

  const walkPanels = (list: JsonValue | undefined) => {
    for (const p of list?.items() ?? []) {
      if (!p.isObject()) continue;
      const panelRef = ref(p, 'panel');
      for (const t of p.get('targets')?.items() ?? []) {
        if (!t.isObject()) continue;
        // A target without its own datasource (absent or null) runs against the panel's.
        const own = t.get('datasource') ? ref(t, 'target', panelRef, p) : undefined;
        query(t, 'expr', { where: 'target', panel: p, ref: own && own.value !== null && own.value !== undefined ? own : panelRef });
      }
      walkPanels(p.get('panels'));
    }
  };
  walkPanels(root?.get('panels'));
  // Dashboards older than schema 16 keep panels in rows.
  for (const r of root?.get('rows')?.items() ?? []) if (r.isObject()) walkPanels(r.get('panels'));

  for (const a of root?.at('annotations', 'list')?.items() ?? []) {
    if (!a.isObject()) continue;
    query(a, 'expr', { where: 'annotation', ref: ref(a, 'annotation') });
  }

  const variables: TemplateVariable[] = [];
  for (const v of root?.at('templating', 'list')?.items() ?? []) {
    const name = v.get('name')?.string();
    if (!v.isObject() || name === undefined) continue;
    const type = v.get('type')?.string() ?? 'query';
    const q = v.get('query');
    const variable: TemplateVariable = { name, type, node: v };
    if (type === 'datasource') {
      variable.pluginId = q?.string();
      variable.regex = v.get('regex')?.string() || undefined;
    } else if (type === 'constant' || type === 'textbox' || type === 'custom') {
      variable.value = v.at('current', 'value')?.string() ?? q?.string();
    } else if (type === 'query') {
      variable.datasource = ref(v, 'variable');
      if (q?.string() !== undefined) query(v, 'query', { where: 'variable', ref: variable.datasource, variable });
      else if (q?.isObject()) query(q, 'query', { where: 'variable', ref: variable.datasource, variable });
    } else if (type === 'adhoc') {
      variable.datasource = ref(v, 'variable');
    }
    variables.push(variable);
  }

  const inputs: DashboardInput[] = [];
  // __inputs lives at the top of the export (for a wrapped file: inside dashboard).
  for (const x of root?.get('__inputs')?.items() ?? []) {
    const name = x.get('name')?.string();
    if (!x.isObject() || name === undefined) continue;
    inputs.push({ name, type: x.get('type')?.string() ?? 'datasource', pluginId: x.get('pluginId')?.string(), label: x.get('label')?.string(), node: x });
  }

  const uid = root?.get('uid')?.string();
  return {
    doc,
    file: source.path,
    source,
    base,
    root,
    problems: doc.problems,
    hasSyntaxError: doc.problems.some((p) => p.kind === 'syntax'),
    title: root?.get('title')?.string(),
    uid: uid === '' ? undefined : uid,
    refs,
    variables,
    inputs,
    queries,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Resolution (public/app/features/plugins/datasource_srv.ts getInstanceSettings)

/** UIDs Grafana always knows: built-in datasources and expressions. */
export const SPECIAL_UIDS = new Set(['-- Grafana --', 'grafana', '-- Mixed --', '-- Dashboard --', '__expr__', '-100']);

export type Resolution =
  /** A built-in (`-- Grafana --`, `-- Mixed --`, `-- Dashboard --`, `__expr__`). */
  | { kind: 'special'; key: string }
  /** null / absent / "default": the org's default datasource (undefined when none is marked isDefault). */
  | { kind: 'default'; datasource?: ProvisionedDatasource }
  /** Found by UID; `computed` when that UID is the one Grafana computes from the name. */
  | { kind: 'uid'; datasource: ProvisionedDatasource; computed: boolean }
  /** Found only by name (Grafana's fallback after UID). */
  | { kind: 'name'; datasource: ProvisionedDatasource }
  /** A datasource variable (`${DS}`); `candidates` are the provisioned datasources it can take. */
  | { kind: 'variable'; variable: TemplateVariable; candidates: ProvisionedDatasource[] }
  /** `${NAME}` from `__inputs` with no variable of that name: only the import flow substitutes it. */
  | { kind: 'input'; input: DashboardInput; name: string }
  /** A `$name` that no variable defines. */
  | { kind: 'unknown-variable'; name: string }
  /** A numeric id: provisioned ids are not known from files. */
  | { kind: 'id'; key: string }
  /** Nothing of that UID or name. */
  | { kind: 'not-found'; key: string };

/** The key Grafana looks up: a string ref as is, an object's uid. */
export function refKey(value: unknown): string | null | undefined {
  if (value === null || value === undefined) return value as null | undefined;
  if (typeof value === 'string') return value;
  if (isObject(value)) return typeof value.uid === 'string' ? value.uid : value.uid === undefined ? undefined : null;
  return undefined;
}

export function refType(value: unknown): string | undefined {
  return isObject(value) && typeof value.type === 'string' ? value.type : undefined;
}

const VAR_REF = /^\$\{?(\w+)(?::\w+)?\}?$/;

export function resolveRef(value: unknown, dashboard: Dashboard, datasources: ProvisionedDatasource[]): Resolution {
  const key = refKey(value);
  const org = datasources.filter((d) => d.orgId === 1);
  if (key === null || key === undefined || key === '' || key === 'default') {
    return { kind: 'default', datasource: org.find((d) => d.isDefault) };
  }
  if (SPECIAL_UIDS.has(key)) return { kind: 'special', key };
  const v = VAR_REF.exec(key);
  if (v || key.includes('${') || key.startsWith('$')) {
    const name = v?.[1] ?? /\$\{?(\w+)/.exec(key)?.[1] ?? key;
    const variable = dashboard.variables.find((x) => x.name === name);
    if (variable?.type === 'datasource') {
      const re = variable.regex ? safeRegex(variable.regex) : undefined;
      const candidates = org.filter((d) => d.type === variable.pluginId && (!re || (d.name !== undefined && re.test(d.name))));
      return { kind: 'variable', variable, candidates };
    }
    if (variable && variable.value !== undefined) return resolveRef(variable.value, dashboard, datasources);
    if (variable) return { kind: 'variable', variable, candidates: [] };
    const input = dashboard.inputs.find((i) => i.name === name);
    if (input) return { kind: 'input', input, name };
    return { kind: 'unknown-variable', name };
  }
  const byUid = org.find((d) => d.effectiveUid === key);
  if (byUid) return { kind: 'uid', datasource: byUid, computed: byUid.computed };
  const byName = org.find((d) => d.name === key);
  if (byName) return { kind: 'name', datasource: byName };
  if (/^\d+$/.test(key)) return { kind: 'id', key };
  return { kind: 'not-found', key };
}

/** Grafana variable regexes are written `/re/flags` or bare. */
function safeRegex(text: string): RegExp | undefined {
  try {
    const m = /^\/(.*)\/([gimsuy]*)$/s.exec(text);
    return m ? new RegExp(m[1], m[2].replace('g', '')) : new RegExp(text);
  } catch {
    return undefined;
  }
}

/** The datasource type a query runs against: the ref's type, else what it resolves to, else a variable's plugin. */
export function queryDatasourceType(q: DashboardQuery, dashboard: Dashboard, datasources: ProvisionedDatasource[]): string | undefined {
  const r = q.ref;
  const explicit = r ? refType(r.value) : undefined;
  if (explicit && !explicit.startsWith('$')) return explicit;
  const value = r?.value ?? (r?.where === 'target' ? r.parent?.value : undefined);
  const res = resolveRef(value, dashboard, datasources);
  switch (res.kind) {
    case 'uid':
    case 'name':
      return res.datasource.type;
    case 'default':
      return res.datasource?.type;
    case 'variable':
      return res.variable.pluginId ?? res.candidates[0]?.type;
    case 'input':
      return res.input.pluginId;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The Grafana part of a stack

export interface GrafanaStack {
  datasourceFiles: DatasourceFile[];
  providerFiles: ProviderFile[];
  dashboards: Dashboard[];
  /** Every provisioned datasource, in file order. */
  datasources: ProvisionedDatasource[];
}

export function loadGrafana(files: { kind: FileKind; source: SourceFile }[], yaml: Map<string, YamlDocument>): GrafanaStack {
  const datasourceFiles: DatasourceFile[] = [];
  const providerFiles: ProviderFile[] = [];
  const dashboards: Dashboard[] = [];
  for (const f of files) {
    const y = yaml.get(f.source.path);
    if (f.kind === 'grafana-datasources' && y) datasourceFiles.push(loadDatasourceFile(y));
    else if (f.kind === 'grafana-dashboards' && y) providerFiles.push(loadProviderFile(y));
    else if (f.kind === 'dashboard') dashboards.push(loadDashboard(f.source));
  }
  return { datasourceFiles, providerFiles, dashboards, datasources: datasourceFiles.flatMap((f) => f.datasources) };
}
