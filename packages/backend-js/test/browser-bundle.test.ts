import { fileURLToPath } from 'node:url';
import { createContext, runInContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

// What a browser app does: import @mempool/api and @mempool/backend-js and bundle them for the
// browser, with no shims. The wasm and native packages prove their own browser builds; here they
// stay external, as for an app that installed only api and js (loadBackend imports them in a
// `try`, so a bundler leaves them to fail at run time).
const entry = `
  import { ErrorCode, selectBackend, VERSION } from '@mempool/api';
  import { createArena, createFixedPool, version } from '@mempool/backend-js';
  globalThis.mempool = { ErrorCode, selectBackend, VERSION, createArena, createFixedPool, version };
`;

async function bundle(format: 'esm' | 'iife'): Promise<{ code: string; dynamicImports: string[] }> {
  const result = await build({
    metafile: true,
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    platform: 'browser',
    format,
    write: false,
    logLevel: 'silent',
    external: ['@mempool/backend-wasm', '@mempool/backend-native'],
  });
  expect(result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
  const dynamicImports = Object.values(result.metafile.inputs).flatMap((input) =>
    input.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.original ?? i.path),
  );
  return { code: result.outputFiles[0]!.text, dynamicImports };
}

interface Bundled {
  ErrorCode: { DETACHED: string };
  selectBackend(choice?: string): Promise<{ backend: { name: string }; reason: string; passedOver: unknown[] }>;
  VERSION: string;
  version: string;
  createFixedPool(objectSize: number, capacity: number): { alloc(): number; memory: ArrayBuffer; destroy(): void };
  createArena(bufferSize: number): { alloc(size: number): number; memory: ArrayBuffer };
}

describe('js + api in a browser bundle', () => {
  it('esbuild bundles them for platform=browser with no shims and no node: import left', async () => {
    const { code, dynamicImports } = await bundle('esm');
    // loadBackend's specifiers are literals the bundler sees: js bundled, the others left external.
    expect(dynamicImports.sort()).toEqual(['@mempool/backend-js', '@mempool/backend-native', '@mempool/backend-wasm']);
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toContain('createRequire');
    expect(code).not.toContain('markAsUntransferable');
  });

  it('runs where there is no process and memory cannot be made untransferable: loadBackend takes js, a transfer detaches, every later call throws ERR_MEMPOOL_DETACHED', async () => {
    // A fresh realm with only what a browser also has (no process, no require, no Node modules).
    const context = createContext({ structuredClone });
    runInContext((await bundle('iife')).code, context);
    const mempool = (context as { mempool: Bundled }).mempool;
    expect(mempool.version).toBe(mempool.VERSION);

    const selection = await mempool.selectBackend();
    expect(selection.backend.name).toBe('js');
    expect(selection.passedOver).toEqual([]);
    expect(selection.reason).toContain("'auto' took js");

    const pool = mempool.createFixedPool(8, 4);
    const arena = mempool.createArena(64);
    expect(pool.alloc()).toBe(64);
    structuredClone(pool.memory, { transfer: [pool.memory] });
    structuredClone(arena.memory, { transfer: [arena.memory] });
    expect(pool.memory.byteLength).toBe(0);
    for (const call of [() => pool.alloc(), () => arena.alloc(8)]) {
      expect(call).toThrowError(expect.objectContaining({ code: mempool.ErrorCode.DETACHED }));
    }
    pool.destroy();
  });
});
