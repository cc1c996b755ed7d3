// Issue #11, items 3 (writing side) and 10 (writing side): --fix writes only inside the scanned roots (machine
// mode: the user's own files and the project), symlinks out of them are refused with a line and the rest is
// fixed; a report that cannot be written is exit 2 with one line; init --force leaves .env private.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { newMachine } from '../bootstrap/machine.js';
import { runCli } from '../helpers/cli.js';
import { buildIfStale } from '../helpers/built.js';

const work = mkdtempSync(join(tmpdir(), 'cod-sec-writes-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function tree(files: Record<string, string>): { root: string; path: (rel: string) => string; text: (rel: string) => string } {
  const root = join(work, String(++n));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return { root, path: (rel) => join(root, rel), text: (rel) => readFileSync(join(root, rel), 'utf8') };
}

function link(target: string, at: string): void {
  mkdirSync(dirname(at), { recursive: true });
  symlinkSync(target, at);
}

const json = (env: Record<string, string>) => `${JSON.stringify({ env }, null, 2)}\n`;
/** A settings file whose only fixable finding is the interval written as "10s" (fixed in place to 10000). */
const fixable = json({
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
  OTEL_METRIC_EXPORT_INTERVAL: '10s',
});
const env = (t: { root: string }) => ({ CLAUDE_CONFIG_DIR: undefined, XDG_STATE_HOME: join(t.root, 'state'), NO_COLOR: '1' });

describe('--fix writes only inside the scanned roots', () => {
  it('CI mode: a settings file that is a symlink out of the root is neither read nor written, one line says why, the rest is fixed', () => {
    const t = tree({ 'repo/a/.claude/settings.json': fixable, 'outside/victim.json': fixable, 'repo/shared/settings.json': fixable });
    link(t.path('outside/victim.json'), t.path('repo/b/.claude/settings.json'));
    // A link inside the root is followed: its target is fixed, the link stays a link.
    link('../../shared/settings.json', t.path('repo/c/.claude/settings.json'));
    const r = runCli(['check', t.path('repo'), '--fix', '--no-shell-env', '--claude-version', '2.1.197'], env(t));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(t.text('outside/victim.json')).toBe(fixable);
    // The reader refuses the link already (roots.test.ts); the writer's own check stays as a second line of defence.
    expect(r.stdout).toMatch(/b\/\.claude\/settings\.json: warning is a symlink to .*outside\/victim\.json, outside the scanned paths; not read/);
    expect(JSON.parse(t.text('repo/a/.claude/settings.json')).env.OTEL_METRIC_EXPORT_INTERVAL).toBe('10000');
    expect(JSON.parse(t.text('repo/shared/settings.json')).env.OTEL_METRIC_EXPORT_INTERVAL).toBe('10000');
    expect(lstatSync(t.path('repo/c/.claude/settings.json')).isSymbolicLink()).toBe(true);
  });

  it("CI mode: a file named on the command line through a symlink is the user's choice: its target is fixed", () => {
    const t = tree({ 'elsewhere/settings.json': fixable });
    link(t.path('elsewhere/settings.json'), t.path('named.json'));
    const r = runCli(['check', t.path('named.json'), '--fix', '--no-shell-env', '--claude-version', '2.1.197'], env(t));
    expect(r.stdout).not.toMatch(/not fixed/);
    expect(JSON.parse(t.text('elsewhere/settings.json')).env.OTEL_METRIC_EXPORT_INTERVAL).toBe('10000');
  });

  const machineArgs = (t: { path: (rel: string) => string }) => [
    'check',
    '--no-shell-env',
    '--claude-version',
    '2.1.197',
    '--home',
    t.path('home'),
    '--project',
    t.path('project'),
    '--managed-dir',
    t.path('managed'),
  ];

  it("machine mode: the project's settings.local.json linking out of the project is neither read nor written; the user's own linked settings are", () => {
    const user = json({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'OTLP',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
    });
    const victim = json({ OTEL_METRIC_EXPORT_INTERVAL: '10s' });
    const t = tree({ 'outside/victim.json': victim, 'dotfiles/claude.json': user, 'managed/.keep': '' });
    link(t.path('outside/victim.json'), t.path('project/.claude/settings.local.json'));
    link(t.path('dotfiles/claude.json'), t.path('home/.claude/settings.json'));
    const r = runCli([...machineArgs(t), '--fix'], env(t));
    expect(t.text('outside/victim.json')).toBe(victim);
    expect(r.stdout).toMatch(/settings\.local\.json: warning is a symlink to .*outside\/victim\.json, outside the project; not read/);
    expect(JSON.parse(t.text('dotfiles/claude.json')).env.OTEL_METRICS_EXPORTER).toBe('otlp');
  });

  it('machine mode: --scope local does not add a variable through a .claude folder that links out of the project', () => {
    const t = tree({
      'home/.claude/settings.json': json({
        CLAUDE_CODE_ENABLE_TELEMETRY: '1',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
      }),
      'managed/.keep': '',
    });
    mkdirSync(t.path('outside'), { recursive: true });
    mkdirSync(t.path('project'), { recursive: true });
    link(t.path('outside'), t.path('project/.claude'));
    const r = runCli([...machineArgs(t), '--fix', '--scope', 'local'], env(t));
    expect(existsSync(t.path('outside/settings.local.json'))).toBe(false);
    expect(r.stdout).toMatch(/^not fixed .*outside\/settings\.local\.json, is outside the scanned folders and the project/m);
  });
});

describe('a report that cannot be written', () => {
  beforeAll(() => buildIfStale(), 120_000);

  /** `node dist/cli.js check <dir>` with stdout on `fd`; the exit code and stderr. */
  function checkWithStdout(fd: number, dir: string): { status: number | null; stderr: string } {
    const r = spawnSync(process.execPath, [join(packageRoot, 'dist/cli.js'), 'check', dir, '--no-shell-env', '--claude-version', '2.1.197'], {
      stdio: ['ignore', fd, 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { status: r.status, stderr: r.stderr };
  }

  it('stdout on a full disk (/dev/full: ENOSPC) or not open for writing (EBADF): exit 2, one line, no stack trace', () => {
    const t = tree({ 'repo/.claude/settings.json': fixable });
    for (const [file, flags, code] of [
      ['/dev/full', 'w', 'ENOSPC'],
      ['/dev/null', 'r', 'EBADF'],
    ] as const) {
      const fd = openSync(file, flags);
      try {
        const r = checkWithStdout(fd, t.path('repo'));
        expect(r.status, `${file}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`^claude-otel-doctor: cannot write the report to stdout \\(${code}\\b[^\\n]*\\)\\n$`));
      } finally {
        closeSync(fd);
      }
    }
  }, 60_000);
});

describe('init --force', () => {
  it('writes .env with mode 0600 over an old .env that was 0644', async () => {
    const m = newMachine();
    try {
      mkdirSync(m.stack, { recursive: true });
      writeFileSync(join(m.stack, '.env'), 'COMPOSE_PROJECT_NAME=old\n');
      chmodSync(join(m.stack, '.env'), 0o644);
      const r = await m.init(['--no-start', '--force']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(readFileSync(join(m.stack, '.env'), 'utf8')).toMatch(/^GF_SECURITY_ADMIN_PASSWORD=/m);
      expect((statSync(join(m.stack, '.env')).mode & 0o777).toString(8)).toBe('600');
    } finally {
      m.cleanup();
    }
  });
});
