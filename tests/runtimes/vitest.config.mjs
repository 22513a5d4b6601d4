// The vitest configuration of the runtime matrix: vitest itself runs under the runtime being tested
// (`<runtime> node_modules/vitest/vitest.mjs run --config tests/runtimes/vitest.config.mjs`), and
// so does every test process it forks (`process.execPath`); identity.test.ts checks that. The files
// to run come from MEMPOOL_MATRIX_FILES, as the runner picked them for this runtime.
import { defineConfig } from 'vitest/config';
import ConformanceSummary from '../../conformance/dist/summary.js';

const files = (process.env.MEMPOOL_MATRIX_FILES ?? '').split(',').filter(Boolean);

export default defineConfig({
  root: new URL('../../', import.meta.url).pathname,
  test: {
    include: ['tests/runtimes/identity.test.ts', ...files],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default', new ConformanceSummary()],
  },
});
