// Issue #11, item 5 (bounded reads), for the code that writes: --fix reading a file it adds to, and `init` reading the
// user settings and the stack files it compares with what it writes. A FIFO there once blocked the run forever (an
// unbounded readFileSync); now it is refused like every other read, with one line, exit 2 and nothing written.
// Real processes with a timeout, so that a run that blocks fails the test instead of hanging the worker.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';

const root = mkdtempSync(join(tmpdir(), 'cod-bounded-writers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(...parts: string[]): string {
  const dir = join(root, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function fifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

/** The CLI as a process, killed after 60 s (a blocked read); the state folder (backups) under `state`. */
function cli(args: string[], state: string) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot, 'src/cli.ts'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: state, CLAUDE_CONFIG_DIR: '' },
  });
  return { exitCode: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

const noBackups = (state: string) =>
  !existsSync(join(state, 'claude-otel-doctor', 'backups')) || readdirSync(join(state, 'claude-otel-doctor', 'backups')).length === 0;

describe('a FIFO where a writer reads is refused, never waited on', () => {
  it('--fix adding a variable to ~/.claude/settings.json that is a FIFO: not fixed, the FIFO named, exit 2', () => {
    const home = folder('fix', 'home', '.claude');
    const project = folder('fix', 'project', '.claude');
    const managed = folder('fix', 'managed');
    const state = join(root, 'fix', 'state');
    fifo(join(home, 'settings.json'));
    // The protocol is missing in the project's local settings; --fix adds it to the user settings by default.
    const env = { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' };
    writeFileSync(join(project, 'settings.local.json'), `${JSON.stringify({ env }, null, 2)}\n`);
    const r = cli(
      [
        'check',
        '--no-shell-env',
        '--claude-version',
        '2.1.197',
        '--home',
        join(root, 'fix', 'home'),
        '--project',
        join(root, 'fix', 'project'),
        '--managed-dir',
        managed,
        '--fix',
      ],
      state,
    );
    expect(r.signal, 'the run blocked on the FIFO').toBeNull();
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/not fixed settings\/missing-protocol .*settings\.json could not be read/);
    expect(r.stdout).toMatch(/settings\.json: error is a FIFO \(named pipe\), not a file/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(noBackups(state)).toBe(true);
  });

  for (const [what, place] of [
    ['~/.claude/settings.json', (home: string) => join(home, '.claude', 'settings.json')],
    ["the stack's docker-compose.yml", (home: string) => join(home, '.claude', 'telemetry', 'docker-compose.yml')],
  ] as const) {
    for (const dryRun of [true, false]) {
      it(`init${dryRun ? ' --dry-run' : ''} with ${what} a FIFO: one line naming it, exit 2, nothing written`, () => {
        const base = folder('init', `${what.replace(/\W/g, '')}-${dryRun}`);
        const home = join(base, 'home');
        mkdirSync(join(home, '.claude', 'telemetry'), { recursive: true });
        const path = fifo(place(home));
        const state = join(base, 'state');
        const r = cli(['init', '--home', home, '--no-start', ...(dryRun ? ['--dry-run'] : [])], state);
        expect(r.signal, 'the run blocked on the FIFO').toBeNull();
        expect(r.exitCode).toBe(2);
        expect(r.stderr.trim().split('\n')).toEqual([`claude-otel-doctor: ${path} is a FIFO (named pipe), not a file; nothing was written`]);
        expect(readdirSync(join(home, '.claude', 'telemetry'))).toEqual(what.includes('compose') ? ['docker-compose.yml'] : []);
        expect(noBackups(state)).toBe(true);
      });
    }
  }
});
