import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/api.js';
import { formatReport } from '../../src/report/output.js';
import { wrap } from '../../src/report/pretty.js';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

// Issue #15 items 3 and 5: a concise format, the pretty report wrapped at word boundaries to the terminal's width,
// one fix marker per hint, and a summary that says what --fix and --unsafe-fixes would do.
const stack = join(FIXTURES_DIR, 'seed-template-stack', 'files');
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('wrap', () => {
  it('breaks at spaces within the width, hangs the rest, and never cuts a word', () => {
    const line = 'a.yaml:1:2: error the quick brown fox jumps over the lazy dog [area/rule-id]';
    const wrapped = wrap(line, 24, '  ');
    for (const l of wrapped.split('\n')) expect(l.length).toBeLessThanOrEqual(24);
    expect(
      wrapped
        .split('\n')
        .slice(1)
        .every((l) => l.startsWith('  ')),
    ).toBe(true);
    expect(wrapped.replace(/\n {2}/g, ' ')).toBe(line);
    expect(wrap('x'.repeat(50), 20, '  ')).toBe('x'.repeat(50));
    expect(wrap(line, undefined, '  ')).toBe(line);
  });

  it('measures coloured text by what shows', () => {
    const coloured = `\x1b[1mfile:1:1:\x1b[22m \x1b[31merror\x1b[39m ${'word '.repeat(10).trim()}`;
    for (const l of wrap(coloured, 30, '  ').split('\n')) expect(strip(l).length).toBeLessThanOrEqual(30);
  });
});

describe('the pretty report at a terminal width', () => {
  const result = check({ paths: [stack] });
  for (const command of ['check', 'doctor'] as const)
    for (const width of [80, 120]) {
      for (const color of [false, true]) {
        it(`${command}, ${width} columns, ${color ? 'colour' : 'plain'}: no line is longer unless it is one word or a source excerpt`, () => {
          const text = formatReport(result, { command, format: 'pretty', failOn: 'error', color, cwd: FIXTURES_DIR, width });
          const long = strip(text)
            .split('\n')
            .filter((l) => l.length > width && !/^\s*\d+ \|/.test(l) && l.trim().includes(' '));
          expect(long).toEqual([]);
        });
      }
    }

  it('writes the same words as without a width', () => {
    const at = (width?: number) => formatReport(result, { command: 'check', format: 'pretty', failOn: 'error', color: false, cwd: FIXTURES_DIR, width });
    const words = (s: string) => s.split(/\s+/).filter(Boolean);
    expect(words(at(60))).toEqual(words(at()));
  });
});

describe('--format concise', () => {
  it('one line per finding, then the summary', () => {
    const json = JSON.parse(runCli(['check', stack, '--format', 'json']).stdout) as { findings: { ruleId: string }[] };
    const lines = runCli(['check', stack, '--format', 'concise'], { NO_COLOR: '1' }).stdout.trim().split('\n');
    expect(lines).toHaveLength(json.findings.length + 1);
    expect(lines.slice(0, -1).map((l) => /\[([a-z]+\/[a-z-]+)\]/.exec(l)?.[1])).toEqual(json.findings.map((f) => f.ruleId));
    expect(lines.at(-1)).toMatch(/^✗ \d+ errors?, /);
  });
});

describe('fix markers and the summary', () => {
  it('says how many --fix and --unsafe-fixes would fix, and each hint names its fix once', () => {
    const json = JSON.parse(runCli(['check', stack, '--format', 'json']).stdout) as { findings: { fix?: { safety: string } }[] };
    const safe = json.findings.filter((f) => f.fix?.safety === 'safe').length;
    const unsafe = json.findings.filter((f) => f.fix?.safety === 'unsafe').length;
    expect(safe).toBeGreaterThan(0);
    expect(unsafe).toBeGreaterThan(0);
    const text = runCli(['check', stack], { NO_COLOR: '1' }).stdout;
    expect(text.trim().split('\n').at(-1)).toMatch(new RegExp(`; ${safe} fixable with --fix \\(${unsafe} more with --unsafe-fixes\\)$`));
    expect(text.match(/\(fixable with --fix\)/g)).toHaveLength(safe);
    expect(text.match(/\(fixable with --fix --unsafe-fixes\)/g)).toHaveLength(unsafe);
    expect(text).not.toMatch(/--fix does this|fix available/);
  });
});
