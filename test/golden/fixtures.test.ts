import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES, RULES_BY_ID } from '../../src/rules/index.js';
import { listFixtures, runFixture } from '../helpers/fixtures.js';

const fixtures = listFixtures();
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden fixtures', () => {
  for (const fx of fixtures) {
    it(fx.name, () => {
      const run = runFixture(fx);
      expect(run.stderr).toBe('');
      const expectedFile = join(fx.dir, 'expected.txt');
      const actual = run.lines.join('\n') + (run.lines.length ? '\n' : '');
      if (update) writeFileSync(expectedFile, actual);
      expect(existsSync(expectedFile), `${fx.name} has no expected.txt`).toBe(true);
      expect(actual).toBe(readFileSync(expectedFile, 'utf8'));
      // Exit code follows the findings: 2 when part of the input went unexamined (an unread file), else 1 with an
      // error, else 0.
      const unexamined = run.report.findings.some((f) => RULES_BY_ID.get(f.ruleId)?.unexamined && f.severity === 'error');
      expect(run.exitCode).toBe(unexamined ? 2 : run.report.findings.some((f) => f.severity === 'error') ? 1 : 0);
    });
  }
});

describe('fixture coverage', () => {
  const results = new Map(fixtures.map((fx) => [fx.name, runFixture(fx)]));
  // No fixture can make the doctor fail: test/security/bounded-input.test.ts injects a rule and a loader that throw.
  const withoutFixtures = new Set(['doctor/internal-error']);
  for (const rule of RULES.filter((r) => !withoutFixtures.has(r.id))) {
    const slug = rule.id.replace('/', '-');
    it(`${rule.id} has a failing fixture where it fires`, () => {
      const failing = fixtures.filter((fx) => fx.name.startsWith(`${slug}-fail`));
      expect(failing.length, `no fixtures/${slug}-fail*`).toBeGreaterThan(0);
      for (const fx of failing)
        expect(
          results.get(fx.name)!.report.findings.map((f) => f.ruleId),
          fx.name,
        ).toContain(rule.id);
    });
    it(`${rule.id} has a passing fixture where it stays silent`, () => {
      const passing = fixtures.filter((fx) => fx.name.startsWith(`${slug}-pass`));
      expect(passing.length, `no fixtures/${slug}-pass*`).toBeGreaterThan(0);
      for (const fx of passing)
        expect(
          results.get(fx.name)!.report.findings.map((f) => f.ruleId),
          fx.name,
        ).not.toContain(rule.id);
    });
  }
  it('healthy fixtures have nothing at warning or above', () => {
    const healthy = fixtures.filter((fx) => fx.name.startsWith('healthy-'));
    expect(healthy.length).toBeGreaterThan(0);
    for (const fx of healthy) {
      const bad = results.get(fx.name)!.report.findings.filter((f) => f.severity !== 'info');
      expect(
        bad.map((f) => `${f.ruleId}: ${f.message}`),
        fx.name,
      ).toEqual([]);
    }
  });
});
