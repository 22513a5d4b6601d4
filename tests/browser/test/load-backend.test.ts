import { describe, expect, it } from 'vitest';
import { loadBackend, selectBackend } from '@mempool/api';

describe('loadBackend in a browser', () => {
  it('runs where there is no process object', () => {
    expect(typeof (globalThis as { process?: unknown }).process).toBe('undefined');
  });
  it("'auto' takes js, and says why it passed over any backend before it", async () => {
    const { backend, passedOver } = await selectBackend('auto');
    expect(backend.name).toBe('js');
    for (const { reason } of passedOver) expect(reason).not.toBe('');
  });
  it('loads js and wasm by name', async () => {
    expect((await loadBackend('js')).name).toBe('js');
    expect((await loadBackend('wasm')).name).toBe('wasm');
  });
});
