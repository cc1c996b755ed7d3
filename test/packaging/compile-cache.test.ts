// The bin runs the CLI bundle through V8's code cache (src/entry.ts): the cache goes to the user's cache folder,
// a run with it prints what a run without it prints, and a cache that is missing, stale, corrupt or unwritable
// only costs the compile. Built files (dist/), as users run them.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyOfBin } from '../helpers/bin-copy.js';

const work = mkdtempSync(join(tmpdir(), 'cod-compile-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// One build for the whole file (other files rebuild dist/ meanwhile).
const bin = join(copyOfBin(join(work, 'package')), 'dist', 'cli.js');
const project = join(work, 'project');
mkdirSync(join(project, '.claude'), { recursive: true });
writeFileSync(join(project, '.claude', 'settings.json'), '{ "env": { "CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_METRICS_EXPORTER": "otlp" } }\n');

function run(cacheHome: string, extra: Record<string, string> = {}, args = ['check', '.', '--claude-version', '2.1.197']) {
  const env: Record<string, string | undefined> = { ...process.env, HOME: join(work, 'home'), XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  Object.assign(env, extra);
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: project,
    env,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const cacheFiles = (cacheHome: string) => {
  const dir = join(cacheHome, 'claude-otel-doctor', 'compile-cache');
  return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
};

describe('the compile cache of the bin', () => {
  it('is written to the cache folder after the first run and used by the next, with the same output', () => {
    const cacheHome = join(work, 'cache-a');
    const first = run(cacheHome);
    expect(first.stdout).toContain('settings/missing-logs-exporter');
    expect(first.stderr).toBe('');
    const files = cacheFiles(cacheHome);
    expect(files).toHaveLength(1);
    const written = readFileSync(files[0]);
    expect(run(cacheHome)).toEqual(first);
    // Used, not rewritten: V8 accepted it.
    expect(readFileSync(files[0]).equals(written)).toBe(true);
    expect(readdirSync(project).sort()).toEqual(['.claude']);
    // Another command has its own: what \`rules\` runs is not what \`check\` runs.
    expect(run(cacheHome, {}, ['rules']).status).toBe(0);
    expect(cacheFiles(cacheHome)).toHaveLength(2);
    expect(readFileSync(files[0]).equals(written)).toBe(true);
  });

  it('replaces a corrupt or stale cache, and runs the same', () => {
    const cacheHome = join(work, 'cache-b');
    const first = run(cacheHome);
    const [file] = cacheFiles(cacheHome);
    const good = readFileSync(file);
    const stamp = good.subarray(0, good.indexOf(10) + 1);
    // The right stamp with bytes V8 refuses; then a stamp of another build.
    writeFileSync(file, Buffer.concat([stamp, Buffer.from('not V8 code cache data')]));
    expect(run(cacheHome)).toEqual(first);
    const rewritten = readFileSync(file);
    expect(rewritten.length).toBeGreaterThan(good.length / 2);
    expect(run(cacheHome)).toEqual(first);
    expect(readFileSync(file).equals(rewritten)).toBe(true); // accepted this time
    writeFileSync(file, Buffer.concat([Buffer.from('1:2\n'), good.subarray(stamp.length)]));
    expect(run(cacheHome)).toEqual(first);
    expect(readFileSync(file).subarray(0, stamp.length).equals(stamp)).toBe(true);
  });

  it('is not needed: an unwritable cache folder, or NODE_DISABLE_COMPILE_CACHE, changes only the speed', () => {
    const reference = run(join(work, 'cache-c'));
    const blocked = join(work, 'blocked');
    writeFileSync(blocked, 'a file where the cache folder would go');
    expect(run(blocked)).toEqual(reference);
    const readOnly = join(work, 'read-only');
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    expect(run(readOnly)).toEqual(reference);
    // (root writes there all the same; either way no temp file is left behind)
    expect(cacheFiles(readOnly).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const disabled = join(work, 'cache-d');
    expect(run(disabled, { NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(reference);
    expect(cacheFiles(disabled)).toEqual([]);
  });
});
