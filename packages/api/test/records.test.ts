import { describe, expect, it } from 'vitest';
import { allocRecords, array, createRecordPool, defineLayout, ErrorCode, type Arena, type Backend, type FixedPool } from '../src/index.js';

/** 56 bytes, aligned to 8. */
const Order = defineLayout({ price: 'f64', quantity: 'f64', id: 'u32', side: 'u8', rest: array('u64', 4) }, { name: 'Order' });

/** What `act` threw: its class name, code and message (a test of the refusal, not of the stack). */
function code(act: () => unknown): { name: string; code: unknown; message: string } {
  let thrown: (Error & { code?: unknown }) | undefined;
  try {
    act();
  } catch (error) {
    thrown = error as Error & { code?: unknown };
  }
  if (thrown === undefined) throw new Error('expected a throw');
  return { name: thrown.name, code: thrown.code, message: thrown.message };
}

describe('createRecordPool and allocRecords', () => {
  const calls: unknown[][] = [];
  const backend = {
    name: 'recorder',
    createFixedPool: (...args: unknown[]) => (calls.push(args), {} as FixedPool),
  } as unknown as Backend;

  it('create a pool of byteSize slots aligned to the layout, passing other options through', () => {
    calls.length = 0;
    createRecordPool(backend, Order, 100);
    createRecordPool(backend, Order, 10, { align: 64, shared: true } as never);
    expect(calls).toEqual([
      [56, 100, { align: 8 }],
      [56, 10, { align: 64, shared: true }],
    ]);
  });
  it('refuse an alignment the layout cannot live with, a non-layout and a non-backend, creating nothing', () => {
    calls.length = 0;
    expect(code(() => createRecordPool(backend, Order, 10, { align: 4 }))).toMatchObject({
      name: 'RangeError',
      code: ErrorCode.INVALID_ARGUMENT,
      message: expect.stringContaining('options.align'),
    });
    expect(code(() => createRecordPool(backend, Order, 10, { align: 8192 }))).toMatchObject({
      name: 'RangeError',
      code: ErrorCode.INVALID_ARGUMENT,
    });
    expect(code(() => createRecordPool(backend, { byteSize: 8, align: 8 } as never, 10))).toMatchObject({
      name: 'TypeError',
      code: ErrorCode.INVALID_ARGUMENT,
    });
    expect(code(() => createRecordPool({} as Backend, Order, 10))).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(calls).toEqual([]);
  });
  it('allocRecords asks the arena for count records at the layout alignment', () => {
    const allocs: unknown[][] = [];
    const arena = { alloc: (...args: unknown[]) => (allocs.push(args), 128), mark: () => 0 } as unknown as Arena;
    expect(allocRecords(arena, Order, 3)).toBe(128);
    expect(allocRecords(arena, defineLayout({ a: 'u16' }, { align: 256 }))).toBe(128);
    expect(allocs).toEqual([
      [168, 8],
      [256, 256],
    ]);
    for (const bad of [0, 1.5, -1, 2 ** 53]) {
      expect(code(() => allocRecords(arena, Order, bad))).toMatchObject({
        name: 'RangeError',
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining('count'),
      });
    }
    expect(allocs.length).toBe(2);
  });
  it('allocRecords refuses a fixed pool (whose alloc() would ignore the size) and anything but an arena, allocating nothing', () => {
    const allocs: unknown[][] = [];
    const pool = { alloc: (...args: unknown[]) => (allocs.push(args), 64), free: () => undefined, capacity: 10 } as unknown as Arena;
    for (const bad of [pool, null, undefined, 64, {}]) {
      expect(code(() => allocRecords(bad as Arena, Order, 10))).toMatchObject({
        name: 'TypeError',
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining('arena must be an Arena'),
      });
    }
    expect(allocs).toEqual([]);
  });
  it('refuse a forged layout (the prototype of one, with sizes nothing checked)', () => {
    const forged = Object.create(Object.getPrototypeOf(Order), { byteSize: { value: -8 }, align: { value: 8 } });
    const arena = { alloc: () => 128, mark: () => 0 } as unknown as Arena;
    expect(code(() => allocRecords(arena, forged, 1))).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
  });
});
