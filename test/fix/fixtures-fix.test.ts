// --fix on every fixture: each fixable finding is fixed, no new finding appears, the change is the one in
// the checked-in golden diff (fixtures/<name>/fix.diff, and fix-unsafe.diff with --unsafe-fixes), the
// --dry-run diff applies with the real `patch`, a second --fix changes nothing, and `restore` puts every
// byte back. UPDATE_GOLDEN=1 rewrites the diffs; review them before committing.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { listFixtures, type FixtureCase } from '../helpers/fixtures.js';

const update = process.env.UPDATE_GOLDEN === '1';
const work = mkdtempSync(join(tmpdir(), 'cod-fixfx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Finding {
  ruleId: string;
  severity: string;
  file?: string;
  message: string;
  fix?: { safety: string; description: string };
}

/**
 * Findings a fix brings to light by making settings take effect, each reviewed; only info-level advice may
 * appear this way. Anything else that is new after --fix fails the test.
 */
const CONSEQUENCES: Record<string, string[]> = {
  // The repaired file takes effect, and it logs prompts and tool details: the advisory says so.
  'seed-required-comments': ['settings/sensitive-logging home/.claude/settings.json'],
  // The repaired local file takes effect, so its endpoint now overrides the user's (which is what it was for).
  'settings-shadowed-variable-fail-dropped-local': ['settings/shadowed-variable home/.claude/settings.json'],
  // otel_log_tool_details, once spelt OTEL_LOG_TOOL_DETAILS, takes effect: the advisory says what it logs.
  'settings-unknown-variable-fail-claude-near-miss': ['settings/sensitive-logging home/.claude/settings.json'],
};

/**
 * Unsafe fixes may reveal a real problem the broken state hid; each is listed with why it is right.
 */
const UNSAFE_CONSEQUENCES: Record<string, string[]> = {
  // unknown-metric renames claude_code_active_time_total_seconds to the real series, which the panel uses
  // raw: counter-without-rate can only see that once the name is a real counter.
  'seed-template-dashboards': ['dashboard/counter-without-rate files/dashboards/claude-code-simple.json'],
  // unknown-metric renames a made-up name to the real counter, which the panel totals with increase() over the
  // range: counter-without-rate can only see that it undercounts once the name is a real counter.
  'dashboard-unknown-metric-fail': ['dashboard/counter-without-rate files/dashboards/claude-code.json'],
  'dashboard-unknown-metric-fail-prometheus-unseen': ['dashboard/counter-without-rate files/dashboards/claude-code.json'],
  'dashboard-unknown-metric-fail-remote-datasource': ['dashboard/counter-without-rate files/dashboards/claude-code.json'],
  'dashboard-unknown-metric-fail-pushgateway': ['dashboard/counter-without-rate files/dashboards/claude-code-hooks.json'],
  'dashboard-unknown-metric-fail-remote-write-receiver': ['dashboard/counter-without-rate files/dashboards/claude-code-hooks.json'],
};

let copies = 0;
/** A copy of the fixture under a fresh folder, always at <root>/fixture, with its arguments pointing there. */
function copy(fx: FixtureCase) {
  const root = join(work, String(++copies));
  const dir = join(root, 'fixture');
  cpSync(fx.dir, dir, { recursive: true, verbatimSymlinks: true });
  for (const golden of ['fix.diff', 'fix-unsafe.diff', 'expected.txt']) if (existsSync(join(dir, golden))) unlinkSync(join(dir, golden));
  const env = { CLAUDE_CONFIG_DIR: undefined, XDG_STATE_HOME: join(root, 'state') };
  return { root, dir, env, args: fx.args.map((a) => a.split(fx.dir).join(dir)) };
}

/** Every file of a tree, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

function findings(stdout: string): Finding[] {
  return JSON.parse(stdout).findings;
}

const where = (f: Finding, dir: string) => `${f.ruleId} ${f.file ? relative(dir, f.file) : '(environment)'}`;

/** Finding identities as a multiset, for "no new finding". */
function counts(list: Finding[], dir: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of list) m.set(where(f, dir), (m.get(where(f, dir)) ?? 0) + 1);
  return m;
}

function checkGolden(fx: FixtureCase, name: string, diff: string, dir: string): void {
  const file = join(fx.dir, name);
  const normalized = diff.split(dir).join('/fixture');
  if (update) {
    if (normalized) writeFileSync(file, normalized);
    else if (existsSync(file)) unlinkSync(file);
  }
  if (!normalized) {
    expect(existsSync(file), `${fx.name}/${name} exists but there is nothing to fix`).toBe(false);
    return;
  }
  expect(existsSync(file), `${fx.name} has no ${name} (UPDATE_GOLDEN=1, then review it)`).toBe(true);
  expect(normalized).toBe(readFileSync(file, 'utf8'));
}

/** Runs --dry-run and --fix on two copies; returns what a test needs to judge them. */
function fixOnce(fx: FixtureCase, extra: string[]) {
  const a = copy(fx);
  const b = copy(fx);
  const original = snapshot(b.dir);
  const initial = findings(runCli(b.args, b.env).stdout);

  const dry = runCli([...a.args, '--dry-run', ...extra], a.env);
  expect(dry.exitCode, dry.stderr).toBe(dry.stdout ? 1 : 0);
  expect(snapshot(a.dir), '--dry-run wrote something').toEqual(original);
  const masked = maskedBlocks(dry.stdout);
  if (/^--- /m.test(dry.stdout)) {
    // The diff is a real patch: GNU patch applies it to the untouched copy (masked files are comments it skips).
    const p = spawnSync('patch', ['-d', '/', '-p1', '--forward', '--no-backup-if-mismatch'], { input: dry.stdout, encoding: 'utf8' });
    expect(p.status, `patch: ${p.stdout}${p.stderr}`).toBe(0);
  }

  const fixed = runCli([...b.args, '--fix', ...extra], b.env);
  expect(fixed.stderr).not.toMatch(/claude-otel-doctor:/);
  const remaining = findings(fixed.stdout);
  expect(fixed.exitCode).toBe(remaining.some((f) => f.severity === 'error') ? 1 : 0);
  const fixedTree = snapshot(b.dir);
  const patchedTree = snapshot(a.dir);
  for (const [file, lines] of masked) {
    // A diff holding a credential is shown masked: it must be the real change with only the secrets hidden,
    // and none of the hidden strings may appear anywhere in the output.
    const rel = relative(b.dir, file.split(a.dir).join(b.dir));
    const before = original[rel] === undefined ? '' : Buffer.from(original[rel], 'base64').toString('utf8');
    const real = createTwoFilesPatch(
      original[rel] === undefined ? '/dev/null' : file,
      file,
      before,
      Buffer.from(fixedTree[rel], 'base64').toString('utf8'),
      undefined,
      undefined,
      { context: 3, headerOptions: FILE_HEADERS_ONLY },
    )
      .replace(/\n$/, '')
      .split('\n');
    expect(lines.length, `masked diff of ${rel}`).toBe(real.length);
    const hidden: string[] = [];
    lines.forEach((l, i) => {
      const re = new RegExp(
        `^${l
          .split('****')
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('(.+?)')}$`,
      );
      const m = re.exec(real[i]);
      expect(m, `masked line ${i} of ${rel}: ${l}`).not.toBeNull();
      hidden.push(...m!.slice(1));
    });
    expect(hidden.length, `${rel} is masked but hides nothing`).toBeGreaterThan(0);
    for (const h of hidden) expect(dry.stdout + dry.stderr, 'a masked secret leaked').not.toContain(h);
    patchedTree[rel] = fixedTree[rel];
  }
  expect(fixedTree, '--fix and the patched --dry-run diff differ').toEqual(patchedTree);
  return { a, b, dry, fixed, initial, remaining, original };
}

describe('--fix on every fixture', () => {
  it('GNU patch is installed (Debian package patch; build-essential brings it)', () => {
    expect(spawnSync('patch', ['--version']).status, 'install it: apt-get install patch').toBe(0);
  });

  for (const fx of listFixtures()) {
    it(fx.name, () => {
      if (readFileSync(join(fx.dir, 'expected.txt'), 'utf8').includes(' doctor/unreadable-file\n')) {
        // Part of the input went unexamined (exit 2): --dry-run refuses to call that "nothing to fix", names the
        // file and writes nothing; --fix the same (test/security/bounded-input.test.ts).
        const c = copy(fx);
        const original = snapshot(c.dir);
        const dry = runCli([...c.args, '--dry-run'], c.env);
        expect(dry.exitCode).toBe(2);
        expect(dry.stderr).toMatch(/^claude-otel-doctor: /m);
        expect(snapshot(c.dir)).toEqual(original);
        return;
      }
      const { b, dry, initial, remaining, original } = fixOnce(fx, []);
      checkGolden(fx, 'fix.diff', dry.stdout, dry.stdout ? copyDirOf(dry.stdout) : '');

      // Every safe fix applied: its finding is gone; nothing new appeared.
      expect(remaining.filter((f) => f.fix?.safety === 'safe').map((f) => `${where(f, b.dir)}: ${f.fix!.description}`)).toEqual([]);
      const before = counts(initial, b.dir);
      const allowed = CONSEQUENCES[fx.name] ?? [];
      for (const [k, n] of counts(remaining, b.dir)) {
        if (allowed.includes(k)) continue;
        expect(n, `new finding after --fix: ${k}`).toBeLessThanOrEqual(before.get(k) ?? 0);
      }
      for (const k of allowed) {
        const appeared = remaining.filter((f) => where(f, b.dir) === k);
        expect(appeared.length, `${fx.name}: listed consequence ${k} did not appear`).toBeGreaterThan(0);
        expect(
          appeared.map((f) => f.severity),
          `${fx.name}: a consequence must be advice only`,
        ).toEqual(appeared.map(() => 'info'));
      }
      if (initial.some((f) => f.fix?.safety === 'safe'))
        expect(remaining.filter((f) => !allowed.includes(where(f, b.dir))).length).toBeLessThan(initial.length);

      // Idempotent: a second run finds nothing to fix and changes nothing.
      const fixedTree = snapshot(b.dir);
      const again = runCli([...b.args, '--dry-run'], b.env);
      expect(again.stdout).toBe('');
      expect(again.exitCode).toBe(0);
      runCli([...b.args, '--fix'], b.env);
      expect(snapshot(b.dir)).toEqual(fixedTree);

      // restore puts every byte back (and removes files the fix created).
      if (dry.stdout) {
        const r = runCli(['restore'], b.env);
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
        expect(snapshot(b.dir)).toEqual(original);
      } else {
        expect(existsSync(join(b.root, 'state')), 'a run with nothing to fix made a backup').toBe(false);
      }

      // With --unsafe-fixes: every fix applied, checked the same way against fix-unsafe.diff.
      if (initial.some((f) => f.fix?.safety === 'unsafe')) {
        const u = fixOnce(fx, ['--unsafe-fixes']);
        checkGolden(fx, 'fix-unsafe.diff', u.dry.stdout, copyDirOf(u.dry.stdout));
        expect(u.remaining.filter((f) => f.fix).map((f) => `${where(f, u.b.dir)}: ${f.fix!.description}`)).toEqual([]);
        const was = counts(u.initial, u.b.dir);
        const revealed = UNSAFE_CONSEQUENCES[fx.name] ?? [];
        for (const [k, n] of counts(u.remaining, u.b.dir)) {
          if (revealed.includes(k)) expect(n, `${fx.name}: listed consequence ${k}`).toBeGreaterThan(was.get(k) ?? 0);
          else expect(n, `new finding after --fix --unsafe-fixes: ${k}`).toBeLessThanOrEqual(was.get(k) ?? 0);
        }
        const again2 = runCli([...u.b.args, '--dry-run', '--unsafe-fixes'], u.b.env);
        expect(again2.stdout).toBe('');
      } else {
        expect(existsSync(join(fx.dir, 'fix-unsafe.diff')), `${fx.name}/fix-unsafe.diff exists but there is no unsafe fix`).toBe(false);
      }
    });
  }
});

/** The copy folder a diff talks about (…/<n>/fixture), for normalizing its paths. */
function copyDirOf(diff: string): string {
  const m = /^(?:[-+]{3}|# ---) (\/\S*?\/\d+\/fixture)\//m.exec(diff.replace(/^# /gm, ''));
  return m ? m[1] : '';
}

/** The masked (commented-out) diffs of a --dry-run output, by file: their lines without the `# `. */
function maskedBlocks(out: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of out.split('\n')) {
    if (!line.startsWith('# ')) {
      current = undefined;
      continue;
    }
    const body = line.slice(2);
    if (body.startsWith('claude-otel-doctor:') || body.startsWith('--fix applies')) continue;
    const header = /^\+\+\+ (\S+)/.exec(body);
    if (body.startsWith('--- ')) {
      current = [body];
      continue;
    }
    if (header && current) blocks.set(header[1], current);
    current?.push(body);
  }
  return blocks;
}
