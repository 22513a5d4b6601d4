import { expect } from 'vitest';
import { describe, it } from '../runner.js';
import {
  allocRecords,
  type Arena,
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
/** One-byte fields only: every integer handle is aligned to it, so only the handle checks stand between a bad handle and a write. */
const Bytes = defineLayout({ a: 'u8', b: 'i8', tags: array('u8', 5) }, { name: 'Bytes' });
/** A 64-bit array next to number fields. */
const Wide = defineLayout({ n: 'f64', count: 'u32', big: array('u64', 2), delta: 'i64' }, { name: 'Wide' });

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
    hostileArguments({ backend, scope });
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

/** An object whose `valueOf` gives 64 and counts its calls: refused before any arithmetic can call it. */
function valueOf64(): { valueOf(): number; calls: number } {
  const forged = {
    calls: 0,
    valueOf(): number {
      forged.calls++;
      return 64;
    },
  };
  return forged;
}

/** Every byte of `memory`, to compare after refused calls. */
const bytesOf = (memory: ArrayBufferLike) => new Uint8Array(memory).slice();

/**
 * Bad handles, indices, values and counts given to layout accessors, `clear`, `toObject` and
 * `allocRecords`: each is refused with the contract's code and writes nothing (issue 17).
 */
function hostileArguments({ backend, scope }: Pick<SuiteContext, 'backend' | 'scope'>): void {
  /** A full pool of `layout` records, each written with a pattern, and the accessors over it. */
  const filled = (layout: Layout<Fields>, capacity = 8) => {
    const pool = scope.add(createRecordPool(backend, layout, capacity));
    const view = layout.view(pool.memory) as unknown as AnyView;
    const handles = Array.from({ length: capacity }, () => pool.alloc());
    handles.forEach((h, i) => writeRecord(layout, view, h, i + 1));
    return { pool, view, handles, before: bytesOf(pool.memory) };
  };

  it('a handle that is not a number (string, array, valueOf, null, bigint, Symbol) is refused with ERR_MEMPOOL_INVALID_ARGUMENT, writing nothing', () => {
    const { pool, before } = filled(Bytes);
    const o = Bytes.view(pool.memory);
    const forged = valueOf64();
    for (const bad of ['64', [64], forged, null, undefined, 64n, Symbol('h'), true] as unknown as number[]) {
      expectError(() => o.a.get(bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'Bytes.a handle');
      expectError(() => o.a.set(bad, 7), TypeError, ErrorCode.INVALID_ARGUMENT, 'Bytes.a handle');
      expectError(() => o.tags.get(bad, 1), TypeError, ErrorCode.INVALID_ARGUMENT, 'Bytes.tags handle');
      expectError(() => o.tags.set(bad, 1, 7), TypeError, ErrorCode.INVALID_ARGUMENT, 'Bytes.tags handle');
      expectError(() => o.clear(bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'handle');
      expectError(() => Bytes.clear(pool.memory, bad, 2), TypeError, ErrorCode.INVALID_ARGUMENT, 'handle');
      expectError(() => Bytes.toObject(pool.memory, bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'handle');
    }
    expect(forged.calls).toBe(0);
    expect(bytesOf(pool.memory)).toEqual(before);
  });

  it('a handle in the reserved header, negative, misaligned to the record, fractional or past memory is refused with ERR_MEMPOOL_INVALID_HANDLE, writing nothing', () => {
    const { pool, before } = filled(Order);
    const o = Order.view(pool.memory);
    const end = pool.memory.byteLength;
    for (const bad of [-8, -64, 0, 8, 56, pool.dataOffset + 4, pool.dataOffset + 0.5, NaN, Infinity, -0, end, 2 ** 53]) {
      expectError(() => o.price.set(bad, 1), RangeError, ErrorCode.INVALID_HANDLE, 'Order.price');
      // A u32 field at a 4-byte boundary that is not a record boundary: aligned for the field, not the record.
      expectError(() => o.id.set(bad, 1), RangeError, ErrorCode.INVALID_HANDLE, 'Order.id');
      expectError(() => o.side.get(bad), RangeError, ErrorCode.INVALID_HANDLE, 'Order.side');
      expectError(() => o.clear(bad), RangeError, ErrorCode.INVALID_HANDLE, 'Order');
      expectError(() => Order.toObject(pool.memory, bad), RangeError, ErrorCode.INVALID_HANDLE);
    }
    const b = filled(Bytes);
    const v = Bytes.view(b.pool.memory);
    for (const bad of [-8, -1, 0, 63]) {
      expectError(() => v.a.set(bad, 1), RangeError, ErrorCode.INVALID_HANDLE, 'Bytes.a');
      expectError(() => v.tags.set(bad, 4, 1), RangeError, ErrorCode.INVALID_HANDLE, 'Bytes.tags');
      expectError(() => v.clear(bad, 3), RangeError, ErrorCode.INVALID_HANDLE, 'Bytes');
    }
    expect(bytesOf(pool.memory)).toEqual(before);
    expect(bytesOf(b.pool.memory)).toEqual(b.before);
  });

  it("an array index that is not an integer number in range ('1', [1], 1n, valueOf, 1.5, -1, length) is refused, never joined onto the element number as text", () => {
    const { pool, handles, before } = filled(Bytes);
    const o = Bytes.view(pool.memory);
    const h = handles[0]!;
    const forged = valueOf64();
    for (const bad of ['1', [1], forged, null, 1n, Symbol('i')] as unknown as number[]) {
      expectError(() => o.tags.set(h, bad, 0xee), TypeError, ErrorCode.INVALID_ARGUMENT, 'Bytes.tags index');
      expectError(() => o.tags.get(h, bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'Bytes.tags index');
    }
    for (const bad of [1.5, -1, 5, NaN, Infinity]) {
      expectError(() => o.tags.set(h, bad, 0xee), RangeError, ErrorCode.INVALID_ARGUMENT, 'Bytes.tags index');
      expectError(() => o.tags.get(h, bad), RangeError, ErrorCode.INVALID_ARGUMENT, 'Bytes.tags index');
    }
    expect(forged.calls).toBe(0);
    expect(bytesOf(pool.memory)).toEqual(before);
  });

  it('a 64-bit field takes a bigint or a safe integer (converted); anything else is a coded refusal that writes nothing', () => {
    const { pool, handles } = filled(Wide);
    const o = Wide.view(pool.memory);
    const [h, g] = [handles[0]!, handles[1]!];
    o.delta.set(h, -5);
    o.big.set(h, 1, 2 ** 53 - 1);
    expect([o.delta.get(h), o.big.get(h, 1)]).toEqual([-5n, 2n ** 53n - 1n]);
    const before = bytesOf(pool.memory);
    for (const bad of [2 ** 53, 1.5, -0.5, NaN, Infinity]) {
      expectError(() => o.delta.set(g, bad), RangeError, ErrorCode.INVALID_ARGUMENT, 'Wide.delta value');
      expectError(() => o.big.set(g, 0, bad), RangeError, ErrorCode.INVALID_ARGUMENT, 'Wide.big value');
    }
    for (const bad of ['5', null, undefined, Symbol('v'), valueOf64(), true] as unknown as bigint[]) {
      expectError(() => o.delta.set(g, bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'Wide.delta value');
      expectError(() => o.big.set(g, 0, bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'Wide.big value');
    }
    expect(bytesOf(pool.memory)).toEqual(before);
  });

  it('a number field takes a number; a bigint, Symbol, string or object is a coded TypeError that writes nothing', () => {
    const { pool, handles, before } = filled(Every);
    const o = Every.view(pool.memory);
    const h = handles[2]!;
    const forged = valueOf64();
    for (const bad of [1n, Symbol('v'), '1.5', null, forged] as unknown as number[]) {
      expectError(() => o.b.set(h, bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'Every.b value');
      expectError(() => o.f.set(h, bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'Every.f value');
      expectError(() => o.pos.x.set(h, bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'Every.pos.x value');
      expectError(() => o.tags.set(h, 0, bad), TypeError, ErrorCode.INVALID_ARGUMENT, 'Every.tags value');
    }
    expect(forged.calls).toBe(0);
    expect(bytesOf(pool.memory)).toEqual(before);
  });

  it("clear refuses a count that is not a non-negative integer number ('2', 2n, -1, 0.5), writing nothing", () => {
    const { pool, handles, before } = filled(Bytes);
    const h = handles[0]!;
    for (const bad of ['2', 2n, null, valueOf64()]) {
      expectError(() => Bytes.clear(pool.memory, h, bad as unknown as number), TypeError, ErrorCode.INVALID_ARGUMENT, 'count');
    }
    for (const bad of [-1, 0.5, NaN, Infinity]) {
      expectError(() => Bytes.clear(pool.memory, h, bad), RangeError, ErrorCode.INVALID_ARGUMENT, 'count');
    }
    // More records than the whole memory holds, on any backend.
    expectError(() => Bytes.clear(pool.memory, h, pool.memory.byteLength), RangeError, ErrorCode.INVALID_HANDLE, 'Bytes');
    expect(bytesOf(pool.memory)).toEqual(before);
  });

  it('allocRecords refuses a fixed pool (whose alloc() would quietly hand out one slot), allocating nothing', () => {
    const pool = scope.add(backend.createFixedPool(64, 16));
    const before = pool.stats();
    expectError(() => allocRecords(pool as unknown as Arena, Order, 10), TypeError, ErrorCode.INVALID_ARGUMENT, 'arena');
    expect(pool.stats()).toEqual(before);
  });

  it('an ArrayType made by hand with a negative or fractional length is refused when the layout is defined', () => {
    const forge = (length: number) => Object.assign(Object.create(ArrayType.prototype), { type: 'u8', length }) as ArrayType;
    for (const length of [-3, 0.5, NaN]) {
      expectError(() => defineLayout({ a: 'u8', tags: forge(length) }), RangeError, ErrorCode.INVALID_ARGUMENT, 'array length');
    }
  });
}
