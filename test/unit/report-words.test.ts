// Words of the pretty reports that point elsewhere: a line never says "see below" (or above) unless that is where
// the thing is, whatever the format puts around it. The prediction line of settings Claude Code ignores names them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check, doctor, formatReport, type SetupOptions } from '../../src/api.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'cod-report-words-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A machine whose only settings file has comments: Claude Code drops it, so telemetry is off. */
function machine(): SetupOptions {
  const dir = join(work, 'm');
  cpSync(join(FIXTURES_DIR, 'seed-required-comments'), dir, { recursive: true });
  mkdirSync(join(dir, 'project'), { recursive: true });
  return { home: join(dir, 'home'), project: join(dir, 'project'), managedDir: join(dir, 'managed'), shellEnv: false, claudeVersion: '2.1.197', cwd: dir };
}

describe('report words', () => {
  it('telemetry off because a settings file is dropped: the line names the file, in every pretty layout', async () => {
    const m = machine();
    const options = { format: 'pretty' as const, failOn: 'error' as const, color: false, cwd: m.cwd! };
    const texts = [
      formatReport(await doctor({ ...m, offline: true }), { ...options, command: 'doctor' }),
      formatReport(check(m), { ...options, command: 'check' }),
      // `probe` shows the prediction without the static findings: nothing of them is below.
      formatReport({ ...check(m), findings: [], probes: [] }, { ...options, command: 'probe' }),
    ];
    for (const text of texts) {
      expect(text).toContain(
        'telemetry is off (CLAUDE_CODE_ENABLE_TELEMETRY is not on; Claude Code ignores home/.claude/settings.json: it does not parse or validate)',
      );
      expect(text).not.toMatch(/see below/);
    }
  });
});

describe('one wording for an assumed version', () => {
  const FORM = /\b(collector|Prometheus|Claude Code) \d+\.\d+\.\d+ \(assumed: the newest the doctor knows; [^)]+\)/;

  it('collector rules, and the Claude Code prediction, say "<tool> <version> (assumed: …)"', () => {
    const dir = join(FIXTURES_DIR, 'collector-logging-exporter-fail-unknown-version', 'files');
    const r = check({ paths: [dir], cwd: dir });
    const finding = r.findings.find((f) => f.ruleId === 'collector/logging-exporter');
    // The assumption is this finding's evidence: it is in the detail, never in the headline.
    expect(finding?.detail).toMatch(FORM);
    expect(finding?.detail).toContain("the collector's version here is not known: collector ");
    expect(finding?.message).not.toMatch(/assumed/);
    const seed = join(FIXTURES_DIR, 'seed-required-comments', 'home');
    const text = formatReport(check({ paths: [seed], cwd: seed }), { format: 'pretty', failOn: 'error', color: false, cwd: seed, command: 'check' });
    expect(text).toMatch(/Claude Code \d+\.\d+\.\d+ \(assumed: the newest the doctor knows; no --claude-version, no installed claude read\)/);
  });

  it('no other form is left in the sources ("assumed 0.1…", "(newest known)")', () => {
    const grep = spawnSync('grep', ['-rnE', 'assumed [0-9]|\\(newest known\\)|newest the doctor knows', 'src'], { cwd: ROOT, encoding: 'utf8' });
    const hits = grep.stdout.split('\n').filter((l) => l && !l.startsWith('src/model/assumed-version-text.ts'));
    expect(hits).toEqual([]);
  });
});
