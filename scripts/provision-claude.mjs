#!/usr/bin/env node
// Installs the real Claude Code CLI (pinned version) into a per-user cache so the
// conformance tests can run it offline. Prints the claude executable path as the
// last stdout line; exits non-zero with a message on failure.
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
import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const VERSION = '2.1.197';
const PKG = '@anthropic-ai/claude-code';

const cacheRoot = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
const prefix = join(cacheRoot, 'claude-otel-doctor', `claude-code-${VERSION}`);
const pkgDir = join(prefix, 'node_modules', '@anthropic-ai', 'claude-code');
const binary = join(pkgDir, 'bin', 'claude.exe');

function fail(message) {
  console.error(`provision-claude: ${message}`);
  process.exit(1);
}

/** Version string the binary reports, or undefined when it is missing or the stub. */
function installedVersion() {
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
  // stdout of child goes to our stderr so the last stdout line stays the path.
  const r = spawnSync(cmd, args, { stdio: ['ignore', process.stderr, process.stderr], ...options });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

if (installedVersion() !== VERSION) {
  console.error(`provision-claude: installing ${PKG}@${VERSION} into ${prefix}`);
  mkdirSync(prefix, { recursive: true });
  writeFileSync(
    join(prefix, 'package.json'),
    JSON.stringify(
      {
        name: 'claude-otel-doctor-claude-cache',
        private: true,
        dependencies: { [PKG]: VERSION },
        allowScripts: { [PKG]: true },
      },
      null,
      2,
    ) + '\n',
  );
  const status = run(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--include=optional',
      '--ignore-scripts=false',
      '--no-audit',
      '--no-fund',
      '--no-save',
      `${PKG}@${VERSION}`,
    ],
    { cwd: prefix },
  );
  if (status !== 0) fail(`npm install failed (exit ${status}); is the npm registry reachable?`);

  if (installedVersion() !== VERSION && existsSync(join(pkgDir, 'install.cjs'))) {
    console.error('provision-claude: native binary not in place after npm; running install.cjs');
    run(process.execPath, [join(pkgDir, 'install.cjs')], { cwd: pkgDir });
  }
  const got = installedVersion();
  if (got !== VERSION) {
    fail(
      `${binary} does not answer --version with ${VERSION} (got ${got ?? 'nothing'}). ` +
        `Was the optional dependency ${PKG}-${process.platform}-${process.arch} installed?`,
    );
  }
}

console.log(binary);
