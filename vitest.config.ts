import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real Claude Code runs are CPU-heavy on two cores; keep files from starving each other.
    maxWorkers: 2,
  },
});
