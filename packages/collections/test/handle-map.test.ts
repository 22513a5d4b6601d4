import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HandleMap } from '../src/index.js';

const U32_MAX = 0xffff_ffff;

/** The map's entries as a sorted list, through its iterator. */
const sorted = (entries: Iterable<[number, number]>) => [...entries].sort((a, b) => a[0] - b[0]);

describe('HandleMap', () => {
  it('stores, replaces, finds and deletes handles by u32 key', () => {
    const m = new HandleMap();
    expect(m.get(7)).toBe(0);
    expect(m.set(7, 64)).toBe(m);
    m.set(0, 128).set(U32_MAX, 192);
    expect([m.get(7), m.get(0), m.get(U32_MAX), m.size]).toEqual([64, 128, 192, 3]);
    m.set(7, 256);
    expect([m.get(7), m.size]).toEqual([256, 3]);
    expect(m.has(0)).toBe(true);
    expect(m.delete(0)).toBe(true);
    expect(m.delete(0)).toBe(false);
    expect([m.has(0), m.get(0), m.size]).toEqual([false, 0, 2]);
    expect(sorted(m)).toEqual([
      [7, 256],
      [U32_MAX, 192],
    ]);
  });

  it('grows by rehashing and keeps every entry', () => {
    const m = new HandleMap();
    const start = m.capacity;
    for (let k = 0; k < 10_000; k++) m.set((k * 2654435761) >>> 0, k + 1);
    expect(m.capacity).toBeGreaterThan(start);
    expect(m.size).toBe(10_000);
    for (let k = 0; k < 10_000; k++) expect(m.get((k * 2654435761) >>> 0)).toBe(k + 1);
    expect(m.byteLength).toBe(m.capacity * 8);
  });

  it('takes a capacity hint and does not grow below it', () => {
    const m = new HandleMap(1000);
    const cells = m.capacity;
    expect(cells * 0.75).toBeGreaterThanOrEqual(1000);
    for (let k = 1; k <= 1000; k++) m.set(k, k);
    expect(m.capacity).toBe(cells);
  });

  it('leaves no tombstones: a long churn at a steady size keeps the table and its probes short', () => {
    const m = new HandleMap(1024);
    const cells = m.capacity;
    let next = 0;
    for (; next < 1024; next++) m.set(next, next + 1);
    for (let round = 0; round < 200_000; round++, next++) {
      expect(m.delete(next - 1024)).toBe(true);
      m.set(next, next + 1);
    }
    expect(m.capacity).toBe(cells);
    expect(m.size).toBe(1024);
    for (let k = next - 1024; k < next; k++) expect(m.get(k)).toBe(k + 1);
    for (let k = next - 2048; k < next - 1024; k++) expect(m.get(k)).toBe(0);
  });

  it('clear() empties it and keeps the table', () => {
    const m = new HandleMap();
    for (let k = 0; k < 100; k++) m.set(k, 8);
    const cells = m.capacity;
    m.clear();
    expect([m.size, m.capacity, m.get(5), [...m].length]).toEqual([0, cells, 0, 0]);
    m.set(5, 16);
    expect(m.get(5)).toBe(16);
  });

  it('forEach, keys, values and entries walk every entry once', () => {
    const m = new HandleMap();
    for (let k = 0; k < 500; k++) m.set(k * 7, k + 1);
    const seen: number[] = [];
    m.forEach((h, k, map) => {
      expect(map).toBe(m);
      expect(h).toBe(k / 7 + 1);
      seen.push(k);
    });
    expect(seen.sort((a, b) => a - b)).toEqual([...m.keys()].sort((a, b) => a - b));
    expect(seen.length).toBe(500);
    expect([...m.values()].reduce((a, b) => a + b, 0)).toBe((500 * 501) / 2);
    expect(sorted(m.entries())).toEqual(sorted(m));
  });

  it('lets forEach delete the entry it visits, visiting every other entry exactly once', () => {
    // Small tables with long runs make the backward shift move entries into the visited cell.
    for (let n = 1; n < 60; n++) {
      const m = new HandleMap();
      for (let k = 0; k < n; k++) m.set(k * 8, k + 1);
      const visits = new Map<number, number>();
      m.forEach((_h, k) => {
        visits.set(k, (visits.get(k) ?? 0) + 1);
        if (k % 16 === 0) m.delete(k);
      });
      expect(visits.size).toBe(n);
      expect([...visits.values()].every((v) => v === 1)).toBe(true);
      expect(m.size).toBe(n - Math.ceil(n / 2));
    }
  });

  it('refuses other changes during a walk with a coded error', () => {
    const m = new HandleMap();
    for (let k = 0; k < 10; k++) m.set(k, k + 1);
    expect(() => m.forEach(() => m.set(100, 1))).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_INVALID_ARGUMENT' }));
    const m2 = new HandleMap();
    for (let k = 0; k < 10; k++) m2.set(k, k + 1);
    expect(() => {
      for (const [k] of m2) m2.delete((k + 1) % 10);
    }).toThrow(/changed only by deleting the entry being visited/);
  });

  it('refuses bad keys, handles and hints with coded errors and changes nothing', () => {
    const m = new HandleMap();
    m.set(1, 8);
    for (const key of [-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => m.get(key)).toThrow(RangeError);
      expect(() => m.set(key, 8)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_INVALID_ARGUMENT' }));
      expect(() => m.delete(key)).toThrow(/key must be an integer from 0 to 4294967295/);
    }
    for (const key of ['1', null, undefined, 1n, {}, { valueOf: () => 1 }]) {
      expect(() => m.get(key as number)).toThrow(TypeError);
      expect(() => m.set(key as number, 8)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_INVALID_ARGUMENT' }));
    }
    for (const handle of [0, -8, 2 ** 32, 0.5, Number.NaN]) {
      expect(() => m.set(2, handle)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_INVALID_ARGUMENT', name: 'RangeError' }));
    }
    expect(() => m.set(2, '8' as unknown as number)).toThrow(TypeError);
    expect(() => m.forEach(null as never)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_INVALID_ARGUMENT' }));
    expect([m.size, m.get(1), m.get(2)]).toEqual([1, 8, 0]);
    for (const hint of [-1, 0.5, 2 ** 40, '10']) {
      expect(() => new HandleMap(hint as number)).toThrow(expect.objectContaining({ code: 'ERR_MEMPOOL_INVALID_ARGUMENT' }));
    }
  });

  // The model: every sequence of calls gives what a Map<number, number> gives. Keys come from a
  // small range (many collisions, runs and backward shifts in small tables) or the whole u32 range.
  const key = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: U32_MAX }));
  const handle = fc.integer({ min: 1, max: U32_MAX });
  const command = fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), key, handle }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), key }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), key }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('iterate' as const) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
  );

  it('behaves as Map<number, number> for any sequence of calls (fast-check, shrinking)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 0, max: 64 }), { nil: undefined }),
        fc.array(command, { maxLength: 300 }),
        (hint, commands) => {
          const m = new HandleMap(hint);
          const model = new Map<number, number>();
          for (const c of commands) {
            if (c.op === 'set') {
              m.set(c.key, c.handle);
              model.set(c.key, c.handle);
            } else if (c.op === 'delete') {
              expect(m.delete(c.key)).toBe(model.delete(c.key));
            } else if (c.op === 'get') {
              expect(m.get(c.key)).toBe(model.get(c.key) ?? 0);
              expect(m.has(c.key)).toBe(model.has(c.key));
            } else if (c.op === 'iterate') {
              expect(sorted(m)).toEqual(sorted(model));
            } else {
              m.clear();
              model.clear();
            }
            expect(m.size).toBe(model.size);
          }
          for (const [k, h] of model) expect(m.get(k)).toBe(h);
          expect(sorted(m)).toEqual(sorted(model));
        },
      ),
      { numRuns: 300 },
    );
  });
});
