#!/usr/bin/env node
// Installs the oldest Node.js that package.json's engines.node admits (">=X.Y.Z"), so test/packaging/engines.test.ts
// can install and run the packed CLI on it: ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/node-<X.Y.Z>/.
// Node's binaries are on the npm registry as node-<platform>-<arch>@<version> (what the `node` package's preinstall
// fetches); installing that package directly needs no install script.
// Prints the node executable's path on stdout; exits non-zero with a message on failure.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function fail(message) {
  console.error(`provision-node: ${message}`);
  process.exit(1);
}

/** The floor of engines.node: only the form ">=X.Y.Z" is accepted, so "the declared floor" is one version. */
export function nodeFloor() {
  const range = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines?.node ?? '';
  return /^>=(\d+\.\d+\.\d+)$/.exec(range)?.[1];
}

export function floorNodePaths(version) {
  const pkg = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  const prefix = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor', `node-${version}`);
  return { pkg, prefix, binary: join(prefix, 'node_modules', pkg, 'bin', process.platform === 'win32' ? 'node.exe' : 'node') };
}

function versionOf(binary) {
  if (!existsSync(binary)) return undefined;
  const r = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = nodeFloor();
  if (!version) fail('package.json engines.node is not of the form ">=X.Y.Z"');
  const { pkg, prefix, binary } = floorNodePaths(version);
  if (versionOf(binary) !== `v${version}`) {
    console.error(`provision-node: installing ${pkg}@${version} into ${prefix}`);
    mkdirSync(prefix, { recursive: true });
    writeFileSync(join(prefix, 'package.json'), `${JSON.stringify({ name: 'claude-otel-doctor-node-cache', private: true }, null, 2)}\n`);
    const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', `${pkg}@${version}`], {
      cwd: prefix,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    if (r.status !== 0) fail(`npm install of ${pkg}@${version} failed (exit ${r.status}); is the npm registry reachable?`);
    if (existsSync(binary)) chmodSync(binary, 0o755);
    const got = versionOf(binary);
    if (got !== `v${version}`) fail(`${binary} answers --version with ${got ?? 'nothing'}, not v${version}`);
  }
  console.log(binary);
}
