import { describe, expect, it } from 'vitest';
import {
  allocRecords,
  array,
  ArrayType,
  createRecordPool,
  defineLayout,
  ErrorCode,
  Layout,
  type ArrayAccessor,
  type Fields,
  type ScalarAccessor,
  type ScalarType,
} from '@mempool/api';
import type { SuiteContext } from '../context.js';
import { isSharedRun } from '../shared-allocators/shared-module.js';
import { expectError } from '../support.js';

const Vec2 = defineLayout({ x: 'f32', y: 'f32' }, { name: 'Vec2' });
const Order = defineLayout({ price: 'f64', quantity: 'f64', id: 'u32', side: 'u32' }, { name: 'Order' });
/** Every scalar type, an array, a nested layout, and padding in three places. */
const Every = defineLayout(
  {
    a: 'u8',
    b: 'f64',
    c: 'i8',
    d: 'u16',
    e: 'i16',
    f: 'u32',
    g: 'i32',
    h: 'f32',
    tags: array('u8', 5),
    pos: Vec2,
    big: 'u64',
    delta: 'i64',
    last: 'u8',
  },
  { name: 'Every' },
);
const Odd = defineLayout({ a: 'u8', b: 'u16', c: 'u8' }, { name: 'Odd' });
const Line = defineLayout({ n: 'u32' }, { name: 'Line', align: 64 });
const Byte = defineLayout({ b: 'i8' }, { name: 'Byte' });
const LAYOUTS = [Order, Every, Odd, Line, Byte, Vec2] as Layout<Fields>[];

/** A value for element `j` of field number `f` of the record numbered `i`, distinct across all three. */
function sampleValue(type: ScalarType, i: number, f: number, j: number): number | bigint {
  const n = i * 131 + f * 17 + j;
  switch (type) {
    case 'u8':
      return n & 0xff;
    case 'i8':
      return (n & 0xff) - 128;
    case 'u16':
      return (n * 257) & 0xffff;
    case 'i16':
      return ((n * 257) & 0xffff) - 32768;
    case 'u32':
      return (n * 2654435761) >>> 0;
    case 'i32':
      return (n * 2654435761) | 0;
    case 'f32':
      return Math.fround(n * 1.25 + 0.5);
    case 'f64':
      return n * 1e-3 + 0.25;
    case 'u64':
      return 2n ** 63n + BigInt(n) * 2n ** 20n;
    case 'i64':
      return -(2n ** 62n) - BigInt(n);
  }
}

type AnyView = Record<string, unknown>;

/** Writes record `i`'s values into every field (nested and array fields too) and returns the object it should read as. */
function writeRecord(layout: Layout<Fields>, view: AnyView, handle: number, i: number, salt = 0): Record<string, unknown> {
  const expected: Record<string, unknown> = {};
  layout.fields.forEach(({ name, field }, index) => {
    const f = salt + index;
    if (field instanceof Layout) expected[name] = writeRecord(field, view[name] as AnyView, handle, i, f * 31);
    else if (field instanceof ArrayType) {
      const accessor = view[name] as ArrayAccessor<number | bigint>;
      expected[name] = Array.from({ length: field.length }, (_, j) => {
        const value = sampleValue(field.type, i, f, j);
        accessor.set(handle, j, value);
        return value;
      });
    } else {
      const value = sampleValue(field as ScalarType, i, f, 0);
      (view[name] as ScalarAccessor<number | bigint>).set(handle, value);
      expected[name] = value;
    }
  });
  return expected;
}

/** Struct layouts: record pools and arrays of records on this backend, read and written through layouts. */
export function layouts({ backend, scope }: SuiteContext): void {
  describe('Struct layouts', () => {
    it('a record pool has slots of byteSize (a multiple of align) at the layout alignment', () => {
      for (const layout of LAYOUTS) {
        const pool = scope.add(createRecordPool(backend, layout, 10));
        expect([layout.name, pool.objectSize, pool.slotSize, pool.align]).toEqual([
          layout.name,
          layout.byteSize,
          Math.ceil(layout.byteSize / layout.align) * layout.align,
          layout.align,
        ]);
        expect(pool.slotSize).toBe(layout.byteSize);
        for (let h = pool.alloc(); h !== 0; h = pool.alloc()) expect(h % layout.align).toBe(0);
      }
    });
    it('every field round-trips on every handle, where C would put it', () => {
      const pool = scope.add(createRecordPool(backend, Every, 64));
      const view = Every.view(pool.memory) as unknown as AnyView;
      const handles = Array.from({ length: 64 }, () => pool.alloc());
      const expected = handles.map((h, i) => writeRecord(Every, view, h, i));
      handles.forEach((h, i) => expect(Every.toObject(pool.memory, h)).toEqual(expected[i]));
      const bytes = new DataView(pool.memory);
      handles.forEach((h, i) => {
        expect(bytes.getFloat64(h + Every.offsets.b, true)).toBe(expected[i]!['b']);
        expect(bytes.getUint8(h + Every.offsets.tags + 4)).toBe((expected[i]!['tags'] as number[])[4]);
        expect(bytes.getFloat32(h + Every.offsets.pos + 4, true)).toBe((expected[i]!['pos'] as { y: number }).y);
        expect(bytes.getBigInt64(h + Every.offsets.delta, true)).toBe(expected[i]!['delta']);
      });
    });
    it('toObject renders what was written, nested objects, arrays and bigints included', () => {
      const arena = scope.add(backend.createArena(4096));
      const h = allocRecords(arena, Every, 1);
      const o = Every.view(arena.memory);
      o.a.set(h, 1);
      o.b.set(h, 2.5);
      o.tags.set(h, 3, 9);
      o.pos.y.set(h, -1.5);
      o.big.set(h, 2n ** 64n - 1n);
      o.delta.set(h, -5n);
      expect(Every.toObject(arena.memory, h)).toEqual({
        a: 1,
        b: 2.5,
        c: 0,
        d: 0,
        e: 0,
        f: 0,
        g: 0,
        h: 0,
        tags: [0, 0, 0, 9, 0],
        pos: { x: 0, y: -1.5 },
        big: 2n ** 64n - 1n,
        delta: -5n,
        last: 0,
      });
    });
    it('clear zeroes the record, a reused slot included, and nothing around it', () => {
      const pool = scope.add(createRecordPool(backend, Every, 3));
      const view = Every.view(pool.memory) as unknown as AnyView;
      const [a, b, c] = [pool.alloc(), pool.alloc(), pool.alloc()];
      const expected = [a, b, c].map((h, i) => writeRecord(Every, view, h, i + 1));
      pool.free(b);
      const reused = pool.alloc();
      expect(reused).toBe(b);
      expect(Every.toObject(pool.memory, reused)).toEqual(expected[1]);
      Every.clear(pool.memory, reused);
      expect(new Uint8Array(pool.memory, reused, Every.byteSize).every((x) => x === 0)).toBe(true);
      expect([Every.toObject(pool.memory, a), Every.toObject(pool.memory, c)]).toEqual([expected[0], expected[2]]);
      pool.reset();
      Every.view(pool.memory).clear(pool.dataOffset, 3);
      expect(new Uint8Array(pool.memory, pool.dataOffset, 3 * Every.byteSize).every((x) => x === 0)).toBe(true);
    });
    it('arrays of records from an arena are aligned, inside the arena, and do not overlap', () => {
      const arena = scope.add(backend.createArena(8192));
      const placed: { layout: Layout<Fields>; handle: number; count: number; i: number; expected: Record<string, unknown>[] }[] = [];
      for (let i = 0; i < 24; i++) {
        const layout = LAYOUTS[i % LAYOUTS.length]!;
        const count = 1 + (i % 5);
        arena.alloc(1 + (i % 3), 1); // knock the end off alignment
        const handle = allocRecords(arena, layout, count);
        expect(handle).not.toBe(0);
        expect(handle % layout.align).toBe(0);
        expect(handle + count * layout.byteSize).toBeLessThanOrEqual(arena.dataOffset + arena.bufferSize);
        const view = layout.view(arena.memory) as unknown as AnyView;
        const expected = Array.from({ length: count }, (_, k) => writeRecord(layout, view, handle + k * layout.byteSize, i * 8 + k));
        placed.push({ layout, handle, count, i, expected });
      }
      const ranges = placed
        .map(({ handle, count, layout }) => [handle, handle + count * layout.byteSize] as const)
        .sort((x, y) => x[0] - y[0]);
      ranges.slice(1).forEach(([start], k) => expect(start).toBeGreaterThanOrEqual(ranges[k]![1]));
      for (const { layout, handle, count, expected } of placed) {
        for (let k = 0; k < count; k++) expect(layout.toObject(arena.memory, handle + k * layout.byteSize)).toEqual(expected[k]);
      }
    });
    it('allocRecords returns 0 when the records do not fit, as arena.alloc does', () => {
      const arena = scope.add(backend.createArena(256));
      const before = arena.stats();
      expect(allocRecords(arena, Order, 11)).toBe(0);
      expect(arena.stats()).toEqual({ ...before, failedAllocs: before.failedAllocs + 1 });
      expect(allocRecords(arena, Order, 10)).toBe(arena.dataOffset);
    });
    it('an alignment the layout cannot live with is refused with ERR_MEMPOOL_INVALID_ARGUMENT', () => {
      expectError(() => createRecordPool(backend, Order, 10, { align: 4 }), RangeError, ErrorCode.INVALID_ARGUMENT, 'options.align');
      expectError(() => createRecordPool(backend, Line, 10, { align: 32 }), RangeError, ErrorCode.INVALID_ARGUMENT, 'options.align');
      expectError(() => defineLayout({ a: 'f64' }, { align: 8192 }), RangeError, ErrorCode.INVALID_ARGUMENT, 'options.align');
      const pool = scope.add(createRecordPool(backend, Order, 4, { align: 64 }));
      expect([pool.slotSize, pool.align]).toEqual([64, 64]);
    });
    it('a handle that would misalign a field, or lies outside memory, is refused with ERR_MEMPOOL_INVALID_HANDLE', () => {
      const pool = scope.add(createRecordPool(backend, Order, 4));
      const o = Order.view(pool.memory);
      const h = pool.alloc();
      o.price.set(h, 1);
      expectError(() => o.price.get(h + 4), RangeError, ErrorCode.INVALID_HANDLE, 'Order.price');
      expectError(() => o.quantity.set(h + 4, 2), RangeError, ErrorCode.INVALID_HANDLE, 'Order.quantity');
      expectError(() => o.id.get(pool.memory.byteLength), RangeError, ErrorCode.INVALID_HANDLE, 'Order.id');
      expect(Order.toObject(pool.memory, h)).toEqual({ price: 1, quantity: 0, id: 0, side: 0 });
    });
    // A SharedArrayBuffer cannot be detached: a shared holder's destroy() ends that holder only, and
    // the bytes stay readable through views until the last holder lets go.
    if (isSharedRun(backend)) {
      it('access after a shared holder destroy() still reads the shared bytes (they outlive the holder)', () => {
        const pool = createRecordPool(backend, Order, 4);
        const o = Order.view(pool.memory);
        const h = pool.alloc();
        o.price.set(h, 1.5);
        pool.destroy();
        expect(o.price.get(h)).toBe(1.5);
      });
      return;
    }
    it('access after destroy() throws ERR_MEMPOOL_DESTROYED instead of reading zeros', () => {
      const pool = createRecordPool(backend, Order, 4);
      const arena = backend.createArena(1024);
      const o = Order.view(pool.memory);
      const e = Every.view(arena.memory);
      const h = pool.alloc();
      const r = allocRecords(arena, Every, 2);
      o.price.set(h, 1);
      e.tags.set(r, 1, 1);
      pool.destroy();
      arena.destroy();
      expectError(() => o.price.get(h), Error, ErrorCode.DESTROYED, 'Order.price.get()');
      expectError(() => o.price.set(h, 2), Error, ErrorCode.DESTROYED, 'Order.price.set()');
      expectError(() => e.tags.get(r, 1), Error, ErrorCode.DESTROYED, 'Every.tags.get()');
      expectError(() => e.big.set(r, 1n), Error, ErrorCode.DESTROYED);
      expectError(() => Every.clear(arena.memory, r, 2), Error, ErrorCode.DESTROYED);
      expectError(() => Order.toObject(pool.memory, h), Error, ErrorCode.DESTROYED);
    });
  });
}
