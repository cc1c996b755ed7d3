// --fix, --dry-run and restore on real files: fidelity (CRLF, BOM, final newline, indentation, mode,
// symlinks), scope of additions, managed and shared files, secrets, exit codes, failure injection and restore.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, runCliProcess } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'cod-fixcli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** A throwaway machine: files under one root (home/, project/, managed/, shell.env), backups in root/state. */
function machine(files: Record<string, string | Buffer>, version = '2.1.197') {
  const root = join(work, String(++n));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  for (const d of ['home', 'project', 'managed']) mkdirSync(join(root, d), { recursive: true });
  const args = [
    'check',
    '--no-shell-env',
    '--claude-version',
    version,
    '--home',
    join(root, 'home'),
    '--project',
    join(root, 'project'),
    '--managed-dir',
    join(root, 'managed'),
  ];
  if (existsSync(join(root, 'shell.env'))) args.push('--env-file', join(root, 'shell.env'));
  const env = { CLAUDE_CONFIG_DIR: undefined, XDG_STATE_HOME: join(root, 'state'), NO_COLOR: '1' };
  return {
    root,
    env,
    args,
    path: (rel: string) => join(root, rel),
    read: (rel: string) => readFileSync(join(root, rel)),
    text: (rel: string) => readFileSync(join(root, rel), 'utf8'),
    cli: (...extra: string[]) => runCli([...args, ...extra], env),
    process: (extra: string[], more: Record<string, string> = {}) =>
      runCliProcess([...args, ...extra], { XDG_STATE_HOME: env.XDG_STATE_HOME, CLAUDE_CONFIG_DIR: '', ...more }),
    backups: () => (existsSync(join(root, 'state/claude-otel-doctor/backups')) ? readdirSync(join(root, 'state/claude-otel-doctor/backups')).sort() : []),
  };
}

const json = (env: Record<string, unknown>, extra: Record<string, unknown> = {}) => `${JSON.stringify({ ...extra, env }, null, 2)}\n`;
const grpcNoProtocol = {
  CLAUDE_CODE_ENABLE_TELEMETRY: '1',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_LOGS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317',
};
const healthy = { ...grpcNoProtocol, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' };

/** Applies a --dry-run diff with GNU patch, as a user would. */
function patch(diff: string): { status: number | null; out: string } {
  const r = spawnSync('patch', ['-d', '/', '-p1', '--forward', '--no-backup-if-mismatch'], { input: diff, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe('fidelity: only the intended bytes change', () => {
  it('keeps CRLF, a BOM, tab indentation and the absence of a final newline in a settings file', () => {
    const text =
      '\uFEFF{\r\n\t"env": {\r\n\t\t"CLAUDE_CODE_ENABLE_TELEMETRY": "1",\r\n\t\t"OTEL_METRICS_EXPORTER": "otlp",\r\n\t\t"OTEL_LOGS_EXPORTER": "otlp",\r\n\t\t"OTEL_METRIC_EXPORT_INTERVAL": "10s",\r\n\t\t"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317"\r\n\t}\r\n}';
    const m = machine({ 'home/.claude/settings.json': text });
    const copy = machine({ 'home/.claude/settings.json': text });
    const dry = copy.cli('--dry-run');
    expect(dry.exitCode).toBe(1);
    expect(patch(dry.stdout).status).toBe(0);

    const r = m.cli('--fix');
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const out = m.read('home/.claude/settings.json');
    expect([...out.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const s = out.toString('utf8').slice(1);
    expect(s.replace(/\r\n/g, '')).not.toContain('\n');
    expect(s.endsWith('}')).toBe(true);
    expect(s).toBe(
      '{\r\n\t"env": {\r\n\t\t"CLAUDE_CODE_ENABLE_TELEMETRY": "1",\r\n\t\t"OTEL_METRICS_EXPORTER": "otlp",\r\n\t\t"OTEL_LOGS_EXPORTER": "otlp",\r\n\t\t"OTEL_METRIC_EXPORT_INTERVAL": "10000",\r\n\t\t"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317",\r\n\t\t"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\r\n\t}\r\n}',
    );
    // The patched copy is byte-identical to what --fix wrote.
    expect(copy.read('home/.claude/settings.json').equals(out)).toBe(true);
  });

  it('keeps CRLF and no final newline in an env file, and quotes a value only when needed', () => {
    const text =
      'export CLAUDE_CODE_ENABLE_TELEMETRY=1\r\nexport OTEL_METRICS_EXPORTER=OTLP\r\nexport OTEL_LOGS_EXPORTER=otlp\r\nexport OTEL_EXPORTER_OTLP_PROTOCOL=grpc\r\nexport OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4317';
    const m = machine({ 'shell.env': text });
    expect(m.cli('--fix').exitCode).toBe(0);
    expect(m.text('shell.env')).toBe(text.replace('=OTLP', '=otlp').replace('=localhost:4317', '=http://localhost:4317'));
  });

  it('keeps the mode of the file and writes through a symlink to its target', () => {
    const m = machine({ 'dotfiles/claude.json': json(grpcNoProtocol) });
    mkdirSync(m.path('home/.claude'), { recursive: true });
    symlinkSync('../../dotfiles/claude.json', m.path('home/.claude/settings.json'));
    chmodSync(m.path('dotfiles/claude.json'), 0o640);
    expect(m.cli('--fix').exitCode).toBe(0);
    expect(lstatSync(m.path('home/.claude/settings.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(m.path('home/.claude/settings.json'))).toBe('../../dotfiles/claude.json');
    expect(JSON.parse(m.text('dotfiles/claude.json')).env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('grpc');
    expect(statSync(m.path('dotfiles/claude.json')).mode & 0o777).toBe(0o640);
    const [run] = m.backups();
    const manifest = JSON.parse(readFileSync(join(m.root, 'state/claude-otel-doctor/backups', run, 'manifest.json'), 'utf8'));
    expect(manifest.files[0]).toMatchObject({ path: m.path('home/.claude/settings.json'), target: m.path('dotfiles/claude.json'), mode: 0o640 });
  });

  it('leaves no temp file behind and changes nothing when run twice', () => {
    const m = machine({ 'home/.claude/settings.json': json(grpcNoProtocol) });
    m.cli('--fix');
    const once = m.read('home/.claude/settings.json');
    expect(m.cli('--fix').stdout).toContain('nothing to fix');
    expect(m.read('home/.claude/settings.json').equals(once)).toBe(true);
    expect(readdirSync(m.path('home/.claude'))).toEqual(['settings.json']);
    expect(m.backups()).toHaveLength(1);
  });
});

describe('flags and exit codes', () => {
  it('--dry-run: a diff on stdout and exit 1 when there is something to fix, nothing and exit 0 otherwise; writes nothing', () => {
    const m = machine({ 'home/.claude/settings.json': json(grpcNoProtocol) });
    const before = m.read('home/.claude/settings.json');
    const dry = m.cli('--dry-run');
    expect(dry.exitCode).toBe(1);
    expect(dry.stdout).toMatch(/^--- \/.*settings\.json\n\+\+\+ \/.*settings\.json\n@@ /);
    expect(m.read('home/.claude/settings.json').equals(before)).toBe(true);
    expect(m.backups()).toEqual([]);
    const ok = machine({ 'home/.claude/settings.json': json(healthy) });
    const none = ok.cli('--dry-run');
    expect([none.exitCode, none.stdout, none.stderr]).toEqual([0, '', 'nothing to fix\n']);
  });

  it('--fix: the exit code follows what remains; --show-fixes lists what was applied', () => {
    const m = machine({ 'home/.claude/settings.json': json(grpcNoProtocol) });
    const r = m.cli('--fix', '--show-fixes');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^fixed settings\/missing-protocol .*settings\.json:4: add OTEL_EXPORTER_OTLP_PROTOCOL=grpc$/m);
    expect(r.stdout).toMatch(/fixed 2 findings in .*settings\.json; backup in .*\(undo: claude-otel-doctor restore \S+\)/);
    // What cannot be fixed keeps the exit code at 1 and is reported.
    const broken = machine({ 'home/.claude/settings.json': json({ ...healthy, OTEL_METRICS_EXPORTER: 'zipkin' }) });
    expect(broken.cli('--fix').exitCode).toBe(1);
  });

  it('works on the bare doctor command, and keeps --format json parseable (notes go to stderr)', () => {
    const m = machine({ 'home/.claude/settings.json': json(grpcNoProtocol) });
    const doctor = runCli(['--offline', ...m.args.slice(1), '--fix'], m.env);
    expect(doctor.exitCode).toBe(0);
    expect(doctor.stdout).toContain('fixed 2 findings');
    const j = machine({ 'home/.claude/settings.json': json(grpcNoProtocol) });
    const r = j.cli('--fix', '--format', 'json', '--show-fixes');
    expect(JSON.parse(r.stdout).findings).toEqual([]);
    expect(r.stderr).toContain('fixed settings/missing-protocol');
  });

  it('unsafe fixes need --unsafe-fixes, and say so', () => {
    const m = machine({ 'home/.claude/settings.json': json({ ...healthy, OTEL_METRICS_EXPORTER: 'console,otlp' }) });
    const safe = m.cli('--dry-run');
    expect([safe.exitCode, safe.stdout]).toEqual([0, '']);
    expect(safe.stderr).toContain('1 unsafe fix not applied: add --unsafe-fixes');
    const unsafe = m.cli('--fix', '--unsafe-fixes');
    expect(unsafe.exitCode).toBe(0);
    expect(JSON.parse(m.text('home/.claude/settings.json')).env.OTEL_METRICS_EXPORTER).toBe('otlp');
  });

  it('fix flags without --fix or --dry-run, and a bad --scope, are usage errors', () => {
    const m = machine({ 'home/.claude/settings.json': json(grpcNoProtocol) });
    for (const extra of [['--unsafe-fixes'], ['--show-fixes'], ['--scope', 'user'], ['--fix', '--scope', 'global']]) {
      const r = m.cli(...extra);
      expect(r.exitCode, extra.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const ci = runCli(['check', m.path('home'), '--fix', '--scope', 'user'], m.env);
    expect(ci.exitCode).toBe(2);
    expect(ci.stderr).toMatch(/--scope needs a machine/);
  });
});

describe('where fixes land', () => {
  it('a variable set nowhere goes into the user settings, which are created when missing (mode 0600)', () => {
    const m = machine({
      'shell.env': 'export OTEL_METRICS_EXPORTER=otlp\nexport OTEL_EXPORTER_OTLP_PROTOCOL=grpc\nexport OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317\n',
    });
    const r = m.cli('--fix');
    expect(r.stderr).toBe('');
    expect(m.text('home/.claude/settings.json')).toBe('{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_LOGS_EXPORTER": "otlp"\n  }\n}\n');
    expect(statSync(m.path('home/.claude/settings.json')).mode & 0o777).toBe(0o600);
    expect(m.text('shell.env')).not.toContain('CLAUDE_CODE_ENABLE_TELEMETRY');
    // restore removes the file the fix created
    expect(runCli(['restore'], m.env).exitCode).toBe(0);
    expect(existsSync(m.path('home/.claude/settings.json'))).toBe(false);
  });

  it('follows CLAUDE_CONFIG_DIR for the user settings', () => {
    const m = machine({
      'shell.env': `export CLAUDE_CONFIG_DIR=${join(work, String(n + 1), 'cfg')}\nexport CLAUDE_CODE_ENABLE_TELEMETRY=1\nexport OTEL_LOGS_EXPORTER=otlp\nexport OTEL_EXPORTER_OTLP_PROTOCOL=grpc\nexport OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317\n`,
    });
    m.cli('--fix');
    expect(JSON.parse(m.text('cfg/settings.json')).env).toEqual({ OTEL_METRICS_EXPORTER: 'otlp' });
    expect(existsSync(m.path('home/.claude/settings.json'))).toBe(false);
  });

  it('--scope local and --scope project put it in the project; a value that exists is changed where it is defined', () => {
    const files = { 'project/.claude/settings.local.json': json({ ...grpcNoProtocol, OTEL_METRIC_EXPORT_INTERVAL: '10s', OTEL_LOGS_EXPORTER: undefined }) };
    const local = machine(files);
    expect(local.cli('--fix', '--scope', 'local').exitCode).toBe(0);
    expect(JSON.parse(local.text('project/.claude/settings.local.json')).env).toMatchObject({
      OTEL_METRIC_EXPORT_INTERVAL: '10000',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_LOGS_EXPORTER: 'otlp',
    });
    expect(existsSync(local.path('home/.claude/settings.json'))).toBe(false);
    const user = machine(files);
    user.cli('--fix');
    expect(JSON.parse(user.text('project/.claude/settings.local.json')).env.OTEL_METRIC_EXPORT_INTERVAL).toBe('10000');
    expect(JSON.parse(user.text('home/.claude/settings.json')).env).toEqual({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_LOGS_EXPORTER: 'otlp' });
    const project = machine(files);
    project.cli('--fix', '--scope', 'project');
    expect(JSON.parse(project.text('project/.claude/settings.json')).env).toEqual({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_LOGS_EXPORTER: 'otlp' });
  });

  it('refuses a project scope that Claude Code would ignore (2.1.270 and later)', () => {
    const m = machine({ 'home/.claude/settings.json': json(grpcNoProtocol) }, '2.1.283');
    const r = m.cli('--fix', '--scope', 'project');
    expect(r.stdout).toMatch(/not fixed settings\/missing-protocol .*ignore OTEL_EXPORTER_OTLP_PROTOCOL in project settings: use --scope user/);
    expect(existsSync(m.path('project/.claude/settings.json'))).toBe(false);
    expect(r.exitCode).toBe(1);
  });

  it('never writes managed settings: the finding stays and says why', () => {
    const m = machine({ 'managed/managed-settings.json': json({ ...healthy, CLAUDE_CODE_ENABLE_TELEMETRY: '0' }) });
    const before = m.read('managed/managed-settings.json');
    const r = m.cli('--dry-run');
    expect(r.stdout).toBe('');
    expect(m.read('managed/managed-settings.json').equals(before)).toBe(true);
    expect(JSON.parse(m.cli('--format', 'json').stdout).findings.map((f: { ruleId: string }) => f.ruleId)).toContain('settings/telemetry-disabled');
  });

  it('repairs a dropped file first, then fixes what it holds', () => {
    const m = machine({
      'home/.claude/settings.json':
        '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "0", // off for now\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317",\n  }\n}\n',
    });
    const r = m.cli('--fix', '--show-fixes');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('fixed '));
    expect(lines[0]).toMatch(/^fixed settings\/invalid-json /);
    expect(m.text('home/.claude/settings.json')).toBe(
      '{\n  "env": {\n    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",\n    "OTEL_METRICS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317",\n    "OTEL_LOGS_EXPORTER": "otlp",\n    "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"\n  }\n}\n',
    );
  });

  it('adds nothing to user settings Claude Code drops for a syntax error it cannot repair', () => {
    const m = machine({
      'home/.claude/settings.json': '{ "env": { "X": 1 ',
      'shell.env': 'export OTEL_METRICS_EXPORTER=otlp\nexport OTEL_EXPORTER_OTLP_PROTOCOL=grpc\n',
    });
    const r = m.cli('--dry-run');
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not fixed settings\/telemetry-disabled .*ignores .*settings\.json until it parses and validates: repair it first/);
  });

  it('in CI mode adds next to the related variable, in the same file', () => {
    const m = machine({ 'repo/templates/settings.json.local': json({ OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }) });
    const r = runCli(['check', m.path('repo'), '--fix'], m.env);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(m.text('repo/templates/settings.json.local')).env).toMatchObject({ CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_LOGS_EXPORTER: 'otlp' });
  });
});

describe('secrets', () => {
  const headers = {
    ...healthy,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com',
    OTEL_EXPORTER_OTLP_HEADERS: 'Authorization: Bearer tok-9f8e7d6c5b4a',
  };

  it('refuses to write a credential into project settings (committed), with a hint, and never prints it', () => {
    const m = machine({ 'project/.claude/settings.json': json(headers) });
    const before = m.read('project/.claude/settings.json');
    for (const r of [m.cli('--dry-run'), m.cli('--fix')]) {
      expect(r.stdout + r.stderr).toMatch(
        /not fixed settings\/invalid-headers .*: it would write a credential into .*settings\.json, a file meant to be committed; put credentials in \.claude\/settings\.local\.json/,
      );
      expect(r.stdout + r.stderr).not.toContain('tok-9f8e7d6c5b4a');
    }
    expect(m.read('project/.claude/settings.json').equals(before)).toBe(true);
  });

  it('fixes the same value in settings.local.json (git-ignored); its --dry-run diff is masked and patch skips it', () => {
    const m = machine({ 'project/.claude/settings.local.json': json(headers) });
    const dry = m.cli('--dry-run');
    expect(dry.exitCode).toBe(1);
    expect(dry.stdout).not.toContain('tok-9f8e7d6c5b4a');
    expect(dry.stdout).toContain('# -    "OTEL_EXPORTER_OTLP_HEADERS": "Authorization: Bearer ****"');
    expect(dry.stderr).toContain('holds a credential: shown masked');
    expect(m.cli('--fix').exitCode).toBe(0);
    expect(JSON.parse(m.text('project/.claude/settings.local.json')).env.OTEL_EXPORTER_OTLP_HEADERS).toBe('Authorization=Bearer tok-9f8e7d6c5b4a');
  });

  it('in CI mode every settings file but settings.local.json counts as committed', () => {
    const m = machine({ 'repo/.claude/settings.json': json(headers) });
    const r = runCli(['check', m.path('repo'), '--fix', '--claude-version', '2.1.197'], m.env);
    expect(r.stdout).toMatch(/it would write a credential into/);
    expect(r.stdout).not.toContain('tok-9f8e7d6c5b4a');
  });
});

describe('nothing lost: failure injection (CLAUDE_OTEL_DOCTOR_TEST_FAIL, test only)', () => {
  /** Two files to change: user settings (missing protocol) and the env file (upper-case exporter). */
  const two = () =>
    machine({
      'home/.claude/settings.json': json({ CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' }),
      'shell.env': 'export OTEL_METRICS_EXPORTER=OTLP\nexport OTEL_LOGS_EXPORTER=OTLP\n',
    });
  const files = ['home/.claude/settings.json', 'shell.env'];

  it('killed after the backup, before any write: every file intact; restore says so', () => {
    const m = two();
    const before = files.map((f) => m.read(f));
    const r = m.process(['--fix'], { CLAUDE_OTEL_DOCTOR_TEST_FAIL: 'after-backup' });
    expect(r.exitCode).toBe(-1); // killed
    files.forEach((f, i) => expect(m.read(f).equals(before[i]), f).toBe(true));
    expect(m.backups()).toHaveLength(1);
    const restore = runCli(['restore'], m.env);
    expect(restore.exitCode).toBe(0);
    expect(restore.stdout).toContain('already as it was before the fix');
  });

  it('killed between two renames: the first file is changed, restore puts it back', () => {
    const m = two();
    const before = files.map((f) => m.read(f));
    const r = m.process(['--fix'], { CLAUDE_OTEL_DOCTOR_TEST_FAIL: 'before-rename:2' });
    expect(r.exitCode).toBe(-1);
    const changed = files.filter((f, i) => !m.read(f).equals(before[i]));
    expect(changed).toHaveLength(1);
    const restore = runCli(['restore'], m.env);
    expect(restore.exitCode, restore.stdout).toBe(0);
    files.forEach((f, i) => expect(m.read(f).equals(before[i]), f).toBe(true));
  });

  it('killed before the first rename: the original is intact and the next run cleans the temp file up', () => {
    const m = two();
    const before = m.read('home/.claude/settings.json');
    m.process(['--fix'], { CLAUDE_OTEL_DOCTOR_TEST_FAIL: 'before-rename' });
    expect(m.read('home/.claude/settings.json').equals(before)).toBe(true);
    expect(readdirSync(m.path('home/.claude')).some((n) => n.endsWith('.tmp'))).toBe(true);
    expect(m.cli('--fix').exitCode).toBe(0);
    expect(readdirSync(m.path('home/.claude'))).toEqual(['settings.json']);
  });

  it('a failed write of the first file changes nothing, and says so in one line', () => {
    const before = files.map((f) => two().read(f));
    const m2 = two();
    const fail = m2.process(['--fix'], { CLAUDE_OTEL_DOCTOR_TEST_FAIL: 'write' });
    expect(fail.exitCode).toBe(2);
    expect(fail.stderr).toMatch(
      /^claude-otel-doctor: cannot write .* \(EIO: i\/o error \(simulated by CLAUDE_OTEL_DOCTOR_TEST_FAIL\)\); nothing was changed \(backup kept in .*\)\n$/,
    );
    files.forEach((f, i) => expect(m2.read(f).equals(before[i]), f).toBe(true));
  });

  it('a failed write of the second file puts the first one back', () => {
    const m = two();
    const before = files.map((f) => m.read(f));
    const r = m.process(['--fix'], { CLAUDE_OTEL_DOCTOR_TEST_FAIL: 'write:2' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/the 1 file\(s\) already written were put back, so nothing is changed/);
    files.forEach((f, i) => expect(m.read(f).equals(before[i]), f).toBe(true));
  });

  it('a read-only file is refused before anything is written', () => {
    const m = two();
    chmodSync(m.path('shell.env'), 0o444);
    const before = files.map((f) => m.read(f));
    const r = m.cli('--fix');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/shell\.env is read-only \(mode 444\); nothing was written/);
    files.forEach((f, i) => expect(m.read(f).equals(before[i]), f).toBe(true));
    expect(m.backups()).toEqual([]);
  });

  it('a file that changed since it was read is refused', () => {
    const m = two();
    const r = m.process(['--fix'], { CLAUDE_OTEL_DOCTOR_TEST_FAIL: 'changed' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/settings\.json changed since the doctor read it; nothing was written \(run --fix again\)/);
    expect(m.text('home/.claude/settings.json').endsWith('}\n\n')).toBe(true); // the other program's edit is kept
    expect(m.text('shell.env')).toContain('=OTLP');
  });
});

describe('restore', () => {
  it('restores the newest run by default, an older one by name or path, and lists them', () => {
    const m = machine({ 'home/.claude/settings.json': json({ ...grpcNoProtocol, OTEL_METRIC_EXPORT_INTERVAL: '10s' }) });
    const original = m.read('home/.claude/settings.json');
    m.cli('--fix', '--select', 'settings/invalid-interval');
    const afterFirst = m.read('home/.claude/settings.json');
    m.cli('--fix');
    const [first, second] = m.backups();
    expect(second).toBeDefined();
    expect(
      runCli(['restore', '--list'], m.env)
        .stdout.trim()
        .split('\n')
        .map((l) => l.split('/').pop()),
    ).toEqual([first, second]);
    expect(runCli(['restore'], m.env).exitCode).toBe(0);
    expect(m.read('home/.claude/settings.json').equals(afterFirst)).toBe(true);
    expect(runCli(['restore', first], m.env).exitCode).toBe(0);
    expect(m.read('home/.claude/settings.json').equals(original)).toBe(true);
    // by path, run again: already as before
    const again = runCli(['restore', join(m.root, 'state/claude-otel-doctor/backups', first)], m.env);
    expect(again.stdout).toContain('already as it was before the fix');
  });

  it('refuses a file changed since the fix unless --force; backups are private', () => {
    const m = machine({ 'home/.claude/settings.json': json(grpcNoProtocol) });
    m.cli('--fix');
    writeFileSync(m.path('home/.claude/settings.json'), json(healthy, { model: 'opus' }));
    const r = runCli(['restore'], m.env);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/not restored .*settings\.json: changed since the fix; --force puts the backup back anyway/);
    expect(JSON.parse(m.text('home/.claude/settings.json')).model).toBe('opus');
    expect(runCli(['restore', '--force'], m.env).exitCode).toBe(0);
    expect(JSON.parse(m.text('home/.claude/settings.json')).env.OTEL_EXPORTER_OTLP_PROTOCOL).toBeUndefined();
    const root = join(m.root, 'state/claude-otel-doctor');
    const [run] = m.backups();
    for (const d of [root, join(root, 'backups'), join(root, 'backups', run)]) expect(statSync(d).mode & 0o777, d).toBe(0o700);
    for (const f of readdirSync(join(root, 'backups', run))) expect(statSync(join(root, 'backups', run, f)).mode & 0o777, f).toBe(0o600);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('says so when there is nothing to restore', () => {
    const m = machine({});
    const r = runCli(['restore'], m.env);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^claude-otel-doctor: no backups in .*: --fix has not written anything here yet\n$/);
    expect(runCli(['restore', 'nope'], m.env).exitCode).toBe(2);
  });
});

describe('boolean flags before a path', () => {
  // mri knew cac's hyphenated boolean flags only by their camelCase names, so `check --dry-run repo/` took repo/ as
  // the flag's value and checked this machine instead.
  it('check --dry-run <path> and check --unsafe-fixes --fix <path> keep the path', () => {
    const repo = join(work, 'flags-before-path');
    mkdirSync(join(repo, '.claude'), { recursive: true });
    const broken = '{"env":{"OTEL_METRIC_EXPORT_INTERVAL":"10s"}}\n';
    writeFileSync(join(repo, '.claude', 'settings.json'), broken);
    const env = { XDG_STATE_HOME: join(repo, 'state'), NO_COLOR: '1' };
    const dry = runCli(['check', '--dry-run', repo, '--claude-version', '2.1.197'], env);
    expect(dry.stdout).toContain(`--- ${join(repo, '.claude', 'settings.json')}`);
    expect(dry.exitCode).toBe(1);
    const fixed = runCli(['check', '--unsafe-fixes', '--fix', repo, '--claude-version', '2.1.197'], env);
    expect(fixed.stdout).toMatch(/^fixed \d+ finding/m);
    expect(readFileSync(join(repo, '.claude', 'settings.json'), 'utf8')).not.toBe(broken);
  });
});
