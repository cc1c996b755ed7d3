import type { AnalysedQuery } from './dashboard-queries.js';
import { metricsView } from './grafana-pipelines.js';
import { isClaudeDashboard, promtailStreams } from './other-sources.js';
import type { StreamMatcher } from './promql.js';
import { nearest, typoDistance } from '../util/distance.js';
import { compareVersions } from './versions.js';
import type { Workspace } from './workspace.js';

/**
 * Claude Code's events as Loki keeps them. Each event is an OTLP log record whose body is `claude_code.<name>` and
 * whose `event.name` attribute is `<name>` without the prefix; Loki's OTLP ingestion makes the body the log line and
 * the attribute the structured metadata `event_name`.
 */

/** What a Claude Code event's body (the log line in Loki) starts with, before its name. */
export const EVENT_LINE_PREFIX = 'claude_code.';

/**
 * Every event name Claude Code emits, with the versions that bracket its first release where it is newer than the
 * oldest provisioned binary (`absentIn`: the last provisioned version without it, `from`: the first with it). Read
 * from the bundled JavaScript of the provisioned binaries 2.1.190 to 2.1.332 (the names passed to the one function
 * that sets `"event.name"` and the body `claude_code.${name}`, plus api_request_body and api_response_body, which
 * reach it through a helper), as the Claude Code reference (§4.2 "Events") lists them for 2.1.197; its experiments E1
 * and E27 observed user_prompt, api_request, assistant_response, tool_decision and tool_result on real records, and
 * test/conformance/event-names.test.ts checks the body and `event.name` of every record two versions send.
 * `betaTracing`: only under the detailed beta tracing (not suggested as a correction).
 */
export const CLAUDE_EVENT_NAMES: readonly { name: string; since?: { absentIn: string; from: string }; betaTracing?: boolean }[] = [
  { name: 'user_prompt' },
  { name: 'assistant_response', since: { absentIn: '2.1.191', from: '2.1.197' } }, // 2.1.193 in the changelog
  { name: 'api_request' },
  { name: 'api_error' },
  { name: 'api_refusal' },
  { name: 'api_retries_exhausted' },
  { name: 'api_request_body' },
  { name: 'api_response_body' },
  { name: 'tool_decision' },
  { name: 'tool_result' },
  { name: 'permission_mode_changed' },
  { name: 'auth' },
  { name: 'mcp_server_connection' },
  { name: 'internal_error' },
  { name: 'plugin_installed' },
  { name: 'plugin_loaded' },
  { name: 'skill_activated' },
  { name: 'at_mention' },
  { name: 'hook_registered' },
  { name: 'hook_execution_start' },
  { name: 'hook_execution_complete' },
  { name: 'hook_plugin_metrics' },
  { name: 'compaction' },
  { name: 'subagent_completed' },
  { name: 'feedback_survey' },
  { name: 'retention_sweep', since: { absentIn: '2.1.217', from: '2.1.250' } }, // 2.1.227 in the changelog
  { name: 'managed_settings_resolved', since: { absentIn: '2.1.251', from: '2.1.281' } },
  { name: 'safety_event', since: { absentIn: '2.1.282', from: '2.1.322' } },
  { name: 'system_prompt', betaTracing: true },
  { name: 'tool', betaTracing: true },
];

/** The event names a version can emit; without a version, every name any known version emits. */
export function claudeEventNames(version?: string): Set<string> {
  return new Set(CLAUDE_EVENT_NAMES.filter((e) => !version || !e.since || compareVersions(version, e.since.absentIn) > 0).map((e) => e.name));
}

/** Names a correction may suggest: events of a plain setup, not the beta tracing's. */
export const SUGGESTED_EVENT_NAMES: readonly string[] = CLAUDE_EVENT_NAMES.filter((e) => !e.betaTracing).map((e) => e.name);

/**
 * The event names a wrong one most likely means (nearest first, ties together): among names that share its first
 * word (`tool_use` → the tool_… events), else any name within a typo's distance; none when nothing is close.
 */
export function eventNameSuggestions(wrong: string): string[] {
  const word = wrong.toLowerCase();
  const first = word.split(/[^a-z0-9]+/)[0];
  const family = SUGGESTED_EVENT_NAMES.filter((n) => n.split('_')[0] === first);
  const near = family.length ? nearest(word, family, Number.POSITIVE_INFINITY) : nearest(word, SUGGESTED_EVENT_NAMES, typoDistance(word));
  return near?.names ?? [];
}

/**
 * The literal alternatives of a regular expression that is nothing but an alternation of names (`a|b|c`, each of
 * letters, digits and `_`, optionally after `claude_code.`, `claude_code\.` or `claude_code[.]`), with the dot form
 * read as a literal dot; undefined for anything else (groups, classes, quantifiers, flags), which is not judged.
 */
export function plainAlternatives(regex: string): string[] | undefined {
  const out: string[] = [];
  for (const alt of regex.split('|')) {
    const m = /^(claude_code(?:\.|\\\.|\[\.\]))?([A-Za-z0-9_]+)$/.exec(alt);
    if (!m) return undefined;
    out.push(m[1] ? `${EVENT_LINE_PREFIX}${m[2]}` : m[2]);
  }
  return out;
}

/** Whose streams a dashboard's LogQL query reads, as the stack shows them. */
export type LogStreams = 'claude' | 'other-otlp' | 'promtail';

export interface LogStreamReading {
  /** Claude Code's service name (its `service_name` stream label). */
  service: string;
  /**
   * `claude`: Claude Code's OTLP streams (a query of a Claude Code dashboard, or one naming Claude Code's service);
   * `promtail`: streams a Promtail config of the stack pushes (a selector on its labels that does not name Claude
   * Code's service); `other-otlp`: another tool's OTLP streams (a query of a dashboard for another tool).
   */
  streams(aq: AnalysedQuery): LogStreams;
}

/**
 * How the dashboards' LogQL queries of a workspace read Loki's streams; undefined when a collector sends logs
 * through the removed contrib `loki` exporter, which labels streams its own way (exporter, job, instance, hints).
 */
export function logStreamReading(ws: Workspace): LogStreamReading | undefined {
  if (ws.stack.collectors.some((c) => c.components.some((x) => x.kind === 'exporters' && x.type === 'loki'))) return undefined;
  const service = metricsView(ws).claude.serviceName ?? 'claude-code';
  const promtail = promtailStreams(ws);
  // A positive matcher on a label Promtail attaches; for job, on a value Promtail's job can take.
  const promtailMatcher = (m: StreamMatcher) =>
    m.op !== '!=' &&
    m.op !== '!~' &&
    promtail.labels.has(m.label) &&
    (m.label !== 'job' || m.templatedValue || m.op !== '=' || !promtail.jobs || promtail.jobs.has(m.value));
  return {
    service,
    streams(aq) {
      const matchers = aq.logql?.streamMatchers ?? [];
      const claudeStream = matchers.some((m) => m.label === 'service_name' && (m.templatedValue || m.value === service));
      if (!claudeStream && matchers.some(promtailMatcher)) return 'promtail';
      // A dashboard for another tool in the same stack (another service's OTLP logs) names its own service.
      return isClaudeDashboard(ws, aq.dashboard) ? 'claude' : 'other-otlp';
    },
  };
}
