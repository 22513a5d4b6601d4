import { checkAlign, checkInteger, isAlign } from '@mempool/base/numbers';
import { DEFAULT_ALIGN, HEADER_BYTES, MAX_CAPACITY } from './constants.js';
import { describeValue, invalidRange, invalidType, invalidTypeDescribed } from './errors.js';

// The two number checks live in @mempool/base, where @mempool/layout uses them too.
export { checkAlign, checkInteger, isAlign };

/** `undefined` or a plain options object. */
function checkOptions(name: string, value: unknown): { align?: unknown } {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidType(name, 'an object or undefined', value);
  }
  return value as { align?: unknown };
}

export const roundUp = (value: number, align: number): number => Math.ceil(value / align) * align;

/** The geometry of a fixed pool, derived once and identical on every backend. */
export interface FixedPoolGeometry {
  readonly objectSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly slotSize: number;
  readonly dataOffset: number;
  /** `dataOffset + capacity * slotSize`: the bytes of `memory` that hold the header and the slots. */
  readonly byteLength: number;
}

/** Checks `createFixedPool`'s arguments against a backend's limit and lays the pool out. */
export function fixedPoolGeometry(objectSize: unknown, capacity: unknown, options: unknown, maxMemoryBytes: number): FixedPoolGeometry {
  const size = checkInteger('objectSize', objectSize, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
  const count = checkInteger('capacity', capacity, 1, MAX_CAPACITY, `an integer from 1 to ${MAX_CAPACITY}`);
  const align = checkAlign('options.align', checkOptions('options', options).align);
  const slotSize = roundUp(size, align);
  const dataOffset = Math.max(HEADER_BYTES, align);
  const byteLength = dataOffset + count * slotSize;
  if (byteLength > maxMemoryBytes) {
    throw invalidRange(
      'objectSize * capacity',
      `at most ${maxMemoryBytes - dataOffset} bytes of slots on this backend (slotSize ${slotSize} x capacity ${count})`,
      count * slotSize,
    );
  }
  return { objectSize: size, capacity: count, align, slotSize, dataOffset, byteLength };
}

/** The geometry of an arena, derived once and identical on every backend. */
export interface ArenaGeometry {
  readonly bufferSize: number;
  readonly align: number;
  readonly dataOffset: number;
  /** `dataOffset + bufferSize`. */
  readonly byteLength: number;
}

/** Checks `createArena`'s arguments against a backend's limit and lays the arena out. */
export function arenaGeometry(bufferSize: unknown, options: unknown, maxMemoryBytes: number): ArenaGeometry {
  const align = checkAlign('options.align', checkOptions('options', options).align);
  const dataOffset = Math.max(HEADER_BYTES, align);
  const size = checkInteger(
    'bufferSize',
    bufferSize,
    1,
    maxMemoryBytes - dataOffset,
    `an integer from 1 to ${maxMemoryBytes - dataOffset} on this backend`,
  );
  return { bufferSize: size, align, dataOffset, byteLength: dataOffset + size };
}

/** `Arena.alloc`'s size: a positive safe integer (larger than the arena just fails with 0). */
export function checkAllocSize(size: unknown): number {
  return checkInteger('size', size, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
}

/**
 * `Arena.alloc(size, align)`'s arguments: valid ones cost two comparisons, the full checks run only
 * for the others. `EngineArena.alloc` tests valid arguments inline and calls this for the rest.
 */
export function checkArenaAlloc(size: unknown, align: unknown): void {
  if (!(Number.isSafeInteger(size) && (size as number) >= 1)) checkAllocSize(size);
  if (align !== DEFAULT_ALIGN) checkAlign('align', align);
}

// The intrinsic getters of %TypedArray%.prototype, taken once at load: they read an array's
// internal slots, so neither a Proxy (which has none) nor a subclass overriding `length` can fake
// them, and calling them runs no user code.
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsicGetter = (key: PropertyKey) => Object.getOwnPropertyDescriptor(typedArrayPrototype, key)!.get!;
const typedArrayKind = intrinsicGetter(Symbol.toStringTag) as (this: unknown) => string | undefined;
const typedArrayLength = intrinsicGetter('length') as (this: unknown) => number;

/** How a refused batch reads in a message, found without running any of its code. */
function describeBatch(array: unknown): string {
  const kind = typedArrayKind.call(array);
  if (kind !== undefined) return `a ${kind}`;
  if (typeof array !== 'object' || array === null) return describeValue(array);
  try {
    return Array.isArray(array) ? 'an Array' : 'an object that is not a typed array';
  } catch {
    return 'a revoked Proxy'; // the one object Array.isArray throws on
  }
}

/**
 * `allocMany`'s or `freeMany`'s batch: a genuine `Uint32Array` or `Float64Array` (a Proxy around
 * one, or a subclass with a lying `length`, cannot pass: see the getters above), and a count from
 * 0 to its real length. A `Uint32Array` cannot hold handles of a memory past 4 GiB. No user code
 * runs here, and none can run while the backend then reads each entry of a genuine typed array
 * once, so nothing can change the allocator between this check and the batch's commit.
 */
export function checkBatch(name: string, array: unknown, count: unknown, memoryBytes: number): number {
  const kind = typedArrayKind.call(array);
  if (kind !== 'Uint32Array' && kind !== 'Float64Array') {
    throw invalidTypeDescribed(name, 'a Uint32Array or a Float64Array', describeBatch(array));
  }
  if (kind === 'Uint32Array' && memoryBytes > 2 ** 32) {
    throw invalidTypeDescribed(name, 'a Float64Array for a memory past 4 GiB', 'a Uint32Array');
  }
  const length = typedArrayLength.call(array);
  return count === undefined ? length : checkInteger('count', count, 0, length);
}
