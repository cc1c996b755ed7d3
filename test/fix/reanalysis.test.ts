// The fix loop analyses the setup again after every pass of edits: rules run again only in the workspaces whose files
// a pass changed, and the findings are those of a full analysis of the fixed files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyConfig } from '../../src/config/doctor-config.js';
import { enabledRules, runRules, type RuleRuns } from '../../src/engine.js';
import { planFixes, type Analysis } from '../../src/fixers/apply.js';
import { pendingReader, type Reader } from '../../src/load/read.js';
import { fileWorkspaces } from '../../src/workspaces.js';

const work = mkdtempSync(join(tmpdir(), 'cod-reanalysis-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function settings(team: string, env: Record<string, string>): void {
  mkdirSync(join(work, team, '.claude'), { recursive: true });
  writeFileSync(join(work, team, '.claude', 'settings.json'), `${JSON.stringify({ env }, null, 2)}\n`);
}

const base = { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' };
// Team a: the endpoint with the signal path (a fix that changes a value) and no logs exporter (a fix that adds one).
settings('a', { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/v1/metrics' });
// Team b: nothing to fix.
settings('b', { ...base, OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });

const config = emptyConfig(work);
function analysis(reader: Reader, reuse?: RuleRuns): Analysis {
  const { workspaces, problems } = fileWorkspaces([work], config, '2.1.197', {}, reader);
  return { workspaces, findings: runRules(workspaces, { config, reuse }, problems) };
}

describe('the fix loop re-analysis', () => {
  it('runs the rules again only in the workspace a pass changed, and finds what a full analysis finds', () => {
    const rules = enabledRules({ config }).length;
    const runsPerCall: number[] = [];
    let before = 0;
    const r = planFixes({
      unsafe: false,
      analyze: (reader, reuse) => {
        const a = analysis(reader, reuse);
        runsPerCall.push(reuse.made - before);
        before = reuse.made;
        return a;
      },
    });
    expect(r.passes).toBe(2);
    expect(r.changes.map((c) => c.path)).toEqual([join(work, 'a', '.claude', 'settings.json')]);
    // The first analysis runs every rule in both workspaces; each one after a pass, only team a's.
    expect(runsPerCall).toEqual([2 * rules, rules, rules]);

    const full = analysis(pendingReader(new Map(r.changes.map((c) => [c.path, c.after]))));
    expect(r.final.findings).toEqual(full.findings);
    expect(r.final.findings.some((f) => f.workspace === 'b')).toBe(true);
  });
});
