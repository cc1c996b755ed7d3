#!/usr/bin/env node
// Builds the real OpenTelemetry Collectors used as oracles by test/oracles: one per entry of
// test/oracles/versions.json `collector` (old, current), each from
// test/oracles/manifests/otelcol-<version>.yaml with the OpenTelemetry Collector Builder (ocb) of
// the same version, into ${XDG_CACHE_HOME:-~/.cache}/claude-otel-doctor/otelcol-<version>/otelcol-cod.
//
// - A binary that already answers `--version` with its version is kept (no rebuild).
// - The builder goes to .../claude-otel-doctor/ocb-v<version>/builder (`go install`).
// - Builds run in a temp dir under the same cache folder and the binary is renamed into place,
//   so an interrupted build never leaves a half-written binary.
// - Go's default GOMODCACHE and GOCACHE are used (shared with other Go builds; a warm cache
//   makes rebuilds fast). GOTOOLCHAIN=local: build with the installed Go, never download one.
// - Checksums: the Go proxy reachable here serves a checksum-database mirror that lacks entries
//   for some older OTel releases (e.g. builder v0.105.0, lokiexporter v0.105.0: `sum.golang.org/lookup
//   ... 404 Not Found`). Each step runs with full verification first; only on that exact failure
//   is it retried with GONOSUMDB for the two OTel module prefixes (third-party modules stay verified).
// - Beside each binary, `schema-dump`: test/oracles/schema-dump/dump.go compiled with the builder's
//   generated components.go (builder --skip-compilation), so it sees exactly the oracle's components
//   and prints the options each accepts (scripts/gen-collector-schemas.mjs). `schema-dump.sha256` records
//   the dump.go it was built from; a changed dump.go is rebuilt.
// Versions are built one after another (the machine has 2 cores). Progress goes to stderr; the
// final stdout lines are `otelcol <version> (<role>): <path>`. Exits non-zero on failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { collector } = JSON.parse(readFileSync(join(root, 'test/oracles/versions.json'), 'utf8'));
const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'claude-otel-doctor');
const OTEL_PREFIXES = 'go.opentelemetry.io/collector,github.com/open-telemetry/opentelemetry-collector-contrib';
const SUMDB_MISSING = /sum\.golang\.org\/lookup\/\S+: 404 Not Found/;

// The running go/builder child and temp build dir, cleaned up on failure or interruption.
const active = { child: undefined, tmp: undefined };

function log(message) {
  console.error(`provision-collector: ${message}`);
}

function fail(message) {
  log(`FAILED: ${message}`);
  if (active.tmp) rmSync(active.tmp, { recursive: true, force: true }); // exit skips `finally`
  process.exit(1);
}

function goEnv(relaxSumdb, extra) {
  const env = { ...process.env, GOTOOLCHAIN: 'local', ...extra };
  if (relaxSumdb) env.GONOSUMDB = [process.env.GONOSUMDB, OTEL_PREFIXES].filter(Boolean).join(',');
  return env;
}

// On Ctrl-C/kill: stop the running go/builder process and remove the temp build dir.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // The child leads its own process group, so this also stops the `go build` it started.
    if (active.child?.pid) {
      try {
        process.kill(-active.child.pid, signal);
      } catch {
        // already gone
      }
    }
    if (active.tmp) rmSync(active.tmp, { recursive: true, force: true });
    log(`interrupted (${signal}); nothing was installed for the version being built`);
    process.exit(130);
  });
}

/** Runs a command, streaming its output to our stderr and keeping a copy; resolves {status, output}. */
function runTee(cmd, args, options) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    active.child = child;
    let output = '';
    const onData = (chunk) => {
      output += chunk;
      process.stderr.write(chunk);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => resolve({ status: 127, output: `${output}\n${err.message}` }));
    child.on('close', (status) => resolve({ status: status ?? 1, output }));
  });
}

/** runTee, retried once without checksum-database lookups for OTel modules when those are missing. */
async function runGo(what, cmd, args, { env, ...options } = {}) {
  let r = await runTee(cmd, args, { ...options, env: goEnv(false, env) });
  if (r.status !== 0 && SUMDB_MISSING.test(r.output)) {
    log(`${what}: the checksum database has no entry for some OTel module; retrying with GONOSUMDB=${OTEL_PREFIXES}`);
    r = await runTee(cmd, args, { ...options, env: goEnv(true, env) });
  }
  return r.status;
}

/** First line the binary prints for `args`, or undefined when it does not run. */
function probe(bin, args) {
  if (!existsSync(bin)) return undefined;
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim().split('\n')[0] : undefined;
}

async function ensureBuilder(version) {
  const gobin = join(cacheRoot, `ocb-v${version}`);
  const builder = join(gobin, 'builder');
  // `builder version` prints e.g. "ocb version v0.165.0" (or "... version v0.105.0").
  if (probe(builder, ['version'])?.endsWith(`v${version}`)) return builder;
  log(`installing the collector builder v${version} into ${gobin}`);
  mkdirSync(gobin, { recursive: true });
  const status = await runGo(`go install builder@v${version}`, 'go', ['install', `go.opentelemetry.io/collector/cmd/builder@v${version}`], {
    env: { GOBIN: gobin },
    cwd: cacheRoot,
  });
  if (status !== 0) fail(`go install go.opentelemetry.io/collector/cmd/builder@v${version} failed (exit ${status}); is the Go module proxy reachable?`);
  if (!probe(builder, ['version'])) fail(`${builder} was installed but does not run`);
  return builder;
}

async function provision(role, version) {
  const finalDir = join(cacheRoot, `otelcol-${version}`);
  const binary = join(finalDir, 'otelcol-cod');
  const want = `otelcol-cod version ${version}`;
  if (probe(binary, ['--version']) === want) {
    log(`${role} collector ${version} already built: ${binary}`);
    return binary;
  }
  const manifestPath = join(root, 'test/oracles/manifests', `otelcol-${version}.yaml`);
  if (!existsSync(manifestPath)) fail(`no builder manifest ${manifestPath}`);
  mkdirSync(cacheRoot, { recursive: true });
  const builder = await ensureBuilder(version);

  const tmp = mkdtempSync(join(cacheRoot, `.otelcol-${version}-build-`));
  active.tmp = tmp;
  try {
    const out = join(tmp, 'out');
    // The manifest's output_path is a placeholder; point it at our temp dir.
    const manifest = readFileSync(manifestPath, 'utf8').replace(/^(\s*output_path:).*$/m, `$1 ${JSON.stringify(out)}`);
    if (!manifest.includes(out)) fail(`${manifestPath} has no dist.output_path line to replace`);
    writeFileSync(join(tmp, 'manifest.yaml'), manifest);

    log(`building the ${role} collector ${version} in ${tmp} (a cold build takes several minutes)`);
    const started = Date.now();
    const status = await runGo(`ocb ${version}`, builder, ['--config', join(tmp, 'manifest.yaml')], { cwd: tmp });
    if (status !== 0) fail(`the collector builder v${version} failed (exit ${status}); see the output above`);
    const built = join(out, 'otelcol-cod');
    const got = probe(built, ['--version']);
    if (got !== want) fail(`built ${built} answers --version with "${got}", expected "${want}"`);
    mkdirSync(finalDir, { recursive: true });
    renameSync(built, binary); // same file system: atomic
    log(`built the ${role} collector ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    active.tmp = undefined;
  }
  return binary;
}

/** Builds `schema-dump` for a version beside its collector, unless one from the same dump.go is there. */
async function provisionSchemaDump(role, version) {
  const finalDir = join(cacheRoot, `otelcol-${version}`);
  const binary = join(finalDir, 'schema-dump');
  const stampPath = join(finalDir, 'schema-dump.sha256');
  const source = readFileSync(join(root, 'test/oracles/schema-dump/dump.go'));
  const stamp = createHash('sha256').update(source).digest('hex');
  if (existsSync(binary) && existsSync(stampPath) && readFileSync(stampPath, 'utf8').trim() === stamp) {
    log(`${role} schema-dump ${version} already built: ${binary}`);
    return binary;
  }
  const builder = await ensureBuilder(version);
  const tmp = mkdtempSync(join(cacheRoot, `.schema-dump-${version}-build-`));
  active.tmp = tmp;
  try {
    const out = join(tmp, 'out');
    const manifestPath = join(root, 'test/oracles/manifests', `otelcol-${version}.yaml`);
    const manifest = readFileSync(manifestPath, 'utf8').replace(/^(\s*output_path:).*$/m, `$1 ${JSON.stringify(out)}`);
    writeFileSync(join(tmp, 'manifest.yaml'), manifest);
    log(`building schema-dump for the ${role} collector ${version} in ${tmp}`);
    let status = await runGo(`ocb ${version} --skip-compilation`, builder, ['--config', join(tmp, 'manifest.yaml'), '--skip-compilation'], { cwd: tmp });
    if (status !== 0) fail(`the collector builder v${version} --skip-compilation failed (exit ${status})`);
    // Keep components.go and go.mod/go.sum; the collector's own main is replaced by dump.go's.
    for (const name of ['main.go', 'main_others.go', 'main_windows.go']) rmSync(join(out, name), { force: true });
    writeFileSync(join(out, 'dump.go'), source);
    status = await runGo(`go build schema-dump ${version}`, 'go', ['build', '-mod=mod', '-o', 'schema-dump', '.'], { cwd: out });
    if (status !== 0) fail(`building schema-dump for ${version} failed (exit ${status}); see the output above`);
    mkdirSync(finalDir, { recursive: true });
    renameSync(join(out, 'schema-dump'), binary);
    writeFileSync(stampPath, `${stamp}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    active.tmp = undefined;
  }
  return binary;
}

const done = [];
for (const role of ['old', 'current']) {
  const version = collector?.[role];
  if (!version) fail(`test/oracles/versions.json has no collector.${role}`);
  done.push(`otelcol ${version} (${role}): ${await provision(role, version)}`);
  done.push(`schema-dump ${version} (${role}): ${await provisionSchemaDump(role, version)}`);
}
for (const line of done) console.log(line);
