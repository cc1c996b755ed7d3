#!/usr/bin/env node
// Installs real Claude Code CLIs into a per-user cache so the conformance tests can run them
// offline, each version once: ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/claude-code-<v>/.
//   node scripts/provision-claude.mjs            every version of scripts/claude-versions.json
//   node scripts/provision-claude.mjs 2.1.332    just these versions
// Prints each claude executable path on stdout (one per line, in the order asked); exits
// non-zero with a message on failure.
//
// Why the details below:
// - The npm package ships only a stub at bin/claude.exe; its postinstall
//   (install.cjs) copies the native binary from the platform optional dependency
//   (@anthropic-ai/claude-code-linux-x64, ...) over the stub. So optional deps and
//   install scripts must both be on.
// - npm 11 has an install-script policy (allowScripts). Today unreviewed scripts
//   still run with a notice, but strict-allow-scripts (or a future npm) blocks
//   them, and --allow-scripts on the command line is an error in a project-scoped
//   install. We therefore write a private package.json in the cache folder that
//   approves the package by name (name-only: pinned entries never match when the
//   lockfile omits `resolved`, which this machine's npmrc does).
// - As a last resort, if the stub is still in place after npm, we run install.cjs
//   ourselves.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PKG = '@anthropic-ai/claude-code';
const matrix = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'claude-versions.json'), 'utf8'));
const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');

function fail(message) {
  console.error(`provision-claude: ${message}`);
  process.exit(1);
}

function paths(version) {
  const prefix = join(cacheRoot, 'claude-otel-doctor', `claude-code-${version}`);
  const pkgDir = join(prefix, 'node_modules', '@anthropic-ai', 'claude-code');
  return { prefix, pkgDir, binary: join(pkgDir, 'bin', 'claude.exe') };
}

/** Version string the binary reports, or undefined when it is missing or the stub. */
function installedVersion(binary) {
  if (!existsSync(binary)) return undefined;
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    return undefined;
  }
  const r = spawnSync(binary, ['--version'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
  });
  if (r.status !== 0) return undefined;
  return r.stdout.trim().split(/\s+/)[0];
}

function run(cmd, args, options = {}) {
  // stdout of child goes to our stderr so our stdout holds only the paths.
  const r = spawnSync(cmd, args, { stdio: ['ignore', process.stderr, process.stderr], ...options });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

function provision(version) {
  const { prefix, pkgDir, binary } = paths(version);
  if (installedVersion(binary) === version) return binary;
  const started = Date.now();
  console.error(`provision-claude: installing ${PKG}@${version} into ${prefix}`);
  mkdirSync(prefix, { recursive: true });
  writeFileSync(
    join(prefix, 'package.json'),
    `${JSON.stringify({ name: 'claude-otel-doctor-claude-cache', private: true, dependencies: { [PKG]: version }, allowScripts: { [PKG]: true } }, null, 2)}\n`,
  );
  const status = run(
    'npm',
    ['install', '--prefix', prefix, '--include=optional', '--ignore-scripts=false', '--no-audit', '--no-fund', '--no-save', `${PKG}@${version}`],
    { cwd: prefix },
  );
  if (status !== 0) fail(`npm install of ${version} failed (exit ${status}); is the npm registry reachable?`);

  if (installedVersion(binary) !== version && existsSync(join(pkgDir, 'install.cjs'))) {
    console.error('provision-claude: native binary not in place after npm; running install.cjs');
    run(process.execPath, [join(pkgDir, 'install.cjs')], { cwd: pkgDir });
  }
  const got = installedVersion(binary);
  if (got !== version) {
    fail(
      `${binary} does not answer --version with ${version} (got ${got ?? 'nothing'}). ` +
        `Was the optional dependency ${PKG}-${process.platform}-${process.arch} installed?`,
    );
  }
  console.error(`provision-claude: ${version} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return binary;
}

const asked = process.argv.slice(2);
for (const v of asked) if (!/^\d+\.\d+\.\d+$/.test(v)) fail(`not a version: ${JSON.stringify(v)} (expected e.g. 2.1.332)`);
for (const v of asked.length ? asked : matrix.versions) console.log(provision(v));
