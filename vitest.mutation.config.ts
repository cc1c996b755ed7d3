// The vitest config of a mutation run (stryker.config.mjs): the tests of one group only. Chosen here rather than
// with Stryker's testFiles, with which Stryker 9.6 activates mutants of module-level constants only after the
// module has loaded, so they all "survive" (stryker-js#6144). Without the base config's projects (their includes would win).
import { defineConfig } from 'vitest/config';
import base from './vitest.config';
import { testFilesOf } from './stryker.config.mjs';

export default defineConfig({ ...base, test: { ...base.test, projects: undefined, include: testFilesOf(process.env.MUTATION_GROUP) } });
