// The applier on its own, with small synthetic rules over a real file: passes, overlaps, identical edits,
// the order of passes, fixes that do not fix, fixes that never settle, and YAML text kept byte for byte.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planFixes, type Analysis } from '../../src/fixers/apply.js';
import type { Reader } from '../../src/load/read.js';
import type { SourceFile } from '../../src/load/source.js';
import type { Workspace } from '../../src/model/workspace.js';
import { emptyStack } from '../../src/model/stack.js';
import type { Finding, TextEdit } from '../../src/types.js';
import { Facts } from '../../src/model/facts.js';

const work = mkdtempSync(join(tmpdir(), 'cod-plan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type FakeRule = (s: SourceFile) => Finding[];

/** An analysis over one file, in CI mode, the way the CLI's analyze works: it reads through the reader it is given. */
function analyzer(path: string, rules: FakeRule[]): (reader: Reader) => Analysis {
  return (reader) => {
    const r = reader.text(path);
    if (!r.ok) throw new Error(r.problem.reason);
    const ws = {
      root: work,
      name: '.',
      mode: 'files',
      claude: { files: [], shell: [], settings: [], unread: [], env: new Map(), version: { version: '2.1.197', source: 'flag' } },
      problems: [],
      sources: new Map([[path, r.source]]),
      stackFiles: [],
      stack: emptyStack(),
      facts: new Facts(),
    } as unknown as Workspace;
    return { workspaces: [ws], findings: rules.flatMap((rule) => rule(r.source)).map((f) => ({ ...f, workspace: '.' })) };
  };
}

/** Every occurrence of `word` is a finding whose fix replaces it with `by` (edits built by `edit`). */
function replaceRule(ruleId: string, word: string, by: string, edit?: (s: SourceFile, at: number) => TextEdit[]): FakeRule {
  return (s) => {
    const out: Finding[] = [];
    for (let at = s.text.indexOf(word); at >= 0; at = s.text.indexOf(word, at + 1)) {
      out.push({
        ruleId,
        severity: 'warning',
        message: `${word} at ${at}`,
        file: s.path,
        range: s.range(at, word.length),
        path: `/${ruleId}/${at}`,
        fix: { safety: 'safe', description: `${word} → ${by}`, edits: edit ? edit(s, at) : [{ file: s.path, offset: at, length: word.length, text: by }] },
      });
    }
    return out;
  };
}

let n = 0;
function file(text: string, ext = 'txt'): string {
  const p = join(work, `${++n}.${ext}`);
  writeFileSync(p, text);
  return p;
}

describe('planFixes', () => {
  it('applies non-overlapping edits in one pass, counts identical edits once, and writes nothing itself', () => {
    const p = file('aaa bbb aaa\n');
    const twice: FakeRule = (s) => replaceRule('t/dup', 'bbb', 'BBB')(s).flatMap((f) => [f, { ...f, ruleId: 't/dup2', path: '/dup2' }]);
    const r = planFixes({ unsafe: false, analyze: analyzer(p, [replaceRule('t/a', 'aaa', 'A'), twice]) });
    expect(r.passes).toBe(1);
    expect(r.changes.map((c) => c.after)).toEqual(['A BBB A\n']);
    expect(r.applied.map((a) => a.ruleId).sort()).toEqual(['t/a', 't/a', 't/dup', 't/dup2']);
    expect(readFileSync(p, 'utf8')).toBe('aaa bbb aaa\n');
  });

  it('leaves an overlapping edit to the next pass, on the changed text', () => {
    const p = file('hello world\n');
    // Fires on "hello world" in any case and adds a comma over the whole phrase: overlaps the capital fix.
    const comma: FakeRule = (s) => {
      const m = /hello world/i.exec(s.text);
      if (!m) return [];
      const edits = [{ file: s.path, offset: m.index, length: m[0].length, text: m[0].replace(' ', ', ') }];
      return [
        {
          ruleId: 't/comma',
          severity: 'warning',
          message: 'comma',
          file: s.path,
          range: s.range(m.index, 1),
          path: '/comma',
          fix: { safety: 'safe', description: 'add a comma', edits },
        },
      ];
    };
    const r = planFixes({ unsafe: false, analyze: analyzer(p, [replaceRule('t/world', 'world', 'World'), comma]) });
    expect(r.applied.map((a) => [a.ruleId, a.pass])).toEqual([
      ['t/world', 1],
      ['t/comma', 2],
    ]);
    expect(r.changes[0].after).toBe('hello, World\n');
  });

  it('repairs a dropped file (invalid-json/yaml/schema rules) in a pass of its own, first', () => {
    const p = file('x y\n');
    const r = planFixes({ unsafe: false, analyze: analyzer(p, [replaceRule('t/other', 'y', 'Y'), replaceRule('settings/invalid-json', 'x', 'X')]) });
    expect(r.applied.map((a) => [a.ruleId, a.pass])).toEqual([
      ['settings/invalid-json', 1],
      ['t/other', 2],
    ]);
  });

  it('runs fixes that add what is missing after the corrections, which may make them moot', () => {
    const p = file('targets: [colector]\n');
    // "collector" is not scraped while the target is misspelt; its fix adds a job. Correcting the typo is enough.
    const notScraped: FakeRule = (s) =>
      s.text.includes('[collector]')
        ? []
        : [
            {
              ruleId: 't/not-scraped',
              severity: 'warning',
              message: 'not scraped',
              file: s.path,
              path: '/job',
              range: s.range(0, 1),
              fix: {
                safety: 'safe',
                description: 'add a job',
                adds: true,
                edits: [{ file: s.path, offset: s.text.length, length: 0, text: 'job: [collector]\n' }],
              },
            },
          ];
    const r = planFixes({ unsafe: false, analyze: analyzer(p, [notScraped, replaceRule('t/typo', 'colector', 'collector')]) });
    expect(r.changes[0].after).toBe('targets: [collector]\n');
    expect(r.applied.map((a) => a.ruleId)).toEqual(['t/typo']);
  });

  it('drops a fix whose finding is still there after it, and keeps the rest of the pass', () => {
    const p = file('keep bad\n');
    const noop = replaceRule('t/noop', 'keep', 'keep');
    const r = planFixes({ unsafe: false, analyze: analyzer(p, [noop, replaceRule('t/bad', 'bad', 'good')]) });
    expect(r.changes[0].after).toBe('keep good\n');
    expect(r.notApplied).toEqual([
      expect.objectContaining({ ruleId: 't/noop', reason: 'the rules still reported the finding after this change, so it was not made' }),
    ]);
  });

  it('stops after the pass limit when fixes never settle, and says so', () => {
    const p = file('a\n');
    const r = planFixes({ unsafe: false, maxPasses: 3, analyze: analyzer(p, [replaceRule('t/ab', 'a', 'b'), replaceRule('t/ba', 'b', 'a')]) });
    expect(r.passes).toBe(3);
    expect(r.exhausted).toBe(true);
    expect(r.notApplied[0].reason).toBe('stopped after 3 passes; run --fix again');
  });

  it('leaves unsafe fixes to --unsafe-fixes and counts them', () => {
    const p = file('u\n');
    const unsafe: FakeRule = (s) => replaceRule('t/u', 'u', 'U')(s).map((f) => ({ ...f, fix: { ...f.fix!, safety: 'unsafe' as const } }));
    expect(planFixes({ unsafe: false, analyze: analyzer(p, [unsafe]) })).toMatchObject({ changes: [], unsafeSkipped: 1 });
    expect(planFixes({ unsafe: true, analyze: analyzer(p, [unsafe]) }).changes[0].after).toBe('U\n');
  });

  it('applies YAML edits (plain text edits from the yaml CST ranges) keeping comments, anchors and quoting', () => {
    const text =
      '# collector\nexporters: &ex\n  logging: {} # old name\n  "otlp":\n    endpoint: \'x:4317\'\nservice:\n  pipelines:\n    metrics: { exporters: [logging] }\n';
    const p = file(text, 'yaml');
    const r = planFixes({ unsafe: false, analyze: analyzer(p, [replaceRule('collector/logging-exporter', 'logging', 'debug')]) });
    expect(r.changes[0].after).toBe(text.replaceAll('logging', 'debug'));
  });
});
