#!/usr/bin/env node
// The command-line entry (dist/cli.js, the package's bin): answers --version before loading anything else, since
// evaluating the whole bundle (about 1 MB) is most of a bare run's time; everything else goes to the CLI in
// dist/run.js, loaded on demand.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  // The same line cac prints for --version.
  process.stdout.write(`claude-otel-doctor/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  // The bundle built beside this file (scripts/build.mjs), named through a variable so that neither esbuild nor
  // the type checker looks for it in src/.
  const bundle = './run.js';
  const { runFromCommandLine } = (await import(bundle)) as typeof import('./cli.js');
  runFromCommandLine();
}
