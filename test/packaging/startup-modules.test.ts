// What the bin loads at start (issue #15, speed of the first answer): `check` runs without Node's crypto and
// child_process modules, which scripts/build.mjs makes load on first use in the bundle; the commands that use
// them (the fix loop's hashes, init's secrets) load them then and work. On a pipe or /dev/null it makes no stdout
// or stderr stream, so Node's stream, net and tty modules stay unloaded too (src/util/stdio.ts). Structure, not
// time: the modules Node loaded are listed (process.moduleLoadList) when the process exits.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { FIXTURES_DIR } from '../helpers/fixtures.js';
import { buildIfStale } from '../helpers/built.js';

const work = mkdtempSync(join(tmpdir(), 'cod-startup-modules-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => buildIfStale(), 120_000);

const recorder = join(work, 'record-modules.cjs');
writeFileSync(recorder, "process.on('exit', () => require('node:fs').writeFileSync(process.env.COD_MODULES_OUT, process.moduleLoadList.join('\\n')));\n");

/** The bin, run as npx runs it, with the Node modules it loaded. */
function run(args: string[], stdout: 'pipe' | number = 'pipe') {
  const out = join(work, `modules-${Math.random().toString(36).slice(2)}.txt`);
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  const bin = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).bin['claude-otel-doctor'] as string;
  const r = spawnSync(process.execPath, ['-r', recorder, join(packageRoot, bin), ...args], {
    cwd: work,
    encoding: 'utf8',
    stdio: ['ignore', stdout, 'pipe'],
    env: { ...process.env, HOME: home, XDG_CACHE_HOME: join(work, 'cache'), NO_COLOR: '1', COD_MODULES_OUT: out },
  });
  const modules = readFileSync(out, 'utf8').split('\n');
  return { ...r, loaded: (name: string) => modules.includes(`NativeModule ${name}`) };
}

describe('modules the bin loads', () => {
  it('check of a stack loads neither crypto nor child_process', () => {
    const r = run(['check', join(FIXTURES_DIR, 'healthy-compose-stack', 'files'), '--claude-version', '2.1.197']);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.status);
    expect(r.loaded('crypto')).toBe(false);
    expect(r.loaded('child_process')).toBe(false);
    for (const name of ['net', 'tty', 'stream']) expect(r.loaded(name), name).toBe(false);
  });

  it('on a pipe, a report and a usage error are written without the stream modules of Node', () => {
    const report = run(['check', join(FIXTURES_DIR, 'dashboard-counter-without-rate-fail', 'files'), '--format', 'concise']);
    expect(report.status).toBe(0); // warnings only
    expect(report.stdout).toMatch(/claude-code\.json:28:20: warning .* \[dashboard\/counter-without-rate\]\n/);
    const usage = run(['check', '--formt', 'json']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^claude-otel-doctor: unknown option --formt/);
    for (const r of [report, usage]) for (const name of ['net', 'tty', 'stream']) expect(r.loaded(name), name).toBe(false);
  });

  it('with stdout sent to /dev/null (as benchmark tools do), no stream modules either', () => {
    const devNull = openSync('/dev/null', 'w');
    try {
      const r = run(['check', join(FIXTURES_DIR, 'dashboard-counter-without-rate-fail', 'files')], devNull);
      expect(r.status).toBe(0);
      for (const name of ['net', 'tty', 'stream']) expect(r.loaded(name), name).toBe(false);
    } finally {
      closeSync(devNull);
    }
  });

  it('a fix preview loads crypto when its re-analysis needs it, and works', () => {
    const fixture = join(FIXTURES_DIR, 'seed-required-comments');
    const r = run([
      'check',
      '--no-shell-env',
      '--home',
      join(fixture, 'home'),
      '--project',
      join(fixture, 'project'),
      '--managed-dir',
      join(work, 'none'),
      '--dry-run',
    ]);
    expect(r.stderr).not.toContain('internal error');
    expect([0, 1]).toContain(r.status);
    expect(r.stdout).toContain('+++ '); // the preview's diff
    expect(r.loaded('crypto')).toBe(true);
  });

  it('init, which makes secrets with crypto, writes its stack', () => {
    const r = run(['init', '--no-start', '--dir', join(work, 'stack'), '--home', join(work, 'init-home')]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(work, 'stack', 'docker-compose.yml'), 'utf8')).toContain('otel-collector');
    expect(r.loaded('crypto')).toBe(true);
  });
});
