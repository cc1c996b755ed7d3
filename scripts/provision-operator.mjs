#!/usr/bin/env node
// Provisions operator-scrape, the oracle of test/oracles/operator-scrape.test.ts: test/oracles/operator-scrape runs
// the Prometheus Operator's own code (github.com/prometheus-operator/prometheus-operator/pkg/prometheus: resource
// selection and ConfigGenerator) over ServiceMonitors/PodMonitors and prints the prometheus.yml it generates.
// Pinned by its committed go.mod/go.sum (the operator at versions.json's prometheusOperatorGo; it brings its own
// k8s.io and prometheus modules, so it is a binary of its own, not part of k8s-check), built with the local Go into
// ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/operator-scrape-<prometheusOperatorGo>/operator-scrape.
// A cold build takes about ten minutes on a busy machine. operator-scrape.sha256 beside it records the sources;
// changed sources are rebuilt. Progress goes to stderr; the last stdout line is the binary's path.
// Exits non-zero with a message on failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { prometheusOperatorGo } = JSON.parse(readFileSync(join(root, 'test/oracles/versions.json'), 'utf8'));
const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
const binDir = join(cacheRoot, `operator-scrape-${prometheusOperatorGo}`);
const bin = join(binDir, 'operator-scrape');
const srcDir = join(root, 'test/oracles/operator-scrape');
const stampPath = join(binDir, 'operator-scrape.sha256');

const log = (message) => console.error(`provision-operator: ${message}`);

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
  if (have?.includes(`prometheus-operator/prometheus-operator ${prometheusOperatorGo},`) && sameSources) {
    log(`operator-scrape present: ${have}`);
    return true;
  }
  log(`building operator-scrape against the Prometheus Operator ${prometheusOperatorGo}`);
  mkdirSync(cacheRoot, { recursive: true });
  // Build next to the final place (same file system) and rename: never a half-written binary.
  const tmp = mkdtempSync(join(cacheRoot, '.operator-scrape-build-'));
  try {
    const out = join(tmp, 'operator-scrape');
    // -mod=readonly: the committed go.mod/go.sum decide every version; GOTOOLCHAIN=local: use this Go.
    const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() };
    // nice: the cold build is long and the machine is shared.
    const r = spawnSync('nice', ['-n', '10', 'go', 'build', '-trimpath', '-o', out, '.'], {
      cwd: srcDir,
      env,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    if (r.error || r.status !== 0) {
      log(
        `FAILED: go build of test/oracles/operator-scrape failed (needs Go >= the go line in its go.mod and the Go module proxy)${r.error ? `: ${r.error.message}` : ''}`,
      );
      return false;
    }
    const built = capture(out, ['--version']);
    if (!built?.includes(`prometheus-operator/prometheus-operator ${prometheusOperatorGo},`)) {
      log(`FAILED: built operator-scrape reports "${built}", expected ${prometheusOperatorGo}`);
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
console.log(`operator-scrape: ${bin}`);
