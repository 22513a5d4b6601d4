import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { ErrorCode, HEADER_BYTES, type FixedPool } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { expectError, expectFilled, fill } from '../support.js';
import { expectMemoryReleased, memoryClass } from '../released-memory.js';
import { isSharedRun } from '../shared-allocators/shared-module.js';

/** The test table's fixed-pool rows: `Fixed pool lifecycle` to `Fixed pool stats`. */
export function fixedPoolRows({ backend, scope }: SuiteContext): void {
  const shared = isSharedRun(backend);
  const pool = (objectSize = 64, capacity = 256, align?: number): FixedPool =>
    scope.add(backend.createFixedPool(objectSize, capacity, align === undefined ? undefined : { align }));
  const allocAll = (p: FixedPool): number[] => {
    const handles: number[] = [];
    for (let h = p.alloc(); h !== 0; h = p.alloc()) handles.push(h);
    return handles;
  };

  describe('Fixed pool lifecycle', () => {
    it('creates a pool of 256 objects of 64 bytes with the requested geometry', () => {
      const p = pool(64, 256);
      expect([p.objectSize, p.slotSize, p.capacity, p.align, p.dataOffset]).toEqual([64, 64, 256, 8, HEADER_BYTES]);
      expect(p.memory).toBeInstanceOf(memoryClass(shared));
      expect(p.memory.byteLength).toBeGreaterThanOrEqual(HEADER_BYTES + 256 * 64);
      expect(p.destroyed).toBe(false);
      expect(p.stats().allocated).toBe(0);
    });
    it('destroy gives the memory back and marks the pool destroyed', () => {
      const p = backend.createFixedPool(64, 256);
      const view = new Uint8Array(p.memory);
      p.destroy();
      expect(p.destroyed).toBe(true);
      expectMemoryReleased(p.memory, [view], shared);
    });
  });

  describe('Fixed pool allocation', () => {
    it('alloc returns a non-null handle', () => {
      expect(pool().alloc()).not.toBe(0);
    });
    it('the first handle of a fresh pool is the first slot, at dataOffset', () => {
      const p = pool();
      expect(p.alloc()).toBe(p.dataOffset);
    });
    it('two allocations are distinct and one slot apart, in ascending order', () => {
      const p = pool();
      const a = p.alloc();
      const b = p.alloc();
      expect(b - a).toBe(p.slotSize);
    });
    it('handles are aligned to the pool alignment', () => {
      const p = pool(24, 16, 32);
      for (let i = 0; i < 16; i++) expect(p.alloc() % 32).toBe(0);
    });
    it('an allocation can be written and read through a view without touching its neighbours', () => {
      const p = pool(64, 8);
      const [a, b, c] = [p.alloc(), p.alloc(), p.alloc()];
      fill(p.memory, a, 64, 1);
      fill(p.memory, c, 64, 3);
      fill(p.memory, b, 64, 2);
      expectFilled(p.memory, a, 64, 1);
      expectFilled(p.memory, b, 64, 2);
      expectFilled(p.memory, c, 64, 3);
      const f64 = new Float64Array(p.memory);
      f64[b / 8] = 1.5;
      expect(new Float64Array(p.memory, b, 1)[0]).toBe(1.5);
    });
    it('free returns the slot, and the next alloc hands the same slot out again', () => {
      const p = pool();
      const a = p.alloc();
      p.alloc();
      p.free(a);
      expect(p.alloc()).toBe(a);
    });
  });

  describe('Fixed pool capacity', () => {
    it('hands out exactly capacity distinct slots', () => {
      const handles = allocAll(pool(32, 100));
      expect(handles).toHaveLength(100);
      expect(new Set(handles).size).toBe(100);
    });
    it('alloc on a full pool returns 0', () => {
      const p = pool(32, 10);
      allocAll(p);
      expect(p.alloc()).toBe(0);
      expect(p.alloc()).toBe(0);
    });
    it('a failed alloc counts in failedAllocs and changes nothing else', () => {
      const p = pool(32, 4);
      allocAll(p);
      const before = p.stats();
      p.alloc();
      expect(p.stats()).toEqual({ ...before, failedAllocs: before.failedAllocs + 1 });
    });
    it('a full pool that frees one slot can allocate exactly one more', () => {
      const p = pool(32, 5);
      const handles = allocAll(p);
      p.free(handles[2]!);
      expect(p.alloc()).toBe(handles[2]);
      expect(p.alloc()).toBe(0);
    });
    it('a pool of capacity 1 holds one object', () => {
      const p = pool(8, 1);
      const a = p.alloc();
      expect(a).toBe(p.dataOffset);
      expect(p.alloc()).toBe(0);
      p.free(a);
      expect(p.alloc()).toBe(a);
    });
  });

  describe('Fixed pool reset', () => {
    it('reset makes every slot available again', () => {
      const p = pool(16, 20);
      allocAll(p);
      p.reset();
      expect(p.stats()).toMatchObject({ allocated: 0, available: 20 });
      expect(allocAll(p)).toHaveLength(20);
    });
    it('after reset the pool hands out slots in ascending order from the first', () => {
      const p = pool(16, 6);
      const first = allocAll(p);
      p.free(first[4]!);
      p.free(first[1]!);
      p.reset();
      expect(allocAll(p)).toEqual(first);
    });
    it('reset keeps the lifetime counters', () => {
      const p = pool(16, 3);
      const handles = allocAll(p);
      p.free(handles[0]!);
      p.reset();
      expect(p.stats()).toMatchObject({ allocated: 0, peakAllocated: 3, allocCount: 3, freeCount: 1, failedAllocs: 1 });
    });
    it('a handle from before the reset is free afterwards: freeing it is a double free', () => {
      const p = pool(16, 3);
      const a = p.alloc();
      p.reset();
      expectError(() => p.free(a), Error, ErrorCode.DOUBLE_FREE, 'handle');
    });
  });

  describe('Fixed pool reuse', () => {
    it('freed slots are reused last-freed-first', () => {
      const p = pool(16, 8);
      const [a, b, c] = [p.alloc(), p.alloc(), p.alloc()];
      p.free(a);
      p.free(c);
      p.free(b);
      expect([p.alloc(), p.alloc(), p.alloc()]).toEqual([b, c, a]);
    });
    it('freed slots are reused before any untouched slot', () => {
      const p = pool(16, 8);
      const handles = [p.alloc(), p.alloc(), p.alloc(), p.alloc()];
      p.free(handles[1]!);
      expect(p.alloc()).toBe(handles[1]);
      expect(p.alloc()).toBe(p.dataOffset + 4 * p.slotSize);
    });
  });

  describe('Fixed pool large objects', () => {
    it('holds 1 KiB objects whose whole bytes stay intact', () => {
      const p = pool(1024, 64);
      const handles = allocAll(p);
      handles.forEach((h, tag) => fill(p.memory, h, 1024, tag));
      handles.forEach((h, tag) => expectFilled(p.memory, h, 1024, tag));
      expect(handles[63]! - handles[0]!).toBe(63 * 1024);
    });
    it('rounds the slot size of odd-sized large objects up to the alignment', () => {
      expect(pool(1001, 4).slotSize).toBe(1008);
      expect(pool(1025, 4, 64).slotSize).toBe(1088);
      expect(pool(1000, 4, 1).slotSize).toBe(1000);
    });
  });

  describe('Fixed pool stats', () => {
    it('a fresh pool reports its geometry and zero counts', () => {
      expect(pool(60, 10).stats()).toEqual({
        objectSize: 60,
        slotSize: 64,
        capacity: 10,
        allocated: 0,
        available: 10,
        peakAllocated: 0,
        allocCount: 0,
        freeCount: 0,
        failedAllocs: 0,
      });
    });
    it('allocated and available follow allocations', () => {
      const p = pool(8, 10);
      p.alloc();
      p.alloc();
      expect(p.stats()).toMatchObject({ allocated: 2, available: 8 });
    });
    it('allocated and available follow frees', () => {
      const p = pool(8, 10);
      const a = p.alloc();
      p.alloc();
      p.free(a);
      expect(p.stats()).toMatchObject({ allocated: 1, available: 9 });
    });
    it('peakAllocated keeps the highest count seen', () => {
      const p = pool(8, 10);
      const handles = [p.alloc(), p.alloc(), p.alloc()];
      handles.forEach((h) => p.free(h));
      p.alloc();
      expect(p.stats()).toMatchObject({ allocated: 1, peakAllocated: 3 });
    });
    it('allocCount counts successful allocations only', () => {
      const p = pool(8, 2);
      p.alloc();
      p.alloc();
      p.alloc();
      expect(p.stats().allocCount).toBe(2);
    });
    it('freeCount counts frees', () => {
      const p = pool(8, 4);
      const handles = [p.alloc(), p.alloc(), p.alloc()];
      p.free(handles[0]!);
      p.free(handles[2]!);
      expect(p.stats().freeCount).toBe(2);
    });
    it('failedAllocs counts the allocations that returned 0', () => {
      const p = pool(8, 1);
      p.alloc();
      p.alloc();
      p.alloc();
      expect(p.stats().failedAllocs).toBe(2);
    });
    it('allocated + available === capacity after every step', () => {
      const p = pool(8, 5);
      const live: number[] = [];
      for (let step = 0; step < 40; step++) {
        if (step % 3 === 2 && live.length > 0) p.free(live.pop()!);
        else {
          const h = p.alloc();
          if (h !== 0) live.push(h);
        }
        const s = p.stats();
        expect(s.allocated + s.available).toBe(s.capacity);
        expect(s.allocated).toBe(live.length);
      }
    });
    it('stats() is a snapshot with exactly the contract fields', () => {
      const p = pool(8, 5);
      const before = p.stats();
      p.alloc();
      expect(before.allocated).toBe(0);
      expect(Object.keys(before).sort()).toEqual(
        ['objectSize', 'slotSize', 'capacity', 'allocated', 'available', 'peakAllocated', 'allocCount', 'freeCount', 'failedAllocs'].sort(),
      );
    });
  });
}
