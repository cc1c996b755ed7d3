// The event names dashboard/logql-event-name judges LogQL filters by, against what real Claude Code sends: a run
// that calls a tool (the mock answers with a Write tool_use, then text) on the oldest supported and the newest known
// version. Every log record's body is `claude_code.` + its `event.name` attribute (what Loki's OTLP ingestion makes
// the log line and the `event_name` structured metadata), every name is in the model for that version, and a tool
// call arrives as tool_decision and tool_result, never as "tool_use". ~3 s a version.
import { describe, expect, it } from 'vitest';
import { claudeEventNames, EVENT_LINE_PREFIX } from '../../src/model/claude-events.js';
import { NEWEST_KNOWN_CLAUDE, OLDEST_SUPPORTED_CLAUDE } from '../../src/model/versions.js';
import { claudeBinary } from '../harness/claude-path.js';
import { observeTelemetry } from '../harness/run-claude.js';

const inCI = process.env.CI === 'true';

interface EventRecord {
  body?: string;
  eventName?: string;
}

async function toolCallEvents(version: string): Promise<EventRecord[]> {
  const env = { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' };
  const o = await observeTelemetry((s) => ({
    home: { '.claude/settings.json': JSON.stringify({ env: { ...env, OTEL_EXPORTER_OTLP_ENDPOINT: s.httpUrl } }) },
    script: 'write-then-text',
    extraArgs: ['--permission-mode', 'acceptEdits'],
    claudeVersion: version,
  }));
  expect(o.exitCode, o.stderr).toBe(0);
  const out: EventRecord[] = [];
  type Attr = { key: string; value?: { stringValue?: string } };
  for (const r of o.records) {
    const body = JSON.parse(r.body.toString('utf8'));
    for (const rl of body.resourceLogs ?? [])
      for (const sl of rl.scopeLogs ?? [])
        for (const lr of sl.logRecords ?? [])
          out.push({ body: lr.body?.stringValue, eventName: (lr.attributes as Attr[] | undefined)?.find((a) => a.key === 'event.name')?.value?.stringValue });
  }
  return out;
}

for (const version of [OLDEST_SUPPORTED_CLAUDE, NEWEST_KNOWN_CLAUDE]) {
  const suite = claudeBinary(version) || inCI ? describe : describe.skip;
  if (!claudeBinary(version) && !inCI) console.warn(`\n*** SKIPPING event-name conformance on ${version}: not provisioned. ***\n`);
  suite(`event names against real Claude Code ${version}`, () => {
    it('body is claude_code.<event.name>, every name is known, a tool call is tool_decision + tool_result', async () => {
      const records = await toolCallEvents(version);
      const names = records.map((r) => r.eventName);
      expect(records.filter((r) => r.eventName === undefined || r.body !== `${EVENT_LINE_PREFIX}${r.eventName}`)).toEqual([]);
      const known = claudeEventNames(version);
      expect(names.filter((n) => !known.has(n!))).toEqual([]);
      expect(names).toContain('tool_decision');
      expect(names).toContain('tool_result');
      expect(names).not.toContain('tool_use');
    }, 60_000);
  });
}
