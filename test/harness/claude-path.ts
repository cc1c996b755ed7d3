// Where scripts/provision-claude.mjs puts each Claude Code binary (scripts/claude-versions.json lists them).
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

interface ClaudeMatrix {
  oldest: string;
  newest: string;
  versions: string[];
}

/** The versions the conformance suite runs on, as the provisioning script installs them. */
export const CLAUDE_MATRIX: ClaudeMatrix = JSON.parse(readFileSync(new URL('../../scripts/claude-versions.json', import.meta.url), 'utf8'));

/** The oldest supported version: the default for every real-Claude test that does not ask for one. */
export const CLAUDE_VERSION = CLAUDE_MATRIX.oldest;

/** Path of the cached claude executable of `version`, or undefined when it is not provisioned. */
export function claudeBinary(version: string = CLAUDE_VERSION): string | undefined {
  const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const bin = join(cacheRoot, 'claude-otel-doctor', `claude-code-${version}`, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');
  try {
    accessSync(bin, constants.X_OK);
    // The npm package ships a ~500-byte shell stub here until its postinstall runs.
    return statSync(bin).size > 1_000_000 ? bin : undefined;
  } catch {
    return undefined;
  }
}
