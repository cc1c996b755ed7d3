// Issue #5's proof with real components for stack fixes: every fixture whose collector config or
// prometheus.yml --fix changes is fixed (safe and unsafe fixes, for each collector build's version and
// manifest), and the fixed file goes through the real tool: the real collector refuses it exactly when
// the doctor still reports a fatal finding in it, and promtool refuses a fixed prometheus.yml exactly
// when the doctor still reports prometheus/invalid-config. A fix that breaks a config, or leaves it
// broken while the doctor says it is fine, fails here and names the fixture.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classify } from '../../src/discover/classify.js';
import { packageRoot } from '../../src/util/paths.js';
import { runCli } from '../helpers/cli.js';
import { collectorEnvFile, collectorVerdict, killAll, oracleDescribe, promtoolVerdict } from './differential-support.js';
import { collectorBinary, promtoolBinary, PROVISION_COLLECTOR, PROVISION_PROMETHEUS, versions, type CollectorRole } from './paths.js';

const FIXTURES = join(packageRoot, 'fixtures');
const work = realpathSync(mkdtempSync(join(tmpdir(), 'cod-fixed-')));
afterAll(async () => {
  await killAll();
  rmSync(work, { recursive: true, force: true });
});

function filesOf(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => join(dir, f))
    .filter((p) => {
      try {
        return readFileSync(p) && true;
      } catch {
        return false;
      }
    });
}

/** Fixtures in CI-mode layout whose fix diffs touch a collector config or a prometheus.yml. */
const cases = readdirSync(FIXTURES)
  .filter((name) => existsSync(join(FIXTURES, name, 'files')))
  .filter((name) => ['fix.diff', 'fix-unsafe.diff'].some((d) => existsSync(join(FIXTURES, name, d))))
  .map((name) => {
    const dir = join(FIXTURES, name);
    const diffs = ['fix.diff', 'fix-unsafe.diff']
      .filter((d) => existsSync(join(dir, d)))
      .map((d) => readFileSync(join(dir, d), 'utf8'))
      .join('\n');
    const touched = filesOf(join(dir, 'files')).filter((p) => {
      const kind = classify(p, readFileSync(p, 'utf8'));
      return (kind === 'collector' || kind === 'prometheus') && diffs.includes(`/${relative(dir, p)}`);
    });
    return { name, dir, touched };
  })
  .filter((c) => c.touched.length > 0);

let copies = 0;
/** A fixed copy of the fixture: --fix --unsafe-fixes with the given versions; returns the fixed folder. */
function fixedCopy(dir: string, args: string[]): string {
  const copy = join(work, String(++copies));
  cpSync(dir, copy, { recursive: true });
  const res = runCli(['check', join(copy, 'files'), '--fix', '--unsafe-fixes', '--no-shell-env', '--claude-version', '2.1.197', ...args], {
    XDG_STATE_HOME: join(work, 'state'),
    CLAUDE_CONFIG_DIR: undefined,
  });
  expect([0, 1], `--fix on ${dir}: ${res.stderr}`).toContain(res.exitCode);
  return copy;
}

function fatalIn(copy: string, file: string, args: string[]): string[] {
  const res = runCli(['check', join(copy, 'files'), '--format', 'json', '--no-shell-env', '--claude-version', '2.1.197', ...args], {
    CLAUDE_CONFIG_DIR: undefined,
  });
  const findings = JSON.parse(res.stdout).findings as { ruleId: string; file?: string; fatal?: boolean; message: string }[];
  return findings.filter((f) => f.file === file && f.fatal).map((f) => `${f.ruleId}: ${f.message}`);
}

describe('stack fixes checked by the real tools', () => {
  it('has fixtures whose fixes change collector configs and prometheus.yml', () => {
    expect(cases.filter((c) => c.touched.some((p) => classify(p, readFileSync(p, 'utf8')) === 'collector')).length).toBeGreaterThanOrEqual(5);
    expect(cases.filter((c) => c.touched.some((p) => classify(p, readFileSync(p, 'utf8')) === 'prometheus')).length).toBeGreaterThanOrEqual(2);
  });
});

for (const role of ['old', 'current'] as CollectorRole[]) {
  const version = versions.collector[role];
  const manifest = join(packageRoot, 'test/oracles/manifests', `otelcol-${version}.yaml`);
  const args = ['--collector-version', version, '--collector-manifest', manifest, '--collector-env-file', collectorEnvFile()];
  oracleDescribe(`fixed collector configs on otelcol ${version} (${role})`, collectorBinary(role), PROVISION_COLLECTOR, (bin) => {
    const collectorCases = cases.filter((c) => c.touched.some((p) => classify(p, readFileSync(p, 'utf8')) === 'collector'));
    /** One case, fixed and judged once (the per-case test and the repairs count share it, in any order or alone). */
    const judged = new Map<string, Promise<{ repaired: boolean }>>();
    const judge = (c: (typeof cases)[number]) => {
      let done = judged.get(c.name);
      if (!done) {
        done = (async () => {
          const copy = fixedCopy(c.dir, args);
          let repaired = false;
          for (const original of c.touched.filter((p) => classify(p, readFileSync(p, 'utf8')) === 'collector')) {
            const fixed = join(copy, relative(c.dir, original));
            const real = await collectorVerdict(bin, fixed);
            if (!real.refused && (await collectorVerdict(bin, original)).refused) repaired = true;
            const fatal = fatalIn(copy, fixed, args);
            expect(
              fatal.length > 0,
              `${c.name}: fixed ${relative(copy, fixed)} on ${version}: collector ${real.refused ? `refuses it: ${real.error}` : 'accepts it'}; doctor fatal findings: ${fatal.join('; ') || 'none'}`,
            ).toBe(real.refused);
          }
          return { repaired };
        })();
        judged.set(c.name, done);
      }
      return done;
    };
    for (const c of collectorCases) it(`${c.name} @ ${version}`, { timeout: 60_000 }, () => judge(c).then(() => undefined));
    // Not only consistent: --fix turns configs this collector refuses into configs it runs.
    it(`--fix repairs configs that otelcol ${version} refuses`, { timeout: 600_000 }, async () => {
      const repaired: string[] = [];
      for (const c of collectorCases) if ((await judge(c)).repaired) repaired.push(c.name);
      expect(repaired.length, `repaired: ${repaired.join(', ')}`).toBeGreaterThanOrEqual(3);
    });
  });
}

oracleDescribe('fixed prometheus.yml through promtool 2.42', promtoolBinary(), PROVISION_PROMETHEUS, (bin) => {
  for (const c of cases) {
    const configs = c.touched.filter((p) => classify(p, readFileSync(p, 'utf8')) === 'prometheus');
    if (configs.length === 0) continue;
    it(c.name, () => {
      const args = ['--prometheus-version', '2.42.0'];
      const copy = fixedCopy(c.dir, args);
      for (const original of configs) {
        const fixed = join(copy, relative(c.dir, original));
        const real = promtoolVerdict(bin, fixed);
        const fatal = fatalIn(copy, fixed, args);
        expect(
          fatal.length > 0,
          `${c.name}: fixed ${relative(copy, fixed)}: promtool ${real.refused ? `refuses it: ${real.error}` : 'accepts it'}; doctor: ${fatal.join('; ') || 'nothing fatal'}`,
        ).toBe(real.refused);
      }
    });
  }
});
