import { defineRule, type RuleFinding } from '../define.js';
import { claudeEventNames, EVENT_LINE_PREFIX, eventNameSuggestions, logStreamReading, plainAlternatives } from '../../model/claude-events.js';
import { atQuery, dashboardName, dashboardQueries, queryOwner } from '../../model/dashboard-queries.js';
import { NEWEST_KNOWN_CLAUDE } from '../../model/versions.js';

interface Filter {
  /** The filter as written (cut when long): `event_name="tool_use"`, `|= "claude_code.tool_use"`. */
  filter: string;
  owner: string;
  dashboard: string;
  /** The name no event has (for a line filter: what follows `claude_code.`). */
  name: string;
  /** One alternative of `=~"a|b"` / `|~ "a|b"`: the others may match. */
  alternative: boolean;
  newest: string;
}

/** `<filter> in <owner> matches no event: <why>`, or for one alternative of several `…: "<name>" matches no event, <why>`. */
const headline = (d: Filter, why: string) =>
  d.alternative ? `${d.filter} in ${d.owner}: "${d.name}" matches no event, ${why}` : `${d.filter} in ${d.owner} matches no event: ${why}`;

const messages = {
  unknownName: {
    message: (d: Filter) => headline(d, d.alternative ? 'Claude Code emits none so named' : `Claude Code emits none named "${d.name}"`),
    detail: (d: Filter) =>
      `dashboard ${d.dashboard}: Loki keeps each Claude Code event's event.name attribute (its name without "claude_code.") as event_name; no Claude Code release up to ${d.newest} emits an event "${d.name}" (assumed: no other writer to this Loki sends such records as Claude Code's service)`,
  },
  prefixedName: {
    message: (d: Filter) => headline(d, 'event_name has no "claude_code." prefix'),
    detail: (d: Filter) =>
      `dashboard ${d.dashboard}: a Claude Code event's log line (its body) is "claude_code.<name>", its event_name (the event.name attribute) just "<name>" (here "${d.name.slice(EVENT_LINE_PREFIX.length)}")`,
  },
  unknownLine: {
    message: (d: Filter) => headline(d, `no Claude Code event is named "${d.name}"`),
    detail: (d: Filter) =>
      `dashboard ${d.dashboard}: a Claude Code event's log line (its body) is "claude_code.<name>", and no event name of Claude Code up to ${d.newest} starts with "${d.name}" (assumed: no other writer to this Loki sends such lines as Claude Code's service)`,
  },
} as const;
type LogqlEventNameFinding = RuleFinding<typeof messages>;

/** The events of every session, for a hint that has no nearer name. */
const COMMON_EVENTS = ['user_prompt', 'api_request', 'api_error', 'tool_decision', 'tool_result'];

/** Longest filter quoted in a headline. */
const MAX_FILTER = 48;
const cut = (s: string) => (s.length > MAX_FILTER ? `${s.slice(0, MAX_FILTER - 1)}…` : s);

export default defineRule({
  id: 'dashboard/logql-event-name',
  severity: 'warning',
  title: 'LogQL filter on an event name Claude Code never emits',
  checks:
    'LogQL queries of dashboards, for a stack that sends Claude Code events to Loki over OTLP: on a stream selector that names Claude Code\'s service (`service_name="claude-code"`, or its configured service.name), an `event_name` matcher in the selector (Loki\'s otlp_config may index it) or a label filter after `|` (`=`, or `=~` of a plain alternation of names) whose value is no Claude Code event name, or is the name with the `claude_code.` prefix; and a line filter `|= "claude_code.…"` (or `|~` of a plain alternation) that no event\'s log line contains. Not judged: selectors that do not name Claude Code\'s service (other writers may send their own events to the same Loki), negative filters (`!=`, `!~`), templated values, other regular expressions, a label a `label_format` sets, a line after `line_format`. Event names are those of every Claude Code release up to the newest known, so a name only newer releases emit is no finding.',
  why: 'Claude Code sends each event as a log record whose body is `claude_code.<name>` and whose `event.name` attribute is `<name>`; Loki\'s OTLP ingestion makes the body the log line and the attribute the structured metadata `event_name`. A filter on a name no event has (`event_name="tool_use"`: tool calls are `tool_decision` and `tool_result`) or on the prefixed form (`event_name="claude_code.api_request"`) keeps no record, and the panel stays empty without an error.',
  fix: 'none',
  versions: 'Claude Code 2.1.190+ event names (later names, such as retention_sweep and safety_event, are known); Loki 3.0+ OTLP ingestion',
  bad: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "Tool calls", "datasource": {"type": "loki", "uid": "loki"}, "targets": [{"expr": "{service_name=\\"claude-code\\"} | event_name=\\"tool_use\\""}]}]\n}\n',
  },
  good: {
    file: 'dashboards/claude-code.json',
    text: '{\n  "panels": [{"title": "Tool calls", "datasource": {"type": "loki", "uid": "loki"}, "targets": [{"expr": "{service_name=\\"claude-code\\"} | event_name=\\"tool_result\\""}]}]\n}\n',
  },
  references: [
    'https://code.claude.com/docs/en/monitoring-usage (Events: event.name, and the body claude_code.<name>)',
    'https://grafana.com/docs/loki/latest/send-data/otel/ (the body becomes the log line, attributes structured metadata with dots as underscores)',
    'https://github.com/ColeMurray/claude-code-otel/tree/4326365 (claude-code-dashboard.json: {service_name="claude-code"} |= "claude_code.api_request")',
    'https://github.com/apollo-com-ph/apollo-claude/tree/071c0cb (collector/grafana/provisioning/dashboards/claude-code-tools.json: event_name="tool_use", which stays empty)',
  ],
  messages,
  oracle: 'fixtures',
  stage: 'Grafana',
  check(ws) {
    const reading = logStreamReading(ws);
    if (!reading) return [];
    const names = claudeEventNames();
    const findings: LogqlEventNameFinding[] = [];
    for (const aq of dashboardQueries(ws)) {
      const logql = aq.logql;
      if (!logql) continue;
      // Only filters on a selector that names Claude Code's service: other writers (a sidecar, another tool) may send
      // their own events to the same Loki, and a selector without service_name may read them.
      const claudeSelectors = new Set(
        logql.streamMatchers
          .filter((m) => m.label === 'service_name' && m.op === '=' && !m.templatedValue && m.value === reading.service)
          .map((m) => m.selector),
      );
      if (claudeSelectors.size === 0) continue;
      const onClaude = (selector: number | undefined) => selector !== undefined && claudeSelectors.has(selector);
      const owner = queryOwner(aq);
      const dashboard = dashboardName(aq.dashboard);
      const report = (
        at: { from: number; to: number; filter: string },
        kind: 'unknownName' | 'prefixedName' | 'unknownLine',
        name: string,
        alternative: boolean,
      ) => {
        const filter = cut(at.filter);
        const [suggested] = eventNameSuggestions(name);
        const hint =
          kind === 'prefixedName'
            ? `filter event_name="${name.slice(EVENT_LINE_PREFIX.length)}"`
            : suggested
              ? kind === 'unknownLine'
                ? `Claude Code's nearest event is ${suggested} (|= "${EVENT_LINE_PREFIX}${suggested}")`
                : `Claude Code's nearest event is ${suggested} (event_name="${suggested}")`
              : `Claude Code's events include ${COMMON_EVENTS.join(', ')}`;
        findings.push({
          ...atQuery(aq, at.from, at.to),
          kind,
          data: { filter, owner, dashboard, name, alternative, newest: NEWEST_KNOWN_CLAUDE },
          hint,
          subject: name,
        });
      };
      // A stream selector on event_name too: Loki's otlp_config may index event.name (else dashboard/logql-label
      // says the label is missing, and moving the matcher after a pipe, as it suggests, still matches nothing).
      for (const f of [...logql.streamMatchers, ...logql.labelFilters]) {
        if (f.label !== 'event_name' || f.templatedLabel || f.templatedValue || !onClaude(f.selector) || ('relabelled' in f && f.relabelled)) continue;
        const values = f.op === '=' ? [f.value] : f.op === '=~' ? plainAlternatives(f.value) : undefined;
        for (const value of values ?? []) {
          const bare = value.startsWith(EVENT_LINE_PREFIX) ? value.slice(EVENT_LINE_PREFIX.length) : value;
          if (names.has(value)) continue;
          const kind = value !== bare && names.has(bare) ? 'prefixedName' : 'unknownName';
          report(
            { from: f.labelFrom, to: f.valueTo, filter: logql.expr.slice(f.labelFrom, f.valueTo) },
            kind,
            kind === 'prefixedName' ? value : bare,
            values!.length > 1,
          );
        }
      }
      for (const f of logql.lineFilters) {
        if (f.templated || f.reformatted || !onClaude(f.selector)) continue;
        // Line filters match anywhere in the line; a body is "claude_code.<name>", so the rest must start a name.
        const values = f.op === '|=' ? [f.value] : f.op === '|~' ? plainAlternatives(f.value) : undefined;
        for (const value of values ?? []) {
          if (!value.startsWith(EVENT_LINE_PREFIX)) continue;
          const rest = value.slice(EVENT_LINE_PREFIX.length);
          if ([...names].some((n) => n.startsWith(rest))) continue;
          report({ from: f.valueFrom, to: f.valueTo, filter: `${f.op} ${logql.expr.slice(f.valueFrom, f.valueTo)}` }, 'unknownLine', rest, values!.length > 1);
        }
      }
    }
    return findings;
  },
});
