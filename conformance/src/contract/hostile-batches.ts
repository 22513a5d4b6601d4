import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import { ErrorCode } from '@mempool/api';
import type { SuiteContext } from '../context.js';

const refusedBatch = expect.objectContaining({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });

/** A Proxy around `target` that passes `instanceof` and runs `onGet` on every read through it. */
function trapped<T extends object>(target: T, onGet: (key: string | symbol, reads: number) => unknown): { proxy: T; traps: () => number } {
  let reads = 0;
  const proxy = new Proxy(target, {
    get(object, key) {
      reads++;
      const replaced = onGet(key, reads);
      if (replaced !== undefined) return replaced;
      const value = Reflect.get(object, key, object) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
    getPrototypeOf(object) {
      reads++;
      onGet('__proto__', reads);
      return Reflect.getPrototypeOf(object);
    },
  });
  return { proxy, traps: () => reads };
}

/**
 * Batches built to break a pool (a Proxy whose traps re-enter the pool or change their answer, a
 * subclass whose `length` lies, look-alikes), and methods called without their allocator: every
 * backend refuses or copes, and never corrupts the allocator.
 */
export function hostileBatches({ backend, scope }: SuiteContext): void {
  /** A pool of 16 slots with `count` of them live, and their handles. */
  const poolWith = (count: number) => {
    const pool = scope.add(backend.createFixedPool(8, 16));
    const live = new Float64Array(count);
    expect(pool.allocMany(live)).toBe(count);
    return { pool, live };
  };

  describe('Hostile batches and unbound methods', () => {
    it('refuses a Proxy around a Uint32Array in allocMany without running its traps', () => {
      const { pool } = poolWith(3);
      let armed = false;
      const { proxy, traps } = trapped(new Uint32Array(4), () => (armed ? pool.reset() : undefined));
      expect(proxy instanceof Uint32Array).toBe(true);
      const before = pool.stats();
      const trapsBefore = traps();
      armed = true;
      expect(() => pool.allocMany(proxy)).toThrowError(refusedBatch);
      expect(traps()).toBe(trapsBefore);
      expect(pool.stats()).toEqual(before);
    });

    it('refuses a Proxy whose get trap calls reset() mid-batch in freeMany, and the pool stays whole', () => {
      const { pool, live } = poolWith(3);
      const before = pool.stats();
      const { proxy } = trapped(live, (key) => (key === '1' ? pool.reset() : undefined));
      expect(() => pool.freeMany(proxy)).toThrowError(refusedBatch);
      expect(pool.stats()).toEqual(before);
      pool.freeMany(live);
      expect(pool.stats()).toMatchObject({ allocated: 0, available: 16 });
    });

    it('refuses a Proxy whose get trap calls destroy() or alloc() mid-batch', () => {
      const { pool, live } = poolWith(2);
      const destroying = trapped(live, (key) => (key === '0' ? pool.destroy() : undefined));
      expect(() => pool.freeMany(destroying.proxy)).toThrowError(refusedBatch);
      const allocating = trapped(new Float64Array(4), (key) => (key === '0' ? pool.alloc() : undefined));
      expect(() => pool.allocMany(allocating.proxy)).toThrowError(refusedBatch);
      expect(pool.destroyed).toBe(false);
      expect(pool.stats().allocated).toBe(2);
      expect(pool.alloc()).not.toBe(0);
    });

    it('refuses a Proxy that returns another handle on the second read, so no slot is freed twice', () => {
      const { pool, live } = poolWith(2);
      const { proxy } = trapped(live, (key, reads) => (key === '0' && reads > 2 ? live[1] : undefined));
      expect(() => pool.freeMany(proxy, 2)).toThrowError(refusedBatch);
      pool.freeMany(live);
      const again = new Float64Array(16);
      expect(pool.allocMany(again)).toBe(16);
      expect(new Set(again).size).toBe(16);
    });

    it('reads the real length of a Uint32Array subclass whose length lies', () => {
      class Liar extends Uint32Array {
        override get length(): number {
          return 6;
        }
      }
      const { pool } = poolWith(0);
      const out = new Liar(2);
      expect(pool.allocMany(out)).toBe(2);
      expect(pool.stats().allocated).toBe(2);
      expect(() => pool.allocMany(out, 6)).toThrowError(expect.objectContaining({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT }));
      pool.freeMany(out);
      expect(pool.stats()).toMatchObject({ allocated: 0, freeCount: 2 });
    });

    it('refuses arrays that are not a Uint32Array or a Float64Array, naming what it got', () => {
      const { pool } = poolWith(0);
      for (const [value, got] of [
        [new Int32Array(2), 'a Int32Array'],
        [[64, 72], 'an Array'],
        [{ length: 2, 0: 64, 1: 72 }, 'an object that is not a typed array'],
        [Object.create(Uint32Array.prototype), 'an object that is not a typed array'],
        [null, 'null'],
      ] as const) {
        expect(() => pool.freeMany(value as never)).toThrowError(
          expect.objectContaining({
            code: ErrorCode.INVALID_ARGUMENT,
            message: `handles must be a Uint32Array or a Float64Array, got ${got}`,
          }),
        );
      }
    });

    it('gives methods called without their allocator (handles.forEach(pool.free)) a TypeError with a code', () => {
      const { pool } = poolWith(2);
      const arena = scope.add(backend.createArena(256));
      const handles = [pool.alloc(), pool.alloc()];
      const unbound = expect.objectContaining({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
      expect(() => handles.forEach(pool.free)).toThrowError(unbound);
      for (const method of ['alloc', 'free', 'reset', 'allocMany', 'freeMany', 'stats', 'destroy'] as const) {
        const call = pool[method] as (...args: unknown[]) => unknown;
        expect(() => call.call(undefined, new Float64Array(1)), method).toThrowError(unbound);
        expect(() => call.call({}, new Float64Array(1)), method).toThrowError(unbound);
        expect(() => call.call(arena, new Float64Array(1)), method).toThrowError(unbound);
      }
      for (const method of ['alloc', 'reset', 'mark', 'rewind', 'stats', 'destroy'] as const) {
        const call = arena[method] as (...args: unknown[]) => unknown;
        expect(() => call.call(undefined, 8), method).toThrowError(unbound);
        expect(() => call.call(pool, 8), method).toThrowError(unbound);
      }
      expect(pool.stats().allocated).toBe(4);
      expect(arena.destroyed).toBe(false);
      expect(pool.destroyed).toBe(false);
    });
  });
}
