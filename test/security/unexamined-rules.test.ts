// Issue #11, item 10 (an unreadable file never passes), continued: the two ids the engine reports for input it did
// not examine, doctor/unreadable-file and doctor/internal-error, are rules like any other for `explain`, `rules`,
// SARIF descriptors and --select; but nothing can hide or re-grade them, since they explain the exit code 2.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'cod-unexamined-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const empty = join(root, 'empty');
const home = join(root, 'home');
mkdirSync(empty);
mkdirSync(join(home, '.claude'), { recursive: true });
const settings = join(home, '.claude', 'settings.json');
writeFileSync(settings, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"env": {"CLAUDE_CODE_ENABLE_TELEMETRY": "1"}}', 'utf16le')]));
const check = (...extra: string[]) =>
  runCli(['check', '--no-shell-env', '--home', home, '--project', empty, '--managed-dir', empty, ...extra], { NO_COLOR: '1' });

const IDS = ['doctor/unreadable-file', 'doctor/internal-error'];

/** Refused as bad usage: one line naming the rule and why, no stack trace, nothing on stdout. */
function expectCannotHide(res: CliResult, id: string) {
  expect(res.exitCode).toBe(2);
  expect(res.stdout).toBe('');
  expect(res.stderr.trim().split('\n')).toHaveLength(1);
  expect(res.stderr).toContain(`${id} cannot be`);
  expect(res.stderr).toMatch(/part of the input went unexamined/);
}

describe("the engine's own finding ids are registered rules", () => {
  for (const id of IDS) {
    it(`explain ${id}`, () => {
      const res = runCli(['explain', id], { NO_COLOR: '1' });
      expect(res.exitCode, res.stderr).toBe(0);
      expect(res.stdout).toMatch(new RegExp(`^${id}  \\(error\\) `));
      expect(res.stdout).toMatch(/exits 2/);
    });
  }

  it('`rules` lists both', () => {
    const ids = JSON.parse(runCli(['rules', '--format', 'json']).stdout).map((r: { id: string }) => r.id);
    for (const id of IDS) expect(ids).toContain(id);
  });

  it('SARIF: each finding points at its rule descriptor', () => {
    const res = check('--format', 'sarif');
    expect(res.exitCode).toBe(2);
    const run = JSON.parse(res.stdout).runs[0];
    const [result] = run.results;
    expect(result.ruleId).toBe('doctor/unreadable-file');
    expect(run.tool.driver.rules[result.ruleIndex]).toMatchObject({ id: 'doctor/unreadable-file', defaultConfiguration: { level: 'error' } });
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id)).toContain('doctor/internal-error');
  });

  it('--select doctor/unreadable-file is accepted and shows the file', () => {
    const res = check('--select', 'doctor/unreadable-file');
    expect(res.exitCode, res.stderr).toBe(2);
    expect(res.stdout).toMatch(/settings\.json: error is UTF-16 LE .*\[doctor\/unreadable-file\]/);
  });

  it('a run narrowed to another area still says the file was not read', () => {
    const res = check('--select', 'settings/');
    expect(res.exitCode).toBe(2);
    expect(res.stdout).toMatch(/\[doctor\/unreadable-file\]/);
  });
});

describe('nothing hides or re-grades them: the exit code 2 keeps its reason', () => {
  for (const id of IDS) {
    it(`--ignore ${id} is refused`, () => expectCannotHide(check('--ignore', id), id));

    it(`a config turning ${id} off, re-grading or ignoring it is refused`, () => {
      const configs = [{ rules: { [id]: 'off' } }, { rules: { [id]: 'warning' } }, { ignore: [{ path: '**', rules: [id], reason: 'noise' }] }];
      configs.forEach((config, i) => {
        const file = join(root, `config-${id.replace('/', '-')}-${i}.json`);
        writeFileSync(file, JSON.stringify(config));
        const res = check('--config', file);
        expectCannotHide(res, id);
        expect(res.stderr).toContain(file);
      });
    });
  }

  it("--ignore doctor/ (the area) skips the doctor's other rules but still reports the unread file", () => {
    const res = check('--ignore', 'doctor/', '--format', 'json');
    expect(res.exitCode).toBe(2);
    expect(JSON.parse(res.stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['doctor/unreadable-file']);
  });
});
