import { readFileSync, statSync, realpathSync } from 'node:fs';
import { SourceFile } from './source.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

/** Why a file could not be read as text; reported as one line with the path. */
export interface ReadProblem {
  path: string;
  reason: string;
}

export type ReadResult = { ok: true; source: SourceFile } | { ok: false; problem: ReadProblem };

/**
 * Reads a file as UTF-8 text, refusing what no config file can be: huge, binary, not UTF-8,
 * a symlink loop, a folder. A leading BOM is kept out of the text (Claude Code accepts it) but
 * remembered by the caller through `hasBom` if it ever needs to write the file back.
 */
export function readTextFile(path: string): ReadResult {
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
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
