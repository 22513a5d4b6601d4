import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { HEADER_BYTES, type Arena } from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { expectFilled, fill } from '../support.js';
import { expectMemoryReleased } from '../released-memory.js';
import { isSharedRun } from '../shared-allocators/shared-module.js';

const roundUp = (value: number, align: number): number => Math.ceil(value / align) * align;

/** The test table's arena rows: `Arena lifecycle` to `Arena stats`. */
export function arenaRows({ backend, scope }: SuiteContext): void {
  const shared = isSharedRun(backend);
  const arena = (bufferSize = 1024 * 1024): Arena => scope.add(backend.createArena(bufferSize));

  describe('Arena lifecycle', () => {
    it('creates a 1 MiB arena with the requested geometry', () => {
      const a = arena(1024 * 1024);
      expect([a.bufferSize, a.dataOffset]).toEqual([1024 * 1024, HEADER_BYTES]);
      expect(a.memory.byteLength).toBeGreaterThanOrEqual(HEADER_BYTES + 1024 * 1024);
      expect(a.stats()).toMatchObject({ offset: 0, remaining: 1024 * 1024 });
      expect(a.destroyed).toBe(false);
    });
    it('destroy gives the memory back and marks the arena destroyed', () => {
      const a = backend.createArena(4096);
      const view = new Float64Array(a.memory);
      a.destroy();
      expect(a.destroyed).toBe(true);
      expectMemoryReleased(a.memory, [view], shared);
    });
  });

  describe('Arena allocation', () => {
    it('the first allocation is at dataOffset', () => {
      const a = arena();
      expect(a.alloc(1024, 8)).toBe(a.dataOffset);
    });
    it('consecutive allocations ascend without overlapping', () => {
      const a = arena();
      const first = a.alloc(1024, 8);
      const second = a.alloc(512, 16);
      expect(second).toBeGreaterThanOrEqual(first + 1024);
      expect(second).toBe(first + 1024);
    });
    it('allocations can be written and read and keep their bytes', () => {
      const a = arena();
      const x = a.alloc(100, 8);
      const y = a.alloc(100, 8);
      fill(a.memory, x, 100, 1);
      fill(a.memory, y, 100, 2);
      expectFilled(a.memory, x, 100, 1);
      expectFilled(a.memory, y, 100, 2);
    });
    it('the default alignment is 8', () => {
      const a = arena();
      a.alloc(3);
      expect(a.alloc(5)).toBe(a.dataOffset + 8);
      expect(a.alloc(1) % 8).toBe(0);
    });
  });

  describe('Arena alignment', () => {
    it('align 1 packs allocations byte to byte', () => {
      const a = arena();
      const x = a.alloc(3, 1);
      expect(a.alloc(5, 1)).toBe(x + 3);
    });
    for (const align of [2, 4, 16, 64]) {
      it(`align ${align} rounds an odd offset up to the next multiple of ${align}`, () => {
        const a = arena();
        a.alloc(1, 1);
        const h = a.alloc(8, align);
        expect(h % align).toBe(0);
        expect(h).toBe(roundUp(a.dataOffset + 1, align));
      });
    }
    it('align 4096 lands on a page boundary of memory', () => {
      const a = arena(64 * 1024);
      a.alloc(10, 1);
      expect(a.alloc(100, 4096)).toBe(4096);
    });
  });

  describe('Arena OOM', () => {
    it('an allocation larger than the buffer returns 0', () => {
      expect(arena(1024).alloc(1025, 1)).toBe(0);
    });
    it('filling the buffer exactly succeeds, and the next byte fails', () => {
      const a = arena(1024);
      expect(a.alloc(1024, 1)).toBe(a.dataOffset);
      expect(a.alloc(1, 1)).toBe(0);
      expect(a.stats()).toMatchObject({ offset: 1024, remaining: 0 });
    });
    it('an allocation that fits only without its alignment padding fails and changes nothing but failedAllocs', () => {
      const a = arena(128);
      a.alloc(1, 1);
      const before = a.stats();
      expect(a.alloc(120, 16)).toBe(0);
      expect(a.stats()).toEqual({ ...before, failedAllocs: before.failedAllocs + 1 });
      expect(a.alloc(120, 1)).toBe(a.dataOffset + 1);
    });
  });

  describe('Arena reset', () => {
    it('reset brings the offset back to 0', () => {
      const a = arena();
      a.alloc(1000);
      a.reset();
      expect(a.stats()).toMatchObject({ offset: 0, remaining: a.bufferSize });
    });
    it('the first allocation after reset is at dataOffset again', () => {
      const a = arena();
      a.alloc(100);
      a.alloc(200, 64);
      a.reset();
      expect(a.alloc(500, 8)).toBe(a.dataOffset);
    });
    it('reset after filling the whole buffer makes all of it available again', () => {
      const a = arena(4096);
      while (a.alloc(100, 1) !== 0);
      a.reset();
      expect(a.alloc(4096, 1)).toBe(a.dataOffset);
    });
    it('reset keeps the lifetime counters', () => {
      const a = arena(256);
      a.alloc(200);
      a.alloc(100);
      a.reset();
      expect(a.stats()).toMatchObject({ allocations: 1, peakOffset: 200, failedAllocs: 1, offset: 0 });
    });
    it('reset leaves memory and views in place', () => {
      const a = arena(4096);
      const view = new Uint8Array(a.memory);
      const h = a.alloc(16);
      view[h] = 42;
      a.reset();
      expect(view.length).toBe(a.memory.byteLength);
      expect(new Uint8Array(a.memory)[h]).toBe(42);
    });
  });

  describe('Arena sequential', () => {
    // Twelve sizes: each case lays out eight allocations and checks every handle and the offset.
    for (const [size, align] of [
      [1, 1],
      [2, 2],
      [3, 1],
      [4, 4],
      [7, 8],
      [8, 8],
      [15, 8],
      [16, 16],
      [17, 8],
      [31, 32],
      [64, 64],
      [100, 4],
    ] as const) {
      it(`eight allocations of ${size} bytes at align ${align} sit back to back with padding to ${align}`, () => {
        const a = arena(8192);
        let end = a.dataOffset;
        for (let k = 0; k < 8; k++) {
          const expected = roundUp(end, align);
          expect(a.alloc(size, align)).toBe(expected);
          end = expected + size;
        }
        expect(a.stats()).toMatchObject({ offset: end - a.dataOffset, allocations: 8 });
      });
    }
  });

  describe('Arena large alignment', () => {
    it('16-byte alignment after odd offsets', () => {
      const a = arena();
      for (const size of [1, 3, 5, 7, 9]) {
        a.alloc(size, 1);
        expect(a.alloc(16, 16) % 16).toBe(0);
      }
    });
    it('a 16-byte aligned float buffer of 1000 values holds its values', () => {
      const a = arena();
      a.alloc(3, 1);
      const h = a.alloc(1000 * 4, 16);
      const floats = new Float32Array(a.memory, h, 1000);
      floats.forEach((_, i) => (floats[i] = i * 0.5));
      expect(new Float32Array(a.memory, h, 1000)[999]).toBe(499.5);
    });
    it('alternating 16-byte and 1-byte alignment', () => {
      const a = arena();
      const handles = [a.alloc(5, 16), a.alloc(5, 1), a.alloc(5, 16), a.alloc(5, 1)];
      expect(handles.map((h) => h - a.dataOffset)).toEqual([0, 5, 16, 21]);
    });
    it('the padding before a 16-byte aligned allocation counts in offset', () => {
      const a = arena();
      a.alloc(1, 1);
      a.alloc(16, 16);
      expect(a.stats().offset).toBe(32);
    });
  });

  describe('Arena stats', () => {
    it('a fresh arena reports its size and zero counts', () => {
      expect(arena(1000).stats()).toEqual({ bufferSize: 1000, offset: 0, remaining: 1000, allocations: 0, peakOffset: 0, failedAllocs: 0 });
    });
    it('offset grows by the allocation size', () => {
      const a = arena();
      a.alloc(1024, 8);
      expect(a.stats().offset).toBe(1024);
    });
    it('offset includes alignment padding', () => {
      const a = arena();
      a.alloc(1, 1);
      a.alloc(8, 8);
      expect(a.stats().offset).toBe(16);
    });
    it('remaining is bufferSize minus offset', () => {
      const a = arena(5000);
      a.alloc(1234, 2);
      const s = a.stats();
      expect(s.remaining).toBe(5000 - s.offset);
    });
    it('allocations counts successful allocations only', () => {
      const a = arena(100);
      a.alloc(50);
      a.alloc(30);
      a.alloc(50);
      expect(a.stats().allocations).toBe(2);
    });
    it('peakOffset keeps the highest offset across resets and rewinds', () => {
      const a = arena();
      const m = a.mark();
      a.alloc(300);
      a.rewind(m);
      a.alloc(100);
      a.reset();
      expect(a.stats()).toMatchObject({ peakOffset: 300, offset: 0 });
    });
    it('failedAllocs counts the allocations that returned 0', () => {
      const a = arena(64);
      a.alloc(65);
      a.alloc(1000);
      expect(a.stats().failedAllocs).toBe(2);
    });
    it('stats() is a snapshot with exactly the contract fields', () => {
      const a = arena();
      const before = a.stats();
      a.alloc(8);
      expect(before.offset).toBe(0);
      expect(Object.keys(before).sort()).toEqual(['allocations', 'bufferSize', 'failedAllocs', 'offset', 'peakOffset', 'remaining']);
    });
  });
}
