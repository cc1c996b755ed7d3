import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/**
 * The built bin and bundle copied into a package of their own under `dir` (its schemas linked to the real ones), for
 * tests that need one build for their whole run: other test files rebuild dist/ while they run, and the caches the
 * bin keeps (src/entry.ts, util/parse-cache.ts) are stamped with the bundle's size and time, so a rebuild between two
 * runs of a test would make the second run start afresh. Returns the folder; its bin is `dist/cli.cjs` (ESM: `dist/cli.js`).
 */
export function copyOfBin(dir: string): string {
  mkdirSync(join(dir, 'dist'), { recursive: true });
  copyFileSync(join(packageRoot, 'package.json'), join(dir, 'package.json'));
  for (const f of ['cli.cjs', 'cli.js', 'run.cjs']) copyFileSync(join(packageRoot, 'dist', f), join(dir, 'dist', f));
  symlinkSync(join(packageRoot, 'schemas'), join(dir, 'schemas'));
  return dir;
}
