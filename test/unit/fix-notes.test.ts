// The notes of `--fix`: after it changes a Claude Code settings file, they say that Claude Code must be restarted
// (a running session keeps the environment it started with); after it changes only stack files, they do not.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fix } from '../../src/api.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'cod-fix-notes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const savedState = process.env.XDG_STATE_HOME;
beforeEach(() => {
  process.env.XDG_STATE_HOME = join(work, 'state'); // backups go to a throwaway folder
});
afterEach(() => {
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
});

function copy(fixture: string): string {
  const dir = join(work, fixture);
  cpSync(join(FIXTURES_DIR, fixture), dir, { recursive: true });
  return dir;
}

describe('--fix notes', () => {
  it('a fixed user settings file: restart Claude Code, naming the file', () => {
    const dir = copy('seed-required-comments');
    mkdirSync(join(dir, 'project'), { recursive: true });
    const r = fix({
      home: join(dir, 'home'),
      project: join(dir, 'project'),
      managedDir: join(dir, 'managed'),
      shellEnv: false,
      claudeVersion: '2.1.197',
      cwd: dir,
    });
    expect(r.written?.written).toEqual([join(dir, 'home', '.claude', 'settings.json')]);
    expect(r.notes).toMatch(/^restart Claude Code: running sessions keep the settings they started with \(changed: home\/\.claude\/settings\.json\)$/m);
  });

  it('a fixed collector config alone: no restart of Claude Code', () => {
    const dir = copy('collector-exporter-tls-fail');
    const r = fix({ paths: [join(dir, 'files')], cwd: dir });
    expect(r.written?.written).toEqual([join(dir, 'files', 'otel-collector-config.yml')]);
    expect(r.notes).toContain('fixed 1 finding');
    expect(r.notes).not.toContain('restart Claude Code');
  });
});
