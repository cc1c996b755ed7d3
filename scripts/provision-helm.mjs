#!/usr/bin/env node
// Provisions helm, the chart renderer oracle of test/oracles/helm-render.test.ts: the real `helm` CLI
// (helm.sh/helm/v4's cmd/helm), built with the local Go from test/oracles/helm, whose committed go.mod/go.sum
// pin helm (versions.json's helmGo) and every dependency (its `tool` line names cmd/helm), into
// ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/helm-<version>/helm.
// A cold build takes a few minutes. helm.sha256 beside it records the sources; changed sources are rebuilt.
// Progress goes to stderr; the last stdout line is the binary's path. Exits non-zero with a message on failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { helmGo } = JSON.parse(readFileSync(join(root, 'test/oracles/versions.json'), 'utf8'));
const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
const binDir = join(cacheRoot, `helm-${helmGo}`);
const bin = join(binDir, 'helm');
const srcDir = join(root, 'test/oracles/helm');
const stampPath = join(binDir, 'helm.sha256');

const log = (message) => console.error(`provision-helm: ${message}`);

function sourceStamp() {
  const h = createHash('sha256');
  for (const name of ['go.mod', 'go.sum']) h.update(readFileSync(join(srcDir, name)));
  return h.digest('hex');
}

/** `helm version --short`: the version the build was stamped with (helm's Makefile stamps it the same way). */
function reportedVersion(path) {
  const r = spawnSync(path, ['version', '--short'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function provision() {
  const stamp = sourceStamp();
  const have = existsSync(bin) ? reportedVersion(bin) : undefined;
  const sameSources = existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp;
  if (have === helmGo && sameSources) {
    log(`helm present: ${have}`);
    return true;
  }
  log(`building helm ${helmGo} from helm.sh/helm/v4/cmd/helm`);
  mkdirSync(cacheRoot, { recursive: true });
  // Build next to the final place (same file system) and rename: never a half-written binary.
  const tmp = mkdtempSync(join(cacheRoot, '.helm-build-'));
  try {
    const out = join(tmp, 'helm');
    // -mod=readonly: the committed go.mod/go.sum decide every version; GOTOOLCHAIN=local: use this Go.
    const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() };
    const ldflags = `-s -w -X helm.sh/helm/v4/internal/version.version=${helmGo}`;
    const r = spawnSync('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', out, 'helm.sh/helm/v4/cmd/helm'], {
      cwd: srcDir,
      env,
      stdio: ['ignore', process.stderr, process.stderr],
    });
    if (r.error || r.status !== 0) {
      log(
        `FAILED: go build of helm.sh/helm/v4/cmd/helm failed (needs Go >= the go line in test/oracles/helm/go.mod and the Go module proxy)${r.error ? `: ${r.error.message}` : ''}`,
      );
      return false;
    }
    const built = reportedVersion(out);
    if (built !== helmGo) {
      log(`FAILED: built helm reports "${built}", expected ${helmGo}`);
      return false;
    }
    mkdirSync(binDir, { recursive: true });
    renameSync(out, bin);
    writeFileSync(stampPath, `${stamp}\n`);
    log(`built helm ${built}`);
    return true;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (!provision()) process.exit(1);
console.log(`helm: ${bin}`);
