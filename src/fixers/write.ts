import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { FileChange } from './apply.js';

/**
 * Writing fixes without losing anything: a backup of every file in one folder per run, outside any
 * repository (`${XDG_STATE_HOME:-~/.local/state}/claude-otel-doctor/backups/<timestamp>/`, mode 0700, with a
 * `.gitignore` of `*` above it, so a backup of a file holding secrets is never committed by accident), with a
 * manifest (each file's path, mode, owner, sha256 before and after); then atomic writes
 * (temp file in the target's folder, fsync, original mode and owner, rename) through symlinks to their
 * target; a file whose bytes changed since they were read is refused. If a write fails, the files already
 * written are put back from the backup, so a run changes all of its files or none.
 */

export class FixWriteError extends Error {}

export interface ManifestFile {
  /** The path as the doctor read it (may be a symlink). */
  path: string;
  /** The file really written: symlinks resolved. */
  target: string;
  /** Name of the copy in the backup folder; absent when the fix created the file. */
  backup?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  sha256Before?: string;
  sha256After: string;
}

export interface Manifest {
  version: 1;
  tool: string;
  created: string;
  cwd: string;
  files: ManifestFile[];
}

export function backupRoot(): string {
  const state = process.env.XDG_STATE_HOME && isAbsolute(process.env.XDG_STATE_HOME) ? process.env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'claude-otel-doctor', 'backups');
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/**
 * TEST ONLY: `CLAUDE_OTEL_DOCTOR_TEST_FAIL` injects failures so the tests can prove nothing is lost:
 * `after-backup` (the process is killed once the backup is complete, before any file is written),
 * `before-rename` / `before-rename:N` (killed after the Nth temp file is written and synced, before its rename),
 * `write` / `write:N` (writing the Nth file fails with EIO), `changed` (another program edits the first
 * file after it was read). Never set it outside the test suite.
 */
function testFailure(): { kind: string; n: number } | undefined {
  const v = process.env.CLAUDE_OTEL_DOCTOR_TEST_FAIL;
  if (!v) return undefined;
  const [kind, n] = v.split(':');
  return { kind, n: Number(n ?? 1) || 1 };
}

function killSelf(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/** The file a write really changes: a symlink's final target; for a new file, the path in its real folder. */
function realTarget(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const dir = dirname(resolve(path));
    try {
      return join(realpathSync(dir), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every file system lets a folder be synced
  }
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message.replace(/^[A-Z]+: /, '')}` : String(e?.message ?? err);
}

export interface WriteMeta {
  mode?: number;
  uid?: number;
  gid?: number;
}

/**
 * Atomic replace: a temp file in the target's folder, written and synced, given the original mode and
 * owner (the owner only when allowed, i.e. as root), then renamed over the target. `index` numbers the
 * files of a run for the test-only failure switch (0: a rollback or restore, never failed on purpose).
 */
export function atomicWrite(target: string, data: Buffer, meta: WriteMeta, index = 1): void {
  const dir = dirname(target);
  if (!existsSync(dir)) mkdirPrivate(dir);
  const base = basename(target);
  // Left over by a run that was killed before its rename.
  for (const n of readdirSync(dir)) {
    if (n.startsWith(`.${base}.claude-otel-doctor-`) && n.endsWith('.tmp')) {
      try {
        unlinkSync(join(dir, n));
      } catch {
        // another run's, or gone already
      }
    }
  }
  const tmp = join(dir, `.${base}.claude-otel-doctor-${process.pid}.tmp`);
  const fail = testFailure();
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      if (fail?.kind === 'write' && fail.n === index) throw Object.assign(new Error('i/o error (simulated by CLAUDE_OTEL_DOCTOR_TEST_FAIL)'), { code: 'EIO' });
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off, data.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, meta.mode ?? 0o600);
    if (meta.uid !== undefined && meta.gid !== undefined) {
      try {
        chownSync(tmp, meta.uid, meta.gid);
      } catch {
        // only root may give a file away; as its owner we keep it anyway
      }
    }
    if (fail?.kind === 'before-rename' && fail.n === index) killSelf();
    renameSync(tmp, target);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or renamed already
    }
    throw err;
  }
  fsyncDir(dir);
}

function newRunFolder(root: string): string {
  const stamp = new Date().toISOString().replace(/:/g, '-').replace('.', '-');
  for (let i = 0; ; i++) {
    const dir = join(root, i === 0 ? stamp : `${stamp}-${i}`);
    try {
      mkdirSync(dir, { mode: 0o700 });
      chmodSync(dir, 0o700); // whatever the umask
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

export interface WriteResult {
  backupDir: string;
  written: string[];
}

/** Backs up, then writes every change; all or nothing. Throws FixWriteError with what happened. */
export function writeChanges(changes: FileChange[], tool: string): WriteResult {
  const fail = testFailure();
  const plan = changes.map((c) => {
    const target = realTarget(c.path);
    const data = Buffer.from(c.after, 'utf8');
    return { change: c, target, data };
  });
  if (fail?.kind === 'changed' && plan[0]?.change.before) writeFileSync(plan[0].target, Buffer.concat([plan[0].change.before, Buffer.from('\n')]));

  // Refuse before anything is written: a file that changed since it was read, or one marked read-only.
  const metas: WriteMeta[] = [];
  for (const p of plan) {
    let now: Buffer | undefined;
    try {
      now = readIfExists(p.target);
    } catch (err) {
      throw new FixWriteError(`cannot read ${p.change.path} again before writing it (${errText(err)}); nothing was written`);
    }
    const same = p.change.before === undefined ? now === undefined : now !== undefined && now.equals(p.change.before);
    if (!same) throw new FixWriteError(`${p.change.path} changed since the doctor read it; nothing was written (run --fix again)`);
    if (now === undefined) {
      metas.push({});
      continue;
    }
    const st = statSync(p.target);
    if ((st.mode & 0o222) === 0) throw new FixWriteError(`${p.change.path} is read-only (mode ${(st.mode & 0o7777).toString(8)}); nothing was written. Make it writable to let --fix change it`);
    metas.push({ mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
  }

  const root = backupRoot();
  let dir: string;
  const files: ManifestFile[] = [];
  try {
    mkdirPrivate(root);
    for (const d of [root, dirname(root)]) chmodSync(d, 0o700);
    // Should the state folder ever sit inside a repository (a dotfiles repo in ~), git still never picks it up.
    const ignore = join(dirname(root), '.gitignore');
    if (!existsSync(ignore)) writeFileSync(ignore, '# backups of files claude-otel-doctor --fix changed; they may hold credentials\n*\n', { mode: 0o600 });
    dir = newRunFolder(root);
    plan.forEach((p, i) => {
      const entry: ManifestFile = { path: resolve(p.change.path), target: p.target, ...metas[i], sha256After: sha256(p.data) };
      if (p.change.before !== undefined) {
        entry.backup = `${i + 1}-${basename(p.target)}`;
        entry.sha256Before = sha256(p.change.before);
        const fd = openSync(join(dir, entry.backup), 'wx', 0o600);
        try {
          writeSync(fd, p.change.before);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      files.push(entry);
    });
    const manifest: Manifest = { version: 1, tool, created: new Date().toISOString(), cwd: process.cwd(), files };
    const fd = openSync(join(dir, 'manifest.json'), 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(manifest, null, 2) + '\n');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    fsyncDir(dir);
  } catch (err) {
    throw new FixWriteError(`cannot write the backup under ${root} (${errText(err)}); nothing was written`);
  }
  if (fail?.kind === 'after-backup') killSelf();

  const written: number[] = [];
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i];
    try {
      atomicWrite(p.target, p.data, p.change.before === undefined ? { mode: p.change.mode } : metas[i], i + 1);
      written.push(i);
    } catch (err) {
      const undone = rollBack(written.map((w) => ({ plan: plan[w], entry: files[w] })), dir);
      const what = `cannot write ${p.change.path} (${errText(err)})`;
      if (undone.length === 0) throw new FixWriteError(`${what}; nothing was changed (backup kept in ${dir})`);
      const failed = undone.filter((u) => !u.ok);
      if (failed.length === 0) throw new FixWriteError(`${what}; the ${undone.length} file(s) already written were put back, so nothing is changed (backup kept in ${dir})`);
      throw new FixWriteError(`${what}; ${failed.map((u) => u.path).join(', ')} could not be put back: run claude-otel-doctor restore ${basename(dir)}`);
    }
  }
  return { backupDir: dir, written: plan.map((p) => p.change.path) };
}

function rollBack(items: { plan: { target: string; change: FileChange }; entry: ManifestFile }[], dir: string): { path: string; ok: boolean }[] {
  return items.map(({ plan, entry }) => {
    try {
      if (entry.backup === undefined) unlinkSync(plan.target);
      else atomicWrite(plan.target, readFileSync(join(dir, entry.backup)), entry, 0);
      return { path: plan.change.path, ok: true };
    } catch {
      return { path: plan.change.path, ok: false };
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// restore

/** Backup runs, oldest first (their names are timestamps). */
export function listBackups(): string[] {
  const root = backupRoot();
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((n) => existsSync(join(root, n, 'manifest.json')))
    .sort()
    .map((n) => join(root, n));
}

export interface RestoreResult {
  dir: string;
  restored: string[];
  /** Files left as they are, with why; `refused` ones changed since the fix. */
  skipped: { path: string; reason: string; refused: boolean }[];
}

export function resolveBackup(which: string | undefined): string {
  const all = listBackups();
  if (which === undefined) {
    if (all.length === 0) throw new FixWriteError(`no backups in ${backupRoot()}: --fix has not written anything here yet`);
    return all[all.length - 1];
  }
  const asPath = resolve(which);
  if (existsSync(join(asPath, 'manifest.json'))) return asPath;
  const named = join(backupRoot(), which);
  if (existsSync(join(named, 'manifest.json'))) return named;
  throw new FixWriteError(`no backup "${which}" (folders with a manifest.json in ${backupRoot()}: ${all.map((d) => basename(d)).join(', ') || 'none'})`);
}

/** Puts the files of one run back; a file changed since the fix is left alone unless `force`. */
export function restoreBackup(dir: string, force: boolean): RestoreResult {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new FixWriteError(`cannot read ${join(dir, 'manifest.json')} (${errText(err)})`);
  }
  const result: RestoreResult = { dir, restored: [], skipped: [] };
  for (const f of manifest.files) {
    let now: Buffer | undefined;
    try {
      now = readIfExists(f.target);
    } catch (err) {
      result.skipped.push({ path: f.path, reason: `cannot be read (${errText(err)})`, refused: true });
      continue;
    }
    const nowHash = now && sha256(now);
    if (f.backup === undefined) {
      // The fix created this file: restoring removes it.
      if (now === undefined) {
        result.skipped.push({ path: f.path, reason: 'already gone', refused: false });
        continue;
      }
      if (nowHash !== f.sha256After && !force) {
        result.skipped.push({ path: f.path, reason: 'changed since the fix created it (--force removes it anyway)', refused: true });
        continue;
      }
      try {
        unlinkSync(f.target);
        result.restored.push(f.path);
      } catch (err) {
        result.skipped.push({ path: f.path, reason: `cannot be removed (${errText(err)})`, refused: true });
      }
      continue;
    }
    if (nowHash === f.sha256Before) {
      result.skipped.push({ path: f.path, reason: 'already as it was before the fix', refused: false });
      continue;
    }
    if (nowHash !== f.sha256After && !force) {
      result.skipped.push({ path: f.path, reason: `changed since the fix${now === undefined ? ' (it was removed)' : ''}; --force puts the backup back anyway`, refused: true });
      continue;
    }
    try {
      const data = readFileSync(join(dir, f.backup));
      if (sha256(data) !== f.sha256Before) throw new Error('the backup copy does not match its checksum');
      atomicWrite(f.target, data, { mode: f.mode, uid: f.uid, gid: f.gid }, 0);
      result.restored.push(f.path);
    } catch (err) {
      result.skipped.push({ path: f.path, reason: `cannot be restored (${errText(err)})`, refused: true });
    }
  }
  return result;
}
