import { createHash } from 'node:crypto';
import type { FileKind } from '../discover/classify.js';
import { findNode, parseJson, type JsonDocument, type JsonNode } from '../load/json.js';
import type { SourceFile } from '../load/source.js';
import type { YamlDocument, YamlPath } from '../load/yaml.js';

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
  /** ['datasources', i] */
  path: YamlPath;
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
  raw: Record<string, unknown>;
}

export interface DatasourceFile {
  yaml: YamlDocument;
  file: string;
  datasources: ProvisionedDatasource[];
}

export interface DashboardProvider {
  yaml: YamlDocument;
  file: string;
  path: YamlPath;
  name?: string;
  type: string;
  /** `options.path`: a folder (or file) inside the Grafana container. */
  optionsPath?: string;
  raw: Record<string, unknown>;
}

export interface ProviderFile {
  yaml: YamlDocument;
  file: string;
  providers: DashboardProvider[];
}

/** Provisioning values may hold `$VAR` / `${VAR}` (expanded from Grafana's environment); `$$` escapes. */
export const hasEnvReference = (s: string) => /\$(?!\$)(\{?\w)/.test(s.replace(/\$\$/g, ''));

export function loadDatasourceFile(yaml: YamlDocument): DatasourceFile {
  const root = isObject(yaml.value) ? yaml.value : {};
  const list = Array.isArray(root.datasources) ? root.datasources : [];
  const datasources = list.map((d, index): ProvisionedDatasource => {
    const raw = isObject(d) ? d : {};
    const name = typeof raw.name === 'string' ? raw.name : undefined;
    const uid = typeof raw.uid === 'string' && raw.uid !== '' ? raw.uid : undefined;
    const computable = name !== undefined && !hasEnvReference(name);
    return {
      yaml,
      file: yaml.source.path,
      path: ['datasources', index],
      index,
      name,
      type: typeof raw.type === 'string' ? raw.type : undefined,
      uid,
      effectiveUid: uid ?? (computable ? computedDatasourceUid(name!) : undefined),
      computed: uid === undefined,
      url: typeof raw.url === 'string' ? raw.url : undefined,
      isDefault: raw.isDefault === true,
      orgId: typeof raw.orgId === 'number' && raw.orgId > 0 ? raw.orgId : 1,
      raw,
    };
  });
  return { yaml, file: yaml.source.path, datasources };
}

export function loadProviderFile(yaml: YamlDocument): ProviderFile {
  const root = isObject(yaml.value) ? yaml.value : {};
  const list = Array.isArray(root.providers) ? root.providers : [];
  return {
    yaml,
    file: yaml.source.path,
    providers: list.map((p, i) => {
      const raw = isObject(p) ? p : {};
      const options = isObject(raw.options) ? raw.options : {};
      return {
        yaml,
        file: yaml.source.path,
        path: ['providers', i],
        name: typeof raw.name === 'string' ? raw.name : undefined,
        type: typeof raw.type === 'string' ? raw.type : 'file',
        optionsPath: typeof options.path === 'string' ? options.path : undefined,
        raw,
      };
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboards

export type JsonPath = (string | number)[];

/** A `datasource` value somewhere in a dashboard. */
export interface DatasourceRef {
  /** Path of the `datasource` property (absent property: the path it would have). */
  path: JsonPath;
  /** The value node; undefined when the property is absent. */
  node?: JsonNode;
  value: unknown;
  where: 'panel' | 'target' | 'annotation' | 'variable';
  /** Path of the object that holds it (panel, target, annotation, variable). */
  ownerPath: JsonPath;
  /** For targets: the panel's reference (what an absent target datasource inherits). */
  parent?: DatasourceRef;
}

export interface TemplateVariable {
  name: string;
  type: string;
  path: JsonPath;
  /** For `datasource` variables: the plugin id (`prometheus`, `loki`). */
  pluginId?: string;
  regex?: string;
  /** For constant/custom/textbox variables: the value as written. */
  value?: string;
  datasource?: DatasourceRef;
  /** For query variables: the query text and where it is. */
  query?: { text: string; path: JsonPath; node: JsonNode };
}

export interface DashboardInput {
  name: string;
  type: string;
  pluginId?: string;
  label?: string;
  path: JsonPath;
}

/** A query expression (PromQL or LogQL) in a target, annotation or query variable. */
export interface DashboardQuery {
  text: string;
  /** Path of the string. */
  path: JsonPath;
  node: JsonNode;
  where: 'target' | 'annotation' | 'variable';
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
  model: Record<string, unknown>;
  title?: string;
  uid?: string;
  refs: DatasourceRef[];
  variables: TemplateVariable[];
  inputs: DashboardInput[];
  queries: DashboardQuery[];
}

export function loadDashboard(source: SourceFile): Dashboard {
  const doc = parseJson(source);
  const value = isObject(doc.value) ? doc.value : {};
  const wrapped = !Array.isArray(value.panels) && isObject(value.dashboard);
  const base: JsonPath = wrapped ? ['dashboard'] : [];
  const model = (wrapped ? value.dashboard : value) as Record<string, unknown>;
  const at = (path: JsonPath) => findNode(doc.root, [...base, ...path]);
  const refs: DatasourceRef[] = [];
  const queries: DashboardQuery[] = [];
  const ref = (owner: JsonPath, obj: Record<string, unknown>, where: DatasourceRef['where'], parent?: DatasourceRef): DatasourceRef => {
    const path = [...owner, 'datasource'];
    const r: DatasourceRef = { path, node: 'datasource' in obj ? at(path) : undefined, value: obj.datasource, where, ownerPath: owner, parent };
    refs.push(r);
    return r;
  };
  const query = (obj: Record<string, unknown>, owner: JsonPath, key: string, where: DashboardQuery['where'], r?: DatasourceRef, variable?: TemplateVariable) => {
    const text = obj[key];
    if (typeof text !== 'string' || text.trim() === '') return;
    const node = at([...owner, key]);
    if (node) queries.push({ text, path: [...owner, key], node, where, ref: r, variable });
  };

  const walkPanels = (list: unknown, owner: JsonPath) => {
    if (!Array.isArray(list)) return;
    list.forEach((p, i) => {
      if (!isObject(p)) return;
      const path = [...owner, i];
      const panelRef = ref(path, p, 'panel');
      if (Array.isArray(p.targets)) {
        p.targets.forEach((t, k) => {
          if (!isObject(t)) return;
          const tpath = [...path, 'targets', k];
          // A target without its own datasource (absent or null) runs against the panel's.
          const own = 'datasource' in t ? ref(tpath, t, 'target', panelRef) : undefined;
          query(t, tpath, 'expr', 'target', own && own.value !== null && own.value !== undefined ? own : panelRef);
        });
      }
      walkPanels(p.panels, [...path, 'panels']);
    });
  };
  walkPanels(model.panels, ['panels']);
  // Dashboards older than schema 16 keep panels in rows.
  if (Array.isArray(model.rows)) model.rows.forEach((r, i) => isObject(r) && walkPanels(r.panels, ['rows', i, 'panels']));

  const annotations = isObject(model.annotations) && Array.isArray(model.annotations.list) ? model.annotations.list : [];
  annotations.forEach((a, i) => {
    if (!isObject(a)) return;
    const path = ['annotations', 'list', i];
    const r = ref(path, a, 'annotation');
    query(a, path, 'expr', 'annotation', r);
  });

  const variables: TemplateVariable[] = [];
  const templating = isObject(model.templating) && Array.isArray(model.templating.list) ? model.templating.list : [];
  templating.forEach((v, i) => {
    if (!isObject(v) || typeof v.name !== 'string') return;
    const path = ['templating', 'list', i];
    const type = typeof v.type === 'string' ? v.type : 'query';
    const current = isObject(v.current) ? v.current : {};
    const variable: TemplateVariable = { name: v.name, type, path };
    if (type === 'datasource') {
      variable.pluginId = typeof v.query === 'string' ? v.query : undefined;
      variable.regex = typeof v.regex === 'string' && v.regex !== '' ? v.regex : undefined;
    } else if (type === 'constant' || type === 'textbox' || type === 'custom') {
      const cur = typeof current.value === 'string' ? current.value : typeof v.query === 'string' ? v.query : undefined;
      variable.value = cur;
    } else if (type === 'query') {
      variable.datasource = ref(path, v, 'variable');
      if (typeof v.query === 'string') query(v, path, 'query', 'variable', variable.datasource, variable);
      else if (isObject(v.query) && typeof v.query.query === 'string') query(v.query, [...path, 'query'], 'query', 'variable', variable.datasource, variable);
    } else if (type === 'adhoc') {
      variable.datasource = ref(path, v, 'variable');
    }
    if (variable.query === undefined) {
      const q = queries.find((x) => x.variable === variable);
      if (q) variable.query = { text: q.text, path: q.path, node: q.node };
    }
    variables.push(variable);
  });

  const inputs: DashboardInput[] = [];
  // __inputs lives at the top of the export (for a wrapped file: inside dashboard).
  const inputList = Array.isArray(model.__inputs) ? model.__inputs : [];
  inputList.forEach((x, i) => {
    if (!isObject(x) || typeof x.name !== 'string') return;
    inputs.push({
      name: x.name,
      type: typeof x.type === 'string' ? x.type : 'datasource',
      pluginId: typeof x.pluginId === 'string' ? x.pluginId : undefined,
      label: typeof x.label === 'string' ? x.label : undefined,
      path: ['__inputs', i],
    });
  });

  return {
    doc,
    file: source.path,
    source,
    base,
    model,
    title: typeof model.title === 'string' ? model.title : undefined,
    uid: typeof model.uid === 'string' && model.uid !== '' ? model.uid : undefined,
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
