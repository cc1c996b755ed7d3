// Issue #11, item 8: `restore` trusts nothing it reads. A manifest changed after its run (unsigned), or one
// re-signed with the machine's key but naming backups outside its folder, setuid modes, missing or linked
// backups, duplicates or odd paths, is refused whole: exit 2, one line, no file touched. A backup name is looked
// up in the backups folder only, never in the working folder.
import { spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';
import { buildIfStale } from '../helpers/built.js';

const work = mkdtempSync(join(tmpdir(), 'cod-sec-restore-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => buildIfStale(), 120_000);

const json = (env: Record<string, string>) => `${JSON.stringify({ env }, null, 2)}\n`;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const VICTIM = 'precious: not written by any run\n';

interface Entry {
  path: string;
  target: string;
  backup?: string;
  created?: boolean;
  mode?: number;
  sha256Before?: string;
  sha256After: string;
}
interface ManifestJson {
  files: Entry[];
  signature?: string;
  [k: string]: unknown;
}

let n = 0;
/** A machine on which --fix changed two files (user settings, the env file), and a victim file no run wrote. */
function fixedMachine() {
  const root = join(work, String(++n));
  const files: Record<string, string> = {
    'home/.claude/settings.json': json({ CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4317' }),
    'shell.env': 'export OTEL_METRICS_EXPORTER=OTLP\nexport OTEL_LOGS_EXPORTER=OTLP\n',
    'victim.txt': VICTIM,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  for (const d of ['project', 'managed']) mkdirSync(join(root, d), { recursive: true });
  const env = { CLAUDE_CONFIG_DIR: undefined, XDG_STATE_HOME: join(root, 'state'), NO_COLOR: '1' };
  const args = [
    'check',
    '--no-shell-env',
    '--claude-version',
    '2.1.197',
    '--home',
    join(root, 'home'),
    '--project',
    join(root, 'project'),
    '--managed-dir',
    join(root, 'managed'),
    '--env-file',
    join(root, 'shell.env'),
  ];
  const fix = runCli([...args, '--fix'], env);
  expect(fix.stderr).toBe('');
  const backups = join(root, 'state/claude-otel-doctor/backups');
  const [name] = readdirSync(backups);
  const dir = join(backups, name);
  const targets = ['home/.claude/settings.json', 'shell.env', 'victim.txt'].map((rel) => join(root, rel));
  const fixed = targets.map((t) => readFileSync(t));
  const manifestPath = join(dir, 'manifest.json');
  return {
    root,
    env,
    dir,
    name,
    victim: join(root, 'victim.txt'),
    manifest: (): ManifestJson => JSON.parse(readFileSync(manifestPath, 'utf8')),
    /** Writes the manifest; `sign` gives it a valid signature, as someone holding the machine's key could. */
    write(m: ManifestJson, sign: boolean) {
      const { signature, ...body } = m;
      const keyFile = join(root, 'state/claude-otel-doctor/manifest.key');
      const signed = sign && existsSync(keyFile) ? createHmac('sha256', readFileSync(keyFile)).update(JSON.stringify(body)).digest('hex') : signature;
      writeFileSync(manifestPath, `${JSON.stringify({ ...body, signature: signed }, null, 2)}\n`);
    },
    restore: (extra: string[] = []) => runCli(['restore', name, ...extra], env),
    /** Every target (and the victim) still holds what --fix left. */
    untouched: () => targets.forEach((t, i) => expect(readFileSync(t).equals(fixed[i]), t).toBe(true)),
  };
}

/** Refused whole: exit 2, one line naming why, no stack trace, nothing changed, also with --force. */
function expectRefused(m: ReturnType<typeof fixedMachine>, why: RegExp): void {
  for (const extra of [[], ['--force']]) {
    const r = m.restore(extra);
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^claude-otel-doctor: cannot restore from .*: .*; nothing was restored\n$/);
    expect(r.stderr).toMatch(why);
    expect(r.stdout).toBe('');
    m.untouched();
  }
}

describe('restore checks the manifest whole before it touches anything', () => {
  it('control: the manifest as the run wrote it restores both files', () => {
    const m = fixedMachine();
    const r = m.restore();
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 files restored/);
    expect(readFileSync(m.victim, 'utf8')).toBe(VICTIM);
  });

  it('a target the run did not write, added to the manifest, is refused: the signature no longer matches', () => {
    const m = fixedMachine();
    const mf = m.manifest();
    const copy = readFileSync(join(m.dir, mf.files[0].backup!));
    mf.files.push({ path: m.victim, target: m.victim, backup: mf.files[0].backup, mode: 0o644, sha256Before: sha(copy), sha256After: sha(VICTIM) });
    m.write(mf, false);
    expectRefused(m, /does not carry the signature this machine gives its backups/);
  });

  it('a created file claimed for a backed-up one (restore would delete it) is refused when unsigned', () => {
    const m = fixedMachine();
    const mf = m.manifest();
    delete mf.files[0].backup;
    delete mf.files[0].sha256Before;
    mf.files[0].created = true;
    m.write(mf, false);
    expectRefused(m, /signature/);
  });

  // From here on the manifest is re-signed: each check holds on its own, even against someone with the key.
  it('a backup path with ../ out of the backup folder', () => {
    const m = fixedMachine();
    const mf = m.manifest();
    writeFileSync(join(m.dir, '..', 'evil'), 'evil\n', { mode: 0o600 });
    mf.files[0].backup = '../evil';
    mf.files[0].sha256Before = sha('evil\n');
    m.write(mf, true);
    expectRefused(m, /backup "\.\.\/evil" is not a file name in the backup folder/);
  });

  it('an absolute backup path', () => {
    const m = fixedMachine();
    const mf = m.manifest();
    writeFileSync(join(m.root, 'evil'), 'evil\n', { mode: 0o600 });
    mf.files[0].backup = join(m.root, 'evil');
    mf.files[0].sha256Before = sha('evil\n');
    m.write(mf, true);
    expectRefused(m, /is not a file name in the backup folder/);
  });

  it('a backup copy that is a symlink out of the folder', () => {
    const m = fixedMachine();
    const mf = m.manifest();
    writeFileSync(join(m.root, 'evil'), 'evil\n', { mode: 0o600 });
    unlinkSync(join(m.dir, mf.files[0].backup!));
    symlinkSync(join(m.root, 'evil'), join(m.dir, mf.files[0].backup!));
    mf.files[0].sha256Before = sha('evil\n');
    m.write(mf, true);
    expectRefused(m, /backup copy .* cannot be used \(ELOOP/);
  });

  it('a setuid mode (0o4755)', () => {
    const m = fixedMachine();
    const mf = m.manifest();
    mf.files[0].mode = 0o4755;
    m.write(mf, true);
    expectRefused(m, /mode 2541 is not permission bits/);
  });

  it('a missing backup: the field removed, or the copy deleted; neither deletes the target', () => {
    const m = fixedMachine();
    const mf = m.manifest();
    delete mf.files[0].backup;
    delete mf.files[0].sha256Before;
    m.write(mf, true);
    expectRefused(m, /no backup copy named for a file the run did not create/);

    const m2 = fixedMachine();
    unlinkSync(join(m2.dir, m2.manifest().files[1].backup!));
    expectRefused(m2, /backup copy .* is missing/);
  });

  it('a target listed twice, and targets that are not absolute normalized paths', () => {
    const m = fixedMachine();
    const mf = m.manifest();
    mf.files.push({ ...mf.files[0], backup: mf.files[1].backup, sha256Before: mf.files[1].sha256Before });
    m.write(mf, true);
    expectRefused(m, /is listed twice/);
    for (const target of ['shell.env', `${m.root}/project/../shell.env`, `${m.root}/shell.env/`]) {
      const again = m.manifest();
      again.files = again.files.slice(0, 2);
      again.files[1].target = target;
      m.write(again, true);
      expectRefused(m, /path and target must be absolute, normalized paths/);
    }
  });

  it('a manifest that is a symlink, and a backup folder open to others', () => {
    const m = fixedMachine();
    const elsewhere = join(m.root, 'manifest-elsewhere.json');
    cpSync(join(m.dir, 'manifest.json'), elsewhere);
    unlinkSync(join(m.dir, 'manifest.json'));
    symlinkSync(elsewhere, join(m.dir, 'manifest.json'));
    expectRefused(m, /ELOOP/);

    const m2 = fixedMachine();
    chmodSync(m2.dir, 0o755);
    expectRefused(m2, /is open to others \(mode 755\)/);
  });
});

describe('restore <name> looks in the backups folder only', () => {
  it('../x, /tmp/x and ./local-dir are refused with one line (exit 2), even when they hold a valid manifest', () => {
    const m = fixedMachine();
    const cwd = join(m.root, 'cwd');
    // Each holds a copy of the real, signed backup: what the old lookup would have restored from.
    for (const d of [join(cwd, 'local-dir'), join(m.root, 'x'), join(work, `abs-${n}`)]) cpSync(m.dir, d, { recursive: true });
    for (const which of ['../x', join(work, `abs-${n}`), './local-dir', 'local-dir']) {
      const r = spawnSync(process.execPath, [join(packageRoot, 'dist/cli.js'), 'restore', which, '--force'], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, XDG_STATE_HOME: m.env.XDG_STATE_HOME, NO_COLOR: '1' },
      });
      expect(r.status, which + r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n'), which).toHaveLength(1);
      expect(r.stderr, which).toMatch(/^claude-otel-doctor: restore takes the name of a backup in .* \(see restore --list\), not /);
      m.untouched();
    }
  }, 60_000);
});
