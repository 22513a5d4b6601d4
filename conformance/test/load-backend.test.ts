import { afterEach, describe, expect, it } from 'vitest';
import { AUTO_ORDER, ErrorCode, loadBackend, selectBackend } from '@mempool/api';

describe('loadBackend', () => {
  const saved = process.env.MEMPOOL_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.MEMPOOL_BACKEND;
    else process.env.MEMPOOL_BACKEND = saved;
  });

  it('loads a backend by name', async () => {
    expect((await loadBackend('js')).name).toBe('js');
  });
  it("'auto' takes the first backend of js, wasm, native (the benchmark's order) that loads, and says why it passed over the others", async () => {
    delete process.env.MEMPOOL_BACKEND;
    expect(AUTO_ORDER).toEqual(['js', 'wasm', 'native']);
    const { backend, passedOver } = await selectBackend('auto');
    expect(backend.name).toBe('js');
    expect(AUTO_ORDER.indexOf(backend.name as never)).toBe(passedOver.length);
    expect(passedOver.map((p) => p.name)).toEqual(AUTO_ORDER.slice(0, passedOver.length));
    for (const { reason } of passedOver) expect(reason).not.toBe('');
  });
  it('MEMPOOL_BACKEND picks the default', async () => {
    process.env.MEMPOOL_BACKEND = 'js';
    expect((await selectBackend()).backend.name).toBe('js');
  });
  it('refuses an unknown name with ERR_MEMPOOL_INVALID_ARGUMENT', async () => {
    await expect(loadBackend('turbo' as never)).rejects.toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
  });
});
