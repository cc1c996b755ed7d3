import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FileChange } from '../fixers/apply.js';
import { FixWriteError, writeChanges, type WriteResult } from '../fixers/write.js';
import { readBoundedBytes } from '../load/read.js';
import { UsageError } from '../util/errors.js';
import { displayPath } from '../util/display.js';

/**
 * Files `init` writes, against what is already there: a file with the same bytes is left alone, a missing one
 * is created, a different one is refused unless --force (then it is replaced, with a backup). Writing goes
 * through the fixers' writer: backup folder and manifest, atomic writes, all or nothing, `restore` undoes it.
 */

export interface PlannedFile {
  path: string;
  text: string;
  mode: number;
  /** An existing file this accepts is kept as it is (the .env that already holds a password). */
  keep?: (existing: string) => boolean;
}

export type FileStatus = 'create' | 'unchanged' | 'kept' | 'differs';

export interface ExaminedFile extends PlannedFile {
  status: FileStatus;
  before?: Buffer;
}

export function examine(files: PlannedFile[]): ExaminedFile[] {
  return files.map((f) => {
    const read = readBoundedBytes(f.path);
    if (!read.ok && read.missing) return { ...f, status: 'create' };
    if (!read.ok) throw new UsageError(`${displayPath(f.path)} ${read.reason}; nothing was written`);
    const before = read.bytes;
    if (before.equals(Buffer.from(f.text, 'utf8'))) return { ...f, status: 'unchanged', before };
    if (f.keep?.(before.toString('utf8'))) return { ...f, status: 'kept', before };
    return { ...f, status: 'differs', before };
  });
}

/** Refuses (exit 2, nothing written) when files differ and --force is not given. */
export function refuseDiffering(files: ExaminedFile[], force: boolean): void {
  const differing = files.filter((f) => f.status === 'differs');
  if (differing.length === 0 || force) return;
  const list = differing.map((f) => displayPath(f.path)).join(', ');
  throw new UsageError(
    `${differing.length === 1 ? 'a file differs' : `${differing.length} files differ`} from what init writes: ${list}; nothing was written (--dry-run shows the plan; --force replaces ${differing.length === 1 ? 'it' : 'them'}, keeping a backup that \`claude-otel-doctor restore\` puts back)`,
  );
}

/** A file init makes private (the .env with the Grafana password, 0600) stays private when it replaces an older one. */
export function changesOf(files: ExaminedFile[]): FileChange[] {
  return files
    .filter((f) => f.status === 'create' || f.status === 'differs')
    .map((f) => ({ path: f.path, before: f.before, after: f.text, mode: f.mode, enforceMode: (f.mode & 0o077) === 0 }));
}

/**
 * Creates the missing folders of the stack (0755 whatever the umask: containers read the mounted folders as
 * their own users), then writes every change with one backup. A write that fails changes nothing (exit 2).
 */
export function writeAll(changes: FileChange[], folders: string[], tool: string): WriteResult {
  for (const dir of folders) ensureFolder(dir);
  try {
    return writeChanges(changes, tool);
  } catch (err) {
    if (err instanceof FixWriteError) throw new UsageError(err.message);
    throw err;
  }
}

function ensureFolder(dir: string): void {
  if (existsSync(dir)) return;
  ensureFolder(dirname(dir));
  try {
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
  } catch (err) {
    throw new UsageError(`cannot create ${displayPath(dir)} (${(err as NodeJS.ErrnoException).code ?? String(err)}); nothing was written`);
  }
}
