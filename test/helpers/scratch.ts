import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

/** A throwaway folder for one test file (removed after it), with writers that create parent folders. */
export function scratchFolder(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const at = (rel: string) => {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    return path;
  };
  return {
    root,
    /** Writes `text` at `rel`; returns its absolute path. */
    write: (rel: string, text: string): string => {
      const path = at(rel);
      writeFileSync(path, text);
      return path;
    },
    /** A symlink at `rel` to `target`; returns its absolute path. */
    link: (target: string, rel: string): string => {
      const path = at(rel);
      symlinkSync(target, path);
      return path;
    },
  };
}
