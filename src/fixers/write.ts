import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
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
  type Stats,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { FileChange } from './apply.js';
import { DOCTOR_TEMP_NAME as TEMP_NAME } from '../discover/walk.js';
import { isInside, readBoundedBytes } from '../load/read.js';

/**
 * Writing fixes without losing anything.
 *
 * - One `--fix`, `init` or `restore` at a time: an exclusive lock file in the state folder (pid, start time); a lock
 *   whose process is gone is taken over; a second run waits a few seconds, then stops (exit 2).
 * - A backup of every file in one folder per run, outside any repository
 *   (`${XDG_STATE_HOME:-~/.local/state}/claude-otel-doctor/backups/<timestamp>/`, mode 0700, with a `.gitignore`
 *   of `*` above it, so a backup of a file holding secrets is never committed by accident), and a manifest (each
 *   file's path, mode, sha256 before and after), signed with a key kept beside the backups, written before the
 *   first file is replaced and marked complete after the last.
 * - Each file is replaced atomically (temp file named with the run's pid in the target's folder, fsync, original
 *   mode, rename), so it is always its original or its fixed version, also after `kill -9`. Right before each
 *   rename the file is compared with what was read: another program's edit is kept.
 * - All or nothing per run: a file that changed, a failed write, anything short of the whole run puts the files
 *   already written back and says so. Only a run killed between two renames leaves some files fixed and others
 *   not; its manifest lets `restore` put them back, and the next run finishes the rest.
 */

export class FixWriteError extends Error {}

/** Another program changed a file while it was being written: its edit is kept. */
class ChangedMeanwhile extends Error {}

export interface ManifestFile {
  /** The path as the doctor read it (may be a symlink). */
  path: string;
  /** The file really written: symlinks resolved. */
  target: string;
  /** Name of the copy in the backup folder; absent exactly when the run created the file. */
  backup?: string;
  /** The run created the file: restore removes it, and only while it holds what the run wrote. */
  created?: true;
  /** Permission bits of the original file. */
  mode?: number;
  uid?: number;
  gid?: number;
  sha256Before?: string;
  sha256After: string;
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  tool: string;
  created: string;
  cwd: string;
  pid: number;
  /** False until every file was written: a run killed or rolled back stays incomplete. */
  complete: boolean;
  files: ManifestFile[];
  /** HMAC-SHA256 of the rest, with the key beside the backups: a manifest changed after the run is refused. */
  signature?: string;
}

const MANIFEST_VERSION = 2;
const LOCK_WAIT_MS = 10_000;
const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_BACKUP_BYTES = 64 << 20;
const MAX_MANIFEST_FILES = 10_000;

export function backupRoot(): string {
  const state = process.env.XDG_STATE_HOME && isAbsolute(process.env.XDG_STATE_HOME) ? process.env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'claude-otel-doctor', 'backups');
}

const stateDir = () => dirname(backupRoot());
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * TEST ONLY: `CLAUDE_OTEL_DOCTOR_TEST_FAIL` injects failures so the tests can prove nothing is lost:
 * `after-backup` (the process is killed once the backup is complete, before any file is written),
 * `before-rename` / `before-rename:N` (killed after the Nth temp file is written and synced, before its rename),
 * `write` / `write:N` (writing the Nth file fails with EIO), `changed` (another program edits the first
 * file after it was read), `stages:MS` (each stage of a write prints `stage <name>` on stderr and sleeps MS ms,
 * for a test to kill the run or edit a file there), `pause:<stage>:MS` (the same, sleeping at one stage only).
 * Never set it outside the test suite.
 */
function testFailure(): { kind: string; n: number } | undefined {
  const v = process.env.CLAUDE_OTEL_DOCTOR_TEST_FAIL;
  if (!v) return undefined;
  const [kind, n] = v.split(':');
  return { kind, n: Number(n ?? 1) || 1 };
}

function stage(name: string): void {
  const v = process.env.CLAUDE_OTEL_DOCTOR_TEST_FAIL;
  const every = v && /^stages:(\d+)$/.exec(v);
  const one = v && /^pause:([a-z0-9-]+):(\d+)$/.exec(v);
  if (!every && !one) return;
  writeSync(2, `stage ${name}\n`);
  const ms = every ? Number(every[1]) : one && one[1] === name ? Number(one[2]) : 0;
  if (ms > 0) sleep(Math.min(ms, 60_000));
}

function killSelf(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

/**
 * The file a write really changes: a symlink's final target; for a file that does not exist yet, its path under
 * the real path of its nearest existing folder.
 */
export function realTarget(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realTarget(parent), basename(abs));
  }
}

/** A file's bytes, bounded like every read (a file in a repo can grow without limit between two runs). */
function readIfExists(path: string): Buffer | undefined {
  const read = readBoundedBytes(path);
  if (read.ok) return read.bytes;
  if (read.missing) return undefined;
  throw new Error(read.reason);
}

/** The file's bytes now, when it is still a regular file; undefined when it is gone. */
function currentBytes(path: string): Buffer | undefined | 'not a file' {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return undefined;
  }
  if (!st.isFile()) return 'not a file';
  return readIfExists(path);
}

/** Whether the file still holds `bytes` (undefined: still does not exist). */
function stillHolds(path: string, bytes: Buffer | undefined): boolean {
  const now = currentBytes(path);
  if (now === 'not a file') return false;
  return bytes === undefined ? now === undefined : now?.equals(bytes) === true;
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

function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

function writeNew(path: string, data: string | Buffer): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The lock: one writer at a time per state folder.

let lockDepth = 0;

/** Runs `fn` holding the lock (re-entrant: `--fix` holds it from reading to writing, writeChanges takes it again). */
export function withFixLock<T>(fn: () => T): T {
  if (lockDepth > 0) {
    lockDepth++;
    try {
      return fn();
    } finally {
      lockDepth--;
    }
  }
  const lock = acquireLock();
  lockDepth = 1;
  try {
    stage('locked');
    return fn();
  } finally {
    lockDepth = 0;
    releaseLock(lock);
  }
}

interface Lock {
  path: string;
  text: string;
}

function lockPath(): string {
  return join(stateDir(), 'fix.lock');
}

function acquireLock(): Lock {
  const path = lockPath();
  try {
    mkdirPrivate(stateDir());
    chmodSync(stateDir(), 0o700);
  } catch (err) {
    throw new FixWriteError(`cannot create ${stateDir()} (${errText(err)}); nothing was written`);
  }
  const text = `${JSON.stringify({ pid: process.pid, started: new Date().toISOString(), token: randomBytes(8).toString('hex') })}\n`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      writeNew(path, text);
      return { path, text };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new FixWriteError(`cannot create the lock ${path} (${errText(err)}); nothing was written`);
    }
    const holder = readLock(path);
    if (holder === undefined) continue; // released meanwhile
    // A lock without a readable pid is one whose writer died while writing it, once it is a few seconds old.
    const stale = holder.pid !== undefined ? !pidAlive(holder.pid) : Date.now() - holder.mtimeMs > 5000;
    if (stale && breakLock(path, holder.raw)) continue;
    if (Date.now() >= deadline) {
      const who = holder.pid !== undefined ? `pid ${holder.pid}${holder.started ? `, started ${holder.started}` : ''}` : 'a process starting';
      throw new FixWriteError(
        `another claude-otel-doctor (${who}) is writing files; waited ${LOCK_WAIT_MS / 1000} s, nothing was written: run it again when that one is done (its lock: ${path})`,
      );
    }
    sleep(100);
  }
}

function readLock(path: string): { raw: string; pid?: number; started?: string; mtimeMs: number } | undefined {
  try {
    const mtimeMs = statSync(path).mtimeMs;
    const raw = readFileSync(path, 'utf8');
    let parsed: { pid?: unknown; started?: unknown } = {};
    try {
      parsed = JSON.parse(raw);
    } catch {
      // being written, or cut short by a crash
    }
    const pid = typeof parsed.pid === 'number' ? parsed.pid : undefined;
    return { raw, pid, started: typeof parsed.started === 'string' ? parsed.started.slice(0, 40) : undefined, mtimeMs };
  } catch {
    return undefined;
  }
}

/**
 * Moves a stale lock aside; when what was moved is not the stale lock read before (a live run took over
 * meanwhile), puts it back. True when the stale lock is gone.
 */
function breakLock(path: string, staleText: string): boolean {
  const aside = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return false;
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // gone: nothing to put back
  }
  if (moved !== staleText) {
    try {
      linkSync(aside, path);
    } catch {
      // a third run holds the lock by now
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // nothing to clean
  }
  return moved === staleText;
}

function releaseLock(lock: Lock): void {
  try {
    if (readFileSync(lock.path, 'utf8') === lock.text) unlinkSync(lock.path);
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Atomic replace

export interface WriteMeta {
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface AtomicWriteOptions {
  /** Numbers the files of a run, for stage names and the test-only failure switch (0: rollback or restore). */
  index?: number;
  /** Checked right before the rename: false when another program changed the target meanwhile. */
  unchanged?: () => boolean;
  /** The target must not exist: created, never replaced (a file another program made meanwhile is kept). */
  create?: boolean;
}

/** Temp files of `base` left by runs that were killed; those of a live run are its own business. */
function removeDeadTemps(dir: string, base: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = TEMP_NAME.exec(n);
    if (!m || m[1] !== base) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && pidAlive(pid)) continue;
    try {
      unlinkSync(join(dir, n));
    } catch {
      // gone already
    }
  }
}

/**
 * Removes temp files that killed runs left beside the files a new run read (the walk skips them, so they would
 * otherwise stay forever), when those files really are inside `roots`.
 */
export function removeLeftoverTemps(paths: Iterable<string>, roots: string[]): void {
  const real = roots.map(realTarget);
  for (const path of paths) {
    if (isInside(realTarget(path), real)) removeDeadTemps(dirname(path), basename(path));
  }
}

/**
 * Atomic replace: a temp file in the target's folder, written and synced, given the original mode (permission
 * bits only) and owner (the owner only when allowed, i.e. as root), then renamed over the target.
 */
export function atomicWrite(target: string, data: Buffer, meta: WriteMeta, opts: AtomicWriteOptions = {}): void {
  const index = opts.index ?? 0;
  const dir = dirname(target);
  if (!existsSync(dir)) mkdirPrivate(dir);
  const base = basename(target);
  removeDeadTemps(dir, base);
  const tmp = join(dir, `.${base}.claude-otel-doctor-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
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
    chmodSync(tmp, (meta.mode ?? 0o600) & 0o777);
    if (meta.uid !== undefined && meta.gid !== undefined) {
      try {
        chownSync(tmp, meta.uid, meta.gid);
      } catch {
        // only root may give a file away; as its owner we keep it anyway
      }
    }
    if (index > 0) stage(`temp-${index}`);
    if (fail?.kind === 'before-rename' && fail.n === index) killSelf();
    if (opts.unchanged && !opts.unchanged()) throw new ChangedMeanwhile(target);
    if (opts.create) createFrom(tmp, target);
    else renameSync(tmp, target);
    if (index > 0) stage(`renamed-${index}`);
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

/** Gives the temp file the target's name unless a file took that name meanwhile (link fails then). */
function createFrom(tmp: string, target: string): void {
  try {
    linkSync(tmp, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ChangedMeanwhile(target);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // a file system without hard links: check, then rename
    if (existsSync(target)) throw new ChangedMeanwhile(target);
    renameSync(tmp, target);
    return;
  }
  unlinkSync(tmp);
}

// ---------------------------------------------------------------------------------------------------------------
// The manifest and its signature

function signingKey(create: boolean): Buffer {
  const path = join(stateDir(), 'manifest.key');
  if (create && !existsSync(path)) writeNew(path, randomBytes(32));
  const bytes = readPrivateFile(path, 1024);
  if (bytes.length !== 32) throw new Error(`${path} is not a key this tool made`);
  return bytes;
}

function sign(body: Omit<Manifest, 'signature'>, key: Buffer): string {
  return createHmac('sha256', key).update(JSON.stringify(body)).digest('hex');
}

function manifestText(body: Omit<Manifest, 'signature'>, key: Buffer): string {
  return `${JSON.stringify({ ...body, signature: sign(body, key) }, null, 2)}\n`;
}

/** A regular file (not a symlink) of this user that no one else may write, read whole up to `max` bytes. */
function readPrivateFile(path: string, max: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`${path} belongs to another user (uid ${st.uid})`);
    if (st.mode & 0o022) throw new Error(`${path} may be written by others (mode ${(st.mode & 0o777).toString(8)})`);
    if (st.size > max) throw new Error(`${path} is larger than any file this tool writes there`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A folder (not a symlink) of this user that only this user may enter. */
function checkPrivateFolder(dir: string): void {
  const st = lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a folder (a symlink or file stands there)`);
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) throw new Error(`${dir} belongs to another user (uid ${st.uid})`);
  if (st.mode & 0o077) throw new Error(`${dir} is open to others (mode ${(st.mode & 0o777).toString(8)}); backups are kept 0700`);
}

// ---------------------------------------------------------------------------------------------------------------
// Writing a run

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

/** Backs up, then writes every change; all or nothing (see the top of this file). Throws FixWriteError with what happened. */
export function writeChanges(changes: FileChange[], tool: string): WriteResult {
  return withFixLock(() => writeLocked(changes, tool));
}

function writeLocked(changes: FileChange[], tool: string): WriteResult {
  const fail = testFailure();
  // Two paths may lead to one file (a link beside its target): it is written once, when both want the same bytes.
  const plan: { change: FileChange; target: string; data: Buffer }[] = [];
  for (const c of changes) {
    const p = { change: c, target: realTarget(c.path), data: Buffer.from(c.after, 'utf8') };
    const twin = plan.find((q) => q.target === p.target);
    if (!twin) plan.push(p);
    else if (!twin.data.equals(p.data))
      throw new FixWriteError(`${twin.change.path} and ${p.change.path} are one file (${p.target}) and their fixes differ; nothing was written`);
  }
  if (fail?.kind === 'changed' && plan[0]?.change.before) writeFileSync(plan[0].target, Buffer.concat([plan[0].change.before, Buffer.from('\n')]));

  // Refuse before anything is written: a file that changed since it was read, or one marked read-only.
  const metas: WriteMeta[] = [];
  for (const p of plan) {
    let now: Buffer | undefined | 'not a file';
    try {
      now = currentBytes(p.target);
    } catch (err) {
      throw new FixWriteError(`cannot read ${p.change.path} again before writing it (${errText(err)}); nothing was written`);
    }
    if (now === 'not a file') throw new FixWriteError(`${p.change.path} is no longer a regular file; nothing was written`);
    const same = p.change.before === undefined ? now === undefined : now?.equals(p.change.before) === true;
    if (!same) throw new FixWriteError(`${p.change.path} changed since the doctor read it; nothing was written (run --fix again)`);
    if (now === undefined) {
      metas.push({ mode: p.change.mode });
      continue;
    }
    const st = statSync(p.target);
    if ((st.mode & 0o222) === 0)
      throw new FixWriteError(
        `${p.change.path} is read-only (mode ${(st.mode & 0o7777).toString(8)}); nothing was written. Make it writable to let --fix change it`,
      );
    metas.push({ mode: p.change.enforceMode && p.change.mode !== undefined ? p.change.mode : st.mode & 0o777, uid: st.uid, gid: st.gid });
  }
  stage('checked');

  const root = backupRoot();
  let dir: string;
  let key: Buffer;
  const files: ManifestFile[] = [];
  let body: Omit<Manifest, 'signature'>;
  try {
    mkdirPrivate(root);
    for (const d of [root, dirname(root)]) chmodSync(d, 0o700);
    // Should the state folder ever sit inside a repository (a dotfiles repo in ~), git still never picks it up.
    const ignore = join(dirname(root), '.gitignore');
    if (!existsSync(ignore)) writeFileSync(ignore, '# backups of files claude-otel-doctor --fix changed; they may hold credentials\n*\n', { mode: 0o600 });
    key = signingKey(true);
    dir = newRunFolder(root);
    plan.forEach((p, i) => {
      const entry: ManifestFile = { path: resolve(p.change.path), target: p.target, ...metas[i], sha256After: sha256(p.data) };
      if (p.change.before === undefined) {
        entry.created = true;
        delete entry.uid;
        delete entry.gid;
      } else {
        entry.backup = `${i + 1}-${basename(p.target)}`;
        entry.sha256Before = sha256(p.change.before);
        writeNew(join(dir, entry.backup), p.change.before);
        stage(`backup-${i + 1}`);
      }
      files.push(entry);
    });
    // Written before the first file is replaced, so that a run killed at any point can be restored.
    body = { version: MANIFEST_VERSION, tool, created: new Date().toISOString(), cwd: process.cwd(), pid: process.pid, complete: false, files };
    writeNew(join(dir, 'manifest.json'), manifestText(body, key));
    fsyncDir(dir);
  } catch (err) {
    throw new FixWriteError(`cannot write the backup under ${root} (${errText(err)}); nothing was written`);
  }
  stage('manifest');
  if (fail?.kind === 'after-backup') killSelf();

  const written: number[] = [];
  for (let i = 0; i < plan.length; i++) {
    const p = plan[i];
    const before = p.change.before;
    try {
      atomicWrite(p.target, p.data, metas[i], {
        index: i + 1,
        create: before === undefined,
        // Another program's edit since the file was read (and the link still leading where it did).
        unchanged: () => realTarget(p.change.path) === p.target && stillHolds(p.target, before),
      });
      written.push(i);
    } catch (err) {
      const undone = rollBack(
        written.map((w) => ({ plan: plan[w], entry: files[w] })),
        dir,
      );
      const what =
        err instanceof ChangedMeanwhile
          ? `${p.change.path} changed while --fix was writing it: that edit is kept and the fix of the file dropped`
          : `cannot write ${p.change.path} (${errText(err)})`;
      const again = err instanceof ChangedMeanwhile ? ' (run --fix again)' : '';
      if (undone.length === 0) throw new FixWriteError(`${what}; nothing was changed${again} (backup kept in ${dir})`);
      const failed = undone.filter((u) => !u.ok);
      if (failed.length === 0)
        throw new FixWriteError(`${what}; the ${undone.length} file(s) already written were put back, so nothing is changed${again} (backup kept in ${dir})`);
      throw new FixWriteError(
        `${what}; ${failed.map((u) => `${u.path} (${u.why})`).join(', ')} could not be put back: run claude-otel-doctor restore ${basename(dir)}`,
      );
    }
  }
  try {
    const done = join(dir, `manifest.json.${process.pid}.tmp`);
    writeNew(done, manifestText({ ...body, complete: true }, key));
    renameSync(done, join(dir, 'manifest.json'));
    fsyncDir(dir);
  } catch {
    // every file is written; the manifest still says incomplete, which restore does not need
  }
  stage('complete');
  return { backupDir: dir, written: changes.map((c) => c.path) };
}

/** Puts back files this run wrote; a file changed again since (another program's edit) is left as it is. */
function rollBack(
  items: { plan: { target: string; data: Buffer; change: FileChange }; entry: ManifestFile }[],
  dir: string,
): { path: string; ok: boolean; why?: string }[] {
  return items.map(({ plan, entry }) => {
    const path = plan.change.path;
    if (!stillHolds(plan.target, plan.data)) return { path, ok: false, why: 'changed again meanwhile' };
    try {
      if (entry.created) unlinkSync(plan.target);
      else atomicWrite(plan.target, readFileSync(join(dir, entry.backup!)), entry, { unchanged: () => stillHolds(plan.target, plan.data) });
      return { path, ok: true };
    } catch (err) {
      return { path, ok: false, why: err instanceof ChangedMeanwhile ? 'changed again meanwhile' : errText(err) };
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// restore: trusts nothing it reads

/** A backup folder's name as this tool makes them (a timestamp, maybe with a counter). */
const RUN_NAME = /^[0-9][0-9A-Za-z-]{0,63}$/;

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
    .filter((n) => RUN_NAME.test(n) && existsSync(join(root, n, 'manifest.json')))
    .sort()
    .map((n) => join(root, n));
}

export interface RestoreResult {
  dir: string;
  restored: string[];
  /** Files left as they are, with why; `refused` ones changed since the fix. */
  skipped: { path: string; reason: string; refused: boolean }[];
}

/**
 * The backup folder to restore: the newest, or one named as `restore --list` shows it (its name, or its full
 * path in the backups folder). A name is looked up in the backups folder only, never in the working folder.
 */
export function resolveBackup(which: string | undefined): string {
  const root = backupRoot();
  const all = listBackups();
  if (which === undefined) {
    if (all.length === 0) throw new FixWriteError(`no backups in ${root}: --fix has not written anything here yet`);
    return all[all.length - 1];
  }
  const name = isAbsolute(which) && dirname(resolve(which)) === root ? basename(resolve(which)) : which;
  if (!RUN_NAME.test(name)) {
    throw new FixWriteError(`restore takes the name of a backup in ${root} (see restore --list), not ${JSON.stringify(which).slice(0, 200)}`);
  }
  const dir = join(root, name);
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new FixWriteError(`no backup "${name}" (backups in ${root}: ${all.map((d) => basename(d)).join(', ') || 'none'})`);
  }
  return dir;
}

const SHA256 = /^[0-9a-f]{64}$/;
/** A backup copy's name as writeChanges makes it: `<n>-<file name>`. */
const BACKUP_NAME = /^[1-9][0-9]*-[^/\\\0]{1,255}$/;

function isCleanAbsolute(v: unknown): v is string {
  return typeof v === 'string' && v.length < 4096 && !v.includes('\0') && isAbsolute(v) && resolve(v) === v;
}

const isId = (v: unknown) => v === undefined || (Number.isSafeInteger(v) && (v as number) >= 0);

/**
 * The manifest of a backup folder, checked whole before anything is restored: the folders are private and this
 * user's, the manifest is a regular file signed with this machine's key (so it is one a run here wrote, listing
 * the files that run wrote), every field has its type, targets are absolute normalized paths outside the backups
 * and each listed once, modes are permission bits, every backup copy is a regular file inside the folder whose
 * bytes match their checksum. Returns the manifest and the backup copies' bytes.
 */
function readManifest(dir: string): { manifest: Manifest; copies: Map<string, Buffer> } {
  const where = join(dir, 'manifest.json');
  const bad = (why: string) => new FixWriteError(`cannot restore from ${dir}: ${why}; nothing was restored`);
  let raw: unknown;
  let key: Buffer;
  try {
    checkPrivateFolder(backupRoot());
    checkPrivateFolder(dir);
    raw = JSON.parse(readPrivateFile(where, MAX_MANIFEST_BYTES).toString('utf8'));
    key = signingKey(false);
  } catch (err) {
    throw bad(err instanceof SyntaxError ? 'manifest.json is not valid JSON' : errText(err));
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('manifest.json is not an object');
  const { signature, ...body } = raw as Manifest;
  if (body.version !== MANIFEST_VERSION)
    throw bad(`manifest.json is format ${JSON.stringify(body.version)}, not ${MANIFEST_VERSION}: made by another version of claude-otel-doctor`);
  const expected = Buffer.from(sign(body, key), 'hex');
  if (typeof signature !== 'string' || !SHA256.test(signature) || !timingSafeEqual(Buffer.from(signature, 'hex'), expected)) {
    throw bad('manifest.json does not carry the signature this machine gives its backups (changed after the run wrote it, or from elsewhere)');
  }
  if (!Array.isArray(body.files) || body.files.length === 0 || body.files.length > MAX_MANIFEST_FILES) throw bad('manifest.json lists no files');
  const targets = new Set<string>();
  const copies = new Map<string, Buffer>();
  body.files.forEach((f: ManifestFile, i) => {
    const at = `manifest.json files[${i}]`;
    if (typeof f !== 'object' || f === null) throw bad(`${at} is not an object`);
    if (!isCleanAbsolute(f.path) || !isCleanAbsolute(f.target)) throw bad(`${at}: path and target must be absolute, normalized paths`);
    if (isInside(f.target, [backupRoot()])) throw bad(`${at}: target ${f.target} is inside the backups`);
    if (targets.has(f.target)) throw bad(`${at}: target ${f.target} is listed twice`);
    targets.add(f.target);
    if (typeof f.sha256After !== 'string' || !SHA256.test(f.sha256After)) throw bad(`${at}: sha256After is not a sha256`);
    if (f.mode !== undefined && (!Number.isSafeInteger(f.mode) || f.mode < 0 || f.mode > 0o777))
      throw bad(`${at}: mode ${String(f.mode)} is not permission bits (setuid, setgid and sticky are never restored)`);
    if (!isId(f.uid) || !isId(f.gid)) throw bad(`${at}: uid and gid must be numbers`);
    if (f.created === true) {
      if (f.backup !== undefined || f.sha256Before !== undefined) throw bad(`${at}: a file the run created has no backup`);
      return;
    }
    if (f.created !== undefined) throw bad(`${at}: created must be true or absent`);
    // No backup copy never means "remove the file": only a file the run created is removed.
    if (typeof f.backup !== 'string') throw bad(`${at}: no backup copy named for a file the run did not create`);
    if (!BACKUP_NAME.test(f.backup) || dirname(join(dir, f.backup)) !== dir)
      throw bad(`${at}: backup ${JSON.stringify(f.backup)} is not a file name in the backup folder`);
    if (copies.has(f.backup)) throw bad(`${at}: backup ${f.backup} is listed twice`);
    if (typeof f.sha256Before !== 'string' || !SHA256.test(f.sha256Before)) throw bad(`${at}: sha256Before is not a sha256`);
    let data: Buffer;
    try {
      data = readPrivateFile(join(dir, f.backup), MAX_BACKUP_BYTES);
    } catch (err) {
      throw bad(`${at}: backup copy ${f.backup} ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be used (${errText(err)})`}`);
    }
    if (sha256(data) !== f.sha256Before) throw bad(`${at}: backup copy ${f.backup} does not match its checksum`);
    copies.set(f.backup, data);
  });
  return { manifest: body as Manifest, copies };
}

/** Puts the files of one run back; a file changed since the fix is left alone unless `force`. */
export function restoreBackup(dir: string, force: boolean): RestoreResult {
  return withFixLock(() => {
    const { manifest, copies } = readManifest(dir);
    const result: RestoreResult = { dir, restored: [], skipped: [] };
    for (const f of manifest.files) {
      const skip = (reason: string, refused = true) => result.skipped.push({ path: f.path, reason, refused });
      let now: Buffer | undefined | 'not a file';
      let st: Stats | undefined;
      try {
        now = currentBytes(f.target);
        st = now === undefined ? undefined : lstatSync(f.target);
      } catch (err) {
        skip(`cannot be read (${errText(err)})`);
        continue;
      }
      if (now === 'not a file') {
        skip('is no longer a regular file (a folder, link or device stands there now)');
        continue;
      }
      const nowHash = now && sha256(now);
      const unchanged = () => stillHolds(f.target, now as Buffer | undefined);
      if (f.created) {
        // The run created this file: restoring removes it, only while it holds exactly what the run wrote.
        if (now === undefined) skip('already gone', false);
        else if (nowHash !== f.sha256After) skip('changed since the fix created it, so it is left in place');
        else {
          try {
            if (!unchanged()) throw new ChangedMeanwhile(f.target);
            unlinkSync(f.target);
            result.restored.push(f.path);
          } catch (err) {
            skip(`cannot be removed (${errText(err)})`);
          }
        }
        continue;
      }
      if (nowHash === f.sha256Before) {
        skip('already as it was before the fix', false);
        continue;
      }
      if (nowHash !== f.sha256After && !force) {
        skip(`changed since the fix${now === undefined ? ' (it was removed)' : ''}; --force puts the backup back anyway`);
        continue;
      }
      try {
        // The owner stays the file's own: the manifest's uid and gid are never applied.
        atomicWrite(
          f.target,
          copies.get(f.backup!)!,
          { mode: (f.mode ?? 0o600) & 0o777, uid: st?.uid, gid: st?.gid },
          { unchanged, create: now === undefined },
        );
        result.restored.push(f.path);
      } catch (err) {
        skip(err instanceof ChangedMeanwhile ? 'changed while restore was writing it; that edit is kept' : `cannot be restored (${errText(err)})`);
      }
    }
    return result;
  });
}
