#!/usr/bin/env node
// Provisions compose-check, the compose project loader oracle of test/oracles/compose-differential.test.ts:
// test/oracles/compose-check (github.com/compose-spec/compose-go/v2, the library `docker compose` loads
// projects with; pinned by its committed go.mod/go.sum and versions.json's composeGo), built with the local Go
// into ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/compose-check-<version>/compose-check.
// A cold build takes well under a minute. compose-check.sha256 beside it records the sources; changed
// sources are rebuilt. Progress goes to stderr; the last stdout line is the binary's path.
// Exits non-zero with a message on failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { composeGo } = JSON.parse(readFileSync(join(root, 'test/oracles/versions.json'), 'utf8'));
const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
const binDir = join(cacheRoot, `compose-check-${composeGo}`);
const bin = join(binDir, 'compose-check');
const srcDir = join(root, 'test/oracles/compose-check');
const stampPath = join(binDir, 'compose-check.sha256');

const log = (message) => console.error(`provision-compose: ${message}`);

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
  if (have?.endsWith(composeGo) && sameSources) {
    log(`compose-check present: ${have}`);
    return true;
  }
  log(`building compose-check against github.com/compose-spec/compose-go/v2 ${composeGo}`);
  mkdirSync(cacheRoot, { recursive: true });
  // Build next to the final place (same file system) and rename: never a half-written binary.
  const tmp = mkdtempSync(join(cacheRoot, '.compose-check-build-'));
  try {
    const out = join(tmp, 'compose-check');
    // -mod=readonly: the committed go.mod/go.sum decide every version; GOTOOLCHAIN=local: use this Go.
    const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() };
    const r = spawnSync('go', ['build', '-trimpath', '-o', out, '.'], { cwd: srcDir, env, stdio: ['ignore', process.stderr, process.stderr] });
    if (r.error || r.status !== 0) {
      log(
        `FAILED: go build of test/oracles/compose-check failed (needs Go >= the go line in its go.mod and the Go module proxy)${r.error ? `: ${r.error.message}` : ''}`,
      );
      return false;
    }
    const built = capture(out, ['--version']);
    if (!built?.endsWith(composeGo)) {
      log(`FAILED: built compose-check reports "${built}", expected ${composeGo}`);
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
console.log(`compose-check: ${bin}`);
