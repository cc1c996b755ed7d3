// The bin keeps the PromQL and LogQL parses of a run beside its compile cache (src/util/parse-cache.ts), for the
// next run: a run with them prints what a run without them prints, a file of another build or a broken one is
// ignored and replaced, the file holds no more than its limit and only its user reads it, and NODE_DISABLE_COMPILE_CACHE
// turns it off. Built files (dist/), as users run them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_KEPT_PARSES } from '../../src/util/parse-cache.js';
import { packageRoot } from '../../src/util/paths.js';
import { copyOfBin } from '../helpers/bin-copy.js';

const work = mkdtempSync(join(tmpdir(), 'cod-parse-cache-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Raw counters in three panels: three warnings.
const project = join(work, 'project');
cpSync(join(packageRoot, 'fixtures', 'dashboard-counter-without-rate-fail', 'files'), project, { recursive: true });
const bin = join(copyOfBin(join(work, 'package')), 'dist', 'cli.cjs');

function run(cacheHome: string, extra: Record<string, string> = {}) {
  const env: Record<string, string | undefined> = { ...process.env, HOME: join(work, 'home'), XDG_CACHE_HOME: cacheHome, NO_COLOR: '1' };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  Object.assign(env, extra);
  const r = spawnSync(process.execPath, [bin, 'check', '.', '--format', 'json'], { cwd: project, env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const parsesFile = (cacheHome: string) => {
  const dir = join(cacheHome, 'claude-otel-doctor', 'compile-cache');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('-parses.json')) : [];
  return files.length === 1 ? join(dir, files[0]) : undefined;
};
type Kept = { stamp: string; entries: [string, { expr: string; selectors?: { counterSafe: boolean }[] }][] };
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Kept;
const rules = (stdout: string) => (JSON.parse(stdout) as { findings: { ruleId: string }[] }).findings.map((f) => f.ruleId);

describe('the parses the bin keeps between runs', () => {
  const reference = run(join(work, 'reference'), { NODE_DISABLE_COMPILE_CACHE: '1' });

  it('are written by the first run and read by the next, which prints the same', () => {
    expect(rules(reference.stdout).filter((r) => r === 'dashboard/counter-without-rate')).toHaveLength(3);
    expect(parsesFile(join(work, 'reference'))).toBeUndefined(); // turned off with the compile cache
    const cacheHome = join(work, 'cache-a');
    expect(run(cacheHome)).toEqual(reference);
    const file = parsesFile(cacheHome)!;
    const kept = read(file);
    const queries = JSON.parse(readFileSync(join(project, 'dashboards', 'claude-code.json'), 'utf8')).panels.flatMap((p: { targets?: { expr?: string }[] }) =>
      (p.targets ?? []).map((t) => t.expr),
    );
    expect(queries.length).toBeGreaterThan(2);
    for (const q of queries) expect(kept.entries.some(([key, parsed]) => key.endsWith(`\0${q}`) && parsed.expr === q)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const written = readFileSync(file);
    expect(run(cacheHome)).toEqual(reference);
    expect(readFileSync(file).equals(written)).toBe(true); // nothing new to keep: not rewritten
  });

  it('are what the next run judges by (a kept parse that says otherwise changes the finding)', () => {
    const cacheHome = join(work, 'cache-b');
    run(cacheHome);
    const file = parsesFile(cacheHome)!;
    const kept = read(file);
    // Say every raw counter is read through rate(): the next run believes it.
    for (const [, parsed] of kept.entries) for (const s of parsed.selectors ?? []) s.counterSafe = true;
    writeFileSync(file, JSON.stringify(kept));
    expect(rules(run(cacheHome).stdout)).not.toContain('dashboard/counter-without-rate');
    // The same file stamped by another build is not read, and is replaced.
    writeFileSync(file, JSON.stringify({ ...kept, stamp: `1:2\n` }));
    expect(run(cacheHome)).toEqual(reference);
    expect(read(file).stamp).toBe(kept.stamp);
    expect(
      read(file)
        .entries.flatMap(([, p]) => p.selectors ?? [])
        .some((s) => !s.counterSafe),
    ).toBe(true);
  });

  it('survive a broken file, and keep the newest of at most MAX_KEPT_PARSES', () => {
    const cacheHome = join(work, 'cache-c');
    run(cacheHome);
    const file = parsesFile(cacheHome)!;
    const { stamp } = read(file);
    writeFileSync(file, '{"stamp": ');
    expect(run(cacheHome)).toEqual(reference);
    expect(read(file).entries.length).toBeGreaterThan(2);
    const filler = Array.from({ length: MAX_KEPT_PARSES }, (_, i) => [
      `promql\0up{i="${i}"}`,
      { expr: `up{i="${i}"}`, selectors: [], errors: [], groupingLabels: [] },
    ]);
    writeFileSync(file, JSON.stringify({ stamp, entries: filler }));
    expect(run(cacheHome)).toEqual(reference);
    const entries = read(file).entries;
    expect(entries).toHaveLength(MAX_KEPT_PARSES);
    expect(entries[0][0]).not.toBe(filler[0][0]); // the oldest made room
    expect(entries.some(([key]) => key.includes('claude_code_'))).toBe(true);
  });
});
