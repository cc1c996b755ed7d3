// One cause, one finding: the engine's grouping of findings by rule, kind and subject in one file
// (src/engine.ts groupBySubject) from findings written out, and the pretty report's "also at" line. Fixture runs: reports.test.ts.
import { describe, expect, it } from 'vitest';
import { groupBySubject } from '../../src/engine.js';
import type { ReportInput } from '../../src/report/context.js';
import { formatFinding } from '../../src/report/pretty.js';
import type { Finding, TextEdit } from '../../src/types.js';

const at = (line: number) => ({ start: { line, column: 3 }, end: { line, column: 8 } });
const place = (line: number, over: Partial<Finding> = {}): Finding => ({
  ruleId: 'dashboard/label-not-produced',
  severity: 'warning',
  kind: 'unknownLabel',
  message: `host_name at ${line}`,
  file: '/repo/d.json',
  range: at(line),
  path: `/panels/${line}`,
  subject: 'host_name',
  ...over,
});
const edit = (offset: number, text = 'x'): TextEdit => ({ file: '/repo/d.json', offset, length: 1, text });

describe('grouping findings by subject', () => {
  it('one finding per rule, kind, subject and file: the first place stays, the others become locations, the count ends the message', () => {
    const [one, ...rest] = groupBySubject([place(3), place(7), place(12)]);
    expect(rest).toEqual([]);
    expect(one).toMatchObject({ range: at(3), path: '/panels/3', message: 'host_name at 3 (and 2 more places in this file)' });
    expect(one.locations).toEqual([
      { file: '/repo/d.json', range: at(7), path: '/panels/7' },
      { file: '/repo/d.json', range: at(12), path: '/panels/12' },
    ]);
    expect(groupBySubject([place(3), place(7)])[0].message).toBe('host_name at 3 (and 1 more place in this file)');
  });

  it('keeps apart what differs in subject, rule, kind, file, workspace, severity or fatal flag, and keeps the order', () => {
    const apart = [
      place(1),
      place(2, { subject: 'team' }),
      place(3, { ruleId: 'dashboard/logql-label' }),
      place(4, { kind: 'resourceLabel' }),
      place(5, { file: '/repo/other.json' }),
      place(6, { workspace: 'b' }),
      place(7, { severity: 'error' }),
      place(8, { fatal: true }),
    ];
    expect(groupBySubject(apart)).toEqual(apart);
    const grouped = groupBySubject([place(1), place(2, { subject: 'team' }), place(3), place(4, { subject: 'team' })]);
    expect(grouped.map((f) => [f.range?.start.line, f.locations?.map((l) => l.range?.start.line)])).toEqual([
      [1, [3]],
      [2, [4]],
    ]);
  });

  it('leaves alone findings without a subject, or without a file to point into', () => {
    const alone = [place(1, { subject: undefined }), place(2, { subject: undefined }), place(3, { file: undefined }), place(4, { file: undefined })];
    expect(groupBySubject(alone)).toEqual(alone);
  });

  it("keeps every fix's edits (each once), unsafe when any is; a single fix is kept as it is", () => {
    const safe = { safety: 'safe' as const, description: 'rename host_name', edits: [edit(10), edit(20)] };
    const [single] = groupBySubject([place(1, { fix: safe }), place(2)]);
    expect(single.fix).toBe(safe);
    const [combined] = groupBySubject([
      place(1, { fix: safe }),
      place(2, { fix: { safety: 'unsafe', description: 'rename it too', edits: [edit(20), edit(30)], adds: true } }),
      place(3),
    ]);
    expect(combined.fix).toEqual({ safety: 'unsafe', description: 'rename host_name (and 1 more place)', edits: [edit(10), edit(20), edit(30)], adds: true });
  });
});

describe('the pretty report of a grouped finding', () => {
  it('lists the other places as line:column after "also at", the first eight, then how many more', () => {
    const input: ReportInput = { findings: [], workspaces: [], problems: [], cwd: '/repo', color: false, command: 'check', secrets: new Set<string>() };
    const [few] = groupBySubject([place(1), place(2), place(3)]);
    expect(formatFinding(few, { ...input, findings: [few] })).toContain('\n  also at 2:3, 3:3');
    const [many] = groupBySubject(Array.from({ length: 12 }, (_, i) => place(i + 1)));
    expect(formatFinding(many, { ...input, findings: [many] })).toContain('\n  also at 2:3, 3:3, 4:3, 5:3, 6:3, 7:3, 8:3, 9:3, … (3 more)');
    // Without a range, the path, escaped like every text from input.
    const [pathOnly] = groupBySubject([place(1), place(2, { range: undefined, path: '/a\u001b[31mb' })]);
    expect(formatFinding(pathOnly, { ...input, findings: [pathOnly] })).toContain('also at /a\\x1b[31mb');
  });
});
