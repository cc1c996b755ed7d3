// One way to provision a Go oracle (a small program under test/oracles/<name>, pinned by its committed go.mod/go.sum):
// build it with the local Go into ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/<name>-<version>/<name>, with a
// sha256 of its sources beside it; a binary that reports the pinned version, built from the same sources, is kept.
// Builds go next to the final place (same file system) and are renamed in: never a half-written binary.
// Progress goes to stderr; the last stdout line is the binary's path. Exits non-zero with a message on failure.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const versions = JSON.parse(readFileSync(join(root, 'test/oracles/versions.json'), 'utf8'));

/**
 * @param {object} o
 * @param {string} o.name the binary and its folder under test/oracles
 * @param {string} o.script the provisioning script's name, for its log lines
 * @param {string} o.version the pin the cache folder is named after
 * @param {string} o.what what it is built against, for the log ("k8s.io/api v0.37.2")
 * @param {string[]} o.sources files of the folder whose bytes decide a rebuild
 * @param {string[]} [o.buildArgs] after `go build -trimpath`, before `-o`: e.g. -ldflags
 * @param {string} [o.pkg] the package to build (default: the folder itself)
 * @param {string[]} [o.versionArgs] how the binary reports its version (default: --version)
 * @param {(reported: string) => boolean} o.reportsPin whether a reported version is the pinned one
 * @param {boolean} [o.nice] build at lower priority (long cold builds on a shared machine)
 */
export function provisionGoOracle(o) {
  const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
  const binDir = join(cacheRoot, `${o.name}-${o.version}`);
  const bin = join(binDir, o.name);
  const srcDir = join(root, 'test/oracles', o.name);
  const stampPath = join(binDir, `${o.name}.sha256`);
  const log = (message) => console.error(`${o.script}: ${message}`);
  const reported = (path) => {
    const r = spawnSync(path, o.versionArgs ?? ['--version'], { encoding: 'utf8', timeout: 30_000 });
    return r.status === 0 ? `${r.stdout}${r.stderr}`.trim() : undefined;
  };

  const h = createHash('sha256');
  for (const file of o.sources) h.update(readFileSync(join(srcDir, file)));
  const stamp = h.digest('hex');

  const provision = () => {
    const have = existsSync(bin) ? reported(bin) : undefined;
    const sameSources = existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp;
    if (have !== undefined && o.reportsPin(have) && sameSources) {
      log(`${o.name} present: ${have}`);
      return true;
    }
    log(`building ${o.name} against ${o.what}`);
    mkdirSync(cacheRoot, { recursive: true });
    const tmp = mkdtempSync(join(cacheRoot, `.${o.name}-build-`));
    try {
      const out = join(tmp, o.name);
      // -mod=readonly: the committed go.mod/go.sum decide every version; GOTOOLCHAIN=local: use this Go.
      const env = { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: `${process.env.GOFLAGS ?? ''} -mod=readonly`.trim() };
      const go = ['go', 'build', '-trimpath', ...(o.buildArgs ?? []), '-o', out, o.pkg ?? '.'];
      const [cmd, ...args] = o.nice ? ['nice', '-n', '10', ...go] : go;
      const r = spawnSync(cmd, args, { cwd: srcDir, env, stdio: ['ignore', process.stderr, process.stderr] });
      if (r.error || r.status !== 0) {
        log(
          `FAILED: go build of test/oracles/${o.name} failed (needs Go >= the go line in its go.mod and the Go module proxy)${r.error ? `: ${r.error.message}` : ''}`,
        );
        return false;
      }
      const built = reported(out);
      if (built === undefined || !o.reportsPin(built)) {
        log(`FAILED: built ${o.name} reports "${built}", expected ${o.version}`);
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
  };

  if (!provision()) process.exit(1);
  console.log(`${o.name}: ${bin}`);
}
