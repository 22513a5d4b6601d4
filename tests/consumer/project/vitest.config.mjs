import { defineConfig } from 'vitest/config';
import ConformanceSummary from '@mempool/conformance/summary';

export default defineConfig({
  test: {
    include: ['test/*.test.ts'],
    testTimeout: 120_000,
    reporters: ['default', new ConformanceSummary()],
  },
});
