import { describe, expect, it } from 'vitest';
import { runtimeName } from '@mempool/api';

// The matrix names the runtime it means (MEMPOOL_MATRIX_RUNTIME, e.g. "Deno 2.9.6"): the process
// that runs these tests must be that runtime, not the Node that started the matrix.
describe('the runtime matrix', () => {
  it('runs its tests under the runtime it names', () => {
    expect(runtimeName()).toBe(process.env.MEMPOOL_MATRIX_RUNTIME);
  });
});
