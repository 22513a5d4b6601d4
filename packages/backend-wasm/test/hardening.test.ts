// Regression tests for the hardening only the wasm backend needs: writes into `memory` outside the
// slots, batches aliasing `memory`, honest limits. Hostile batch arrays, unbound methods and detached
// memory are conformance groups, run on every backend.
import { describe, expect, it } from 'vitest';
import { ErrorCode, type FixedPool } from '@mempool/api';
import { backend, createArena, createFixedPool } from '../src/index.js';

function thrown(run: () => unknown): { name: string; code: unknown; message: string } | 'no error' {
  try {
    run();
  } catch (error) {
    return { name: (error as Error).name, code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
  return 'no error';
}

/** A pool with `live` slots allocated, and their handles. */
function poolWith(objectSize: number, capacity: number, live: number): { pool: FixedPool; handles: Float64Array } {
  const pool = createFixedPool(objectSize, capacity);
  const handles = new Float64Array(live);
  expect(pool.allocMany(handles)).toBe(live);
  return { pool, handles };
}

describe('writes into memory outside the slots cannot corrupt the pool', () => {
  /** The same calls on a pool whose memory outside the slots was scribbled on and on a clean one. */
  function sameAsClean(scribble: (memory: ArrayBuffer, dataEnd: number) => void): void {
    const run = (dirty: boolean): unknown[] => {
      const pool = createFixedPool(8, 6);
      const trace: unknown[] = [];
      const handles = new Float64Array(6);
      pool.allocMany(handles);
      pool.free(handles[1]!);
      pool.free(handles[4]!);
      if (dirty) scribble(pool.memory, pool.dataOffset + pool.capacity * pool.slotSize);
      for (let i = 0; i < 4; i++) trace.push(thrown(() => trace.push(pool.alloc())));
      trace.push(thrown(() => pool.free(handles[0]!)));
      trace.push(thrown(() => pool.freeMany(handles.subarray(2, 4))));
      trace.push(thrown(() => trace.push(pool.allocMany(new Uint32Array(4)))));
      trace.push(pool.stats());
      pool.reset();
      trace.push(pool.alloc(), pool.stats());
      pool.destroy();
      return trace;
    };
    expect(run(true)).toEqual(run(false));
  }

  it('one word written just past the last slot (the epoch, or anything) never hands a live slot out twice', () => {
    for (const word of [0, 1, 2, 3, 4, 5, 0xffffffff]) {
      for (let at = 0; at < 16; at++) {
        sameAsClean((memory, dataEnd) => {
          if (dataEnd + 4 * at < memory.byteLength) new Uint32Array(memory, dataEnd + 4 * at, 1)[0] = word;
        });
      }
    }
  });

  it('filling the whole memory with 0xFF changes nothing the pool does', () => {
    sameAsClean((memory) => new Uint8Array(memory).fill(0xff));
  });

  it('a refused freeMany whose array is a view into memory past the slots changes nothing', () => {
    // 1,099 live handles of 1,100: the batch spans two crossings into wasm. The view starts where
    // the engine kept its batch scratch when the bookkeeping followed the slots in `memory`.
    const { pool, handles } = poolWith(8, 1100, 1099);
    const dataEnd = pool.dataOffset + 1100 * 8;
    const view = new Uint32Array(pool.memory, dataEnd + 8 * 1100, 1100);
    view.set(handles);
    view[1099] = 1; // not a slot
    const viewBefore = view.slice();
    const failure = thrown(() => pool.freeMany(view));
    expect(failure).toMatchObject({ code: ErrorCode.INVALID_HANDLE });
    expect((failure as { message: string }).message).toContain('handles[1099]');
    expect(view).toEqual(viewBefore);
    expect(pool.stats().allocated).toBe(1099);
    for (const handle of handles) pool.free(handle); // every one still live
    expect(pool.stats().allocated).toBe(0);
    pool.destroy();
  });
});

describe('honest limits', () => {
  it('accepts a pool whose memory is exactly supports.maxMemoryBytes', () => {
    const max = backend.supports.maxMemoryBytes;
    const pool = createFixedPool(max - 64, 1);
    expect(pool.dataOffset + pool.capacity * pool.slotSize).toBe(max);
    expect(pool.memory.byteLength).toBe(max);
    const handle = pool.alloc();
    expect(handle).toBe(64);
    new Uint8Array(pool.memory)[max - 1] = 7;
    expect(pool.alloc()).toBe(0);
    pool.free(handle);
    pool.destroy();
    const two = createFixedPool((max - 64) / 2, 2, { align: 32 });
    expect([two.alloc(), two.alloc(), two.alloc()]).toEqual([64, 64 + (max - 64) / 2, 0]);
    two.destroy();
    expect(thrown(() => createFixedPool(max - 63, 1))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
  });

  it('accepts an arena whose memory is exactly supports.maxMemoryBytes, with exact handles to its end', () => {
    const max = backend.supports.maxMemoryBytes;
    const arena = createArena(max - 64);
    expect(arena.memory.byteLength).toBe(max);
    expect(arena.alloc(max - 64 - 16)).toBe(64);
    const mark = arena.mark();
    expect(arena.alloc(16, 16)).toBe(max - 16);
    expect(arena.stats()).toMatchObject({ offset: max - 64, remaining: 0 });
    expect(arena.alloc(1, 1)).toBe(0);
    arena.rewind(mark);
    expect(arena.alloc(8, 1)).toBe(max - 16);
    arena.destroy();
    expect(thrown(() => createArena(max - 63))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
  });

  it('refuses a pool whose bookkeeping (8 bytes a slot) cannot fit a wasm32 memory, naming capacity', () => {
    const failure = thrown(() => createFixedPool(1, 2 ** 31, { align: 1 }));
    expect(failure).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
    expect((failure as { message: string }).message).toMatch(/^capacity must be/);
  });
});
