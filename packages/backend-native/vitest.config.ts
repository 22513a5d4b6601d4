import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // gc() for the reclaim test.
    pool: 'forks',
    execArgv: ['--expose-gc'],
    testTimeout: 120_000,
  },
});
