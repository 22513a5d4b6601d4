import { describe, expect, it } from 'vitest';
import { AUTO_ORDER, ErrorCode, selectBackend } from '../src/index.js';

describe('selectBackend', () => {
  it("'auto' tries the benchmark's order for single calls: js, then wasm, then native", () => {
    expect(AUTO_ORDER).toEqual(['js', 'wasm', 'native']);
  });
  it('refuses a name it does not know, listing the ones it does', async () => {
    await expect(selectBackend('turbo')).rejects.toMatchObject({
      name: 'RangeError',
      code: ErrorCode.INVALID_ARGUMENT,
      message: `backend must be one of 'auto', 'js', 'wasm', 'native', got "turbo"`,
    });
  });
});
