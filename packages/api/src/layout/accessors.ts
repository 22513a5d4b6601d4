import { HEADER_BYTES } from '../constants.js';
import { destroyed, invalidHandle, invalidRange, invalidType } from '../errors.js';
import type { ScalarType, ScalarValues } from './scalars.js';
import type { Words } from './words.js';

/**
 * Field accessors: one closure per field over the memory's typed array, holding the field's element
 * offset `k`, so a read is `a[handle / size + k]`, what one writes by hand.
 *
 * Why one factory per scalar type, written out rather than generated: closures made by the same
 * function literal share their inline caches, so a shared factory would see every element kind at
 * its `a[i]` and go polymorphic; `new Function` would not run under a browser's CSP.
 *
 * Failing loudly at no cost: a typed array reads `undefined` outside its length (after `destroy()`
 * detached the memory, a handle past the end) and at a fractional index (a handle that is not a
 * multiple of the field's size). The JIT proves `v === undefined` false for in-bounds loads, so the
 * check costs nothing until the bad access happens; a write checks the same element first.
 */

/** Reads and writes one scalar field of the record at `handle`. */
export interface ScalarAccessor<V> {
  get(handle: number): V;
  set(handle: number, value: V): void;
}

/** Reads and writes element `index` (0 to `length - 1`) of an array field of the record at `handle`. */
export interface ArrayAccessor<V> {
  readonly length: number;
  get(handle: number, index: number): V;
  set(handle: number, index: number, value: V): void;
}

/** The error of an access that found no element: detached memory, or a handle that names no record. */
function accessError(words: Words, path: string, method: 'get' | 'set', size: number, handle: unknown, index = 0, length = 1): Error {
  if (words.u8.length === 0) return destroyed(path, method);
  if (!Number.isInteger(index)) return indexError(path, length, index);
  if (typeof handle !== 'number') return invalidType('handle', 'a number', handle);
  return invalidHandle('handle', `a multiple of ${size} with ${path} inside memory (${words.byteLength} bytes)`, handle);
}

function indexError(path: string, length: number, index: unknown): Error {
  if (typeof index !== 'number') return invalidType(`${path} index`, 'a number', index);
  return invalidRange(`${path} index`, `an integer from 0 to ${length - 1}`, index);
}

function f64Field(w: Words, offset: number, path: string): ScalarAccessor<number> {
  const a = w.f64;
  const k = offset / 8;
  return {
    get: (h: number): number => {
      const v = a[h / 8 + k];
      if (v === undefined) throw accessError(w, path, 'get', 8, h);
      return v;
    },
    set: (h: number, value: number): void => {
      const i = h / 8 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 8, h);
      a[i] = value;
    },
  };
}

function f64Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<number> {
  const a = w.f64;
  const k = offset / 8;
  return {
    length,
    get: (h: number, j: number): number => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 8 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 8, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: number): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 8 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 8, h, j, length);
      a[i] = value;
    },
  };
}

function f32Field(w: Words, offset: number, path: string): ScalarAccessor<number> {
  const a = w.f32;
  const k = offset / 4;
  return {
    get: (h: number): number => {
      const v = a[h / 4 + k];
      if (v === undefined) throw accessError(w, path, 'get', 4, h);
      return v;
    },
    set: (h: number, value: number): void => {
      const i = h / 4 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 4, h);
      a[i] = value;
    },
  };
}

function f32Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<number> {
  const a = w.f32;
  const k = offset / 4;
  return {
    length,
    get: (h: number, j: number): number => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 4 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 4, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: number): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 4 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 4, h, j, length);
      a[i] = value;
    },
  };
}

function u32Field(w: Words, offset: number, path: string): ScalarAccessor<number> {
  const a = w.u32;
  const k = offset / 4;
  return {
    get: (h: number): number => {
      const v = a[h / 4 + k];
      if (v === undefined) throw accessError(w, path, 'get', 4, h);
      return v;
    },
    set: (h: number, value: number): void => {
      const i = h / 4 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 4, h);
      a[i] = value;
    },
  };
}

function u32Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<number> {
  const a = w.u32;
  const k = offset / 4;
  return {
    length,
    get: (h: number, j: number): number => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 4 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 4, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: number): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 4 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 4, h, j, length);
      a[i] = value;
    },
  };
}

function i32Field(w: Words, offset: number, path: string): ScalarAccessor<number> {
  const a = w.i32;
  const k = offset / 4;
  return {
    get: (h: number): number => {
      const v = a[h / 4 + k];
      if (v === undefined) throw accessError(w, path, 'get', 4, h);
      return v;
    },
    set: (h: number, value: number): void => {
      const i = h / 4 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 4, h);
      a[i] = value;
    },
  };
}

function i32Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<number> {
  const a = w.i32;
  const k = offset / 4;
  return {
    length,
    get: (h: number, j: number): number => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 4 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 4, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: number): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 4 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 4, h, j, length);
      a[i] = value;
    },
  };
}

function u16Field(w: Words, offset: number, path: string): ScalarAccessor<number> {
  const a = w.u16;
  const k = offset / 2;
  return {
    get: (h: number): number => {
      const v = a[h / 2 + k];
      if (v === undefined) throw accessError(w, path, 'get', 2, h);
      return v;
    },
    set: (h: number, value: number): void => {
      const i = h / 2 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 2, h);
      a[i] = value;
    },
  };
}

function u16Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<number> {
  const a = w.u16;
  const k = offset / 2;
  return {
    length,
    get: (h: number, j: number): number => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 2 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 2, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: number): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 2 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 2, h, j, length);
      a[i] = value;
    },
  };
}

function i16Field(w: Words, offset: number, path: string): ScalarAccessor<number> {
  const a = w.i16;
  const k = offset / 2;
  return {
    get: (h: number): number => {
      const v = a[h / 2 + k];
      if (v === undefined) throw accessError(w, path, 'get', 2, h);
      return v;
    },
    set: (h: number, value: number): void => {
      const i = h / 2 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 2, h);
      a[i] = value;
    },
  };
}

function i16Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<number> {
  const a = w.i16;
  const k = offset / 2;
  return {
    length,
    get: (h: number, j: number): number => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 2 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 2, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: number): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 2 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 2, h, j, length);
      a[i] = value;
    },
  };
}

function u8Field(w: Words, offset: number, path: string): ScalarAccessor<number> {
  const a = w.u8;
  const k = offset / 1;
  return {
    get: (h: number): number => {
      const v = a[h / 1 + k];
      if (v === undefined) throw accessError(w, path, 'get', 1, h);
      return v;
    },
    set: (h: number, value: number): void => {
      const i = h / 1 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 1, h);
      a[i] = value;
    },
  };
}

function u8Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<number> {
  const a = w.u8;
  const k = offset / 1;
  return {
    length,
    get: (h: number, j: number): number => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 1 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 1, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: number): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 1 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 1, h, j, length);
      a[i] = value;
    },
  };
}

function i8Field(w: Words, offset: number, path: string): ScalarAccessor<number> {
  const a = w.i8;
  const k = offset / 1;
  return {
    get: (h: number): number => {
      const v = a[h / 1 + k];
      if (v === undefined) throw accessError(w, path, 'get', 1, h);
      return v;
    },
    set: (h: number, value: number): void => {
      const i = h / 1 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 1, h);
      a[i] = value;
    },
  };
}

function i8Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<number> {
  const a = w.i8;
  const k = offset / 1;
  return {
    length,
    get: (h: number, j: number): number => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 1 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 1, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: number): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 1 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 1, h, j, length);
      a[i] = value;
    },
  };
}

function u64Field(w: Words, offset: number, path: string): ScalarAccessor<bigint> {
  const a = w.u64;
  const k = offset / 8;
  return {
    get: (h: number): bigint => {
      const v = a[h / 8 + k];
      if (v === undefined) throw accessError(w, path, 'get', 8, h);
      return v;
    },
    set: (h: number, value: bigint): void => {
      const i = h / 8 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 8, h);
      a[i] = value;
    },
  };
}

function u64Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<bigint> {
  const a = w.u64;
  const k = offset / 8;
  return {
    length,
    get: (h: number, j: number): bigint => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 8 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 8, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: bigint): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 8 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 8, h, j, length);
      a[i] = value;
    },
  };
}

function i64Field(w: Words, offset: number, path: string): ScalarAccessor<bigint> {
  const a = w.i64;
  const k = offset / 8;
  return {
    get: (h: number): bigint => {
      const v = a[h / 8 + k];
      if (v === undefined) throw accessError(w, path, 'get', 8, h);
      return v;
    },
    set: (h: number, value: bigint): void => {
      const i = h / 8 + k;
      if (a[i] === undefined) throw accessError(w, path, 'set', 8, h);
      a[i] = value;
    },
  };
}

function i64Array(w: Words, offset: number, length: number, path: string): ArrayAccessor<bigint> {
  const a = w.i64;
  const k = offset / 8;
  return {
    length,
    get: (h: number, j: number): bigint => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const v = a[h / 8 + k + j];
      if (v === undefined) throw accessError(w, path, 'get', 8, h, j, length);
      return v;
    },
    set: (h: number, j: number, value: bigint): void => {
      if (!(j >= 0 && j < length)) throw indexError(path, length, j);
      const i = h / 8 + k + j;
      if (a[i] === undefined) throw accessError(w, path, 'set', 8, h, j, length);
      a[i] = value;
    },
  };
}

type ScalarFactory<T extends ScalarType> = (w: Words, offset: number, path: string) => ScalarAccessor<ScalarValues[T]>;
type ArrayFactory<T extends ScalarType> = (w: Words, offset: number, length: number, path: string) => ArrayAccessor<ScalarValues[T]>;

export const SCALAR_ACCESSORS: { readonly [T in ScalarType]: ScalarFactory<T> } = {
  f64: f64Field,
  f32: f32Field,
  u32: u32Field,
  i32: i32Field,
  u16: u16Field,
  i16: i16Field,
  u8: u8Field,
  i8: i8Field,
  u64: u64Field,
  i64: i64Field,
};

export const ARRAY_ACCESSORS: { readonly [T in ScalarType]: ArrayFactory<T> } = {
  f64: f64Array,
  f32: f32Array,
  u32: u32Array,
  i32: i32Array,
  u16: u16Array,
  i16: i16Array,
  u8: u8Array,
  i8: i8Array,
  u64: u64Array,
  i64: i64Array,
};

/** Records shorter than this are zeroed word by word; longer ones by `Uint8Array.fill`. */
const FILL_FROM_BYTES = 256;

type Clear = (handle: number, count?: number) => void;

function clearError(w: Words, path: string, word: number, handle: number, count: unknown): Error {
  if (w.u8.length === 0) return destroyed(path, 'clear');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return invalidRange('count', 'a non-negative integer', count);
  if (typeof handle !== 'number') return invalidType('handle', 'a number', handle);
  return invalidHandle(
    'handle',
    `a multiple of ${word} from ${HEADER_BYTES} with every ${path} record inside memory (${w.byteLength} bytes)`,
    handle,
  );
}

/*
 * One clearer per word size, for the same reason as the accessors: each loop stores one element
 * kind. The checks index the word array rather than take `%` of the handle: a handle read from a
 * `Uint32Array` can be a double to the JIT, and `%` of a double is a call. `a[k]` is `undefined`
 * for a start outside memory or off the word (a fractional index), as in the accessors.
 */
function clear8(w: Words, base: number, byteSize: number, path: string): Clear {
  const { u8, f64 } = w;
  const words = byteSize / 8;
  const first = base / 8;
  return (h: number, count = 1): void => {
    const k = h / 8 + first;
    const end = k + words * count;
    if (!(h >= HEADER_BYTES && f64[k] !== undefined && end <= f64.length && Number.isInteger(count) && count >= 0)) {
      throw clearError(w, path, 8, h, count);
    }
    if (end - k > FILL_FROM_BYTES / 8) u8.fill(0, k * 8, end * 8);
    else for (let i = k; i < end; i++) f64[i] = 0;
  };
}

function clear4(w: Words, base: number, byteSize: number, path: string): Clear {
  const { u8, u32 } = w;
  const words = byteSize / 4;
  const first = base / 4;
  return (h: number, count = 1): void => {
    const k = h / 4 + first;
    const end = k + words * count;
    if (!(h >= HEADER_BYTES && u32[k] !== undefined && end <= u32.length && Number.isInteger(count) && count >= 0)) {
      throw clearError(w, path, 4, h, count);
    }
    if (end - k > FILL_FROM_BYTES / 4) u8.fill(0, k * 4, end * 4);
    else for (let i = k; i < end; i++) u32[i] = 0;
  };
}

function clear2(w: Words, base: number, byteSize: number, path: string): Clear {
  const { u8, u16 } = w;
  const words = byteSize / 2;
  const first = base / 2;
  return (h: number, count = 1): void => {
    const k = h / 2 + first;
    const end = k + words * count;
    if (!(h >= HEADER_BYTES && u16[k] !== undefined && end <= u16.length && Number.isInteger(count) && count >= 0)) {
      throw clearError(w, path, 2, h, count);
    }
    if (end - k > FILL_FROM_BYTES / 2) u8.fill(0, k * 2, end * 2);
    else for (let i = k; i < end; i++) u16[i] = 0;
  };
}

function clear1(w: Words, base: number, byteSize: number, path: string): Clear {
  const { u8 } = w;
  const words = byteSize;
  const first = base;
  return (h: number, count = 1): void => {
    const k = h + first;
    const end = k + words * count;
    if (!(h >= HEADER_BYTES && u8[k] !== undefined && end <= u8.length && Number.isInteger(count) && count >= 0)) {
      throw clearError(w, path, 1, h, count);
    }
    if (end - k > FILL_FROM_BYTES / 1) u8.fill(0, k, end);
    else for (let i = k; i < end; i++) u8[i] = 0;
  };
}

/**
 * `clear(handle, count = 1)`: zeroes `count` records of `byteSize` bytes at `handle + base`, in
 * the widest words the record's alignment allows. Refuses, changing nothing, a range that is not
 * inside memory past the header or not aligned to those words.
 */
export function recordClearer(w: Words, base: number, byteSize: number, align: number, path: string): Clear {
  const word = Math.min(align, 8);
  return (word === 8 ? clear8 : word === 4 ? clear4 : word === 2 ? clear2 : clear1)(w, base, byteSize, path);
}
