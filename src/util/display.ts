import { homedir } from 'node:os';
import { isAbsolute, relative } from 'node:path';
import { escapeControl } from './escape.js';

/**
 * A path as a person reads it: relative to the working folder when inside it, ~ for the home folder; control
 * characters in a file name are shown escaped (a name comes from input and is printed).
 */
export function displayPath(path: string | undefined, cwd = process.cwd()): string {
  if (!path) return '';
  return escapeControl(readablePath(path, cwd));
}

function readablePath(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return rel;
  const home = homedir();
  if (path.startsWith(`${home}/`)) return `~/${path.slice(home.length + 1)}`;
  return path;
}
