import { describe, expect, it } from 'vitest';
import { claudeEventNames, CLAUDE_EVENT_NAMES, eventNameSuggestions, plainAlternatives } from '../../src/model/claude-events.js';
import { CLAUDE_EVENTS } from '../../src/model/naming.js';
import { parseLogQL } from '../../src/model/promql.js';

const labels = (q: string) =>
  parseLogQL(q).labelFilters.map((f) => `${f.label}${f.op}${f.value}${f.templatedValue ? ' (templated)' : ''}${f.relabelled ? ' (relabelled)' : ''}`);
const lines = (q: string) =>
  parseLogQL(q).lineFilters.map((f) => `${f.op} ${f.value}${f.templated ? ' (templated)' : ''}${f.reformatted ? ' (reformatted)' : ''}`);

describe('LogQL label and line filters, with the real grammar', () => {
  it('label filters after a pipe, not stream matchers, with offsets into the query', () => {
    const q = '{service_name="claude-code", event_name="x"} | event_name="tool_use"';
    const p = parseLogQL(q);
    expect(p.streamMatchers.map((m) => m.label)).toEqual(['service_name', 'event_name']);
    expect(labels(q)).toEqual(['event_name=tool_use']);
    const [f] = p.labelFilters;
    expect(q.slice(f.labelFrom, f.labelTo)).toBe('event_name');
    expect(q.slice(f.valueFrom, f.valueTo)).toBe('"tool_use"');
  });

  it('every matcher of and/or/comma/parenthesised filters, every op, after parsers, inside range aggregations', () => {
    const q =
      'sum by (tool_name) (count_over_time({service_name="claude-code"} | json | event_name=~"tool_result|tool_use" or event_name!="x" | (a="1", b!~`2`) and duration > 5s [5m]))';
    expect(labels(q)).toEqual(['event_name=~tool_result|tool_use', 'event_name!=x', 'a=1', 'b!~2']);
    expect(parseLogQL(q).errors).toEqual([]);
  });

  it('line filters with their op and unquoted string, each string of an `or` on its own; ip() filters left out', () => {
    const q = '{a="b"} |= "claude_code.api_request" != `x` |~ "a|b" or "c" !~ "d" |> "<_> e" !> "f" |= ip("1.2.3.4")';
    expect(lines(q)).toEqual(['|= claude_code.api_request', '!= x', '|~ a|b', '|~ c', '!~ d', '|> <_> e', '!> f']);
    const [f] = parseLogQL(q).lineFilters;
    expect(q.slice(f.valueFrom, f.valueTo)).toBe('"claude_code.api_request"');
  });

  it('Grafana variables in values are templated; offsets still point into the original query', () => {
    const q = '{service_name="$svc"} | event_name="${event}" | tool_name=~"$tool" |= "$search" != "claude_code.x"';
    expect(labels(q)).toEqual(['event_name=${event} (templated)', 'tool_name=~$tool (templated)']);
    expect(lines(q)).toEqual(['|= $search (templated)', '!= claude_code.x']);
    const f = parseLogQL('sum(count_over_time({a="b"} | event_name="tool_use" [$__auto]))').labelFilters[0];
    expect(f.templatedValue).toBe(false);
    expect(parseLogQL('{a="b"} | event_name="[[ev]]"').labelFilters[0].templatedValue).toBe(true);
  });

  it('a label set by an earlier label_format of the same pipeline is relabelled; a line after line_format reformatted', () => {
    const q = '{a="b"} | event_name="a" | label_format x="y", event_name=`{{.z}}` | event_name="b" | x="c" |= "l1" | line_format "{{.x}}" |= "l2"';
    expect(labels(q)).toEqual(['event_name=a', 'event_name=b (relabelled)', 'x=c (relabelled)']);
    expect(lines(q)).toEqual(['|= l1', '|= l2 (reformatted)']);
    // A label_format of one side of a binary operation does not reach the other side's pipeline.
    const both = 'count_over_time({a="b"} | label_format event_name=`{{.x}}` [1m]) / count_over_time({a="b"} | event_name="q" [1m])';
    expect(labels(both)).toEqual(['event_name=q']);
  });

  it('ties every filter to the stream selector of its pipeline, also across a binary operation', () => {
    const q =
      'sum(count_over_time({service_name="claude-code"} | event_name="a" |= "x" [5m])) / sum(count_over_time({service_name=~".+"} | event_name="b" [5m]))';
    const p = parseLogQL(q);
    const [first, second] = [q.indexOf('{service_name="claude-code"}'), q.indexOf('{service_name=~".+"}')];
    expect(p.streamMatchers.map((m) => m.selector)).toEqual([first, second]);
    expect(p.labelFilters.map((f) => [f.value, f.selector])).toEqual([
      ['a', first],
      ['b', second],
    ]);
    expect(p.lineFilters.map((f) => f.selector)).toEqual([first]);
  });

  it('is plain data that survives JSON (the CLI keeps parses between runs)', () => {
    const p = parseLogQL('{a="b"} | event_name="tool_use" |= "claude_code.x" | line_format "{{.a}}"');
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});

describe('Claude Code event names', () => {
  it('versioned: names added later are absent from older versions, present in the union', () => {
    expect(claudeEventNames('2.1.197').has('retention_sweep')).toBe(false);
    expect(claudeEventNames('2.1.250').has('retention_sweep')).toBe(true);
    expect(claudeEventNames('2.1.191').has('assistant_response')).toBe(false);
    expect(claudeEventNames('2.1.282').has('safety_event')).toBe(false);
    expect(claudeEventNames('2.1.332').has('safety_event')).toBe(true);
    const all = claudeEventNames();
    for (const n of ['user_prompt', 'api_request', 'tool_decision', 'tool_result', 'safety_event']) expect(all.has(n)).toBe(true);
    for (const n of ['tool_use', 'claude_code.api_request', 'session_start']) expect(all.has(n)).toBe(false);
  });

  it('hold every event the naming model knows (the one observed on real runs)', () => {
    const names = new Set(CLAUDE_EVENT_NAMES.map((e) => e.name));
    expect(CLAUDE_EVENTS.map((e) => e.name).filter((n) => !names.has(n))).toEqual([]);
  });

  it('suggests a name of the same family, else a near one, else none', () => {
    expect(eventNameSuggestions('tool_use')).toEqual(['tool_result']);
    expect(eventNameSuggestions('api_requests')).toEqual(['api_request']);
    expect(eventNameSuggestions('userprompt')).toEqual(['user_prompt']);
    expect(eventNameSuggestions('session_start')).toEqual([]);
    expect(eventNameSuggestions('cost')).toEqual([]);
  });

  it('reads only plain alternations of names', () => {
    expect(plainAlternatives('tool_result|tool_use')).toEqual(['tool_result', 'tool_use']);
    expect(plainAlternatives('api_request')).toEqual(['api_request']);
    expect(plainAlternatives('claude_code.api_request|claude_code\\.tool_use|claude_code[.]x')).toEqual([
      'claude_code.api_request',
      'claude_code.tool_use',
      'claude_code.x',
    ]);
    for (const r of ['tool_.*', '(tool_result|tool_use)', 'a||b', '', '(?i)tool_use', 'tool_result|api_[a-z]+', 'claude_code.(api|tool)_x'])
      expect(plainAlternatives(r)).toBeUndefined();
  });
});
