#!/usr/bin/env node
// The one test command (README, .ci/run): installs what the suite needs when it is missing,
// builds the CLI, runs every test, and ends with a plain "N passed, N failed, N skipped (N suites)" line.
// With CI=true a component that cannot be provisioned fails the run, and so does any skipped test;
// elsewhere the suites that need a missing component skip, and this script says loudly which and why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from './test-summary.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const inCI = process.env.CI === 'true';
const skipped = [];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

function step(title) {
  console.log(`\n=== ${title}`);
}

// 1. Node dependencies: install when node_modules is missing or older than the lock file.
const lock = join(root, 'package-lock.json');
const marker = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  step('npm ci');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) process.exit(1);
}

// 2. Real components, each cached outside the repo by its own provisioning script.
const components = [
  { name: 'Claude Code versions of scripts/claude-versions.json', script: 'scripts/provision-claude.mjs', needs: 'the npm registry' },
  { name: 'Prometheus/promtool 2.x and the 3.x config loader', script: 'scripts/provision-prometheus.mjs', needs: "Debian's packages and the Go module proxy" },
  { name: 'the compose project loader (compose-go)', script: 'scripts/provision-compose.mjs', needs: 'the Go module proxy' },
  { name: 'the helm CLI (helm.sh/helm/v4)', script: 'scripts/provision-helm.mjs', needs: 'the Go module proxy; a few minutes when cold' },
  {
    name: 'the Kubernetes oracles (k8s-check: k8s.io/api, kustomize)',
    script: 'scripts/provision-k8s.mjs',
    needs: 'the Go module proxy; a few minutes when cold',
  },
  {
    name: "the Prometheus Operator's scrape-config generation (operator-scrape)",
    script: 'scripts/provision-operator.mjs',
    needs: 'the Go module proxy; about ten minutes when cold',
  },
  { name: "the oldest Node.js package.json's engines admit", script: 'scripts/provision-node.mjs', needs: 'the npm registry' },
  {
    name: 'OpenTelemetry Collector builds (old and current)',
    script: 'scripts/provision-collector.mjs',
    needs: 'the Go module proxy; 10-20 minutes when cold',
  },
];
for (const c of components) {
  step(`provision ${c.name}`);
  if (run('node', [c.script]) !== 0) {
    if (inCI) {
      console.error(`\n${c.name} could not be provisioned; in CI a missing real component is a failure.`);
      process.exit(1);
    }
    skipped.push(`${c.name} (provisioning failed; needs ${c.needs})`);
  }
}

// 3. Build the bundled CLI (the packaging test and README commands use dist/).
step('build');
if (run('node', ['scripts/build.mjs']) !== 0) process.exit(1);
step('typecheck');
if (run('npx', ['tsc', '--noEmit', '-p', '.']) !== 0) process.exit(1);
// Lint and format check (biome.json); `npm run format` repairs what it can.
step('lint and format (biome ci)');
if (run('npx', ['biome', 'ci', '.']) !== 0) process.exit(1);

// 4. Every test.
step('vitest');
mkdirSync(join(root, '.vitest-results'), { recursive: true });
const results = join(root, '.vitest-results', 'results.json');
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)]);

let summary = '';
let failsCI = false;
try {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  if (r.numTotalTests === 0) {
    console.error('no test ran');
    process.exit(1);
  }
  const s = summarize(r, { root, inCI, filtered: process.argv.length > 2 });
  summary = s.line;
  failsCI = s.failsCI;
  if (s.skippedSuites.length) console.warn(`\nskipped suites:\n  ${s.skippedSuites.join('\n  ')}`);
} catch {
  summary = '';
}
if (skipped.length) {
  console.warn(`\n*** SKIPPED real-component suites: ${skipped.join('; ')} ***`);
}
if (failsCI) console.error('\nCI=true: a skipped test fails the run (every suite must run in CI).');
if (summary) console.log(`\n${summary}`);
process.exit(failsCI ? 1 : status);
