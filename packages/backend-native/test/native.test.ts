import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { markAsUntransferable, Worker } from 'node:worker_threads';
import {
  arenaGeometry,
  EngineArena,
  EngineFixedPool,
  FIXED_POOL_STATS_FIELDS,
  fixedPoolGeometry,
  markThatKeepsDetach,
  Status,
} from '@mempool/api';
import * as native from '../src/index.js';
import { NativeArenaEngine } from '../src/arena.js';
import { BLOCK, packageBinding, packageRoot } from '../src/binding.js';
import { NativeFixedPoolEngine } from '../src/fixed-pool.js';

const { backend } = native;
const binding = packageBinding();
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
const header = readFileSync(new URL('../c/include/memory_pool_core.h', import.meta.url), 'utf8');
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('package', () => {
  it('exports backend (also default), createFixedPool, createArena and version', () => {
    expect(native.default).toBe(backend);
    expect(backend.name).toBe('native');
    expect(typeof native.createFixedPool).toBe('function');
    expect(typeof native.createArena).toBe('function');
    expect(backend.createFixedPool).toBeTypeOf('function');
    expect(backend.createArena).toBeTypeOf('function');
  });

  it('version is package.json = mp_version() = MP_VERSION_* = MP_VERSION_STRING', () => {
    const major = /#define MP_VERSION_MAJOR (\d+)/.exec(header)![1];
    const minor = /#define MP_VERSION_MINOR (\d+)/.exec(header)![1];
    const patch = /#define MP_VERSION_PATCH (\d+)/.exec(header)![1];
    expect(native.version).toBe(pkg.version);
    expect(backend.version).toBe(pkg.version);
    expect(binding.version).toBe(pkg.version);
    expect(`${major}.${minor}.${patch}`).toBe(pkg.version);
    expect(header).toContain(`#define MP_VERSION_STRING "${pkg.version}"`);
  });

  it('reports its struct sizes', () => {
    const sizes = binding.sizes();
    expect(sizes.fixedPool).toBeLessThanOrEqual(128);
    expect(sizes.arena).toBeLessThanOrEqual(80);
  });
});

describe('engines', () => {
  it("pools and arenas are @mempool/api's classes; their engine is out of reach", () => {
    const pool = backend.createFixedPool(16, 8);
    const arena = backend.createArena(256);
    expect(pool).toBeInstanceOf(EngineFixedPool);
    expect(arena).toBeInstanceOf(EngineArena);
    expect(Object.keys(pool).sort()).toEqual(['align', 'capacity', 'dataOffset', 'memory', 'objectSize', 'slotSize']);
    expect(Object.keys(arena).sort()).toEqual(['bufferSize', 'dataOffset', 'memory']);
    pool.destroy();
    arena.destroy();
  });

  it('a pool engine refuses what is not a live handle with a status, and answers 0 or a status once destroyed', () => {
    const engine = new NativeFixedPoolEngine(fixedPoolGeometry(16, 4, undefined, 2 ** 32));
    const words = new Float64Array(FIXED_POOL_STATS_FIELDS.length);
    const h = engine.alloc();
    expect(h).toBeGreaterThan(0);
    expect(engine.free({ valueOf: () => h })).toBe(Status.INVALID_HANDLE);
    expect(engine.free(h + 1)).toBe(Status.INVALID_HANDLE);
    engine.stats(words);
    expect(words[FIXED_POOL_STATS_FIELDS.indexOf('allocated')]).toBe(1); // nothing above freed h
    expect(engine.free(h)).toBe(Status.OK);
    expect(engine.free(h)).toBe(Status.DOUBLE_FREE);
    expect(engine.usable()).toBe(true);
    engine.destroy();
    expect(engine.usable()).toBe(false);
    expect(engine.alloc()).toBe(0);
    expect(engine.free(h)).not.toBe(Status.OK);
  });

  it('an arena engine refuses a mark that is not a number, and answers 0 once destroyed', () => {
    const engine = new NativeArenaEngine(arenaGeometry(256, undefined, 2 ** 32));
    const mark = engine.mark();
    expect(engine.alloc(16, 8)).toBeGreaterThan(0);
    expect(engine.rewind(String(mark))).toBe(Status.INVALID_HANDLE);
    expect(engine.rewind(mark)).toBe(Status.OK);
    engine.destroy();
    expect(engine.usable()).toBe(false);
    expect(engine.alloc(16, 8)).toBe(0);
  });
});

describe('memory and lifetime', () => {
  it('destroy() detaches memory and frees the C bookkeeping at once', () => {
    const before = binding.liveAllocators();
    const pool = backend.createFixedPool(16, 8);
    const arena = backend.createArena(256);
    expect(binding.liveAllocators()).toBe(before + 2);
    const view = new Float64Array(pool.memory);
    view[pool.alloc() / 8] = 1.5;
    pool.destroy();
    arena.destroy();
    expect(view.length).toBe(0);
    expect(pool.memory.byteLength).toBe(0);
    expect(arena.memory.byteLength).toBe(0);
    expect(binding.liveAllocators()).toBe(before);
    pool.destroy(); // idempotent
    expect(() => pool.alloc()).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_DESTROYED' }));
  });

  // Marked untransferable only where a marked buffer stays detachable (@mempool/api's markThatKeepsDetach).
  const refuses = markThatKeepsDetach(markAsUntransferable) !== undefined;
  it(`memory ${refuses ? 'cannot be transferred away' : 'transferred away makes every later call throw ERR_MEMPOOL_DETACHED'} while the allocator lives`, () => {
    const arena = backend.createArena(1024);
    const transfer = () => structuredClone(arena.memory, { transfer: [arena.memory] });
    if (refuses) {
      expect(transfer).toThrow();
      expect(arena.memory.byteLength).toBe(1024 + 64);
      expect(arena.alloc(8)).toBe(64);
    } else {
      transfer();
      expect(arena.memory.byteLength).toBe(0);
      expect(() => arena.alloc(8)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_DETACHED' }));
    }
    arena.destroy();
  });

  it('allocators dropped without destroy() are reclaimed by the garbage collector', async () => {
    expect(globalThis.gc, 'run with --expose-gc').toBeTypeOf('function');
    for (let i = 0; i < 3; i++) {
      globalThis.gc!();
      await tick();
    }
    const allocators = binding.liveAllocators();
    (() => {
      for (let i = 0; i < 200; i++) {
        const pool = backend.createFixedPool(64, 1000);
        pool.alloc();
        backend.createArena(4096).alloc(100);
      }
    })();
    expect(binding.liveAllocators()).toBeGreaterThanOrEqual(allocators + 400);
    for (let i = 0; i < 10 && binding.liveAllocators() > allocators; i++) {
      globalThis.gc!();
      await tick();
    }
    expect(binding.liveAllocators()).toBe(allocators);
  });

  it('a view kept after its pool is dropped stays readable (V8 owns the bytes)', async () => {
    let view: Uint8Array;
    (() => {
      const pool = backend.createFixedPool(8, 4);
      view = new Uint8Array(pool.memory);
      view[pool.alloc()] = 42;
    })();
    for (let i = 0; i < 3; i++) {
      globalThis.gc!();
      await tick();
    }
    expect(view![64]).toBe(42);
  });
});

describe('the raw binding refuses what it does not expect', () => {
  const { block } = binding;
  const create = (kind: 'pool' | 'arena') => {
    const memory = new ArrayBuffer(kind === 'pool' ? 64 + 8 * 8 : 64 + 256);
    const anchor = kind === 'pool' ? binding.createFixedPool(memory, 8, 8, 8) : binding.createArena(memory, 256, 8);
    expect(typeof anchor).toBe('object');
    return { memory, anchor: anchor as never, id: block[BLOCK.result]! };
  };
  const as = (id: number) => {
    block[BLOCK.id] = id;
    return binding;
  };

  it('with statuses or 0, never a crash', () => {
    const junk = [undefined, null, 0, -1, NaN, 2 ** 64, '1', {}, [], new ArrayBuffer(0), new Float64Array(9)];
    for (const value of junk) {
      expect(binding.createFixedPool(value as never, 8, 8, 8)).toBe(-2);
      expect(binding.createArena(value as never, 8, 8)).toBe(-2);
      expect(as(value as never).arenaRewind(0)).toBe(-1);
      expect(as(value as never).reset()).toBe(-1);
      expect(as(value as never).destroy(new ArrayBuffer(8), {} as never)).toBe(-1);
    }
    const arena = create('arena');
    expect(as(arena.id).poolAllocMany(new Uint32Array(2), 1)).toBe(-1); // an arena is not a pool
    expect(binding.createFixedPool(new ArrayBuffer(100), 8, 8, 8)).toBe(-2); // memory too small
    const pool = create('pool');
    expect(as(pool.id).stats(new Float64Array(3))).toBe(-1); // too short for 9 stats
    expect(as(pool.id).poolAllocMany(new Uint32Array(4), 5)).toBe(-2); // count past the array
    expect(as(pool.id).poolAllocMany(new Uint32Array(4), 4)).toBe(4);
    // destroy() needs the allocator's own anchor: another allocator's, or any other External, is refused
    expect(as(pool.id).destroy(pool.memory, arena.anchor)).toBe(-2);
    expect(as(pool.id).destroy(pool.memory, {} as never)).toBe(-2);
    expect(pool.memory.byteLength).toBe(64 + 8 * 8);
    expect(as(pool.id).destroy(pool.memory, pool.anchor)).toBe(0);
    expect(pool.memory.byteLength).toBe(0);
    expect(as(pool.id).stats(new Float64Array(9))).toBe(-1);
    expect(as(arena.id).destroy(undefined as never, arena.anchor)).toBe(-3); // frees the bookkeeping anyway
    expect(as(arena.id).reset()).toBe(-1);
  });

  it('a Proxy or a subclass whose length lies is not a batch', () => {
    const pool = create('pool');
    const proxy = new Proxy(new Uint32Array(4), {});
    class Liar extends Uint32Array {
      override get length() {
        return 6;
      }
    }
    expect(as(pool.id).poolAllocMany(proxy, 4)).toBe(-2);
    expect(as(pool.id).poolFreeMany(proxy, 0)).toBe(-2);
    expect(as(pool.id).poolAllocMany(new Liar(2), 6)).toBe(-2);
    expect(as(pool.id).poolFreeMany(new Liar(2), 6)).toBe(-2);
    const stats = new Float64Array(9);
    as(pool.id).stats(stats);
    expect(stats[3]).toBe(0); // allocated: nothing happened
    as(pool.id).destroy(pool.memory, pool.anchor);
  });
});

describe('the argument block', () => {
  const { block } = binding;
  const call = (fn: 'poolAlloc' | 'poolFree' | 'arenaAlloc', id: number, arg0 = 0, arg1 = 0): number => {
    block[BLOCK.id] = id;
    block[BLOCK.arg0] = arg0;
    block[BLOCK.arg1] = arg1;
    block[BLOCK.result] = 12345;
    expect(binding[fn]()).toBeUndefined();
    return block[BLOCK.result]!;
  };

  it("is the binding's, handed out once, when the addon is loaded", () => {
    expect(block).toBeInstanceOf(Float64Array);
    expect(block.length).toBe(binding.sizes().block);
    expect(block.length).toBe(BLOCK.length);
    // The addon module is cached: requiring the .node file again gives the opened module, whose
    // open() answers undefined, so no other code can get the functions or the block.
    const require = createRequire(import.meta.url);
    const addonPath = (require('node-gyp-build') as { resolve(dir: string): string }).resolve(packageRoot);
    const module = require(addonPath) as { open(): unknown };
    expect(module.open()).toBeUndefined();
  });

  it('refuses bad, stale and wrong-kind ids, and bad values, with 0 or a status', () => {
    const poolMemory = new ArrayBuffer(64 + 8 * 8);
    const pool = binding.createFixedPool(poolMemory, 8, 8, 8);
    const poolId = block[BLOCK.result]!;
    const arenaMemory = new ArrayBuffer(64 + 256);
    const arena = binding.createArena(arenaMemory, 256, 8);
    const arenaId = block[BLOCK.result]!;
    expect(typeof pool).toBe('object');
    expect(typeof arena).toBe('object');
    expect(Number.isSafeInteger(poolId) && poolId > 0).toBe(true);
    expect(arenaId).not.toBe(poolId);

    const badIds = [NaN, -0, -1, 0, 0.5, 1, poolId + 0.5, poolId - 2 ** 24, poolId + 2 ** 24, Infinity, -Infinity, 2 ** 53, 2 ** 64, 1e300];
    for (const id of badIds) {
      expect(call('poolAlloc', id), `poolAlloc id ${id}`).toBe(0);
      expect(call('poolFree', id, 64), `poolFree id ${id}`).toBe(-1);
      expect(call('arenaAlloc', id, 8, 8), `arenaAlloc id ${id}`).toBe(0);
    }
    // the other kind's id
    expect(call('poolAlloc', arenaId)).toBe(0);
    expect(call('poolFree', arenaId, 64)).toBe(-1);
    expect(call('arenaAlloc', poolId, 8, 8)).toBe(0);
    // bad handles, sizes and aligns on the right id
    for (const handle of [NaN, -1, -0.5, 64.5, 2 ** 53, 2 ** 64, Infinity, 0, 63, 65, 64 + 8 * 8]) {
      const status = call('poolFree', poolId, handle);
      expect(status === -3 || status === -4, `poolFree ${handle}: ${status}`).toBe(true);
    }
    for (const [size, align] of [
      [0, 8],
      [-1, 8],
      [NaN, 8],
      [1.5, 8],
      [8, 3],
      [8, 8192],
      [8, NaN],
      [8, -8],
      [8, 1.5],
      [2 ** 64, 8],
      [Infinity, 8],
    ]) {
      expect(call('arenaAlloc', arenaId, size, align), `arenaAlloc(${size}, ${align})`).toBe(0);
    }
    expect(call('poolAlloc', poolId)).toBe(64);
    expect(call('poolFree', poolId, 64)).toBe(0);
    expect(call('poolFree', poolId, 64)).toBe(-4);
    expect(call('arenaAlloc', arenaId, 8, 8)).toBe(64);
    const stats = new Float64Array(6);
    block[BLOCK.id] = arenaId;
    binding.stats(stats);
    expect(stats[5]).toBe(2); // failedAllocs: [2 ** 64, 8] and [Infinity, 8] reached C and did not fit

    // destroyed: the ids are dead for ever, whatever is created after
    block[BLOCK.id] = poolId;
    expect(binding.destroy(poolMemory, pool as never)).toBe(0);
    block[BLOCK.id] = arenaId;
    expect(binding.destroy(arenaMemory, arena as never)).toBe(0);
    const later = Array.from({ length: 4 }, () => {
      const memory = new ArrayBuffer(64 + 8 * 8);
      const anchor = binding.createFixedPool(memory, 8, 8, 8);
      return { memory, anchor, id: block[BLOCK.result]! };
    });
    for (const { id } of later) expect([poolId, arenaId]).not.toContain(id);
    expect(call('poolAlloc', poolId)).toBe(0);
    expect(call('poolFree', poolId, 64)).toBe(-1);
    expect(call('arenaAlloc', arenaId, 8, 8)).toBe(0);
    for (const { memory, anchor, id } of later) {
      block[BLOCK.id] = id;
      binding.destroy(memory, anchor as never);
    }
  });

  it('garbage left in the block does not reach the wrapper', () => {
    const block = binding.block;
    const pool = backend.createFixedPool(8, 4);
    const arena = backend.createArena(64);
    block.fill(NaN);
    expect(pool.alloc()).toBe(64);
    block.fill(2 ** 60);
    pool.free(64);
    block.fill(-1);
    expect(arena.alloc(8, 16)).toBe(64);
    expect(() => pool.free('64' as never)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_INVALID_ARGUMENT' }));
    const evil = {
      valueOf: () => {
        pool.alloc();
        return 64;
      },
    };
    expect(() => pool.free(evil as never)).toThrow();
    expect(pool.stats().allocated).toBe(0); // valueOf never ran
    pool.destroy();
    arena.destroy();
    expect(() => pool.alloc()).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_DESTROYED' }));
    expect(() => pool.free(64)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_DESTROYED' }));
    expect(() => arena.alloc(8)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_DESTROYED' }));
  });

  it('each worker thread has its own block and table', async () => {
    const url = new URL('../dist/index.js', import.meta.url).href;
    const source = `
      import { parentPort } from 'node:worker_threads';
      const { backend } = await import(${JSON.stringify(url)});
      const pool = backend.createFixedPool(16, 1000);
      const arena = backend.createArena(1 << 16);
      const handles = [];
      for (let i = 0; i < 1000; i++) handles.push(pool.alloc());
      for (const h of handles) pool.free(h);
      let last = 0;
      for (let i = 0; i < 100; i++) last = arena.alloc(16, 8);
      const s = pool.stats();
      parentPort.postMessage({ first: handles[0], last, allocCount: s.allocCount, allocated: s.allocated });
      backend.createFixedPool(8, 8).alloc(); // left for the env teardown to reclaim
    `;
    const pool = backend.createFixedPool(16, 1000);
    const mine = pool.alloc();
    const before = binding.liveAllocators();
    // resolves with the worker's message once the worker has exited (its environment torn down)
    const results = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<unknown>((resolve, reject) => {
            const worker = new Worker(source, { eval: true, type: 'module' } as never);
            let message: unknown;
            worker.once('message', (m) => {
              message = m;
              void worker.terminate();
            });
            worker.once('exit', () => resolve(message));
            worker.once('error', reject);
          }),
      ),
    );
    // each worker's teardown freed the allocators it still had (they count in every thread)
    expect(binding.liveAllocators()).toBeLessThanOrEqual(before);
    for (const result of results) expect(result).toEqual({ first: 64, last: 64 + 99 * 16, allocCount: 1000, allocated: 0 });
    expect(pool.alloc()).toBe(mine + 16);
    expect(pool.stats().allocated).toBe(2);
    pool.destroy();
  });
});

describe('@mempool/backend-native/address-of', () => {
  it('reads the address of memory (16-byte aligned, as supports.absoluteAlignment says), and nothing else', async () => {
    const { addressOf } = await import('../src/address-of.js');
    const pool = backend.createFixedPool(8, 4);
    expect(Number.isSafeInteger(addressOf(pool.memory))).toBe(true);
    expect(addressOf(pool.memory) % backend.supports.absoluteAlignment).toBe(0);
    pool.destroy();
    expect(() => addressOf(pool.memory)).toThrow(TypeError);
  });
});

describe('exports', () => {
  it('are exactly backend, default, createFixedPool, createArena, version', () => {
    expect(Object.keys(native).sort()).toEqual(['backend', 'createArena', 'createFixedPool', 'default', 'version']);
  });
});

describe('batches over a SharedArrayBuffer', () => {
  it('freeMany reads a shared batch once (copied), and refuses or frees as for a plain one', () => {
    const pool = backend.createFixedPool(8, 8);
    const shared = new Float64Array(new SharedArrayBuffer(8 * 4));
    expect(pool.allocMany(shared)).toBe(4);
    shared[3] = shared[0]!; // a duplicate
    expect(() => pool.freeMany(shared)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_DOUBLE_FREE' }));
    expect(pool.stats().allocated).toBe(4);
    pool.freeMany(shared, 3);
    expect(pool.stats().allocated).toBe(1);
    pool.destroy();
  });
});
