// A holder moving a batch between its cache and the shared stack has slots in neither for that
// moment; a full-looking alloc elsewhere waits for the move to end. These cases stop a holder
// mid-move by writing its MOVES word, as a worker terminated inside a move would leave it.
import { describe, expect, it } from 'vitest';
import type { SharedFixedPoolDescriptor } from '@mempool/api';
import { backend, createFixedPool } from '@mempool/backend-js';
import { movesWordAt } from '../src/shared-fixed-pool.js';

const attachFixedPool = (descriptor: SharedFixedPoolDescriptor) => backend.attachFixedPool!(descriptor);

/** Leaves holder record `r` of `pool`'s bookkeeping as a move that never ends would. */
function stopMidMove(state: SharedArrayBuffer, r: number): void {
  const words = new Uint32Array(state);
  Atomics.store(words, movesWordAt(r), (Atomics.load(words, movesWordAt(r)) | 1) + 2);
}

describe('js shared pool: a holder stopped mid-move', () => {
  it('delays full once by the wait for a stalled move, then full comes at once', () => {
    const pool = createFixedPool(8, 2, { shared: true });
    const other = attachFixedPool(pool.share());
    expect(pool.alloc()).not.toBe(0);
    expect(pool.alloc()).not.toBe(0);
    stopMidMove(pool.share().state as SharedArrayBuffer, 1);
    const started = performance.now();
    expect(pool.alloc()).toBe(0);
    const waited = performance.now() - started;
    // 50 ms (STALLED_MOVE_MS): it waited, then took the holder for stopped.
    expect(waited).toBeGreaterThanOrEqual(45);
    const again = performance.now();
    expect(pool.alloc()).toBe(0);
    expect(performance.now() - again).toBeLessThan(45);
    expect(pool.stats()).toMatchObject({ allocated: 2, failedAllocs: 2 });
    other.destroy();
    pool.destroy();
  });

  it('waits again for a later move of the same holder', () => {
    const pool = createFixedPool(8, 1, { shared: true });
    const other = attachFixedPool(pool.share());
    const state = pool.share().state as SharedArrayBuffer;
    expect(pool.alloc()).not.toBe(0);
    stopMidMove(state, 1);
    expect(pool.alloc()).toBe(0);
    stopMidMove(state, 1);
    const started = performance.now();
    expect(pool.alloc()).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    other.destroy();
    pool.destroy();
  });

  it('does not wait for its own record or for records no holder moves', () => {
    const pool = createFixedPool(8, 1, { shared: true });
    const other = attachFixedPool(pool.share());
    expect(other.alloc()).not.toBe(0);
    const started = performance.now();
    expect(pool.alloc()).toBe(0);
    expect(performance.now() - started).toBeLessThan(45);
    other.destroy();
    pool.destroy();
  });
});
