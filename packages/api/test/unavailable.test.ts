import { describe, expect, it, vi } from 'vitest';
import { ErrorCode, loadBackend, runtimeName, selectBackend } from '../src/index.js';

// js fails as a module whose backend throws when it is read; native refuses this runtime with its
// own coded error, as @mempool/backend-native does where Node-API is missing.
vi.mock('@mempool/backend-js', () => ({
  get backend(): never {
    throw new Error('no typed arrays here');
  },
}));
vi.mock('@mempool/backend-native', async () => {
  const api = await import('../src/index.js');
  return {
    get backend(): never {
      throw api.unavailable('native', api.runtimeName(), 'it has no Node-API (process.versions.napi is not set)');
    },
  };
});

// wasm loads: a stand-in, so this test needs no built backend package (the api's tests run before
// the backends are built in a clean checkout).
vi.mock('@mempool/backend-wasm', () => ({ backend: { name: 'wasm' } }));

/** What `loadBackend(name)` rejected with: its code and its message. */
async function refusal(name: 'js' | 'native'): Promise<{ code: unknown; message: string }> {
  const error = (await loadBackend(name).then(
    () => undefined,
    (e: unknown) => e,
  )) as { code?: unknown; message: string };
  return { code: error?.code, message: error?.message };
}

describe('a backend that does not load', () => {
  it('is refused with ERR_MEMPOOL_UNAVAILABLE, naming the runtime and why', async () => {
    const { code, message } = await refusal('js');
    expect(code).toBe(ErrorCode.UNAVAILABLE);
    expect(message.startsWith(`@mempool/backend-js does not load on ${runtimeName()}: `)).toBe(true);
    expect(message).toContain('no typed arrays here');
  });
  it("keeps a backend's own refusal as it is", async () => {
    expect(await refusal('native')).toEqual({
      code: ErrorCode.UNAVAILABLE,
      message: `@mempool/backend-native does not load on ${runtimeName()}: it has no Node-API (process.versions.napi is not set)`,
    });
  });
  it("is passed over by 'auto' with that reason", async () => {
    const { backend, passedOver, reason } = await selectBackend('auto');
    expect(backend.name).toBe('wasm');
    expect(passedOver).toEqual([{ name: 'js', reason: expect.stringContaining('no typed arrays here') }]);
    expect(reason).toContain('passed over js: @mempool/backend-js does not load on');
  });
});

describe('runtimeName', () => {
  it('names the runtime by what it reports of itself', () => {
    expect(runtimeName()).toBe(`Node ${process.versions.node}`);
  });
});
