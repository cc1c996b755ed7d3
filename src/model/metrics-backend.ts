import {
  hasEnvReference,
  refKey,
  refType,
  resolveRef,
  type Dashboard,
  type DashboardQuery,
  type ProvisionedDatasource,
  type TemplateVariable,
} from './grafana.js';

/**
 * The engine that evaluates a dashboard's PromQL query, as far as the files tell. VictoriaMetrics runs its own
 * MetricsQL engine behind a Prometheus-compatible API, and some functions differ (its increase() counts a new
 * series' small first sample); `prometheus` stands for Prometheus' engine (also inside Thanos, Mimir, Cortex).
 */
export interface MetricsBackend {
  engine: 'victoriametrics' | 'prometheus';
  /**
   * How it is known: the provisioned datasource the query resolves to (surest); the dashboard's own words (a
   * datasource UID, a variable's current value, an import input naming VictoriaMetrics); or nothing (assumed).
   */
  from: 'datasource' | 'dashboard' | 'assumed';
  /** What says so, for messages (a URL's port or host, never the URL: it may hold credentials). */
  evidence?: string;
}

const NAMES_VM = /victoria[-_]?metrics|vmselect|vmsingle/i;

/** A provisioned datasource's VictoriaMetrics sign, or undefined: its plugin, its URL, or its name or UID. */
export function victoriaMetricsSign(ds: Pick<ProvisionedDatasource, 'type' | 'url' | 'name' | 'uid'>): string | undefined {
  if (ds.type === 'victoriametrics-metrics-datasource') return `type ${ds.type}`;
  const url = parseUrl(ds.url);
  // 8428: single-node VictoriaMetrics' HTTP port; /select/<tenant>/prometheus: the cluster's vmselect API.
  if (url?.port === '8428') return 'url on port 8428';
  if (url && NAMES_VM.test(url.hostname)) return `url host ${url.hostname}`;
  if (url && (NAMES_VM.test(url.pathname) || /\/select\/\d+(:\d+)?\/prometheus/.test(url.pathname))) return `url path ${url.pathname}`;
  if (NAMES_VM.test(ds.name ?? '') || NAMES_VM.test(ds.uid ?? '')) return 'its name';
  return undefined;
}

function parseUrl(text: string | undefined): URL | undefined {
  if (!text) return undefined;
  try {
    return new URL(/^\w+:\/\//.test(text) ? text : `http://${text}`);
  } catch {
    return undefined;
  }
}

/** The backend of a PromQL query: from the provisioned datasource it resolves to, else the dashboard's words, else assumed Prometheus. */
export function metricsBackend(q: DashboardQuery, dashboard: Dashboard, datasources: ProvisionedDatasource[]): MetricsBackend {
  const r = q.ref;
  const value = r?.value ?? (r?.where === 'target' ? r.parent?.value : undefined);
  const ds = resolvedDatasource(value, dashboard, datasources);
  if (ds) {
    const sign = victoriaMetricsSign(ds);
    const name = `datasource "${ds.name ?? ds.uid ?? ds.index}"`;
    if (sign) return { engine: 'victoriametrics', from: 'datasource', evidence: `${name}, ${sign}` };
    // A URL read from Grafana's environment (`$PROM_URL`), or none, says nothing about the engine behind it.
    if (ds.url && !hasEnvReference(ds.url) && parseUrl(ds.url)) return { engine: 'prometheus', from: 'datasource', evidence: name };
  }
  const words = dashboardWords(value, dashboard).find((w) => NAMES_VM.test(w.text));
  if (words) return { engine: 'victoriametrics', from: 'dashboard', evidence: words.what };
  return { engine: 'prometheus', from: 'assumed' };
}

/** The one provisioned datasource a reference resolves to (a datasource variable: its current value, or its only candidate). */
function resolvedDatasource(value: unknown, dashboard: Dashboard, datasources: ProvisionedDatasource[]): ProvisionedDatasource | undefined {
  const res = resolveRef(value, dashboard, datasources);
  switch (res.kind) {
    case 'uid':
    case 'name':
    case 'default':
      return res.datasource;
    case 'variable': {
      const current = currentValues(res.variable);
      if (current.length > 0) return res.candidates.find((d) => current.some((c) => c === d.name || c === d.effectiveUid));
      return res.candidates.length === 1 ? res.candidates[0] : undefined;
    }
    default:
      return undefined;
  }
}

/** A datasource variable's saved selection (`current.value`, `current.text`): a datasource name or UID. */
function currentValues(v: TemplateVariable): string[] {
  return ['value', 'text'].flatMap((k) => v.node.at('current', k)?.string() ?? []).filter((s) => s !== '' && !s.startsWith('$'));
}

/** What the dashboard itself says about a reference's datasource: its UID, type, variable or import input. */
function dashboardWords(value: unknown, dashboard: Dashboard): { text: string; what: string }[] {
  const words: { text: string; what: string }[] = [];
  const type = refType(value);
  if (type) words.push({ text: type, what: `the dashboard's datasource type ${type}` });
  const key = refKey(value);
  if (!key) return words;
  const name = /^\$\{?(\w+)/.exec(key)?.[1];
  if (!name) return [...words, { text: key, what: `the dashboard's datasource "${key}"` }];
  const variable = dashboard.variables.find((v) => v.name === name);
  if (variable?.type === 'datasource')
    for (const c of currentValues(variable)) words.push({ text: c, what: `the dashboard's datasource variable "${name}", set to "${c}"` });
  const input = dashboard.inputs.find((i) => i.name === name);
  if (input)
    words.push({ text: `${input.name} ${input.label ?? ''}`, what: `the dashboard's import input ${input.name}${input.label ? ` ("${input.label}")` : ''}` });
  return words;
}
