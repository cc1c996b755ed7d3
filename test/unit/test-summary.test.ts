// The closing line of `npm test` (scripts/test.mjs): it says how many suites were skipped, and in CI a skipped
// test fails the run.
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript module without types
import { summarize } from '../../scripts/test-summary.mjs';

const ROOT = '/repo';
const report = (statuses: [file: string, describe: string | undefined, status: string][]) => ({
  numPassedTests: statuses.filter(([, , s]) => s === 'passed').length,
  numFailedTests: statuses.filter(([, , s]) => s === 'failed').length,
  testResults: [...new Set(statuses.map(([f]) => f))].map((f) => ({
    name: `${ROOT}/${f}`,
    assertionResults: statuses.filter(([file]) => file === f).map(([, d, status]) => ({ status, ancestorTitles: d ? [d, 'inner'] : [] })),
  })),
});

describe('npm test closing line', () => {
  const mixed = report([
    ['test/unit/a.test.ts', 'a', 'passed'],
    ['test/oracles/differential.test.ts', 'otelcol 0.105.0 (old) vs doctor', 'skipped'],
    ['test/oracles/differential.test.ts', 'otelcol 0.105.0 (old) vs doctor', 'skipped'],
    ['test/oracles/differential.test.ts', 'otelcol 0.165.0 (current) vs doctor', 'pending'],
    ['test/unit/b.test.ts', undefined, 'todo'],
    ['test/unit/b.test.ts', undefined, 'failed'],
  ]);

  it('counts skipped tests and the suites they belong to', () => {
    const s = summarize(mixed, { root: ROOT, inCI: false, filtered: false });
    expect(s.line).toBe('1 passed, 1 failed, 4 skipped (3 suites)');
    expect(s.skippedSuites).toEqual([
      'test/oracles/differential.test.ts › otelcol 0.105.0 (old) vs doctor',
      'test/oracles/differential.test.ts › otelcol 0.165.0 (current) vs doctor',
      'test/unit/b.test.ts',
    ]);
    expect(s.failsCI).toBe(false);
  });

  it('says 0 skipped when none was', () => {
    expect(summarize(report([['test/unit/a.test.ts', 'a', 'passed']]), { root: ROOT, inCI: true, filtered: false })).toEqual({
      line: '1 passed, 0 failed, 0 skipped (0 suites)',
      skippedSuites: [],
      failsCI: false,
    });
  });

  it('in CI a skipped test fails the whole-suite run; a filtered run (-t, files) leaves tests out on purpose', () => {
    expect(summarize(mixed, { root: ROOT, inCI: true, filtered: false }).failsCI).toBe(true);
    expect(summarize(mixed, { root: ROOT, inCI: true, filtered: true }).failsCI).toBe(false);
  });
});
