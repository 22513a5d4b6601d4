import { destroyed, HEADER_BYTES, invalidHandle, invalidRange, invalidType } from '@mempool/base';
import type { Words } from './words.js';

/*
 * What the generated accessors (accessors.generated.ts) are, and the errors they throw. The errors
 * are built here, on the failure path only, so an accessor's body is its checks and one typed-array
 * access: `typeof`, `<` and `&` on a handle the JIT already knows is a number cost nothing measurable.
 */

/** Reads and writes one scalar field of the record at `handle`. `In` is what `set` takes. */
export interface ScalarAccessor<V, In = V> {
  get(handle: number): V;
  set(handle: number, value: In): void;
}

/** Reads and writes element `index` (0 to `length - 1`) of an array field of the record at `handle`. */
export interface ArrayAccessor<V, In = V> {
  readonly length: number;
  get(handle: number, index: number): V;
  set(handle: number, index: number, value: In): void;
}

/** `clear(handle, count = 1)`: zeroes `count` consecutive records at `handle`. */
export type Clear = (handle: number, count?: number) => void;

/**
 * The rule a handle breaks: a record starts on a multiple of its alignment, past the reserved
 * header (which no allocator hands out), with `what` inside memory.
 */
function handleRule(w: Words, align: number, what: string): string {
  return `a multiple of ${align} from ${Math.max(HEADER_BYTES, align)} with ${what} inside memory (${w.byteLength} bytes)`;
}

/** The error of an access that found no element: detached memory, a handle or index that names none. */
export function accessError(
  w: Words,
  align: number,
  path: string,
  method: 'get' | 'set',
  handle: unknown,
  index: unknown = 0,
  length = 1,
): Error {
  if (w.u8.length === 0) return destroyed(path, method);
  if (typeof handle !== 'number') return invalidType(`${path} handle`, 'a number', handle);
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= length) return indexError(path, length, index);
  return invalidHandle(`${path} handle`, handleRule(w, align, path), handle);
}

export function indexError(path: string, length: number, index: unknown): Error {
  if (typeof index !== 'number') return invalidType(`${path} index`, 'a number', index);
  return invalidRange(`${path} index`, `an integer from 0 to ${length - 1}`, index);
}

/** A value of the wrong kind for a `number` field. */
export function numberError(path: string, value: unknown): Error {
  return invalidType(`${path} value`, 'a number', value);
}

/**
 * A 64-bit field's value given as a number: converted when it is a safe integer (every one of
 * them has an exact bigint), refused otherwise, so `set(h, 2 ** 60 + 1)` cannot store a rounded value.
 */
export function bigintOf(path: string, value: unknown): bigint {
  if (Number.isSafeInteger(value)) return BigInt(value as number);
  if (typeof value === 'number') return throwing(invalidRange(`${path} value`, 'a bigint or a safe integer', value));
  return throwing(invalidType(`${path} value`, 'a bigint or a safe integer', value));
}

function throwing(error: Error): never {
  throw error;
}

export function clearError(w: Words, align: number, path: string, handle: unknown, count: unknown): Error {
  if (w.u8.length === 0) return destroyed(path, 'clear');
  if (typeof count !== 'number') return invalidType('count', 'a number', count);
  if (!Number.isInteger(count) || count < 0) return invalidRange('count', 'a non-negative integer', count);
  if (typeof handle !== 'number') return invalidType(`${path} handle`, 'a number', handle);
  return invalidHandle(`${path} handle`, handleRule(w, align, `every ${path} record`), handle);
}
