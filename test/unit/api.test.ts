// The library API (src/api.ts) on a shipped fixture: each function returns its results and writes nothing to
// stdout or stderr (the CLI prints them; a library caller decides).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { check, doctor, fix, init, probe, type SetupOptions } from '../../src/api.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';

const work = mkdtempSync(join(tmpdir(), 'cod-api-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

/** A copy of the fixture with a settings file Claude Code rejects (comments), as a machine: home, project, no /etc. */
function machine(): SetupOptions & { home: string } {
  const dir = join(work, `m${++n}`);
  cpSync(join(FIXTURES_DIR, 'seed-required-comments'), dir, { recursive: true });
  mkdirSync(join(dir, 'project'), { recursive: true });
  return { home: join(dir, 'home'), project: join(dir, 'project'), managedDir: join(dir, 'managed'), shellEnv: false, claudeVersion: '2.1.197', cwd: dir };
}

// Every write to the terminal fails the test that made it; backups of fix and init go to a throwaway state folder.
let writes: ReturnType<typeof vi.spyOn>[] = [];
const savedState = process.env.XDG_STATE_HOME;
beforeEach(() => {
  writes = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
  process.env.XDG_STATE_HOME = join(work, 'state');
});
afterEach(() => {
  for (const w of writes) {
    expect(w).not.toHaveBeenCalled();
    w.mockRestore();
  }
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
});

describe('library API', () => {
  it('check: the findings, the files read and the exit code', () => {
    const m = machine();
    const r = check(m);
    expect(r.exitCode).toBe(1);
    expect(r.findings.map((f) => f.ruleId)).toContain('settings/invalid-json');
    expect(r.workspaces).toHaveLength(1);
    expect(r.problems).toEqual([]);
    expect(check({ ...m, select: ['compose/'] }).exitCode).toBe(0);
  });

  it('check in CI mode, on paths', () => {
    const m = machine();
    const r = check({ paths: [m.home], cwd: m.cwd });
    expect(r.findings.map((f) => f.ruleId)).toContain('settings/invalid-json');
  });

  it('probe: probe results (nothing listens on this throwaway machine), with the exit code', async () => {
    const r = await probe({
      ...machine(),
      send: false,
      timeoutMs: 1000,
      prometheusUrl: 'http://127.0.0.1:9',
      grafanaUrl: 'http://127.0.0.1:9',
      lokiUrl: 'http://127.0.0.1:9',
    });
    expect(r.probes?.length).toBeGreaterThan(0);
    expect(r.findings.some((f) => f.ruleId === 'settings/invalid-json')).toBe(false); // live checks only
    expect([0, 1]).toContain(r.exitCode);
  });

  it('doctor: static findings and probe results; offline, the static findings alone', async () => {
    const m = machine();
    const offline = await doctor({ ...m, offline: true });
    expect(offline.probes).toBeUndefined();
    expect(offline.findings.map((f) => f.ruleId)).toContain('settings/invalid-json');
    const live = await doctor({
      ...m,
      send: false,
      timeoutMs: 1000,
      prometheusUrl: 'http://127.0.0.1:9',
      grafanaUrl: 'http://127.0.0.1:9',
      lokiUrl: 'http://127.0.0.1:9',
    });
    expect(live.probes?.length).toBeGreaterThan(0);
    expect(live.findings.map((f) => f.ruleId)).toContain('settings/invalid-json');
    expect(live.exitCode).toBe(1);
  });

  it('fix: a dry run returns the diff and writes nothing; a fix writes, with a backup', () => {
    const m = machine();
    const settings = join(m.home, '.claude', 'settings.json');
    const before = readFileSync(settings, 'utf8');
    const dry = fix({ ...m, dryRun: true });
    expect(dry.exitCode).toBe(1);
    expect(dry.diff).toContain('settings.json');
    expect(dry.changes.map((c) => c.path)).toEqual([settings]);
    expect(readFileSync(settings, 'utf8')).toBe(before);

    const done = fix(m);
    expect(done.exitCode).toBeUndefined();
    expect(done.applied.map((a) => a.ruleId)).toContain('settings/invalid-json');
    expect(done.written?.written).toEqual([settings]);
    expect(existsSync(done.written!.backupDir)).toBe(true);
    expect(done.notes).toContain('fixed 1 finding');
    expect(check(m).findings.map((f) => f.ruleId)).not.toContain('settings/invalid-json');
  });

  it('init: writes the stack and the settings, checks them with the rules, and returns what it reported', async () => {
    const home = join(work, `init${++n}`);
    mkdirSync(home);
    const progress: string[] = [];
    const r = await init({ home, start: false, onOutput: (t) => progress.push(t) });
    expect(r.exitCode).toBe(0);
    expect(r.findings).toEqual([]);
    expect(r.changed).toContain(join(home, '.claude', 'settings.json'));
    expect(r.changed).toContain(join(home, '.claude', 'telemetry', 'docker-compose.yml'));
    expect(existsSync(join(home, '.claude', 'telemetry', 'docker-compose.yml'))).toBe(true);
    expect(r.output).toBe(progress.join(''));
    expect(r.output).toContain('not started (--no-start)');
    expect(r.backupDir).toBeDefined();
  });
});
