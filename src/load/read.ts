import { readFileSync, statSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { SourceFile } from './source.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Why a file could not be read as text; reported as one line with the path. */
export interface ReadProblem {
  path: string;
  reason: string;
}

export type ReadResult = { ok: true; source: SourceFile } | { ok: false; problem: ReadProblem };

/**
 * Contents the fixer means to write, by absolute path. While they are set, reads see them instead of the disk,
 * so the rules can be re-run on the fixed setup before anything is written (`--dry-run` writes nothing at all).
 */
let pending: ReadonlyMap<string, string> | undefined;

export function withPendingContents<T>(files: ReadonlyMap<string, string>, fn: () => T): T {
  const before = pending;
  pending = files;
  try {
    return fn();
  } finally {
    pending = before;
  }
}

/** The pending text of a file (a leading BOM included), if the fixer has one. */
export function pendingContent(path: string): string | undefined {
  return pending?.get(resolve(path));
}

/**
 * Reads a file as UTF-8 text, refusing what no config file can be: huge, binary, not UTF-8,
 * a symlink loop, a folder. A leading BOM is kept out of the text (Claude Code accepts it); the
 * fixer reads the bytes again before writing and puts it back.
 */
export function readTextFile(path: string): ReadResult {
  const staged = pendingContent(path);
  if (staged !== undefined) return { ok: true, source: new SourceFile(path, staged.charCodeAt(0) === 0xfeff ? staged.slice(1) : staged) };
  const fail = (reason: string): ReadResult => ({ ok: false, problem: { path, reason } });
  let size: number;
  try {
    realpathSync(path); // throws ELOOP on a symlink loop
    const st = statSync(path);
    if (st.isDirectory()) return fail('is a folder, not a file');
    size = st.size;
  } catch (err) {
    return fail(describeFsError(err));
  }
  if (size > MAX_FILE_BYTES) return fail(`is ${(size / 1048576).toFixed(1)} MB, over the 10 MB limit for a config file`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return fail(describeFsError(err));
  }
  if (bytes.includes(0)) return fail('looks binary (contains NUL bytes)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, source: new SourceFile(path, text) };
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist (or is a broken symlink)';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read (permission denied)';
    case 'ELOOP':
      return 'is a symlink loop';
    case 'EISDIR':
      return 'is a folder, not a file';
    default:
      return `cannot be read (${code ?? String(err)})`;
  }
}

export function fileExists(path: string): boolean {
  if (pendingContent(path) !== undefined) return true;
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
