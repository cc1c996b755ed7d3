import { nearest } from '../util/distance.js';
import type { JsonNode } from '../load/json.js';
import type { JsonValue } from '../load/json-value.js';
import { grafanaServices } from './grafana-placement.js';
import { queryDatasourceType, type Dashboard, type DashboardQuery, type DatasourceRef } from './grafana.js';
import { knownClaudeNames, metricsView, type KnownName } from './grafana-pipelines.js';
import { looksLikeLogQL, parseLogQL, parsePromQL, parseVariableQuery, type ParsedLogQL, type ParsedPromQL, type VariableQuery } from './promql.js';
import type { Workspace } from './workspace.js';
import type { Location, TextEdit } from '../types.js';
import { fact } from './facts.js';

/**
 * Where a finding about a whole dashboard points: its object's opening brace, or, for a file that gave no tree
 * (nested too deep), where reading it stopped.
 */
export function atDashboard(d: Dashboard): Location {
  if (d.root) return d.root.location();
  const p = d.problems[0];
  return { file: d.file, range: p ? d.source.range(p.offset, p.length) : d.source.range(0, d.source.text.length) };
}

/**
 * Offsets inside a JSON string value: character i of the decoded string starts at map[i] in the file
 * (escapes like \" and \u0041 take more than one character in the file). map[length] is the closing quote.
 */
export function stringOffsets(node: JsonNode, text: string): number[] {
  const raw = text.slice(node.offset + 1, node.offset + node.length - 1);
  const map: number[] = [];
  for (let i = 0; i < raw.length; ) {
    map.push(node.offset + 1 + i);
    if (raw[i] === '\\') i += raw[i + 1] === 'u' ? 6 : 2;
    else i += 1;
  }
  map.push(node.offset + node.length - 1);
  return map;
}

/** The file range of [from, to) of a query string. */
export function queryRange(d: Dashboard, q: { value: JsonValue }, from: number, to: number) {
  const map = stringOffsets(q.value.node, d.source.text);
  const start = map[Math.min(from, map.length - 1)];
  const end = map[Math.min(to, map.length - 1)];
  return d.source.range(start, end - start);
}

/** Replace [from, to) of a query string with `text` (JSON-escaped), leaving the rest of the file as it is. */
export function queryEdit(d: Dashboard, q: { value: JsonValue }, from: number, to: number, text: string): TextEdit {
  const map = stringOffsets(q.value.node, d.source.text);
  const start = map[Math.min(from, map.length - 1)];
  const end = map[Math.min(to, map.length - 1)];
  return { file: d.file, offset: start, length: end - start, text: JSON.stringify(text).slice(1, -1) };
}

export interface AnalysedQuery {
  dashboard: Dashboard;
  query: DashboardQuery;
  language: 'promql' | 'logql';
  promql?: ParsedPromQL;
  /** For a variable query: label_values()/query_result() parts; offsets of `promql` are relative to `offset`. */
  variable?: VariableQuery;
  /** Added to offsets of `promql` to get offsets in the query string. */
  offset: number;
  logql?: ParsedLogQL;
}

const DASHBOARD_QUERIES = fact<AnalysedQuery[]>('dashboard queries');

/** Every query of every dashboard, with its language (from its datasource) and parse; parsed once per workspace. */
export function dashboardQueries(ws: Workspace): AnalysedQuery[] {
  return ws.facts.get(DASHBOARD_QUERIES, () => analyseQueries(ws));
}

function analyseQueries(ws: Workspace): AnalysedQuery[] {
  const list: AnalysedQuery[] = [];
  const datasources = ws.stack.grafana.datasources;
  for (const d of ws.stack.grafana.dashboards) {
    if (d.hasSyntaxError) continue;
    for (const q of d.queries) {
      const type = queryDatasourceType(q, d, datasources);
      const language =
        type === 'loki' ? 'logql' : type === 'prometheus' ? 'promql' : type === undefined ? (looksLikeLogQL(q.text) ? 'logql' : 'promql') : undefined;
      if (!language) continue;
      if (language === 'logql') {
        if (q.where !== 'variable') list.push({ dashboard: d, query: q, language, logql: parseLogQL(q.text), offset: 0 });
        continue;
      }
      if (q.where === 'variable') {
        const variable = parseVariableQuery(q.text);
        if (variable.promql || variable.label)
          list.push({ dashboard: d, query: q, language, variable, promql: variable.promql?.parsed, offset: variable.promql?.offset ?? 0 });
        continue;
      }
      list.push({ dashboard: d, query: q, language, promql: parsePromQL(q.text), offset: 0 });
    }
  }
  return list;
}

const knownWithCreated = new Map<string, ReadonlyMap<string, KnownName>>();

/**
 * Every series name a Claude Code metric can have, with the namespaces configured in this workspace. Built once
 * per list of namespaces (most workspaces share one) and shared: callers must not change it.
 */
export function knownNames(ws: Workspace): ReadonlyMap<string, KnownName> {
  const namespaces = metricsView(ws).namespaces;
  const key = JSON.stringify(namespaces);
  const known = knownWithCreated.get(key);
  if (known) return known;
  const names = new Map(knownClaudeNames(namespaces));
  // OpenMetrics exposition (enable_open_metrics) adds a `_created` series per counter.
  for (const [name, k] of [...names]) if (name.endsWith('_total')) names.set(`${name.slice(0, -'_total'.length)}_created`, k);
  knownWithCreated.set(key, names);
  return names;
}

/** A name that claims to be a Claude Code series: `claude_code_…`, a configured namespace + `_claude_code_…`, or a dotted UTF-8 name. */
export function looksLikeClaudeName(ws: Workspace, name: string): boolean {
  if (name.startsWith('claude_code_') || name.startsWith('claude_code.')) return true;
  return metricsView(ws).namespaces.some((ns) => name.startsWith(`${ns}_claude_code_`));
}

/** Grafana is part of this workspace: a Grafana service in compose, or provisioning files. */
export function grafanaPresent(ws: Workspace): boolean {
  const g = ws.stack.grafana;
  return g.datasourceFiles.length > 0 || g.providerFiles.length > 0 || grafanaServices(ws).length > 0;
}

export function dashboardName(d: Dashboard): string {
  return d.title ? `"${d.title}"` : d.file.split(/[\\/]/).pop()!;
}

/** Words that identify each Claude Code metric in a mistyped name. */
const METRIC_WORDS: Record<string, string[]> = {
  'claude_code.session.count': ['session', 'sessions'],
  'claude_code.lines_of_code.count': ['lines', 'loc'],
  'claude_code.pull_request.count': ['pull', 'request', 'pr', 'prs'],
  'claude_code.commit.count': ['commit', 'commits'],
  'claude_code.cost.usage': ['cost', 'usd', 'spend'],
  'claude_code.token.usage': ['token', 'tokens'],
  'claude_code.code_edit_tool.decision': ['decision', 'decisions', 'edit'],
  'claude_code.active_time.total': ['active', 'time'],
};

/** The Claude Code metric a (wrong) name most likely means. */
export function guessMetric(name: string, known: ReadonlyMap<string, KnownName>): string | undefined {
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== 'claude' && w !== 'code');
  let best: string | undefined;
  let bestScore = 0;
  for (const [otel, keys] of Object.entries(METRIC_WORDS)) {
    const score = keys.filter((k) => words.includes(k)).length;
    if (score > bestScore) {
      best = otel;
      bestScore = score;
    }
  }
  if (best) return best;
  const names = [...known].filter(([, k]) => k.otel !== 'target_info').map(([n]) => n);
  const near = nearest(name, names, Number.POSITIVE_INFINITY)?.names[0];
  return near === undefined ? undefined : known.get(near)?.otel;
}

/** The name this workspace gives a Claude Code metric (the first pipeline that keeps it), else the collector default. */
export function workspaceName(ws: Workspace, otel: string): { name: string; from?: string } | undefined {
  for (const p of metricsView(ws).pipelines) {
    const s = p.series.find((x) => x.otel === otel && !x.dropped);
    if (s) return { name: s.name, from: p.describe };
  }
  for (const [name, k] of knownClaudeNames()) if (k.otel === otel) return { name };
  return undefined;
}

export interface MetricUse {
  aq: AnalysedQuery;
  name: string;
  /** Offsets of the name in the query string (inside the quotes for `{__name__="…"}` / `{"…"}`). */
  from: number;
  to: number;
  selector: import('./promql.js').PromSelector;
}

/** Every metric name a PromQL query of a dashboard selects (templated names left out). */
export function metricUses(ws: Workspace): MetricUse[] {
  const out: MetricUse[] = [];
  for (const aq of dashboardQueries(ws)) {
    for (const sel of aq.promql?.selectors ?? []) {
      const m = sel.metric;
      if (!m || m.templated || m.name === '') continue;
      const quoted = m.viaMatcher;
      out.push({ aq, name: m.name, from: aq.offset + m.from + (quoted ? 1 : 0), to: aq.offset + m.to - (quoted ? 1 : 0), selector: sel });
    }
  }
  return out;
}

/** Where [from, to) of a query string is, as a finding location (with the query's JSON pointer). */
export function atQuery(aq: AnalysedQuery, from: number, to: number): Location {
  return { ...aq.query.value.location(), range: queryRange(aq.dashboard, aq.query, from, to) };
}

/** Where a metric use is, as a finding location. */
export function atUse(u: { aq: AnalysedQuery; from: number; to: number }): Location {
  return atQuery(u.aq, u.from, u.to);
}

/** What a query belongs to, for messages: `panel "Total Cost"`, `variable "model"`. */
export function queryOwner(aq: AnalysedQuery): string {
  const q = aq.query;
  if (q.where === 'variable') return `variable "${q.variable?.name ?? '?'}"`;
  if (q.where === 'annotation') return `annotation "${String(q.owner.get('name')?.js ?? '?')}"`;
  const title = q.panel?.get('title')?.string();
  return title ? `panel "${title}"` : 'a panel';
}

const REF_OWNER: Record<DatasourceRef['where'], string> = { panel: 'panel', target: 'query', annotation: 'annotation', variable: 'variable' };

/** What a datasource reference belongs to, for messages: `panel "Cost"`, `query A of panel "Cost"`, `variable`. */
export function refOwner(r: DatasourceRef): string {
  const text = (v: JsonValue | undefined, key: string) => v?.get(key)?.string();
  if (r.where === 'target') {
    const title = text(r.panel, 'title');
    return `query ${text(r.owner, 'refId') ?? ''} of panel ${title !== undefined ? `"${title}"` : ''}`.replace(/\s+/g, ' ').trim();
  }
  const title = text(r.owner, 'title') ?? text(r.owner, 'name');
  return title ? `${REF_OWNER[r.where]} "${title}"` : REF_OWNER[r.where];
}

/** Every string value of a dashboard that mentions `${NAME}` (or `$NAME`), `__inputs` left out. */
export function mentionsOf(d: Dashboard, name: string): JsonValue[] {
  const re = new RegExp(`\\$\\{${name}(?::[^}]*)?\\}|\\$${name}\\b`);
  const out: JsonValue[] = [];
  const walk = (v: JsonValue) => {
    const s = v.string();
    if (s !== undefined) {
      if (re.test(s)) out.push(v);
    } else if (v.isArray()) v.items().forEach(walk);
    else for (const [k, x] of v.entries()) if (k !== '__inputs') walk(x);
  };
  if (d.root) walk(d.root);
  return out;
}

/** Uses grouped by dashboard and name, in order of first appearance. */
export function groupUses(uses: MetricUse[]): MetricUse[][] {
  const groups = new Map<string, MetricUse[]>();
  for (const u of uses) {
    const key = `${u.aq.dashboard.file}\0${u.name}`;
    const list = groups.get(key) ?? [];
    list.push(u);
    groups.set(key, list);
  }
  return [...groups.values()];
}

/** `panel "Cost"`, or `panels "Cost", "Tokens" (3 queries)`. */
export function usedIn(uses: MetricUse[]): string {
  const owners = [...new Set(uses.map((u) => queryOwner(u.aq)))];
  const more = uses.length > owners.length ? ` (${uses.length} occurrences)` : '';
  if (owners.length === 1) return owners[0] + more;
  return `${owners.slice(0, 3).join(', ')}${owners.length > 3 ? ` and ${owners.length - 3} more` : ''}${more}`;
}
