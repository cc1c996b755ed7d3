import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A dependency loaded on first use instead of at startup, so a command that never needs it (`--version`, `rules`,
 * a check without dashboards, anything but `--dry-run`, anything but the probes) does not pay for loading it.
 * `require` keeps callers synchronous (the static check and the fixer are): every dependency loaded this way is a
 * CommonJS package or has a CommonJS build, and only ever loaded through here, so there is one copy of it.
 */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}
