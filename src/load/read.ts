import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Range } from '../types.js';
import { jsonNestingOffset, lexYaml, nestingMessage, syntaxOf } from './nesting.js';
import { SourceFile } from './source.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
const LIMIT_TEXT = `over the ${MAX_FILE_BYTES / 1048576} MB limit for a config file`;
/**
 * YAML is parsed at 4 to 7 s and 100 to 500 MB of memory per MB (the yaml package; a flow sequence `[a,a,…]` is the
 * worst), so YAML files get a lower limit than JSON. Real ones are far smaller: the collector Helm chart's
 * values.yaml is 31 kB, a compose or collector config a few kB.
 */
export const MAX_YAML_BYTES = 1024 * 1024;

/** Why a file could not be read as text; reported as one line with the path. */
export interface ReadProblem {
  path: string;
  reason: string;
  /** Where in the file, when the problem has a place (nesting too deep). */
  range?: Range;
  /**
   * `encoding`: not UTF-8 text (a caller may say who ignores it); `internal`: the doctor itself failed on the file;
   * `outside`: a link out of the scanned paths or the project, left unread on purpose (a warning: the input is fine).
   */
  kind?: 'encoding' | 'internal' | 'outside';
}

/** Whether a problem leaves the result incomplete against the user's wishes (exit code 2), not by the trust rules. */
export function leavesResultIncomplete(p: ReadProblem): boolean {
  return p.kind !== 'outside';
}

export type ReadResult = { ok: true; source: SourceFile } | { ok: false; problem: ReadProblem };

/**
 * How loading sees files. The disk, or for the fix loop the disk with the contents the fixer means to write laid
 * over it, so the rules can be re-run on the fixed setup before anything is written (`--dry-run` writes nothing).
 * Passed down to every loader that reads a file a fix may change (discover, workspaces, the stack model: kustomize
 * builds, compose `.env` and `env_file:`); there is no global switch, and the model does no IO of its own.
 */
export interface Reader {
  /** A file as text, as `readTextFile` reads it, or its pending contents. */
  text(path: string, syntax?: 'json' | 'yaml'): ReadResult;
  /** The pending text of a file (a leading BOM included), if the fixer has one: it may be about to create it. */
  pending(path: string): string | undefined;
  /** Whether a regular file is there (symlinks followed), or the fixer is about to write one. */
  isFile(path: string): boolean;
  /** Whether a folder is there (symlinks followed), or the fixer is about to write a file inside it. */
  isDirectory(path: string): boolean;
  /** The path with every symlink resolved; undefined when it does not resolve (and is no file the fixer will create). */
  realPath(path: string): string | undefined;
}

export const diskReader: Reader = {
  text: (path, syntax) => readTextFile(path, syntax),
  pending: () => undefined,
  isFile: (path) => statOf(path)?.isFile() ?? false,
  isDirectory: (path) => statOf(path)?.isDirectory() ?? false,
  realPath(path) {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
};

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The disk, with these contents (by absolute path) in place of what is there. */
export function pendingReader(files: ReadonlyMap<string, string>): Reader {
  const pending = (path: string) => files.get(resolve(path));
  return {
    pending,
    text(path, syntax) {
      const staged = pending(path);
      if (staged === undefined) return readTextFile(path, syntax);
      return textSource(path, staged.charCodeAt(0) === 0xfeff ? staged.slice(1) : staged, syntax);
    },
    isFile: (path) => pending(path) !== undefined || diskReader.isFile(path),
    isDirectory(path) {
      if (diskReader.isDirectory(path)) return true;
      const inside = `${resolve(path)}${sep}`;
      return [...files.keys()].some((p) => p.startsWith(inside));
    },
    // A file about to be created resolves through its folder, as it will once written.
    realPath: (path) => diskReader.realPath(path) ?? (pending(path) === undefined ? undefined : join(realOrResolved(dirname(path)), basename(path))),
  };
}

/**
 * Reads a file as UTF-8 text, refusing what no config file can be: not a regular file (FIFO, socket, device,
 * folder), over MAX_FILE_BYTES (YAML: over MAX_YAML_BYTES), binary, not UTF-8 (UTF-16 is named), a symlink loop, JSON or YAML nested deeper
 * than MAX_NESTING. A leading BOM is kept out of the text (Claude Code accepts it); the fixer reads the bytes again
 * before writing and puts it back. `syntax` names the format when the file name does not (a builder manifest).
 */
export function readTextFile(path: string, syntax?: 'json' | 'yaml'): ReadResult {
  const fail = (reason: string, more: Partial<ReadProblem> = {}): ReadResult => ({ ok: false, problem: { path, reason, ...more } });
  const read = readBoundedBytes(path);
  if (!read.ok) return fail(read.reason);
  const bytes = read.bytes;
  const utf16 = utf16Encoding(bytes);
  if (utf16) return fail(`is ${utf16}, not UTF-8`, { kind: 'encoding' });
  if (bytes.includes(0)) return fail('looks binary (contains NUL bytes)', { kind: 'encoding' });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('is not valid UTF-8', { kind: 'encoding' });
  }
  return textSource(path, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, syntax);
}

/**
 * Text already in memory (inline `--settings` JSON, contents the fixer means to write) as a source, with the
 * checks a file's text gets: the size limit and the nesting limit, found before any parser recurses into it.
 */
export function textSource(path: string, text: string, syntax?: 'json' | 'yaml'): ReadResult {
  if (text.length > MAX_FILE_BYTES) return { ok: false, problem: { path, reason: `is ${LIMIT_TEXT}` } };
  const format = syntax ?? syntaxOf(path, text);
  if (format === 'yaml') {
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_YAML_BYTES)
      return {
        ok: false,
        problem: { path, reason: `is ${Math.ceil(bytes / 104857.6) / 10} MB, over the ${MAX_YAML_BYTES / 1048576} MB limit for a YAML file` },
      };
  }
  const source = new SourceFile(path, text);
  let tooDeepAt: number | undefined;
  if (format === 'json') tooDeepAt = jsonNestingOffset(text);
  if (format === 'yaml') {
    const lexed = lexYaml(text);
    tooDeepAt = lexed.tooDeepAt;
    source.yamlTokens = lexed.tokens; // the parse takes them
  }
  if (format === 'json' || format === 'yaml') source.nestingChecked = format;
  if (tooDeepAt !== undefined) {
    const range = source.range(tooDeepAt, 1);
    return { ok: false, problem: { path, reason: `is ${nestingMessage()} at line ${range.start.line}, column ${range.start.column}`, range } };
  }
  return { ok: true, source };
}

/** `missing`: nothing at the path (or a broken symlink), which a writer may create. */
export type BytesResult = { ok: true; bytes: Buffer } | { ok: false; reason: string; missing?: true };

// O_NONBLOCK: opening a FIFO that has no writer returns at once instead of waiting for one (the fstat after it
// then refuses the FIFO); O_NOCTTY: a terminal device never becomes the controlling terminal.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
const CHUNK = 64 * 1024;

/**
 * The bytes of a regular file, at most MAX_FILE_BYTES, counted while reading: a size from stat can lie (files under
 * /proc, a file that grows), so reading stops at the first byte past the limit. Anything but a regular file is
 * refused before a byte is read.
 */
export function readBoundedBytes(path: string): BytesResult {
  let fd: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return { ok: false, reason: notAFile(st) };
    if (st.size > MAX_FILE_BYTES) return { ok: false, reason: `is ${(st.size / 1048576).toFixed(1)} MB, ${LIMIT_TEXT}` };
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    return { ok: false, reason: describeFsError(err), ...((err as NodeJS.ErrnoException)?.code === 'ENOENT' && { missing: true as const }) };
  }
  try {
    const st = fstatSync(fd); // what was opened, which may not be what stat saw a moment before
    if (!st.isFile()) return { ok: false, reason: notAFile(st) };
    const chunks: Buffer[] = [];
    let total = 0;
    // The first read asks for one byte more than the size stat gives (the usual file is then read in one buffer of
    // its size, not a fresh 64 kB one per file: memory the garbage collector has to count); what follows, if
    // anything, in chunks.
    for (let size = st.size > 0 ? st.size + 1 : CHUNK; ; size = CHUNK) {
      const chunk = Buffer.allocUnsafe(Math.min(size, MAX_FILE_BYTES + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_FILE_BYTES) return { ok: false, reason: `is ${LIMIT_TEXT}` };
    }
    return { ok: true, bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) };
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  } finally {
    closeSync(fd);
  }
}

/** What a path that is not a regular file is, for the one line that refuses it. */
export function notAFile(st: Stats): string {
  if (st.isDirectory()) return 'is a folder, not a file';
  if (st.isFIFO()) return 'is a FIFO (named pipe), not a file';
  if (st.isSocket()) return 'is a socket, not a file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a file';
  return 'is not a regular file';
}

/**
 * "UTF-16 LE with a byte order mark" and the like, for text saved as UTF-16 (Windows editors and PowerShell's
 * `Out-File` do): by its BOM, or, without one, by a NUL in every other byte, as ASCII text in UTF-16 has.
 */
function utf16Encoding(bytes: Buffer): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'UTF-16 LE (with a byte order mark)';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'UTF-16 BE (with a byte order mark)';
  const pairs = Math.min(256, bytes.length >> 1);
  if (pairs === 0) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < pairs; i++) {
    if (bytes[2 * i] === 0) zeroEven++;
    if (bytes[2 * i + 1] === 0) zeroOdd++;
  }
  if (zeroEven === 0 && zeroOdd >= pairs * 0.9) return 'UTF-16 LE (without a byte order mark)';
  if (zeroOdd === 0 && zeroEven >= pairs * 0.9) return 'UTF-16 BE (without a byte order mark)';
  return undefined;
}

/** A path with its symlinks resolved, or just made absolute when it does not exist (yet). */
export function realOrResolved(path: string, reader: Reader = diskReader): string {
  return reader.realPath(path) ?? resolve(path);
}

/** Whether a real path is one of the roots or inside one (roots are real paths too). */
export function isInside(real: string, roots: string[]): boolean {
  return roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep));
}

/**
 * Where a path really leads, when that is outside every root: a symlink (or a symlinked folder on the way) out of
 * the scanned folders. Undefined when it stays inside, or does not resolve (the read then says why).
 */
export function realPathOutside(path: string, roots: string[], reader: Reader = diskReader): string | undefined {
  const real = reader.realPath(path);
  return real === undefined || isInside(real, roots) ? undefined : real;
}

/** A file the doctor failed on (a bug in it): one line for the file, and the run goes on without it. */
export function internalProblem(path: string, err: unknown): ReadProblem {
  return { path, reason: `could not be analysed (internal error: ${(err as Error)?.message ?? String(err)})`, kind: 'internal' };
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
    case 'ENXIO':
      return 'is a socket or a device without a reader, not a file';
    default:
      return `cannot be read (${code ?? String(err)})`;
  }
}

export function fileExists(path: string, reader: Reader = diskReader): boolean {
  return reader.isFile(path);
}
