import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

// -q shows only what fails the run, but its summary counts what the full report counts and says what it left out.
describe('check -q', () => {
  const stack = join(FIXTURES_DIR, 'seed-template-stack', 'files');
  const last = (text: string) => text.trim().split('\n').pop();

  it('counts every finding, shows those at --fail-on and above, and says how many it hid', () => {
    const full = runCli(['check', stack], { NO_COLOR: '1' });
    const quiet = runCli(['check', stack, '-q'], { NO_COLOR: '1' });
    const severities = (JSON.parse(runCli(['check', stack, '--format', 'json']).stdout).findings as { severity: string }[]).map((f) => f.severity);
    const errors = severities.filter((s) => s === 'error').length;
    expect(errors).toBeGreaterThan(0);
    expect(severities.length).toBeGreaterThan(errors);
    expect(last(quiet.stdout)).toBe(`${last(full.stdout)}; ${severities.length - errors} below error not shown (-q)`);
    expect(quiet.stdout.match(/ error .* \[[a-z]+\/[a-z-]+\]/g)).toHaveLength(errors);
    expect(quiet.stdout).not.toMatch(/: (warning|info) .*\[[a-z]+\/[a-z-]+\]/);
    expect(quiet.exitCode).toBe(full.exitCode);
  });

  it('the concise format counts the same way', () => {
    const full = runCli(['check', stack, '--format', 'concise'], { NO_COLOR: '1' });
    const quiet = runCli(['check', stack, '--format', 'concise', '-q'], { NO_COLOR: '1' });
    const hidden = full.stdout.trim().split('\n').length - quiet.stdout.trim().split('\n').length;
    expect(hidden).toBeGreaterThan(0);
    expect(last(quiet.stdout)).toBe(`${last(full.stdout)}; ${hidden} below error not shown (-q)`);
  });

  it('says nothing of hidden findings when none is hidden', () => {
    const quiet = runCli(['check', stack, '-q', '--fail-on', 'info'], { NO_COLOR: '1' });
    expect(last(quiet.stdout)).not.toMatch(/not shown/);
  });
});
