import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import type { SuiteContext } from '../context.js';

const TWO_GIB = 2 ** 31;
const POOL_SLOT = 2 ** 20;
const POOL_SLOTS = 2050;

/**
 * The largest `memory` the group creates (the pool: 2050 slots of 1 MiB after the header). It runs
 * only on a backend whose `supports.maxMemoryBytes` reaches it, on a machine with that much memory.
 */
export const BIG_MEMORY_BYTES = 64 + POOL_SLOTS * POOL_SLOT;

/** Handles above 2^31 are exact, readable and writable: no `| 0`, no signed shifts anywhere. */
export function bigMemory({ backend, scope }: SuiteContext): void {
  describe('Big memory', () => {
    it('an arena over 2 GiB hands out a handle above 2^31 that is exact and readable and writable there', () => {
      const arena = scope.add(backend.createArena(TWO_GIB + 4096));
      expect(arena.alloc(TWO_GIB, 8)).toBe(arena.dataOffset);
      const high = arena.alloc(64, 64);
      expect(high).toBe(TWO_GIB + 64);
      expect(high).toBeGreaterThan(TWO_GIB);
      const bytes = new Uint8Array(arena.memory);
      bytes[high] = 0xab;
      bytes[high + 63] = 0xcd;
      new DataView(arena.memory).setFloat64(high + 8, Math.PI, true);
      expect(new Float64Array(arena.memory)[(high + 8) / 8]).toBe(Math.PI);
      expect([bytes[high], bytes[high + 63], bytes[high - 1]]).toEqual([0xab, 0xcd, 0]);
      expect(arena.stats().offset).toBe(high + 64 - arena.dataOffset);
      const mark = arena.mark();
      expect(arena.alloc(32)).toBe(high + 64);
      arena.rewind(mark);
      expect(arena.stats().offset).toBe(high + 64 - arena.dataOffset);
    });
    it('a pool over 2 GiB frees, reuses and batches slots above 2^31 exactly', () => {
      const slot = POOL_SLOT;
      const pool = scope.add(backend.createFixedPool(slot, POOL_SLOTS));
      const out = new Float64Array(POOL_SLOTS);
      expect(pool.allocMany(out)).toBe(POOL_SLOTS);
      const high = out[POOL_SLOTS - 1]!;
      expect(high).toBe(pool.dataOffset + (POOL_SLOTS - 1) * slot);
      expect(high).toBeGreaterThan(TWO_GIB);
      new Uint8Array(pool.memory)[high + slot - 1] = 7;
      pool.free(high);
      expect(pool.alloc()).toBe(high);
      const top = Uint32Array.of(out[2048]!, out[2047]!);
      pool.freeMany(top);
      expect([pool.alloc(), pool.alloc()]).toEqual([out[2047], out[2048]]);
      expect(new Uint8Array(pool.memory)[high + slot - 1]).toBe(7);
      expect(pool.stats()).toMatchObject({ allocated: POOL_SLOTS, available: 0 });
    });
  });
}
