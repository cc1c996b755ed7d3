// Mutation testing (`npm run mutation`, not part of `npm test`): small deliberate changes to the modules where a
// silent mistake costs most, each of which some test must notice. A surviving mutant is a hole in the tests.
// The modules go in groups, each with only the tests that cover it: every test of a run is run again for each
// mutant of a module-level constant (a regex table, a map), so a short test list keeps a run to minutes.
// scripts/mutation.mjs runs the groups (`npm run mutation`, or `npm run mutation -- secrets`); reports go to
// reports/mutation/<group>.html and .json.

/** Tests that spawn dist/cli.js (fix-writes, fix-concurrency, restore-tampered) cannot see mutants in src/. */
export const GROUPS = {
  secrets: {
    mutate: ['src/util/secrets.ts'],
    testFiles: ['test/unit/secret-rules.test.ts', 'test/unit/secrets.test.ts', 'test/security/trust-credentials.test.ts'],
  },
  reports: {
    mutate: ['src/report/sarif.ts', 'src/report/json.ts', 'src/util/escape.ts'],
    testFiles: [
      'test/unit/sarif-fields.test.ts',
      'test/unit/json-fields.test.ts',
      'test/unit/escape.test.ts',
      'test/unit/reports.test.ts',
      'test/unit/secrets.test.ts',
      'test/security/output-forgery.test.ts',
      'test/security/bounded-input.test.ts',
    ],
  },
  versions: {
    mutate: ['src/model/versions.ts'],
    testFiles: [
      'test/unit/version-compare.test.ts',
      'test/unit/version-gates.test.ts',
      'test/unit/collector-env.test.ts',
      'test/unit/export-settings-rules.test.ts',
    ],
  },
  'fix-writer': {
    mutate: ['src/fixers/write.ts'],
    testFiles: ['test/fix/fix-cli.test.ts', 'test/fix/edits.test.ts', 'test/fix/plan.test.ts', 'test/security/roots.test.ts'],
  },
};

/** The group's tests, or every group's; vitest.mutation.config.ts runs exactly these. */
export function testFilesOf(group) {
  return GROUPS[group ?? '']?.testFiles ?? [...new Set(Object.values(GROUPS).flatMap((g) => g.testFiles))];
}
const name = process.env.MUTATION_GROUP && GROUPS[process.env.MUTATION_GROUP] ? process.env.MUTATION_GROUP : 'all';
const mutate = GROUPS[name]?.mutate ?? [...new Set(Object.values(GROUPS).flatMap((g) => g.mutate))];

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the group's tests run (vitest.mutation.config.ts), not every test that imports a mutated module (that
  // would be the real collector, promtool and Claude Code suites, hours per run).
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate,
  // Two cores shared with other work.
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  ignorePatterns: ['dist', '.vitest-results', 'reports'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
