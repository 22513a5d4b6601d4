// Batches built to break a pool: every backend must refuse or cope, and never corrupt. Written
// against `Backend` only, so the conformance suite can run it on every backend.
import { expect, it } from 'vitest';
import { ErrorCode, type Backend, type FixedPool } from '@mempool/api';

const refusedBatch = expect.objectContaining({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });

/** A Proxy around `target` that passes `instanceof` and runs `onGet` on every element read. */
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

/** The pool's state as the contract exposes it, to prove a refused batch changed nothing. */
function state(pool: FixedPool): unknown {
  return pool.stats();
}

export function hostileBatchCases(backend: Backend): void {
  const setUp = (count: number) => {
    const pool = backend.createFixedPool(8, 16);
    const live = new Float64Array(count);
    expect(pool.allocMany(live)).toBe(count);
    return { pool, live };
  };

  it('refuses a Proxy around a Uint32Array in allocMany without running its traps', () => {
    const { pool } = setUp(3);
    let armed = false;
    const { proxy, traps } = trapped(new Uint32Array(4), () => (armed ? pool.reset() : undefined));
    expect(proxy instanceof Uint32Array).toBe(true);
    const before = state(pool);
    const trapsBefore = traps();
    armed = true;
    expect(() => pool.allocMany(proxy)).toThrowError(refusedBatch);
    expect(traps()).toBe(trapsBefore);
    expect(state(pool)).toEqual(before);
  });

  it('refuses a Proxy whose get trap calls reset() mid-batch in freeMany, and the pool stays whole', () => {
    const { pool, live } = setUp(3);
    const before = state(pool);
    const { proxy } = trapped(live, (key) => (key === '1' ? pool.reset() : undefined));
    expect(() => pool.freeMany(proxy)).toThrowError(refusedBatch);
    expect(state(pool)).toEqual(before);
    pool.freeMany(live);
    expect(pool.stats()).toMatchObject({ allocated: 0, available: 16 });
  });

  it('refuses a Proxy whose get trap calls destroy() or alloc() mid-batch', () => {
    const { pool, live } = setUp(2);
    const destroying = trapped(live, (key) => (key === '0' ? pool.destroy() : undefined));
    expect(() => pool.freeMany(destroying.proxy)).toThrowError(refusedBatch);
    const allocating = trapped(new Float64Array(4), (key) => (key === '0' ? pool.alloc() : undefined));
    expect(() => pool.allocMany(allocating.proxy)).toThrowError(refusedBatch);
    expect(pool.destroyed).toBe(false);
    expect(pool.stats().allocated).toBe(2);
    expect(pool.alloc()).not.toBe(0);
  });

  it('refuses a Proxy that returns another handle on the second read, so no slot is freed twice', () => {
    const { pool, live } = setUp(2);
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
    const pool = backend.createFixedPool(8, 16);
    const out = new Liar(2);
    expect(pool.allocMany(out)).toBe(2);
    expect(pool.stats().allocated).toBe(2);
    expect(() => pool.allocMany(out, 6)).toThrowError(expect.objectContaining({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT }));
    pool.freeMany(out);
    expect(pool.stats()).toMatchObject({ allocated: 0, freeCount: 2 });
  });

  it('refuses arrays that are not a Uint32Array or a Float64Array, naming what it got', () => {
    const pool = backend.createFixedPool(8, 16);
    for (const [value, got] of [
      [new Int32Array(2), 'a Int32Array'],
      [[64, 72], 'an Array'],
      [{ length: 2, 0: 64, 1: 72 }, 'an object that is not a typed array'],
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
    const pool = backend.createFixedPool(8, 16);
    const arena = backend.createArena(256);
    const handles = [pool.alloc(), pool.alloc()];
    const unbound = expect.objectContaining({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(() => handles.forEach(pool.free)).toThrowError(unbound);
    for (const method of ['alloc', 'reset', 'allocMany', 'freeMany', 'stats', 'destroy'] as const) {
      expect(() => (pool[method] as (...args: unknown[]) => unknown).call(undefined, new Float64Array(1))).toThrowError(unbound);
      expect(() => (pool[method] as (...args: unknown[]) => unknown).call({}, new Float64Array(1))).toThrowError(unbound);
    }
    for (const method of ['alloc', 'reset', 'mark', 'rewind', 'stats', 'destroy'] as const) {
      expect(() => (arena[method] as (...args: unknown[]) => unknown).call(undefined, 8)).toThrowError(unbound);
    }
    expect(pool.stats().allocated).toBe(2);
    expect(arena.destroyed).toBe(false);
  });
}
