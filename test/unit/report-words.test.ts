// Words of the pretty reports that point elsewhere: a line never says "see below" (or above) unless that is where
// the thing is, whatever the format puts around it. The prediction line of settings Claude Code ignores names them.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check, doctor, formatReport, type SetupOptions } from '../../src/api.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

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
