import { MAX_MEMORY_BYTES } from '../constants.js';
import { checkInteger } from '../checks.js';
import { invalidType } from '../errors.js';

/** Bytes of each scalar type; every scalar is aligned to its size, as C lays it out. */
export const SCALAR_SIZES = { f64: 8, f32: 4, u32: 4, i32: 4, u16: 2, i16: 2, u8: 1, i8: 1, u64: 8, i64: 8 } as const;

/** What a scalar field reads and takes: a number, or a bigint for the 64-bit integers. */
export interface ScalarValues {
  f64: number;
  f32: number;
  u32: number;
  i32: number;
  u16: number;
  i16: number;
  u8: number;
  i8: number;
  u64: bigint;
  i64: bigint;
}

export type ScalarType = keyof typeof SCALAR_SIZES;

export const isScalarType = (value: unknown): value is ScalarType =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(SCALAR_SIZES, value);

const SCALAR_LIST = Object.keys(SCALAR_SIZES).join(', ');

/** A fixed-length array field (C's `uint8_t tags[4]`): made by {@link array}. */
export class ArrayType<T extends ScalarType = ScalarType> {
  readonly type: T;
  readonly length: number;
  /** @internal use {@link array}. */
  constructor(type: T, length: number) {
    this.type = type;
    this.length = length;
  }
}

/** `array('u8', 4)`: `length` elements of a scalar type, laid out as C lays out `uint8_t x[4]`. */
export function array<T extends ScalarType>(type: T, length: number): ArrayType<T> {
  if (!isScalarType(type)) throw invalidType('array type', `one of ${SCALAR_LIST}`, type);
  const max = Math.floor(MAX_MEMORY_BYTES / SCALAR_SIZES[type]);
  checkInteger('array length', length, 1, max);
  return new ArrayType(type, length);
}

export { SCALAR_LIST };
