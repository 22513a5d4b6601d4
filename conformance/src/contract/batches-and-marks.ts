import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { encodeMark } from '@mempool/api';
import type { SuiteContext } from '../context.js';

/** `allocMany`/`freeMany` are exactly their loops; `mark`/`rewind` give back scratch space. */
export function batchesAndMarks({ backend, scope }: SuiteContext): void {
  describe('Batches', () => {
    it('allocMany places the handles count calls of alloc() would return', () => {
      const one = scope.add(backend.createFixedPool(24, 20));
      const many = scope.add(backend.createFixedPool(24, 20));
      const h = one.alloc();
      one.alloc();
      one.free(h);
      many.alloc();
      many.alloc();
      many.free(h);
      const out = new Uint32Array(10);
      expect(many.allocMany(out, 7)).toBe(7);
      expect([...out.subarray(0, 7)]).toEqual(Array.from({ length: 7 }, () => one.alloc()));
      expect([...out.subarray(7)]).toEqual([0, 0, 0]);
      expect(many.stats()).toEqual(one.stats());
    });
    it('allocMany stops at the first 0, counts one failed allocation and leaves the rest of out alone', () => {
      const pool = scope.add(backend.createFixedPool(8, 3));
      const out = new Float64Array(6).fill(-1);
      expect(pool.allocMany(out)).toBe(3);
      expect([...out]).toEqual([64, 72, 80, -1, -1, -1]);
      expect(pool.stats()).toMatchObject({ allocated: 3, allocCount: 3, failedAllocs: 1 });
      expect(pool.allocMany(out, 0)).toBe(0);
      expect(pool.stats().failedAllocs).toBe(1);
    });
    it('freeMany frees in order, as the same frees one by one would', () => {
      const pool = scope.add(backend.createFixedPool(8, 8));
      const out = new Uint32Array(6);
      pool.allocMany(out);
      pool.freeMany(out, 4);
      expect(pool.stats()).toMatchObject({ allocated: 2, freeCount: 4 });
      expect([pool.alloc(), pool.alloc(), pool.alloc(), pool.alloc()]).toEqual([out[3], out[2], out[1], out[0]]);
    });
    it('freeMany takes a Float64Array and a count of 0', () => {
      const pool = scope.add(backend.createFixedPool(8, 8));
      const handles = Float64Array.of(pool.alloc(), pool.alloc());
      pool.freeMany(handles, 0);
      expect(pool.stats().allocated).toBe(2);
      pool.freeMany(handles);
      expect(pool.stats().allocated).toBe(0);
    });
  });

  describe('Marks', () => {
    it('rewind gives back everything allocated after the mark', () => {
      const arena = scope.add(backend.createArena(4096));
      arena.alloc(10);
      const mark = arena.mark();
      const first = arena.alloc(100, 16);
      arena.alloc(200);
      arena.rewind(mark);
      expect(arena.stats().offset).toBe(10);
      expect(arena.alloc(100, 16)).toBe(first);
    });
    it('nested marks rewind inner then outer, and a later mark still at or before the end stays usable', () => {
      const arena = scope.add(backend.createArena(4096));
      const outer = arena.mark();
      arena.alloc(64);
      const inner = arena.mark();
      arena.alloc(64);
      arena.rewind(inner);
      expect(arena.stats().offset).toBe(64);
      arena.rewind(outer);
      expect(arena.stats().offset).toBe(0);
      arena.alloc(100);
      arena.rewind(inner);
      expect(arena.stats().offset).toBe(64);
    });
    it('a mark encodes the reset generation and the offset the same way on every backend', () => {
      const arena = scope.add(backend.createArena(4096));
      arena.alloc(24);
      expect(arena.mark()).toBe(encodeMark(0, 24));
      arena.reset();
      arena.reset();
      arena.alloc(5, 1);
      expect(arena.mark()).toBe(encodeMark(2, 5));
    });
    it('rewind keeps the lifetime counters', () => {
      const arena = scope.add(backend.createArena(4096));
      const mark = arena.mark();
      arena.alloc(100);
      arena.alloc(100);
      arena.rewind(mark);
      expect(arena.stats()).toMatchObject({ offset: 0, allocations: 2, peakOffset: 204 });
    });
  });
}
