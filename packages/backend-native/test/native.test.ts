import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as native from '../src/index.js';

const { backend } = native;
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
const header = readFileSync(new URL('../include/memory_pool_core.h', import.meta.url), 'utf8');
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
    expect(backend.binding.version).toBe(pkg.version);
    expect(`${major}.${minor}.${patch}`).toBe(pkg.version);
    expect(header).toContain(`#define MP_VERSION_STRING "${pkg.version}"`);
  });

  it('reports its struct sizes', () => {
    const sizes = backend.binding.sizes();
    expect(sizes.fixedPool).toBeLessThanOrEqual(128);
    expect(sizes.arena).toBeLessThanOrEqual(80);
  });
});

describe('memory and lifetime', () => {
  it('destroy() detaches memory and frees the C bookkeeping at once', () => {
    const before = backend.binding.liveAllocators();
    const pool = backend.createFixedPool(16, 8);
    const arena = backend.createArena(256);
    expect(backend.binding.liveAllocators()).toBe(before + 2);
    const view = new Float64Array(pool.memory);
    view[pool.alloc() / 8] = 1.5;
    pool.destroy();
    arena.destroy();
    expect(view.length).toBe(0);
    expect(pool.memory.byteLength).toBe(0);
    expect(arena.memory.byteLength).toBe(0);
    expect(backend.binding.liveAllocators()).toBe(before);
    pool.destroy(); // idempotent
    expect(() => pool.alloc()).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_DESTROYED' }));
  });

  it('memory cannot be transferred away while the allocator lives', () => {
    const arena = backend.createArena(1024);
    try {
      structuredClone(arena.memory, { transfer: [arena.memory] });
    } catch {
      // Node may throw instead of ignoring the transfer: either way nothing moves.
    }
    expect(arena.memory.byteLength).toBe(1024 + 64);
    expect(arena.alloc(8)).toBe(64);
    arena.destroy();
  });

  it('allocators dropped without destroy() are reclaimed by the garbage collector', async () => {
    expect(globalThis.gc, 'run with --expose-gc').toBeTypeOf('function');
    for (let i = 0; i < 3; i++) {
      globalThis.gc!();
      await tick();
    }
    const allocators = backend.binding.liveAllocators();
    const boxes = backend.binding.liveBoxes();
    (() => {
      for (let i = 0; i < 200; i++) {
        const pool = backend.createFixedPool(64, 1000);
        pool.alloc();
        backend.createArena(4096).alloc(100);
      }
    })();
    expect(backend.binding.liveAllocators()).toBeGreaterThanOrEqual(allocators + 400);
    for (let i = 0; i < 10 && backend.binding.liveAllocators() > allocators; i++) {
      globalThis.gc!();
      await tick();
    }
    expect(backend.binding.liveAllocators()).toBe(allocators);
    expect(backend.binding.liveBoxes()).toBe(boxes);
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
  const { binding } = backend;
  it('with statuses or 0, never a crash', () => {
    const junk = [undefined, null, 0, -1, NaN, 2 ** 64, '1', {}, [], new ArrayBuffer(4), new Float64Array(9)];
    for (const value of junk) {
      expect(binding.poolAlloc(value as never)).toBe(0);
      expect(binding.poolFree(value as never, 64)).toBe(-1);
      expect(binding.arenaAlloc(value as never, 8, 8)).toBe(0);
      expect(binding.arenaRewind(value as never, 0)).toBe(-1);
      expect(binding.createFixedPool(value as never, 8, 8, 8)).toBe(-2);
      expect(binding.createArena(value as never, 8, 8)).toBe(-2);
      expect(binding.destroy(value as never, new ArrayBuffer(8))).toBe(-2);
    }
    // an arena is not a pool, and memory too small for the geometry is refused
    const arena = binding.createArena(new ArrayBuffer(128), 64, 8);
    expect(typeof arena).not.toBe('number');
    expect(binding.poolAlloc(arena as never)).toBe(0);
    expect(binding.poolStats(arena as never, new Float64Array(9))).toBe(-1);
    expect(binding.createFixedPool(new ArrayBuffer(100), 8, 8, 8)).toBe(-2);
    const memory = new ArrayBuffer(64 + 8 * 8);
    const pool = binding.createFixedPool(memory, 8, 8, 8);
    expect(binding.poolStats(pool as never, new Float64Array(3))).toBe(-1); // too short for 9 stats
    expect(binding.poolAllocMany(pool as never, new Uint32Array(4), 100)).toBe(4); // count clamped
    expect(binding.destroy(pool as never, memory)).toBe(0);
    expect(memory.byteLength).toBe(0);
    expect(binding.poolAlloc(pool as never)).toBe(0);
    expect(binding.destroy(arena as never, undefined as never)).toBe(-3); // frees the bookkeeping anyway
    expect(binding.arenaAlloc(arena as never, 8, 8)).toBe(0);
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
