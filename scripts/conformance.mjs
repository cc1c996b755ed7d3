#!/usr/bin/env node
// npm run conformance -- --claude-version <v> [more versions…]
// Installs each Claude Code version into the cache (scripts/provision-claude.mjs) and runs the conformance suites
// (prediction and --fix) on it: every case on a version outside the matrix, the matrix's cases on one inside it.
// A disagreement fails its case with the predicted and the arrived lines side by side. Without a version: the
// whole matrix of scripts/claude-versions.json.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const versions = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--claude-version' && args[i + 1]) versions.push(...args[++i].split(','));
  else if (args[i].startsWith('--claude-version=')) versions.push(...args[i].slice('--claude-version='.length).split(','));
  else {
    console.error(`conformance: unknown argument ${JSON.stringify(args[i])} (usage: npm run conformance -- --claude-version 2.1.332)`);
    process.exit(2);
  }
}
for (const v of versions) {
  if (!/^\d+\.\d+\.\d+$/.test(v)) {
    console.error(`conformance: not a version: ${JSON.stringify(v)} (expected e.g. 2.1.332)`);
    process.exit(2);
  }
}
const opts = { cwd: root, stdio: 'inherit' };
if (
  (spawnSync(process.execPath, [join(root, 'scripts', 'provision-claude.mjs'), ...versions], { ...opts, stdio: ['ignore', 'ignore', 'inherit'] }).status ??
    1) !== 0
)
  process.exit(1);
const env = { ...process.env, ...(versions.length ? { CLAUDE_CONFORMANCE_VERSIONS: versions.join(',') } : {}) };
const r = spawnSync('npx', ['vitest', 'run', 'test/conformance/prediction.test.ts', 'test/conformance/fix.test.ts'], { ...opts, env });
process.exit(r.status ?? 1);
