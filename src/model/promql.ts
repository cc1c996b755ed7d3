import type { SyntaxNode, Tree } from '@lezer/common';
import { lazyRequire } from '../util/lazy.js';
import { keepParse, keptParse } from '../util/parse-cache.js';

// The grammars load on the first query parsed: runs without dashboards never need them.
const lezerPromql = lazyRequire<typeof import('@prometheus-io/lezer-promql')>('@prometheus-io/lezer-promql');
const lezerLogql = lazyRequire<typeof import('@grafana/lezer-logql')>('@grafana/lezer-logql');

/**
 * PromQL and LogQL as Grafana sends them, understood with the real grammars (Prometheus' lezer-promql and
 * Grafana's lezer-logql), not regular expressions. Grafana variables are replaced first by text of the same
 * length, so every offset still points into the original expression: durations where a duration goes
 * (`[$__rate_interval]`, `offset $x`), identifiers elsewhere; inside strings they stay as they are. Whatever
 * overlaps a variable is "templated" and not judged.
 */

/** A Grafana variable reference in a query: `$name`, `${name}`, `${name:format}`, `${name.field}`, `[[name]]`. */
export interface VariableSpan {
  name: string;
  from: number;
  to: number;
}

const VARIABLE = /\$(\w+)|\[\[([\s\S]+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

export function findVariables(text: string): VariableSpan[] {
  return [...text.matchAll(VARIABLE)].map((m) => ({ name: m[1] ?? m[2] ?? m[4], from: m.index!, to: m.index! + m[0].length }));
}

/** Same-length replacement of Grafana variables; returns the text to parse and the spans replaced. */
export function substituteVariables(text: string): { text: string; spans: VariableSpan[] } {
  const spans = findVariables(text);
  let out = '';
  let last = 0;
  for (const s of spans) {
    out += text.slice(last, s.from);
    const len = s.to - s.from;
    const ctx = context(text, s.from);
    if (ctx === 'string') out += text.slice(s.from, s.to);
    else if (ctx === 'duration') out += len >= 2 ? `${'0'.repeat(len - 2)}1m` : '1';
    else out += `_${'v'.repeat(len - 1)}`;
    last = s.to;
  }
  out += text.slice(last);
  return { text: out, spans };
}

/** Whether an offset is inside a string literal, inside `[...]` or after `offset`, or elsewhere. */
function context(text: string, at: number): 'string' | 'duration' | 'other' {
  let quote: string | undefined;
  let bracket = 0;
  for (let i = 0; i < at; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '[') bracket++;
    else if (c === ']') bracket = Math.max(0, bracket - 1);
  }
  if (quote) return 'string';
  if (bracket > 0) return 'duration';
  if (/\boffset\s+-?$/i.test(text.slice(0, at))) return 'duration';
  return 'other';
}

const overlaps = (spans: VariableSpan[], from: number, to: number) => spans.some((s) => s.from < to && s.to > from);

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  label: string;
  op: MatchOp;
  /** The unquoted value. */
  value: string;
  labelFrom: number;
  labelTo: number;
  valueFrom: number;
  valueTo: number;
  /** Label name or value holds a Grafana variable. */
  templatedLabel: boolean;
  templatedValue: boolean;
}

export interface PromSelector {
  /** Metric name as written (`foo` or `{"foo.bar"}` / `{__name__="foo"}`), absent for `{job="x"}`. */
  metric?: { name: string; from: number; to: number; templated: boolean; viaMatcher: boolean };
  matchers: LabelMatcher[];
  from: number;
  to: number;
  /** Functions and aggregations around it, innermost first (`rate`, `sum`...). */
  enclosing: string[];
  /** Whether it is read through a function that treats counters correctly (rate, increase, ...) or counted. */
  counterSafe: boolean;
  /** The range of its range vector as written (`$__range` in `x[$__range]`), absent for an instant vector. */
  range?: string;
  /** Its `offset` as written (`$__range` in `x[10m] offset $__range`). */
  offset?: string;
}

export interface ParsedPromQL {
  expr: string;
  selectors: PromSelector[];
  /** Syntax errors (offsets), after variable substitution. */
  errors: { from: number; to: number }[];
  /** Label names in `by (...)` / `without (...)` and `on`/`ignoring` lists; `by`: an aggregation's `by` list. */
  groupingLabels: { label: string; from: number; to: number; templated: boolean; by: boolean }[];
}

/** Range functions that read a counter correctly, and aggregations that only count series. */
export const COUNTER_FUNCTIONS = new Set([
  'rate',
  'irate',
  'increase',
  'resets',
  'changes',
  'absent',
  'absent_over_time',
  'present_over_time',
  'count_over_time',
  'timestamp',
]);
const COUNTING_AGGREGATIONS = new Set(['count', 'count_values', 'group']);

function unquote(s: string): string {
  if (s.length < 2) return s;
  const q = s[0];
  const body = s.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function errorsOf(tree: Tree): { from: number; to: number }[] {
  const errors: { from: number; to: number }[] = [];
  tree.iterate({
    enter(n) {
      if (n.type.isError) errors.push({ from: n.from, to: n.to });
    },
  });
  return errors;
}

/**
 * Parses by expression text, each text once per process: dashboards repeat their queries (across panels, and copies
 * of one dashboard across stacks). The parse is a pure function of the text, and what it returns is only read
 * (plain data, which the CLI also keeps for its next run: util/parse-cache.ts).
 */
const parsedByText = new Map<string, ParsedPromQL | ParsedLogQL>();
const MAX_PARSED = 10_000;
function memo<T extends ParsedPromQL | ParsedLogQL>(key: string, parse: () => T): T {
  const known = parsedByText.get(key);
  if (known) return known as T;
  if (parsedByText.size >= MAX_PARSED) parsedByText.clear(); // a long-lived caller (the library API) keeps no more
  const kept = keptParse(key) as T | undefined;
  const parsed = kept ?? parse();
  if (!kept) keepParse(key, parsed);
  parsedByText.set(key, parsed);
  return parsed;
}

export function parsePromQL(expr: string): ParsedPromQL {
  return memo(`promql\0${expr}`, () => parsePromQLText(expr));
}

function parsePromQLText(expr: string): ParsedPromQL {
  const { text, spans } = substituteVariables(expr);
  const tree = lezerPromql().parser.parse(text);
  const selectors: PromSelector[] = [];
  const groupingLabels: ParsedPromQL['groupingLabels'] = [];
  const slice = (n: SyntaxNode) => expr.slice(n.from, n.to);
  tree.iterate({
    enter(ref) {
      if (ref.name === 'GroupingLabels') {
        const parent = ref.node.parent;
        const by = parent?.name === 'AggregateModifier' && parent.firstChild?.name === 'By';
        for (let c = ref.node.firstChild; c; c = c.nextSibling) {
          if (c.name === 'LabelName' || c.name === 'QuotedLabelName') {
            groupingLabels.push({
              label: c.name === 'QuotedLabelName' ? unquote(slice(c)) : slice(c),
              from: c.from,
              to: c.to,
              templated: overlaps(spans, c.from, c.to),
              by,
            });
          }
        }
        return false;
      }
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const sel: PromSelector = { matchers: [], from: node.from, to: node.to, enclosing: [], counterSafe: false };
      const id = node.getChild('Identifier');
      if (id) sel.metric = { name: slice(id), from: id.from, to: id.to, templated: overlaps(spans, id.from, id.to), viaMatcher: false };
      const matchers = node.getChild('LabelMatchers');
      for (let m = matchers?.firstChild ?? null; m; m = m.nextSibling) {
        if (m.name === 'QuotedLabelName') {
          // {"claude_code.cost.usage_USD_total"}: a UTF-8 metric name.
          sel.metric = { name: unquote(slice(m)), from: m.from, to: m.to, templated: overlaps(spans, m.from, m.to), viaMatcher: true };
          continue;
        }
        if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher') continue;
        const labelNode = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
        const opNode = m.getChild('MatchOp');
        const valueNode = m.getChild('StringLiteral');
        if (!labelNode || !opNode || !valueNode) continue;
        const label = labelNode.name === 'QuotedLabelName' ? unquote(slice(labelNode)) : slice(labelNode);
        const matcher: LabelMatcher = {
          label,
          op: slice(opNode) as MatchOp,
          value: unquote(slice(valueNode)),
          labelFrom: labelNode.from,
          labelTo: labelNode.to,
          valueFrom: valueNode.from,
          valueTo: valueNode.to,
          templatedLabel: overlaps(spans, labelNode.from, labelNode.to),
          templatedValue: overlaps(spans, valueNode.from, valueNode.to),
        };
        if (label === '__name__' && matcher.op === '=') {
          sel.metric = { name: matcher.value, from: valueNode.from, to: valueNode.to, templated: matcher.templatedValue, viaMatcher: true };
          continue;
        }
        sel.matchers.push(matcher);
      }
      if (node.parent?.name === 'MatrixSelector') sel.range = expr.slice(node.to, node.parent.to).replace(/^\s*\[\s*|\s*\]\s*$/g, '');
      const inner = node.parent?.name === 'MatrixSelector' ? node.parent : node;
      if (inner.parent?.name === 'OffsetExpr')
        sel.offset = expr
          .slice(inner.to, inner.parent.to)
          .replace(/^\s*offset\s*/i, '')
          .trim();
      for (let p = node.parent; p; p = p.parent) {
        if (p.name === 'FunctionCall') {
          const fn = p.getChild('FunctionIdentifier');
          if (fn) sel.enclosing.push(text.slice(fn.from, fn.to));
        } else if (p.name === 'AggregateExpr') {
          const op = p.getChild('AggregateOp');
          if (op) sel.enclosing.push(text.slice(op.from, op.to).toLowerCase());
        }
      }
      const first = sel.enclosing[0];
      sel.counterSafe = first !== undefined && (COUNTER_FUNCTIONS.has(first) || COUNTING_AGGREGATIONS.has(first));
      selectors.push(sel);
      return false;
    },
  });
  return { expr, selectors, errors: errorsOf(tree), groupingLabels };
}

// ---------------------------------------------------------------------------------------------------------------
// Grafana's Prometheus variable queries: label_values(metric, label), label_values(label), query_result(expr),
// metrics(regex), label_names(metric).

export interface VariableQuery {
  /** PromQL inside (the selector of label_values, the expression of query_result), with its offset in the query. */
  promql?: { parsed: ParsedPromQL; offset: number };
  /** The label label_values() lists. */
  label?: { name: string; from: number; to: number };
}

export function parseVariableQuery(query: string): VariableQuery {
  const lv = /^\s*label_values\s*\(\s*(?:(.*?)\s*,\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(query);
  if (lv) {
    const out: VariableQuery = {};
    const labelAt = query.lastIndexOf(lv[2]);
    out.label = { name: lv[2], from: labelAt, to: labelAt + lv[2].length };
    if (lv[1]) {
      const offset = query.indexOf(lv[1], query.indexOf('(') + 1);
      out.promql = { parsed: parsePromQL(lv[1]), offset };
    }
    return out;
  }
  const qr = /^\s*query_result\s*\((.*)\)\s*$/s.exec(query);
  if (qr) return { promql: { parsed: parsePromQL(qr[1]), offset: query.indexOf(qr[1]) } };
  return {};
}

// ---------------------------------------------------------------------------------------------------------------
// LogQL

export interface StreamMatcher extends LabelMatcher {
  /** Where its stream selector `{…}` starts: tells the selectors of a binary operation apart. */
  selector: number;
}

/** A label filter expression after `|` (`| event_name="api_request"`), each matcher of an `and`/`or`/`,` on its own. */
export interface LogLabelFilter extends LabelMatcher {
  /** A `label_format` earlier in its pipeline sets this label: the value it filters is no longer the stream's. */
  relabelled: boolean;
  /** Where the stream selector whose pipeline holds it starts (as StreamMatcher.selector); absent after a syntax error. */
  selector?: number;
}

export type LineFilterOp = '|=' | '!=' | '|~' | '!~' | '|>' | '!>';

/** A line filter (`|= "claude_code.api_request"`); each string of `|= "a" or "b"` on its own, with the filter's op. */
export interface LogLineFilter {
  op: LineFilterOp;
  /** The unquoted string. */
  value: string;
  valueFrom: number;
  valueTo: number;
  templated: boolean;
  /** After a `line_format` in its pipeline: it filters the reformatted line, not the log's. */
  reformatted: boolean;
  /** Where the stream selector whose pipeline holds it starts (as StreamMatcher.selector); absent after a syntax error. */
  selector?: number;
}

export interface ParsedLogQL {
  expr: string;
  /** Matchers of every stream selector `{...}` (label filters after `|` are not stream labels). */
  streamMatchers: StreamMatcher[];
  /** Label filters of every pipeline (`ip(...)`, duration, bytes and number filters left out). */
  labelFilters: LogLabelFilter[];
  /** Line filters of every pipeline (`ip(...)` filters left out). */
  lineFilters: LogLineFilter[];
  errors: { from: number; to: number }[];
}

export function parseLogQL(expr: string): ParsedLogQL {
  return memo(`logql\0${expr}`, () => parseLogQLText(expr));
}

const LINE_FILTER_OPS = new Set<string>(['|=', '!=', '|~', '!~', '|>', '!>']);

/** Where the stream selector of a pipeline stage's pipeline starts: the Selector beside its outermost PipelineExpr. */
function selectorOf(n: SyntaxNode): number | undefined {
  let pipe: SyntaxNode | null = null;
  for (let p = n.parent; p && (p.name === 'PipelineExpr' || p.name === 'PipelineStage' || p.name === 'LineFilters' || p.name === 'LabelFilter'); p = p.parent)
    if (p.name === 'PipelineExpr') pipe = p;
  return pipe?.parent?.getChild('Selector')?.from;
}

function parseLogQLText(expr: string): ParsedLogQL {
  const { text, spans } = substituteVariables(expr);
  const tree = lezerLogql().parser.parse(text);
  const streamMatchers: StreamMatcher[] = [];
  const labelFilters: LogLabelFilter[] = [];
  const lineFilters: LogLineFilter[] = [];
  // `label_format` (labels it sets) and `line_format` stages, by pipeline, to tell which filters come after them.
  const formats: { selector?: number; to: number; labels?: string[] }[] = [];
  const slice = (n: SyntaxNode) => expr.slice(n.from, n.to);
  const matcherOf = (c: SyntaxNode): LabelMatcher | undefined => {
    const id = c.getChild('Identifier');
    const str = c.getChild('String');
    const opNode = id?.nextSibling;
    if (!id || !str || !opNode) return undefined;
    return {
      label: slice(id),
      op: (text.slice(opNode.from, opNode.to) as MatchOp) ?? '=',
      value: unquote(slice(str)),
      labelFrom: id.from,
      labelTo: id.to,
      valueFrom: str.from,
      valueTo: str.to,
      templatedLabel: overlaps(spans, id.from, id.to),
      templatedValue: overlaps(spans, str.from, str.to),
    };
  };
  tree.iterate({
    enter(ref) {
      const node = ref.node;
      if (ref.name === 'Selector') {
        const walk = (n: SyntaxNode | null): void => {
          for (let c = n?.firstChild ?? null; c; c = c.nextSibling) {
            if (c.name === 'Matchers') walk(c);
            if (c.name !== 'Matcher') continue;
            const m = matcherOf(c);
            if (m) streamMatchers.push({ ...m, selector: node.from });
          }
        };
        walk(node.getChild('Matchers'));
        return false;
      }
      if (ref.name === 'LabelFilter') {
        const matcher = node.getChild('Matcher');
        const m = matcher && matcherOf(matcher);
        if (m) labelFilters.push({ ...m, relabelled: false, selector: selectorOf(node) });
        return; // nested filters of an and/or
      }
      if (ref.name === 'LineFilter') {
        const filter = node.getChild('Filter');
        const op = filter ? text.slice(filter.from, filter.to) : '';
        if (!LINE_FILTER_OPS.has(op) || node.getChild('FilterOp')) return false; // ip("…")
        const selector = selectorOf(node);
        const strings = [node.getChild('String'), ...node.getChildren('OrFilter').map((o) => o.getChild('String'))];
        for (const str of strings)
          if (str)
            lineFilters.push({
              op: op as LineFilterOp,
              value: unquote(slice(str)),
              valueFrom: str.from,
              valueTo: str.to,
              templated: overlaps(spans, str.from, str.to),
              reformatted: false,
              selector,
            });
        return false;
      }
      if (ref.name === 'LabelFormatExpr') {
        const labels: string[] = [];
        // The label each `x="…"` or `x=y` (a rename of y) sets; LabelsFormat nests one level per comma.
        for (let list = node.getChild('LabelsFormat'); list; list = list.getChild('LabelsFormat')) {
          const id = list.getChild('LabelFormatMatcher')?.getChild('Identifier');
          if (id) labels.push(slice(id));
        }
        formats.push({ selector: selectorOf(node), to: node.to, labels });
        return false;
      }
      if (ref.name === 'LineFormatExpr') {
        formats.push({ selector: selectorOf(node), to: node.to });
        return false;
      }
    },
  });
  const before = (f: { selector?: number; to: number }, x: { selector?: number; valueFrom: number }) =>
    f.selector !== undefined && f.selector === x.selector && f.to <= x.valueFrom;
  for (const f of labelFilters) f.relabelled = formats.some((x) => x.labels?.includes(f.label) && before(x, f));
  for (const f of lineFilters) f.reformatted = formats.some((x) => !x.labels && before(x, f));
  return {
    expr,
    streamMatchers,
    labelFilters,
    lineFilters,
    errors: errorsOf(tree),
  };
}

/** A guess for queries whose datasource type is unknown: LogQL starts with a stream selector or a log range aggregation over one. */
export function looksLikeLogQL(expr: string): boolean {
  const t = expr.trim();
  if (/^\{[^}]*\}\s*(\||!=|\|=|\|~|!~|$)/.test(t) && !/^\{[^}]*__name__/.test(t)) return /[|]|^\{[^}]*\}\s*$/.test(t) && !/\}\s*\[/.test(t);
  return /\b(count_over_time|rate|bytes_over_time|bytes_rate|sum_over_time|avg_over_time)\s*\(\s*\{[^}]*\}\s*(\||!=|\|=|\|~|!~)/.test(t);
}
