import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

/** The newest modification time under a path. */
function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Builds dist/ (scripts/build.mjs) when it is missing or older than what it is built from, for test files that run
 * the built bin and may be run alone. The test command builds first, so in a full run nothing is rebuilt here: a
 * rebuild in the middle of the suite would change the bundle under other files' runs (and the caches stamped with it).
 */
export function buildIfStale(): void {
  const bundle = join(packageRoot, 'dist', 'run.cjs');
  const inputs = ['src', 'schemas', 'package.json', 'scripts/build.mjs', 'scripts/validators.mjs'].map((p) => join(packageRoot, p));
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= Math.max(...inputs.map(newest))) return;
  const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: packageRoot, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`scripts/build.mjs failed: ${b.stderr}`);
}
