import { defineConfig } from 'vitest/config';
import ConformanceSummary from './src/summary.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One process per backend file. No --expose-gc: the suite gets a collector without the flag.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', new ConformanceSummary()],
  },
});
