import { posix } from 'node:path';
import { lazyRequire } from './lazy.js';

// Loaded on the first config glob: most runs have none.
const picomatch = lazyRequire<typeof import('picomatch')>('picomatch');

/** Compiled globs by pattern: a pure function of its key, asked for once per file per pattern. */
const compiled = new Map<string, (path: string) => boolean>();

function matcher(pattern: string): (path: string) => boolean {
  let m = compiled.get(pattern);
  if (!m) {
    // `dot`: `.claude/` and `.env` are ordinary here, not hidden.
    m = picomatch()(pattern, { dot: true });
    compiled.set(pattern, m);
  }
  return m;
}

const slashes = (p: string) => p.split('\\').join('/');
/** The folder as a literal glob prefix: its own `*`, `[` or `{` must not act. */
const literal = (dir: string) => slashes(dir).replace(/[*?[\]{}()!+@|]/g, '\\$&');

/**
 * Whether a file is under a config glob (`ignorePaths`, `ignore[].path`), the glob being relative to `base` (the
 * config's folder, which it may leave with `../`). Globs are read by picomatch: `**`, `*`, `?`, braces `{a,b}`,
 * classes `[0-9]` and `[^0-9]`, extglobs. A pattern naming a folder matches everything inside it too.
 */
export function matchesGlob(base: string, file: string, glob: string): boolean {
  // Both absolute, so that `../` in the glob is resolved once, not matched against `..` segments.
  const isMatch = matcher(posix.join(literal(base), slashes(glob)));
  const parts = slashes(file).split('/');
  for (let n = parts.length; n > 1; n--) if (isMatch(parts.slice(0, n).join('/'))) return true;
  return false;
}
