#!/usr/bin/env node
// `npm run mutation [-- group…]`: StrykerJS over each group of stryker.config.mjs (all when none is named), then
// one line per group with its mutation score and the surviving mutants (file:line mutator). Not part of npm test.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GROUPS } from '../stryker.config.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const asked = process.argv.slice(2);
const unknown = asked.filter((g) => !(g in GROUPS));
if (unknown.length) {
  console.error(`unknown mutation group(s): ${unknown.join(', ')} (groups: ${Object.keys(GROUPS).join(', ')})`);
  process.exit(2);
}
const lines = [];
let failed = false;
for (const group of asked.length ? asked : Object.keys(GROUPS)) {
  console.log(`\n=== mutation: ${group}`);
  const r = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs'], { cwd: root, stdio: 'inherit', env: { ...process.env, MUTATION_GROUP: group } });
  if (r.status !== 0) {
    failed = true;
    lines.push(`${group}: stryker exited ${r.status}`);
    continue;
  }
  const report = JSON.parse(readFileSync(join(root, 'reports/mutation', `${group}.json`), 'utf8'));
  const mutants = Object.entries(report.files).flatMap(([file, f]) => f.mutants.map((m) => ({ file, ...m })));
  const count = (...s) => mutants.filter((m) => s.includes(m.status)).length;
  const detected = count('Killed', 'Timeout');
  const valid = detected + count('Survived', 'NoCoverage');
  const survivors = mutants
    .filter((m) => m.status === 'Survived' || m.status === 'NoCoverage')
    .map((m) => `${m.file}:${m.location.start.line} ${m.mutatorName}`);
  lines.push(
    `${group}: ${valid ? ((100 * detected) / valid).toFixed(1) : '100.0'}% (${detected}/${valid} detected)${survivors.length ? `; survived: ${survivors.join(', ')}` : ''}`,
  );
}
console.log(`\n${lines.join('\n')}`);
process.exit(failed ? 1 : 0);
