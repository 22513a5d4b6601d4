// The wasm shared allocators' own regression tests: issue 17's descriptor scenarios as found on this
// backend (attach verifies the state's header, the memory's size, tag and distinctness, and reads
// each descriptor field once), and issue 18's per-holder caches (full means full, destroy returns
// the cache, stats sum the holders, one holder alone is the unshared pool). The backend-neutral
// versions run in conformance; these make sure wasm is covered whatever that suite holds.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode, type SharedArena, type SharedFixedPool } from '@mempool/api';
import { backend, createArena, createFixedPool } from '../src/index.js';

function sharedPool(objectSize: number, capacity: number): SharedFixedPool {
  return createFixedPool(objectSize, capacity, { shared: true }) as SharedFixedPool;
}

function sharedArena(bufferSize: number): SharedArena {
  return createArena(bufferSize, { shared: true }) as SharedArena;
}

function stateBuffer(state: unknown): SharedArrayBuffer {
  return (state as { buffer: SharedArrayBuffer }).buffer;
}

/** Attach must throw ERR_MEMPOOL_INVALID_ARGUMENT naming `field`. */
function refused(attach: () => unknown, field: string): void {
  let thrown: unknown = 'no error';
  try {
    attach();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(Error);
  expect((thrown as { code?: unknown }).code).toBe(ErrorCode.INVALID_ARGUMENT);
  expect((thrown as Error).message).toContain(field);
}

/** Fills a pool, then checks that it hands out nothing more and that every live slot kept its bytes. */
function fullAndIntact(pool: SharedFixedPool, live: number[]): void {
  const bytes = new Uint8Array(pool.memory);
  for (const h of live) bytes.fill(h & 0xff, h, h + pool.objectSize);
  while (true) {
    const h = pool.alloc();
    if (h === 0) break;
    expect(live).not.toContain(h);
    bytes.fill(h & 0xff, h, h + pool.objectSize);
    live.push(h);
  }
  expect(new Set(live).size).toBe(pool.capacity);
  for (const h of live) expect(bytes.subarray(h, h + pool.objectSize).every((b) => b === (h & 0xff))).toBe(true);
}

describe('issue 17 on wasm: attach verifies the descriptor', () => {
  // Issue 17's scenarios 4-7 run in conformance (shared-holders.ts) on every backend; these are wasm's own.
  it("refuses another object over the state's bytes as memory, even with the tag copied in: only the probe tells them apart", () => {
    // 64 + 1023 * 64 bytes: exactly the one page the state takes, so the size alone cannot tell.
    const pool = sharedPool(64, 1023);
    const live = [pool.alloc(), pool.alloc()];
    const d = pool.share();
    const state = stateBuffer(d.state);
    expect(pool.memory.byteLength).toBe(state.byteLength);
    // What another worker would get for the state's buffer: a second SharedArrayBuffer over the same bytes.
    const view = structuredClone(state);
    expect(view).not.toBe(state);
    new Uint32Array(state)[0] = new Uint32Array(pool.memory)[0]!;
    refused(() => backend.attachFixedPool({ ...d, memory: view }), 'descriptor.memory');
    fullAndIntact(pool, live);
  });

  it('refuses a changed geometry, a zeroed, foreign or twin bookkeeping, a memory made with another state, and a lying byteLength', () => {
    const pool = sharedPool(64, 8);
    const live = [pool.alloc()];
    const d = pool.share();
    refused(() => backend.attachFixedPool({ ...d, objectSize: 8 }), 'descriptor.objectSize');
    refused(() => backend.attachFixedPool({ ...d, capacity: 4 }), 'descriptor.capacity');
    refused(() => backend.attachFixedPool({ ...d, align: 16 }), 'descriptor.align');
    const pages = stateBuffer(d.state).byteLength / 65536;
    const zeroed = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    refused(() => backend.attachFixedPool({ ...d, state: zeroed }), 'descriptor.state');
    const twin = sharedPool(64, 8).share();
    refused(() => backend.attachFixedPool({ ...d, state: twin.state }), 'descriptor.memory');
    refused(() => backend.attachFixedPool({ ...twin, memory: d.memory }), 'descriptor.memory');
    const bigger = new SharedArrayBuffer(d.memory.byteLength + 64);
    refused(() => backend.attachFixedPool({ ...d, memory: bigger }), 'descriptor.memory');
    const liar = new SharedArrayBuffer(16);
    Object.defineProperty(liar, 'byteLength', { value: d.memory.byteLength });
    refused(() => backend.attachFixedPool({ ...d, memory: liar }), 'descriptor.memory');
    const fakeState = new Proxy(d.state as object, {});
    refused(() => backend.attachFixedPool({ ...d, state: fakeState }), 'descriptor.state');
    const arena = sharedArena(4096).share();
    refused(() => backend.attachArena({ ...arena, align: 64 }), 'descriptor.align');
    refused(() => backend.attachArena({ ...arena, bufferSize: 2048 }), 'descriptor.bufferSize');
    fullAndIntact(pool, live);
  });
});

describe('issue 18 on wasm: per-holder caches', () => {
  it('full means full: slots parked in another holder cache are taken before alloc returns 0', () => {
    const p = sharedPool(8, 64);
    const q = backend.attachFixedPool(p.share());
    const handles: number[] = [];
    for (let i = 0; i < 64; i++) handles.push(p.alloc());
    for (const h of handles.slice(0, 20)) q.free(h);
    expect(q.stats()).toMatchObject({ allocated: 44, available: 20, allocCount: 64, freeCount: 20, failedAllocs: 0 });
    expect((p.stats() as { cached?: number }).cached).toBe(20);
    const again: number[] = [];
    for (let h = p.alloc(); h !== 0; h = p.alloc()) again.push(h);
    expect(again.sort((a, b) => a - b)).toEqual(handles.slice(0, 20).sort((a, b) => a - b));
    expect(p.stats()).toMatchObject({ allocated: 64, available: 0, failedAllocs: 1 });
    expect((p.stats() as { cached?: number }).cached).toBe(0);
  });

  it("destroy() of a holder returns its cache, frees its record and keeps its counters in the pool's stats", () => {
    const p = sharedPool(8, 40);
    const holders = Array.from({ length: 63 }, () => backend.attachFixedPool(p.share()));
    let thrown: unknown;
    try {
      backend.attachFixedPool(p.share());
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: unknown }).code).toBe(ErrorCode.BUSY);
    const q = holders.pop()!;
    for (const h of holders) h.destroy();
    const handles = Array.from({ length: 40 }, () => q.alloc());
    for (const h of handles) q.free(h);
    expect((q.stats() as { cached?: number }).cached).toBe(24);
    q.destroy();
    expect(p.stats()).toMatchObject({ allocated: 0, available: 40, allocCount: 40, freeCount: 40 });
    expect((p.stats() as { cached?: number }).cached).toBe(0);
    // Its cache went to the stack: p gets all 40 back with no steal, and the freed records take new holders.
    const back = Array.from({ length: 40 }, () => p.alloc());
    expect(new Set(back).size).toBe(40);
    expect(p.alloc()).toBe(0);
    const fresh = Array.from({ length: 63 }, () => backend.attachFixedPool(p.share()));
    for (const h of fresh) h.destroy();
  });

  it('one holder alone hands out exactly the handles of an unshared pool and keeps its stats, through flushes, refills and resets', () => {
    const shared = sharedPool(24, 200);
    const plain = createFixedPool(24, 200);
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed % n;
    };
    const liveShared: number[] = [];
    const livePlain: number[] = [];
    for (let step = 0; step < 20000; step++) {
      const r = random(100);
      if (r < 52) {
        const a = shared.alloc();
        expect(a).toBe(plain.alloc());
        if (a !== 0) {
          liveShared.push(a);
          livePlain.push(a);
        }
      } else if (r < 99) {
        if (liveShared.length === 0) continue;
        const k = random(liveShared.length);
        shared.free(liveShared[k]!);
        plain.free(livePlain[k]!);
        liveShared.splice(k, 1);
        livePlain.splice(k, 1);
      } else {
        shared.reset();
        plain.reset();
        liveShared.length = 0;
        livePlain.length = 0;
      }
      if (step % 997 === 0) expect(shared.stats()).toEqual(plain.stats());
    }
    expect(shared.stats()).toEqual(plain.stats());
  });

  it('with two holders peakAllocated is a bound at least the true peak and at most the capacity', () => {
    const p = sharedPool(8, 16);
    const q = backend.attachFixedPool(p.share());
    const a = Array.from({ length: 10 }, () => p.alloc());
    for (const h of a) q.free(h);
    const b = Array.from({ length: 10 }, () => q.alloc());
    const { peakAllocated, allocated } = p.stats();
    expect(allocated).toBe(10);
    expect(peakAllocated).toBeGreaterThanOrEqual(10);
    expect(peakAllocated).toBeLessThanOrEqual(16);
    for (const h of b) p.free(h);
    p.reset();
    expect(q.stats()).toMatchObject({ allocated: 0, available: 16 });
    expect(q.stats().peakAllocated).toBeGreaterThanOrEqual(10);
  });

  // The package's test task runs after its build, so dist/ is there.
  it('holders dropped without destroy() give their cache and record back when collected (node --expose-gc)', () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
        const { backend, createFixedPool } = await import(${JSON.stringify(dist)});
        const pool = createFixedPool(8, 64, { shared: true });
        const attachDrop = () => {
          const q = backend.attachFixedPool(pool.share());
          q.free(pool.alloc()); // one slot parked in the dropped holder's cache
        };
        let attached = 0;
        for (let round = 0; round < 4; round++) {
          for (let i = 0; i < 40; i++) { attachDrop(); attached++; }
          for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
        }
        console.log(JSON.stringify({ attached, stats: pool.stats(), cached: pool.stats().cached }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' }));
    // 160 attaches through 63 free records: the collected holders gave theirs back.
    expect(out.attached).toBe(160);
    expect(out.stats).toMatchObject({ allocated: 0, allocCount: 160, freeCount: 160 });
  }, 30_000);
});

describe('issue 20 on wasm: the shared engines behind the api classes', () => {
  it('a shared arena passes sizes up to 2^32 - 1 as they are and never wraps a larger one', () => {
    const arena = sharedArena(4096);
    for (const size of [2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 8, 2 ** 53 - 1]) expect(arena.alloc(size)).toBe(0);
    expect(arena.stats()).toMatchObject({ offset: 0, failedAllocs: 5 });
    expect(arena.alloc(8)).toBe(64);
  });

  it('freeMany refuses at the first bad entry, names its index, and frees none of the batch', () => {
    const pool = sharedPool(16, 8);
    const [a, b, c] = [pool.alloc(), pool.alloc(), pool.alloc()];
    let thrown: unknown;
    try {
      pool.freeMany(new Float64Array([a, b, b + 0.5, c]));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: unknown }).code).toBe(ErrorCode.INVALID_HANDLE);
    expect((thrown as Error).message).toContain('handles[2]');
    expect(pool.stats()).toMatchObject({ allocated: 3, freeCount: 0 });
    pool.freeMany(new Uint32Array([c, a, b]));
    expect(pool.stats()).toMatchObject({ allocated: 0, freeCount: 3 });
  });

  it('a destroyed holder refuses every call with ERR_MEMPOOL_DESTROYED while another holder keeps the pool', () => {
    const pool = sharedPool(8, 4);
    const other = backend.attachFixedPool!(pool.share());
    const h = pool.alloc();
    other.destroy();
    for (const call of [() => other.alloc(), () => other.free(h), () => other.stats(), () => other.share()]) {
      let code: unknown;
      try {
        call();
      } catch (error) {
        code = (error as { code?: unknown }).code;
      }
      expect(code).toBe(ErrorCode.DESTROYED);
    }
    pool.free(h);
    expect(pool.stats()).toMatchObject({ allocated: 0, allocCount: 1, freeCount: 1 });
  });
});
