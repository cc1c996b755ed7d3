// Issue #11, item 9: concurrent and interrupted fixes, on real processes (`node dist/cli.js`). Two --fix runs on
// one copy end as one clean fix; a lock of a live run makes the next one wait, then stop (exit 2), a dead run's
// lock is taken over; temp files of live runs are left alone; another program's edit between read and rename is
// kept; and after kill -9 at every stage each file is its original or its fixed version, the next run leaves no
// temp file, and restore puts every byte back.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';
import { buildIfStale } from '../helpers/built.js';

const CLI = join(packageRoot, 'dist/cli.js');
const FIXTURE = join(packageRoot, 'fixtures/seed-template-dashboards/files'); // --fix changes three of its files
const work = mkdtempSync(join(tmpdir(), 'cod-sec-concurrency-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => buildIfStale(), 120_000);

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir` (relative path → sha256 of its bytes). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = sha(readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

let n = 0;
function copy() {
  const root = join(work, String(++n));
  const dir = join(root, 'repo');
  cpSync(FIXTURE, dir, { recursive: true });
  const state = join(root, 'state');
  const backups = join(state, 'claude-otel-doctor/backups');
  return {
    root,
    dir,
    state,
    backups: () =>
      existsSync(backups)
        ? readdirSync(backups)
            .sort()
            .map((b) => join(backups, b))
        : [],
    lock: join(state, 'claude-otel-doctor/fix.lock'),
    env: { CLAUDE_CONFIG_DIR: undefined, XDG_STATE_HOME: state, NO_COLOR: '1' },
  };
}
type Copy = ReturnType<typeof copy>;
const fixArgs = (c: Copy) => ['check', c.dir, '--fix', '--no-shell-env', '--claude-version', '2.1.197'];

/** The fixture as it is, and as one clean --fix leaves it (in process, no injection). */
let original: Record<string, string>;
let clean: Record<string, string>;
beforeAll(() => {
  const c = copy();
  original = snapshot(c.dir);
  runCli(fixArgs(c), c.env);
  clean = snapshot(c.dir);
  expect(Object.keys(clean).filter((k) => clean[k] !== original[k])).toHaveLength(3);
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** `node dist/cli.js check <copy> --fix` as a real process; `onStage` sees each `stage <name>` line it prints. */
function spawnFix(c: Copy, fail?: string, onStage?: (name: string, child: ChildProcess) => void): Promise<Exit> {
  const child = spawn(process.execPath, [CLI, ...fixArgs(c)], {
    env: { ...process.env, XDG_STATE_HOME: c.state, NO_COLOR: '1', CLAUDE_CONFIG_DIR: '', CLAUDE_OTEL_DOCTOR_TEST_FAIL: fail ?? '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let pending = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
    pending += d.toString('utf8');
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const m = /^stage (\S+)$/.exec(line);
      if (m && onStage) onStage(m[1], child);
    }
  });
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    }),
  );
}

/** Temp files of any run left anywhere in the copy. */
function temps(c: Copy): string[] {
  return Object.keys(snapshot(c.dir)).filter((p) => /\.claude-otel-doctor-.*\.tmp$/.test(p));
}

/** A pid that is certainly not running: a process that has already exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('two --fix runs on the same files', () => {
  it('started together, or the second while the first is writing: one clean fix, one consistent backup', async () => {
    for (const slowFirst of [false, true]) {
      const c = copy();
      const [a, b] = await Promise.all([spawnFix(c, slowFirst ? 'stages:150' : undefined), spawnFix(c)]);
      for (const r of [a, b]) {
        expect(r.signal).toBeNull();
        expect([0, 1], r.stderr).toContain(r.code); // the report's findings; never 2 (a refusal)
        expect(r.stderr).not.toMatch(/changed since|changed while|another claude-otel-doctor/);
      }
      expect(snapshot(c.dir)).toEqual(clean);
      const runs = c.backups();
      expect(runs).toHaveLength(1);
      const manifest = JSON.parse(readFileSync(join(runs[0], 'manifest.json'), 'utf8'));
      expect(manifest.complete).toBe(true);
      for (const f of manifest.files) {
        const rel = relative(c.dir, f.target);
        expect(f.sha256Before).toBe(original[rel]);
        expect(f.sha256After).toBe(clean[rel]);
        expect(sha(readFileSync(join(runs[0], f.backup)))).toBe(f.sha256Before);
      }
      expect(temps(c)).toEqual([]);
      expect(existsSync(c.lock)).toBe(false);
    }
  }, 120_000);

  it("a live run's lock: the next run waits (bounded), then stops with one line, exit 2, nothing written", async () => {
    const c = copy();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      mkdirSync(dirname(c.lock), { recursive: true, mode: 0o700 });
      writeFileSync(c.lock, `${JSON.stringify({ pid: holder.pid, started: '2030-01-01T00:00:00.000Z', token: 'x' })}\n`);
      const started = Date.now();
      const r = await spawnFix(c);
      const waited = Date.now() - started;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^claude-otel-doctor: another claude-otel-doctor \\(pid ${holder.pid}, started 2030-01-01T00:00:00.000Z\\) is writing files; waited 10 s, nothing was written: run it again when that one is done \\(its lock: .*fix\\.lock\\)\\n$`,
        ),
      );
      expect(waited).toBeGreaterThanOrEqual(9_500);
      expect(waited).toBeLessThan(40_000);
      expect(snapshot(c.dir)).toEqual(original);
      expect(c.backups()).toEqual([]);
    } finally {
      holder.kill('SIGKILL');
    }
  }, 60_000);

  it("a dead run's lock is taken over at once", async () => {
    const c = copy();
    mkdirSync(dirname(c.lock), { recursive: true, mode: 0o700 });
    writeFileSync(c.lock, `${JSON.stringify({ pid: deadPid(), started: '2020-01-01T00:00:00.000Z', token: 'x' })}\n`);
    const r = await spawnFix(c);
    expect([0, 1], r.stderr).toContain(r.code);
    expect(snapshot(c.dir)).toEqual(clean);
    expect(existsSync(c.lock)).toBe(false);
  }, 60_000);
});

describe('temporary files', () => {
  it("a live run's temp file is left alone; a dead run's (either name form) is removed", () => {
    const c = copy();
    const changed = Object.keys(clean).find((k) => clean[k] !== original[k])!;
    const dir = dirname(join(c.dir, changed));
    const base = basename(changed);
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      const liveTemp = join(dir, `.${base}.claude-otel-doctor-${holder.pid}-0a0b0c0d.tmp`);
      const dead = deadPid();
      const deadTemps = [join(dir, `.${base}.claude-otel-doctor-${dead}-0a0b0c0d.tmp`), join(dir, `.${base}.claude-otel-doctor-${dead}.tmp`)];
      for (const p of [liveTemp, ...deadTemps]) writeFileSync(p, 'half a file');
      runCli(fixArgs(c), c.env);
      expect(existsSync(liveTemp)).toBe(true);
      for (const p of deadTemps) expect(existsSync(p), p).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe("another program's edit while --fix writes", () => {
  it('made between read and rename of the second file: that edit is kept, the first file put back, the dropped fix reported', async () => {
    const c = copy();
    let edited = '';
    const r = await spawnFix(c, 'pause:temp-2:3000', (name) => {
      if (name !== 'temp-2') return;
      // The run has read every file and written the temp file of the second: edit that file now, as an editor would.
      const manifest = JSON.parse(readFileSync(join(c.backups()[0], 'manifest.json'), 'utf8'));
      edited = manifest.files[1].target;
      writeFileSync(edited, `${readFileSync(edited, 'utf8')}\n// the user was here\n`);
    });
    expect(edited).not.toBe('');
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stderr.split('\n').filter((l) => l && !l.startsWith('stage '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^claude-otel-doctor: .* changed while --fix was writing it: that edit is kept and the fix of the file dropped; the 1 file\(s\) already written were put back, so nothing is changed \(run --fix again\)/,
    );
    expect(lines[0]).toContain(edited);
    const now = snapshot(c.dir);
    const rel = relative(c.dir, edited);
    expect(readFileSync(edited, 'utf8')).toBe(`${readFileSync(join(FIXTURE, rel), 'utf8')}\n// the user was here\n`);
    for (const k of Object.keys(original)) if (k !== rel) expect(now[k], k).toBe(original[k]);
    expect(temps(c)).toEqual([]);
  }, 60_000);
});

describe('kill -9 at every stage of a --fix run', () => {
  it('each file is original or fixed; the next run leaves no temp file and fixes the rest; restore puts every byte back', async () => {
    const probe = copy();
    const stages: string[] = [];
    await spawnFix(probe, 'stages:0', (name) => stages.push(name));
    expect(stages[0]).toBe('locked');
    expect(stages).toContain('renamed-3');
    expect(stages.length).toBeLessThanOrEqual(20);

    for (const at of stages) {
      const c = copy();
      const r = await spawnFix(c, 'stages:150', (name, child) => {
        if (name === at) child.kill('SIGKILL');
      });
      expect(r.signal, at).toBe('SIGKILL');
      const now = snapshot(c.dir);
      for (const k of Object.keys(original)) expect([original[k], clean[k]], `${at}: ${k}`).toContain(now[k]);

      // restore right away (taking over the dead run's lock) puts back whatever the run had replaced
      const restored = runCli(['restore'], c.env);
      expect([0, 2], `${at}: ${restored.stderr}`).toContain(restored.exitCode); // 2: killed before its manifest, nothing replaced
      const files = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([k]) => !/\.claude-otel-doctor-.*\.tmp$/.test(k)));
      expect(files(snapshot(c.dir)), at).toEqual(original);

      // the next run removes the dead run's temp files beside the files it fixes, and fixes everything
      const again = runCli(fixArgs(c), c.env);
      expect(again.stderr, at).toBe('');
      expect(temps(c), at).toEqual([]);
      expect(snapshot(c.dir), at).toEqual(clean);
      expect(runCli(['restore'], c.env).exitCode, at).toBe(0);
      expect(snapshot(c.dir), at).toEqual(original);
    }
  }, 300_000);
});
