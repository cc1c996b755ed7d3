#!/usr/bin/env node
// README's first command: runs the doctor on a shipped example, the settings a popular setup
// guide tells people to write (with its `// REQUIRED!` comments), and explains the exit code.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
if (!existsSync(join(root, 'node_modules'))) spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
const example = join(root, 'fixtures', 'seed-required-comments');
const args = [
  '--no-shell-env',
  '--claude-version',
  '2.1.197',
  '--home',
  join(example, 'home'),
  '--project',
  join(example, 'project'),
  '--managed-dir',
  join(example, 'managed'),
];
console.log(`$ claude-otel-doctor ${args.map((a) => a.replace(`${root}/`, '')).join(' ')}\n`);
const r = spawnSync(process.execPath, [join(root, 'dist/cli.js'), ...args], { cwd: root, stdio: 'inherit' });
console.log(`\n(exit code ${r.status}: 0 clean, 1 findings, 2 bad usage or unreadable input)`);
