import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isInside, notAFile, realOrResolved, type ReadProblem } from '../load/read.js';
import { looksLikeConfigName } from './classify.js';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.hg', '.svn']);
/** A temp file `--fix` writes beside its target (`.<name>.claude-otel-doctor-<pid>-<random>.tmp`): never input. */
export const DOCTOR_TEMP_NAME = /^\.(.*)\.claude-otel-doctor-(\d+)(?:-[0-9a-f]+)?\.tmp$/;

/**
 * Every regular file under the given paths (files as given), skipping VCS and dependency folders. A symlink is
 * followed only while it leads inside the given paths: one that leads out (to `/`, a home folder, a secret) is
 * neither read nor descended into, and is reported with where it points; a folder reached twice (a link back into
 * the tree, a cycle) is walked once. FIFOs, sockets and devices are never opened. Problems are reported for the
 * given paths, for folders, and for entries whose names could be config files (a broken README link is no problem).
 */
export function walk(paths: string[], isIgnored: (path: string) => boolean, problems: ReadProblem[]): string[] {
  const files: string[] = [];
  const roots = paths.map((p) => realOrResolved(p));
  const seenDirs = new Set<string>();
  const skip = (path: string, reason: string, always: boolean, kind?: ReadProblem['kind']) => {
    if (always || looksLikeConfigName(path)) problems.push({ path, reason, kind });
  };
  const visit = (path: string, explicit: boolean) => {
    if (!explicit && isIgnored(path)) return;
    let st: Stats;
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
        st = statSync(real);
      } catch {
        skip(path, 'is a broken symlink or a symlink loop', explicit);
        return;
      }
      // The paths given are the user's choice; what a link inside them points at is the repo's.
      // (A link to a FIFO or device is refused below as what it is: broken input, never opened.)
      if (!explicit && !isInside(real, roots) && (st.isFile() || st.isDirectory())) {
        skip(path, `is a symlink to ${real}, outside the scanned paths`, st.isDirectory(), 'outside');
        return;
      }
    }
    if (st.isDirectory()) {
      const real = realOrResolved(path);
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      let names: string[];
      try {
        names = readdirSync(path).sort();
      } catch {
        problems.push({ path, reason: 'cannot be read (permission denied)' });
        return;
      }
      for (const n of names) if (!SKIP_DIRS.has(n) && !DOCTOR_TEMP_NAME.test(n)) visit(join(path, n), false);
    } else if (st.isFile()) {
      files.push(resolve(path));
    } else {
      skip(path, notAFile(st), explicit);
    }
  };
  for (const p of paths) visit(resolve(p), true);
  return files;
}

export function relativeTo(base: string, path: string): string {
  return relative(base, path) || '.';
}
