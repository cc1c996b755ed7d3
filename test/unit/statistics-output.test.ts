import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

// --statistics (a count per rule, as `ruff --statistics`) and --output-file (the report into a file), issue #15 item 9.
const stack = join(FIXTURES_DIR, 'seed-template-stack', 'files');
const out = mkdtempSync(join(tmpdir(), 'cod-output-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

type JsonFinding = { ruleId: string; fix?: { safety: string } };
const findings = () => (JSON.parse(runCli(['check', stack, '--format', 'json']).stdout) as { findings: JsonFinding[] }).findings;

describe('--statistics', () => {
  it('counts what the report lists, per rule, most first, with the fix marks', () => {
    const expected = new Map<string, number>();
    for (const f of findings()) expected.set(f.ruleId, (expected.get(f.ruleId) ?? 0) + 1);
    const r = runCli(['check', stack, '--statistics'], { NO_COLOR: '1' });
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(\S+)\s+(error|warning|info)\s+(\[\*\]|\[-\]|)\s*(.+)$/.exec(l));
    expect(rows.every(Boolean)).toBe(true);
    expect(new Map(rows.map((m) => [m![2], Number(m![1])]))).toEqual(expected);
    const counts = rows.map((m) => Number(m![1]));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const safeRules = new Set(
      findings()
        .filter((f) => f.fix?.safety === 'safe')
        .map((f) => f.ruleId),
    );
    for (const m of rows) if (safeRules.has(m![2])) expect(m![4], m![2]).toBe('[*]');
    expect(r.exitCode).toBe(1);
  });

  it('as JSON, and refused with a format it cannot take', () => {
    const json = JSON.parse(runCli(['check', stack, '--statistics', '--format', 'json']).stdout) as { ruleId: string; count: number }[];
    expect(json.reduce((n, c) => n + c.count, 0)).toBe(findings().length);
    const r = runCli(['check', stack, '--statistics', '--format', 'sarif']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--statistics prints pretty or json, not sarif/);
  });
});

describe('--output-file', () => {
  it('writes the report there, plain, and nothing to standard output; the exit code is the run’s', () => {
    for (const format of ['pretty', 'json', 'sarif', 'github', 'concise']) {
      const file = join(out, `report.${format}`);
      const direct = runCli(['check', stack, '--format', format], { NO_COLOR: '1' });
      const r = runCli(['check', stack, '--format', format, '--output-file', file], { FORCE_COLOR: '1' });
      expect(r.stdout, format).toBe('');
      expect(r.exitCode, format).toBe(direct.exitCode);
      expect(readFileSync(file, 'utf8'), format).toBe(direct.stdout);
    }
  });

  it('a file that cannot be written is exit 2 with one line', () => {
    const r = runCli(['check', stack, '--output-file', join(out, 'missing', 'x.txt')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--output-file .*x\.txt: ENOENT/);
  });
});
