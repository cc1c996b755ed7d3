import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { ReadProblem } from '../load/read.js';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);

/** Every file under the given paths (files as given), skipping VCS and dependency folders and symlink loops. */
export function walk(paths: string[], isIgnored: (path: string) => boolean, problems: ReadProblem[]): string[] {
  const files: string[] = [];
  const seenDirs = new Set<string>();
  const visit = (path: string, explicit: boolean) => {
    if (!explicit && isIgnored(path)) return;
    let st;
    try {
      st = lstatSync(path);
    } catch {
      problems.push({ path, reason: 'does not exist' });
      return;
    }
    if (st.isSymbolicLink()) {
      let real: string;
      try {
        real = realpathSync(path);
      } catch {
        problems.push({ path, reason: 'is a broken symlink or a symlink loop' });
        return;
      }
      try {
        st = lstatSync(real);
      } catch {
        return;
      }
      if (st.isDirectory() && seenDirs.has(real)) return; // a link back into the tree
    }
    if (st.isDirectory()) {
      const real = realpathSync(path);
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      let names: string[];
      try {
        names = readdirSync(path).sort();
      } catch {
        problems.push({ path, reason: 'cannot be read (permission denied)' });
        return;
      }
      for (const n of names) if (!SKIP_DIRS.has(n)) visit(join(path, n), false);
    } else if (st.isFile()) {
      files.push(resolve(path));
    }
  };
  for (const p of paths) visit(resolve(p), true);
  return files;
}

export function relativeTo(base: string, path: string): string {
  return relative(base, path) || '.';
}
