// Where scripts/provision-claude.mjs puts the pinned Claude Code binary.
import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CLAUDE_VERSION = '2.1.197';

/** Path of the cached claude executable, or undefined when it is not provisioned. */
export function claudeBinary(): string | undefined {
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const bin = join(
    cacheRoot,
    'claude-otel-doctor',
    `claude-code-${CLAUDE_VERSION}`,
    'node_modules',
    '@anthropic-ai',
    'claude-code',
    'bin',
    'claude.exe',
  );
  try {
    accessSync(bin, constants.X_OK);
    // The npm package ships a ~500-byte shell stub here until its postinstall runs.
    return statSync(bin).size > 1_000_000 ? bin : undefined;
  } catch {
    return undefined;
  }
}
