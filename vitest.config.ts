import { configDefaults, defineConfig } from 'vitest/config';

/**
 * init's stack run natively (test/harness/native-stack.ts) listens on the stack's published ports on this host
 * (4317, 4318, 8889, 9090, 3000, 3100), where other tests expect nothing to answer: it runs alone, after the rest.
 */
const NATIVE_STACK = ['test/bootstrap/init-e2e.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real Claude Code runs are CPU-heavy on two cores; keep files from starving each other.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...NATIVE_STACK], sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'native-stack', include: NATIVE_STACK, sequence: { groupOrder: 1 } } },
    ],
  },
});
