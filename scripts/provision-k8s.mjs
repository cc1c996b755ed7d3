#!/usr/bin/env node
// Provisions k8s-check, the Kubernetes oracles of test/oracles/k8s-check.test.ts: test/oracles/k8s-check (strict
// decoding into the Go types of k8s.io/api, sigs.k8s.io/gateway-api and the Prometheus Operator's monitoring
// API; `kustomize build` by sigs.k8s.io/kustomize/api), pinned by its committed go.mod/go.sum (k8s.io/* at
// versions.json's k8sApiGo), built with the local Go into
// ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/k8s-check-<k8sApiGo>/k8s-check.
// A cold build takes a few minutes (less after helm's: they share k8s.io packages in Go's build cache).
// k8s-check.sha256 beside it records the sources; changed
// sources are rebuilt. Progress goes to stderr; the last stdout line is the binary's path.
// Exits non-zero with a message on failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { k8sApiGo } = JSON.parse(readFileSync(join(root, 'test/oracles/versions.json'), 'utf8'));
const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
const binDir = join(cacheRoot, `k8s-check-${k8sApiGo}`);
const bin = join(binDir, 'k8s-check');
const srcDir = join(root, 'test/oracles/k8s-check');
const stampPath = join(binDir, 'k8s-check.sha256');

const log = (message) => console.error(`provision-k8s: ${message}`);

function sourceStamp() {
  const h = createHash('sha256');
  for (const name of ['main.go', 'go.mod', 'go.sum']) h.update(readFileSync(join(srcDir, name)));
  return h.digest('hex');
}

function capture(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim() : undefined;
}

function provision() {
  const stamp = sourceStamp();
  const have = existsSync(bin) ? capture(bin, ['--version']) : undefined;
  const sameSources = existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp;
  if (have?.includes(`k8s.io/api ${k8sApiGo},`) && sameSources) {
    log(`k8s-check present: ${have}`);
    return true;
  }
  log(`building k8s-check against k8s.io/api ${k8sApiGo}`);
  mkdirSync(cacheRoot, { recursive: true });
  // Build next to the final place (same file system) and rename: never a half-written binary.
  const tmp = mkdtempSync(join(cacheRoot, '.k8s-check-build-'));
  try {
    const out = join(tmp, 'k8s-check');
    // -mod=readonly: the committed go.mod/go.sum decide every version; GOTOOLCHAIN=local: use this Go.
    const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() };
    const r = spawnSync('go', ['build', '-trimpath', '-o', out, '.'], { cwd: srcDir, env, stdio: ['ignore', process.stderr, process.stderr] });
    if (r.error || r.status !== 0) {
      log(
        `FAILED: go build of test/oracles/k8s-check failed (needs Go >= the go line in its go.mod and the Go module proxy)${r.error ? `: ${r.error.message}` : ''}`,
      );
      return false;
    }
    const built = capture(out, ['--version']);
    if (!built?.includes(`k8s.io/api ${k8sApiGo},`)) {
      log(`FAILED: built k8s-check reports "${built}", expected ${k8sApiGo}`);
      return false;
    }
    mkdirSync(binDir, { recursive: true });
    renameSync(out, bin);
    writeFileSync(stampPath, `${stamp}\n`);
    log(`built ${built}`);
    return true;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (!provision()) process.exit(1);
console.log(`k8s-check: ${bin}`);
