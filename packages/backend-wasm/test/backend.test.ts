import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@mempool/api';
import wasmDefault, { backend, createArena, createFixedPool, version, wasmVersion } from '../src/index.js';
import { compileEngine, instantiate, instantiateShared, newSharedState } from '../src/engine.js';
import { BUSY } from '../src/shared-state.js';
import { ENGINE_BYTES_BASE64 as SHARED_BYTES_BASE64 } from '../src/engine-bytes-shared.generated.js';
import { ENGINE_BYTES_BASE64 } from '../src/engine-bytes.generated.js';
import { ENGINE_BYTES_BASE64 as DEBUG_BYTES_BASE64 } from '../src/engine-bytes-debug.generated.js';

const wasmModule = compileEngine(ENGINE_BYTES_BASE64);

const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

function codeOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'no error';
}

describe('exports and version', () => {
  it('exports the backend by name and as default', () => {
    expect(wasmDefault).toBe(backend);
    expect(backend.name).toBe('wasm');
    expect(backend.createFixedPool).toBe(createFixedPool);
    expect(backend.createArena).toBe(createArena);
    expect(backend.supports.maxMemoryBytes).toBe(2 ** 32);
  });

  it('reports the package.json version, and so does the wasm module', () => {
    expect(version).toBe(packageJson.version);
    expect(backend.version).toBe(packageJson.version);
    expect(wasmVersion).toBe(packageJson.version.replace(/[-+].*$/, ''));
    const { exports: engine } = instantiate(wasmModule);
    const [major, minor, patch] = packageJson.version.split(/[.+-]/).map(Number);
    expect([engine.VERSION_MAJOR.value, engine.VERSION_MINOR.value, engine.VERSION_PATCH.value]).toEqual([major, minor, patch]);
  });

  it('the release module imports only its private memory; the debug module adds abort for its assertions', () => {
    const imports = (file: string): unknown =>
      WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(new URL(`../build/${file}`, import.meta.url))));
    expect(imports('mempool.wasm')).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    expect(imports('mempool.debug.wasm')).toEqual(
      expect.arrayContaining([
        { module: 'env', name: 'memory', kind: 'memory' },
        { module: 'env', name: 'abort', kind: 'function' },
      ]),
    );
    expect(imports('mempool.debug.wasm')).toHaveLength(2);
  });

  it('never writes into memory: the engine keeps its state in a memory of its own', () => {
    const pool = createFixedPool(8, 3000);
    const handles = new Float64Array(2500);
    pool.allocMany(handles);
    pool.freeMany(handles.subarray(0, 2000));
    pool.free(handles[2400]!);
    pool.stats();
    pool.reset();
    const arena = createArena(4096);
    arena.alloc(100);
    arena.rewind(arena.mark());
    arena.stats();
    for (const memory of [pool.memory, arena.memory]) expect(new Uint8Array(memory).every((byte) => byte === 0)).toBe(true);
    pool.destroy();
    arena.destroy();
  });
});

describe('the debug engine', () => {
  it('asserts the invariants: a free stack entry that names an untouched slot stops the call with an Error', () => {
    const { exports, memory } = instantiate(compileEngine(DEBUG_BYTES_BASE64));
    expect(exports.fixedPoolInit(8, 8, 4, 64)).toBe(0);
    expect([exports.fixedPoolAlloc(), exports.fixedPoolAlloc()]).toEqual([64, 72]);
    expect(exports.fixedPoolFree(72)).toBe(0);
    // freeStack follows the scratch in the engine's memory; slot 3 was never handed out.
    const freeStack = new Uint32Array(memory.buffer, (exports.engineScratch() >>> 0) + 4 * exports.BATCH_ENTRIES.value, 4);
    freeStack[0] = 3;
    expect(() => exports.fixedPoolAlloc()).toThrow(/an invariant failed at assembly\/fixed-pool\.ts:\d+:\d+/);
  });

  it('asserts the arena invariants after every call (a rewind past the end is refused, not asserted)', () => {
    const { exports } = instantiate(compileEngine(DEBUG_BYTES_BASE64));
    expect(exports.arenaInit(64, 100)).toBe(0);
    expect(exports.arenaAlloc(100, 8)).toBe(64);
    expect(exports.arenaAlloc(1, 1)).toBe(0);
    expect(exports.arenaRewind(101)).toBe(-3);
    expect(exports.arenaRewind(0)).toBe(0);
    for (let i = 0; i < 2 ** 20 + 3; i++) exports.arenaReset();
    expect(exports.arenaGeneration()).toBe(3); // modulo 2^20, as marks keep it
  });
});

describe('the shared engine', () => {
  it('is built with a shared memory import, and its BUSY status is the one the wrapper maps', () => {
    const module = compileEngine(SHARED_BYTES_BASE64);
    expect(WebAssembly.Module.imports(module as unknown as WebAssembly.Module)).toEqual([
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
    const { exports } = instantiateShared(module, newSharedState(0));
    expect(exports.BUSY.value).toBe(BUSY);
  });

  it("reserves a state's memory up to what the state needs, not 4 GiB (a shared memory's maximum is reserved up front)", () => {
    const pages = (bytes: number) => {
      const memory = newSharedState(bytes);
      let n = 1;
      while (n < 65536) {
        try {
          memory.grow(1);
          n++;
        } catch {
          break;
        }
      }
      return n;
    };
    expect(pages(0)).toBe(4);
    expect(pages(12 * 100_000)).toBe(Math.ceil((12 * 100_000) / 65536) + 4);
  });
});

describe('big handles (wasm32 up to 4 GiB)', () => {
  it('hands out and takes back exact handles above 2^31 in an arena over 2 GiB', () => {
    const arena = createArena(2 ** 31 + 2 ** 20);
    expect(arena.memory.byteLength).toBeGreaterThan(2 ** 31);
    expect(arena.alloc(2 ** 31)).toBe(64);
    const high = arena.alloc(24, 16);
    expect(high).toBe(2 ** 31 + 64);
    expect(high).toBeGreaterThan(2 ** 31);
    const f64 = new Float64Array(arena.memory);
    f64[high / 8] = 2.5;
    expect(new Float64Array(arena.memory, high, 1)[0]).toBe(2.5);
    const mark = arena.mark();
    expect(arena.alloc(8)).toBe(high + 24);
    arena.rewind(mark);
    expect(arena.stats().offset).toBe(2 ** 31 + 24);
    expect(arena.alloc(2 ** 32 + 8)).toBe(0); // a size past 2^32 is not wrapped
    expect(arena.stats().failedAllocs).toBe(1);
    arena.destroy();
  });

  it('frees pool slots above 2^31, singly and in batches of both array types', () => {
    const pool = createFixedPool(2 ** 20, 2100); // ~2.05 GiB of slots
    const handles = new Float64Array(2100);
    expect(pool.allocMany(handles)).toBe(2100);
    const last = handles[2099]!;
    expect(last).toBe(64 + 2099 * 2 ** 20);
    expect(last).toBeGreaterThan(2 ** 31);
    new Uint8Array(pool.memory)[last] = 9;
    pool.free(last);
    expect(pool.alloc()).toBe(last);
    expect(codeOf(() => pool.free(last + 2 ** 32))).toBe(ErrorCode.INVALID_HANDLE); // not wrapped to `last`
    pool.freeMany(new Uint32Array(handles.subarray(1000)));
    pool.freeMany(handles.subarray(0, 1000));
    expect(pool.stats().allocated).toBe(0);
    pool.destroy();
  });
});

describe('memory that stays put', () => {
  it('keeps a view valid across 1000 other creations', () => {
    const pool = createFixedPool(8, 64);
    const arena = createArena(1024);
    const poolView = new Float64Array(pool.memory);
    const arenaView = new Uint32Array(arena.memory);
    const slot = pool.alloc();
    const block = arena.alloc(16);
    poolView[slot / 8] = 3.25;
    arenaView[block / 4] = 0xdeadbeef;
    const others = [];
    for (let i = 0; i < 1000; i++) {
      const other = i % 2 === 0 ? createFixedPool(16, 1 + i) : createArena(4096 + i);
      other.alloc(8);
      if (i % 3 === 0) other.destroy();
      else others.push(other);
    }
    expect(pool.memory).toBe(poolView.buffer);
    expect(poolView.length).toBe(pool.memory.byteLength / 8);
    expect(poolView[slot / 8]).toBe(3.25);
    expect(arenaView[block / 4]).toBe(0xdeadbeef);
    expect(pool.alloc()).toBe(slot + 8);
    for (const other of others) other.destroy();
    pool.destroy();
    arena.destroy();
  });
});

describe('destroy', () => {
  it('detaches memory: views read as length 0, later calls throw DESTROYED', () => {
    const pool = createFixedPool(8, 4);
    const view = new Float64Array(pool.memory);
    pool.alloc();
    pool.destroy();
    expect(pool.destroyed).toBe(true);
    expect(view.length).toBe(0);
    expect(pool.memory.byteLength).toBe(0);
    pool.destroy(); // idempotent
    for (const call of [() => pool.alloc(), () => pool.free(64), () => pool.reset(), () => pool.stats()]) {
      expect(codeOf(call)).toBe(ErrorCode.DESTROYED);
    }
    const arena = createArena(64);
    const bytes = new Uint8Array(arena.memory);
    arena[Symbol.dispose]();
    expect(bytes.length).toBe(0);
    expect(codeOf(() => arena.alloc(8))).toBe(ErrorCode.DESTROYED);
    expect(codeOf(() => arena.mark())).toBe(ErrorCode.DESTROYED);
  });

  // The package's test task runs after its build, so dist/ is there.
  it('lets the garbage collector reclaim dropped allocators (node --expose-gc)', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
        const { createArena } = await import(${JSON.stringify(dist)});
        let collected = 0;
        const registry = new FinalizationRegistry(() => collected++);
        for (let i = 0; i < 200; i++) {
          const arena = createArena(2 ** 28);
          new Uint8Array(arena.memory)[2 ** 27] = 1;
          registry.register(arena, i);
        }
        for (let i = 0; i < 5 && collected < 150; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
        console.log(collected);`;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(Number(out.trim())).toBeGreaterThanOrEqual(150);
  }, 30_000);
});

describe('batches cross into wasm a chunk at a time', () => {
  it('allocMany over several chunks matches alloc() one by one and stops at the first 0', () => {
    const batched = createFixedPool(12, 2500);
    const single = createFixedPool(12, 2500);
    const out = new Uint32Array(3000);
    expect(batched.allocMany(out)).toBe(2500);
    for (let k = 0; k < 2500; k++) expect(out[k]).toBe(single.alloc());
    expect(out[2500]).toBe(0);
    expect(batched.stats().failedAllocs).toBe(1);
    batched.destroy();
    single.destroy();
  });

  it('freeMany checks every chunk before freeing any: a bad handle or a duplicate late in the batch frees nothing', () => {
    const pool = createFixedPool(8, 3000);
    const handles = new Float64Array(3000);
    pool.allocMany(handles);
    const before = pool.stats();
    const bad = handles.slice();
    bad[2500] = bad[2500]! + 1;
    expect(codeOf(() => pool.freeMany(bad))).toBe(ErrorCode.INVALID_HANDLE);
    const duplicate = handles.slice();
    duplicate[2999] = duplicate[5]!;
    try {
      pool.freeMany(duplicate);
      expect.unreachable();
    } catch (error) {
      expect((error as { code: string }).code).toBe(ErrorCode.DOUBLE_FREE);
      expect((error as Error).message).toContain('handles[2999]');
    }
    for (const value of [NaN, -64, 64.5, 2 ** 32 + 64, Infinity]) {
      const odd = handles.slice();
      odd[1500] = value;
      expect(codeOf(() => pool.freeMany(odd))).toBe(ErrorCode.INVALID_HANDLE);
    }
    expect(pool.stats()).toEqual(before);
    pool.freeMany(handles); // every mark was undone: all still live
    expect(pool.stats().allocated).toBe(0);
    expect(pool.alloc()).toBe(handles[2999]); // freed in order, last freed first out
    pool.destroy();
  });
});

describe('no trap escapes', () => {
  it('maps odd handles to the contract errors rather than wrapping them', () => {
    const pool = createFixedPool(8, 4);
    const handle = pool.alloc();
    for (const value of [0, -0, -handle, handle + 0.5, NaN, Infinity, 2 ** 32 + handle, 2 ** 53]) {
      expect(codeOf(() => pool.free(value))).toBe(ErrorCode.INVALID_HANDLE);
    }
    expect(codeOf(() => pool.free(8n as unknown as number))).toBe(ErrorCode.INVALID_ARGUMENT);
    pool.free(handle);
    expect(codeOf(() => pool.free(handle))).toBe(ErrorCode.DOUBLE_FREE);
    pool.destroy();
  });
});
