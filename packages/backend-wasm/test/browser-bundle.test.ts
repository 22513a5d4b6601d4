// The package as a browser gets it: bundled by esbuild for platform=browser from its published
// entry points (dist/, built before the tests), then run in a fresh JavaScript context that has
// the web's globals this package may use (WebAssembly, atob) and none of Node's.
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ENGINE_BYTES_BASE64 } from '../src/engine-bytes.generated.js';
import { ENGINE_BYTES_BASE64 as SHARED_BYTES_BASE64 } from '../src/engine-bytes-shared.generated.js';

const packageDir = new URL('..', import.meta.url).pathname;

async function bundle(entry: string): Promise<{ text: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents: `export * from '${entry}';`, resolveDir: packageDir },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'mempool',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { text: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) };
}

describe('a browser bundle', () => {
  for (const entry of ['@mempool/backend-wasm', '@mempool/backend-wasm/debug']) {
    it(`${entry} bundles for platform=browser with no node: import and runs without Node's globals`, async () => {
      const { text, inputs } = await bundle(entry);
      expect(inputs.filter((input) => input.startsWith('node:'))).toEqual([]);
      expect(text).not.toMatch(/\bnode:|\brequire\(|\bprocess\b|\bBuffer\b|import\.meta/);
      const sandbox: Record<string, unknown> = { WebAssembly, atob };
      // Like a page that is not cross-origin isolated: no SharedArrayBuffer.
      runInNewContext(`delete globalThis.SharedArrayBuffer;\n${text}\nglobalThis.mempool = mempool;`, sandbox);
      expect(runInNewContext('[typeof process, typeof Buffer, typeof require]', sandbox)).toEqual(['undefined', 'undefined', 'undefined']);
      const mempool = sandbox['mempool'] as typeof import('../src/index.js');
      const pool = mempool.createFixedPool(24, 4);
      const handles = [pool.alloc(), pool.alloc()];
      expect(handles).toEqual([64, 88]);
      pool.free(handles[0]!);
      expect(pool.alloc()).toBe(64);
      pool.destroy();
      const arena = mempool.createArena(128);
      expect(arena.alloc(10, 16)).toBe(64);
      expect(mempool.wasmVersion).toBe(mempool.version.replace(/[-+].*$/, ''));
      // Without SharedArrayBuffer there are no shared allocators, and the backend says so.
      expect(runInNewContext('typeof SharedArrayBuffer', sandbox)).toBe('undefined');
      expect(mempool.backend.supports.shared).toBe(false);
      expect(() => mempool.createFixedPool(8, 8, { shared: true })).toThrow(
        expect.objectContaining({ code: 'ERR_MEMPOOL_INVALID_ARGUMENT' }),
      );
    });
  }

  it('embeds the release and shared modules, each under the 4 KB Chrome compiles synchronously on its main thread', async () => {
    const { text } = await bundle('@mempool/backend-wasm');
    for (const base64 of [ENGINE_BYTES_BASE64, SHARED_BYTES_BASE64]) {
      expect(text).toContain(base64);
      expect(atob(base64).length).toBeLessThan(4096);
    }
  });
});
