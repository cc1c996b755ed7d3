#!/usr/bin/env node
// Provisions the two Prometheus config oracles used by test/oracles:
// 1. promtool and the prometheus server (2.x) from Debian's `prometheus` package, unless both
//    `promtool --version` and `prometheus --version` already work (the probe tests run the server). Needs root and the Debian apt repositories. The package's postinst would
//    start a prometheus server; we keep a policy-rc.d in place so it does not, and stop any
//    server process that still appears during the install.
// 2. prom3-check: test/oracles/prom3-check (Prometheus 3.x config loader, module pinned by its
//    committed go.mod/go.sum), built with the local Go into
//    ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/prom3-check-<version>/prom3-check.
//    Uses Go's default GOMODCACHE/GOCACHE (shared with other Go builds on the machine). It links
//    every service discovery (discovery/install), as the prometheus binary does: a cold build takes
//    about 6 minutes. prom3-check.sha256 beside it records the sources; changed sources are rebuilt.
// Progress goes to stderr; the last two stdout lines are the promtool and prom3-check paths.
// Exits non-zero with a message on failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { prometheusGo } = JSON.parse(readFileSync(join(root, 'test/oracles/versions.json'), 'utf8'));
const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
const prom3Dir = join(cacheRoot, `prom3-check-${prometheusGo}`);
const prom3Bin = join(prom3Dir, 'prom3-check');
const srcDir = join(root, 'test/oracles/prom3-check');
// The sources a binary was built from (main.go, go.mod, go.sum): changed sources are rebuilt.
const stampPath = join(prom3Dir, 'prom3-check.sha256');
const sourceStamp = () => {
  const h = createHash('sha256');
  for (const name of ['main.go', 'go.mod', 'go.sum']) h.update(readFileSync(join(srcDir, name)));
  return h.digest('hex');
};

function log(message) {
  console.error(`provision-prometheus: ${message}`);
}

let buildTmp; // temp build dir of prom3-check, removed on failure too (exit skips `finally`)

function fail(message) {
  log(`FAILED: ${message}`);
  if (buildTmp) rmSync(buildTmp, { recursive: true, force: true });
  process.exit(1);
}

/** Runs a command with its output on our stderr; returns the exit status. */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', process.stderr, process.stderr], ...options });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

function capture(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim() : undefined;
}

/** PIDs of processes whose executable name is exactly "prometheus". */
function prometheusPids() {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'prometheus') pids.push(Number(entry));
    } catch {
      // process exited meanwhile
    }
  }
  return pids;
}

function provisionPromtool() {
  const version = capture('prometheus', ['--version']) ? capture('promtool', ['--version']) : undefined;
  if (version) {
    log(`promtool present: ${version.split('\n')[0]}`);
    return;
  }
  if (process.getuid?.() !== 0) fail("promtool or prometheus is missing and installing Debian's prometheus package needs root");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const policy = capture('apt-cache', ['policy', 'prometheus']) ?? '';
  if (!/Candidate:\s*(?!\(none\))\S/.test(policy)) {
    log('no apt candidate for prometheus; running apt-get update');
    if (run('apt-get', ['update'], { env }) !== 0) fail('apt-get update failed; are the Debian repositories reachable?');
  }
  // policy-rc.d exit 101 = "do not start services"; Docker images ship one, add it only if absent.
  const policyRc = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policyRc);
  if (ownPolicy) writeFileSync(policyRc, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  const before = new Set(prometheusPids());
  let status;
  try {
    log('apt-get install -y --no-install-recommends prometheus');
    status = run('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus'], { env });
  } finally {
    if (ownPolicy) unlinkSync(policyRc);
  }
  // Only processes that appeared during our install are ours to stop.
  for (const pid of prometheusPids().filter((p) => !before.has(p))) {
    log(`stopping prometheus server pid ${pid} started by the package install`);
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (status !== 0) fail(`apt-get install prometheus failed (exit ${status})`);
  const installed = capture('promtool', ['--version']);
  if (!installed || !capture('prometheus', ['--version'])) fail('promtool or prometheus --version still fails after installing the prometheus package');
  log(`installed ${installed.split('\n')[0]}`);
}

function provisionProm3Check() {
  const have = existsSync(prom3Bin) ? capture(prom3Bin, ['--version']) : undefined;
  const stamp = sourceStamp();
  const sameSources = existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp;
  if (have?.endsWith(prometheusGo) && sameSources) {
    log(`prom3-check present: ${have}`);
    return;
  }
  log(`building prom3-check against github.com/prometheus/prometheus ${prometheusGo}`);
  mkdirSync(cacheRoot, { recursive: true });
  // Build next to the final place (same file system) and rename: never a half-written binary.
  const tmp = mkdtempSync(join(cacheRoot, '.prom3-check-build-'));
  buildTmp = tmp;
  try {
    const out = join(tmp, 'prom3-check');
    // -mod=readonly: the committed go.mod/go.sum decide every version; GOTOOLCHAIN=local: use this Go.
    const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() };
    if (run('go', ['build', '-trimpath', '-o', out, '.'], { cwd: srcDir, env }) !== 0) {
      fail('go build of test/oracles/prom3-check failed (needs Go >= the go line in its go.mod and the Go module proxy)');
    }
    const built = capture(out, ['--version']);
    if (!built?.endsWith(prometheusGo)) fail(`built prom3-check reports "${built}", expected ${prometheusGo}`);
    mkdirSync(prom3Dir, { recursive: true });
    renameSync(out, prom3Bin);
    writeFileSync(stampPath, `${stamp}\n`);
    log(`built ${built}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    buildTmp = undefined;
  }
}

provisionPromtool();
provisionProm3Check();
console.log(`promtool: ${capture('sh', ['-c', 'command -v promtool'])}`);
console.log(`prom3-check: ${prom3Bin}`);
