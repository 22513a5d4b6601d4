import { defineConfig } from 'vitest/config';
import ConformanceSummary from './src/summary.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One process per backend file, with gc() exposed for the reclaim case.
    pool: 'forks',
    execArgv: ['--expose-gc'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', new ConformanceSummary()],
  },
});
