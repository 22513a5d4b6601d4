import { checkInteger, invalidType, MAX_MEMORY_BYTES } from '@mempool/base';

/**
 * The scalar types, one row each, in one table: `size` (bytes, and the alignment, as C lays
 * scalars out), `view` (the typed array that reads it) and `value` (what a field of it reads).
 * `words.ts` makes the typed views from it, the layout rules take sizes from it, and
 * `scripts/accessors.mjs` renders `accessors.generated.ts` (one accessor factory per row) from it.
 * `clears`: the row whose view zeroes records of that word size (a `bigint` store would allocate).
 */
export const SCALARS = {
  f64: { size: 8, view: Float64Array, value: 'number', clears: true },
  f32: { size: 4, view: Float32Array, value: 'number', clears: false },
  u32: { size: 4, view: Uint32Array, value: 'number', clears: true },
  i32: { size: 4, view: Int32Array, value: 'number', clears: false },
  u16: { size: 2, view: Uint16Array, value: 'number', clears: true },
  i16: { size: 2, view: Int16Array, value: 'number', clears: false },
  u8: { size: 1, view: Uint8Array, value: 'number', clears: true },
  i8: { size: 1, view: Int8Array, value: 'number', clears: false },
  u64: { size: 8, view: BigUint64Array, value: 'bigint', clears: false },
  i64: { size: 8, view: BigInt64Array, value: 'bigint', clears: false },
} as const;

export type ScalarType = keyof typeof SCALARS;

/** What a scalar field reads: a number, or a bigint for the 64-bit integers. */
export type ScalarValues = { [T in ScalarType]: (typeof SCALARS)[T]['value'] extends 'bigint' ? bigint : number };

/** What a scalar field takes: what it reads, and for the 64-bit integers also a safe integer. */
export type ScalarInputs = { [T in ScalarType]: (typeof SCALARS)[T]['value'] extends 'bigint' ? bigint | number : number };

/** Bytes of each scalar type; every scalar is aligned to its size, as C lays it out. */
export const SCALAR_SIZES = Object.freeze(
  Object.fromEntries(Object.entries(SCALARS).map(([type, row]) => [type, row.size])) as {
    readonly [T in ScalarType]: (typeof SCALARS)[T]['size'];
  },
);

export const isScalarType = (value: unknown): value is ScalarType => typeof value === 'string' && Object.hasOwn(SCALARS, value);

export const SCALAR_LIST = Object.keys(SCALARS).join(', ');

/**
 * A fixed-length array field (C's `uint8_t tags[4]`): made by {@link array}. Checked and frozen
 * when made, and made again from its `type` and `length` when a layout takes it, so neither one
 * built by hand nor one changed later can give a field a negative or fractional size.
 */
export class ArrayType<T extends ScalarType = ScalarType> {
  readonly type: T;
  readonly length: number;
  constructor(type: T, length: number) {
    if (!isScalarType(type)) throw invalidType('array type', `one of ${SCALAR_LIST}`, type);
    checkInteger('array length', length, 1, Math.floor(MAX_MEMORY_BYTES / SCALARS[type].size));
    this.type = type;
    this.length = length;
    Object.freeze(this);
  }
}

/** `array('u8', 4)`: `length` elements of a scalar type, laid out as C lays out `uint8_t x[4]`. */
export function array<T extends ScalarType>(type: T, length: number): ArrayType<T> {
  return new ArrayType(type, length);
}
