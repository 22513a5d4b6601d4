import { describe, expect, it } from 'vitest';
import { ErrorCode, HEADER_BYTES } from '@mempool/base';
import { array, ArrayType, defineLayout, Layout, SCALARS } from '../src/index.js';

const Vec2 = defineLayout({ x: 'f32', y: 'f32' }, { name: 'Vec2' });
const Order = defineLayout(
  { price: 'f64', quantity: 'f64', id: 'u32', side: 'u8', tags: array('u8', 3), pos: Vec2, big: 'u64', delta: 'i64', small: 'i16' },
  { name: 'Order' },
);

const code = (act: () => unknown): { name: string; code: unknown; message: string } => {
  try {
    act();
  } catch (error) {
    const e = error as Error & { code?: unknown };
    return { name: e.name, code: e.code, message: e.message };
  }
  throw new Error('expected a throw');
};

/** Detaches `buffer` the way destroy() does. */
const detach = (buffer: ArrayBuffer) => structuredClone(buffer, { transfer: [buffer] });

describe('defineLayout', () => {
  it('lays fields out by C rules, with byteSize, align and offsets', () => {
    expect(Order.byteSize).toBe(56);
    expect(Order.align).toBe(8);
    expect(Order.offsets).toEqual({ price: 0, quantity: 8, id: 16, side: 20, tags: 21, pos: 24, big: 32, delta: 40, small: 48 });
  });
  it('pads a record to its alignment and aligns each field to its size', () => {
    const L = defineLayout({ a: 'u8', b: 'u32', c: 'u8' });
    expect([L.byteSize, L.align, L.offsets.b, L.offsets.c]).toEqual([12, 4, 4, 8]);
  });
  it('takes a larger alignment for the whole record', () => {
    const L = defineLayout({ a: 'u32' }, { align: 64 });
    expect([L.byteSize, L.align]).toEqual([64, 64]);
  });
  it('describes itself as rows of field, offset, type and size, padding and nested fields included', () => {
    const L = defineLayout({ a: 'u8', pos: Vec2, tags: array('u16', 2) }, { name: 'L' });
    expect(L.describe()).toEqual([
      { field: 'a', offset: 0, type: 'u8', size: 1 },
      { field: '(padding)', offset: 1, type: '', size: 3 },
      { field: 'pos.x', offset: 4, type: 'f32', size: 4 },
      { field: 'pos.y', offset: 8, type: 'f32', size: 4 },
      { field: 'tags', offset: 12, type: 'u16[2]', size: 4 },
    ]);
    expect(String(L)).toBe(
      [
        'L: 16 bytes, align 4',
        'field      offset  type    size',
        'a               0  u8         1',
        '(padding)       1             3',
        'pos.x           4  f32        4',
        'pos.y           8  f32        4',
        'tags           12  u16[2]     4',
      ].join('\n'),
    );
  });
  it('refuses what C could not lay out, or a view could not name, with the contract code', () => {
    expect(code(() => defineLayout({}))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(code(() => defineLayout({ a: 'f16' as 'f32' }))).toMatchObject({
      name: 'TypeError',
      code: ErrorCode.INVALID_ARGUMENT,
      message: expect.stringContaining('field a'),
    });
    expect(code(() => defineLayout({ clear: 'u8' }))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(code(() => defineLayout({ memory: 'u8' }))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(code(() => defineLayout({ '1': 'u8' }))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(code(() => defineLayout(null as never))).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(code(() => array('u8', 0))).toMatchObject({
      name: 'RangeError',
      code: ErrorCode.INVALID_ARGUMENT,
      message: expect.stringContaining('array length'),
    });
    expect(code(() => array('str' as 'u8', 2))).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
  });
  it('refuses an alignment above MAX_ALIGN, below the fields, or not a power of two', () => {
    for (const align of [8192, 2, 24, 0.5]) {
      expect(code(() => defineLayout({ a: 'f64' }, { align }))).toMatchObject({
        name: 'RangeError',
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining('options.align'),
      });
    }
  });
});

describe('views', () => {
  const memory = new ArrayBuffer(HEADER_BYTES + 4 * Order.byteSize);
  const o = Order.view(memory);
  const handles = [0, 1, 2, 3].map((i) => HEADER_BYTES + i * Order.byteSize);

  it('are made once per memory', () => {
    expect(Order.view(memory)).toBe(o);
    expect(o.memory).toBe(memory);
  });
  it('round-trip every field, nested and array fields included, with bigints for 64-bit integers', () => {
    handles.forEach((h, i) => {
      o.price.set(h, 100.25 + i);
      o.quantity.set(h, -i);
      o.id.set(h, 4_000_000_000 + i);
      o.side.set(h, i);
      for (let j = 0; j < 3; j++) o.tags.set(h, j, 10 * i + j);
      o.pos.x.set(h, 0.5 + i);
      o.pos.y.set(h, -0.5 - i);
      o.big.set(h, 2n ** 64n - 1n - BigInt(i));
      o.delta.set(h, -(2n ** 63n) + BigInt(i));
      o.small.set(h, -32768 + i);
    });
    handles.forEach((h, i) => {
      expect(Order.toObject(memory, h)).toEqual({
        price: 100.25 + i,
        quantity: -i,
        id: 4_000_000_000 + i,
        side: i,
        tags: [10 * i, 10 * i + 1, 10 * i + 2],
        pos: { x: 0.5 + i, y: -0.5 - i },
        big: 2n ** 64n - 1n - BigInt(i),
        delta: -(2n ** 63n) + BigInt(i),
        small: -32768 + i,
      });
    });
  });
  it('write exactly where C would', () => {
    const h = handles[1]!;
    o.pos.y.set(h, 1.5);
    expect(new Float32Array(memory, h + 28, 1)[0]).toBe(1.5);
    o.tags.set(h, 2, 0xab);
    expect(new Uint8Array(memory)[h + 23]).toBe(0xab);
    o.big.set(h, 0x0102030405060708n);
    expect(new DataView(memory).getBigUint64(h + 32, true)).toBe(0x0102030405060708n);
  });
  it('work over a SharedArrayBuffer', () => {
    const shared = new SharedArrayBuffer(256);
    const v = Order.view(shared);
    v.quantity.set(64, 3);
    expect(new Float64Array(shared)[9]).toBe(3);
  });
  it('refuse a handle whose field would be misaligned or outside memory, changing nothing', () => {
    const before = new Uint8Array(memory).slice();
    for (const bad of [handles[0]! + 4, handles[0]! + 0.5, memory.byteLength, -8, NaN]) {
      expect(code(() => o.price.get(bad))).toMatchObject({
        name: 'RangeError',
        code: ErrorCode.INVALID_HANDLE,
        message: expect.stringContaining('Order.price'),
      });
      expect(code(() => o.price.set(bad, 1))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_HANDLE });
    }
    expect(code(() => o.id.set(handles[0]! + 2, 1))).toMatchObject({ code: ErrorCode.INVALID_HANDLE });
    expect(code(() => o.big.set(handles[0]! + 4, 1n))).toMatchObject({ code: ErrorCode.INVALID_HANDLE });
    expect(new Uint8Array(memory)).toEqual(before);
  });
  it('refuse an array index outside the array', () => {
    for (const bad of [3, -1, 1.5, NaN]) {
      expect(code(() => o.tags.get(handles[0]!, bad))).toMatchObject({
        name: 'RangeError',
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining('Order.tags index'),
      });
      expect(code(() => o.tags.set(handles[0]!, bad, 1))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
    }
  });
  it('fail loudly with ERR_MEMPOOL_DESTROYED once the memory is detached', () => {
    const m = new ArrayBuffer(256);
    const v = Order.view(m);
    v.price.set(64, 1);
    detach(m);
    expect(code(() => v.price.get(64))).toMatchObject({
      name: 'Error',
      code: ErrorCode.DESTROYED,
      message: 'Order.price.get() called after destroy()',
    });
    expect(code(() => v.pos.x.set(64, 1))).toMatchObject({ code: ErrorCode.DESTROYED });
    expect(code(() => v.tags.get(64, 0))).toMatchObject({ code: ErrorCode.DESTROYED });
    expect(code(() => v.clear(64))).toMatchObject({ code: ErrorCode.DESTROYED });
    expect(code(() => Order.view(m))).toMatchObject({ code: ErrorCode.DESTROYED });
  });
  it('refuse a memory that is not a buffer', () => {
    expect(code(() => Order.view(new Uint8Array(8) as never))).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
  });
});

describe('clear', () => {
  const Small = defineLayout({ a: 'u8', b: 'u8', c: 'u8' }, { name: 'Small' });
  const Big = defineLayout({ words: array('u32', 100) }, { name: 'Big' });
  for (const layout of [Order, Small, Big, Vec2]) {
    it(`${layout.name}: zeroes count records and nothing around them`, () => {
      const memory = new ArrayBuffer(HEADER_BYTES + 6 * layout.byteSize);
      new Uint8Array(memory).fill(0xee);
      const h = HEADER_BYTES + layout.byteSize;
      layout.clear(memory, h);
      layout.view(memory).clear(h + 2 * layout.byteSize, 2);
      const bytes = new Uint8Array(memory);
      const zeroed = (i: number) => (i >= h && i < h + layout.byteSize) || (i >= h + 2 * layout.byteSize && i < h + 4 * layout.byteSize);
      const wrong = bytes.findIndex((b, i) => b !== (zeroed(i) ? 0 : 0xee));
      expect(wrong).toBe(-1);
      layout.clear(memory, h, 0);
      expect(bytes[h + layout.byteSize]).toBe(0xee);
    });
  }
  it('refuses records outside memory, misaligned, in the header, or a bad count, changing nothing', () => {
    const memory = new ArrayBuffer(HEADER_BYTES + 2 * Order.byteSize);
    new Uint8Array(memory).fill(1);
    const v = Order.view(memory);
    expect(code(() => v.clear(HEADER_BYTES + Order.byteSize, 2))).toMatchObject({ code: ErrorCode.INVALID_HANDLE });
    expect(code(() => v.clear(HEADER_BYTES + 4))).toMatchObject({ code: ErrorCode.INVALID_HANDLE });
    expect(code(() => v.clear(0))).toMatchObject({ code: ErrorCode.INVALID_HANDLE });
    expect(code(() => v.clear(HEADER_BYTES, -1))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(code(() => v.clear(HEADER_BYTES, 0.5))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(new Uint8Array(memory).every((b) => b === 1)).toBe(true);
  });
});

describe('the scalar table', () => {
  it('gives every scalar its C size, its typed array and what it reads', () => {
    const Every = defineLayout({
      f64: 'f64',
      f32: 'f32',
      u32: 'u32',
      i32: 'i32',
      u16: 'u16',
      i16: 'i16',
      u8: 'u8',
      i8: 'i8',
      u64: 'u64',
      i64: 'i64',
    });
    const memory = new ArrayBuffer(HEADER_BYTES + Every.byteSize);
    const view = Every.view(memory) as unknown as Record<string, { set(h: number, v: unknown): void; get(h: number): unknown }>;
    for (const [type, row] of Object.entries(SCALARS)) {
      expect([type, new row.view(8).BYTES_PER_ELEMENT]).toEqual([type, row.size]);
      const value = row.value === 'bigint' ? -1n : -1;
      view[type]!.set(HEADER_BYTES, value);
      const expected = new row.view(memory, HEADER_BYTES + Every.offsets[type as keyof typeof Every.offsets], 1)[0];
      expect([type, view[type]!.get(HEADER_BYTES)]).toEqual([type, expected]);
      expect(typeof view[type]!.get(HEADER_BYTES)).toBe(row.value);
    }
  });
});

describe('hostile field types', () => {
  it('an ArrayType made by hand with a negative, fractional or huge length, or a bad type, is refused at definition', () => {
    const forge = (type: unknown, length: unknown) => Object.assign(Object.create(ArrayType.prototype), { type, length }) as ArrayType;
    for (const length of [-3, 0, 1.5, NaN, 2 ** 33, '4']) {
      expect(code(() => defineLayout({ a: 'u8', tags: forge('u8', length) }))).toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
        message: expect.stringContaining('array length'),
      });
    }
    expect(code(() => defineLayout({ tags: forge('f16', 2) }))).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(code(() => new ArrayType('u8', -1))).toMatchObject({ name: 'RangeError', code: ErrorCode.INVALID_ARGUMENT });
  });
  it('an ArrayType cannot be changed after the layout took it', () => {
    const tags = array('u8', 2);
    const L = defineLayout({ tags, after: 'u8' });
    expect(() => Object.assign(tags, { length: 100 })).toThrow(TypeError);
    expect([L.byteSize, L.view(new ArrayBuffer(128)).tags.length]).toEqual([3, 2]);
  });
  it('a forged nested layout (the prototype of one, with sizes nothing checked) is refused', () => {
    const forged = Object.create(Layout.prototype, { byteSize: { value: -16 }, align: { value: 8 }, name: { value: 'x' } });
    expect(code(() => defineLayout({ a: 'u8', inner: forged }))).toMatchObject({ name: 'TypeError', code: ErrorCode.INVALID_ARGUMENT });
    expect(Layout.isLayout(forged)).toBe(false);
    expect(Layout.isLayout(Order)).toBe(true);
  });
});
