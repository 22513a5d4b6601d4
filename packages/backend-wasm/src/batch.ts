import { checkInteger, invalidType } from '@mempool/api';

// The intrinsic getters of %TypedArray%.prototype, taken once at import and called without a
// lookup on the argument: a Proxy, an object that only inherits from a typed array's prototype,
// or a subclass that overrides `length` or `Symbol.toStringTag` cannot change what they report.
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const uncurry = Function.prototype.call.bind(Function.prototype.call) as <T>(getter: () => T, self: unknown) => T;
const intrinsicGetter = <T>(key: PropertyKey): (() => T) => Object.getOwnPropertyDescriptor(typedArrayPrototype, key)!.get as () => T;
const typedArrayName = intrinsicGetter<string | undefined>(Symbol.toStringTag);
const typedArrayLength = intrinsicGetter<number>('length');

/**
 * `allocMany`'s or `freeMany`'s batch: a genuine `Uint32Array` or `Float64Array` (subclasses
 * included) and a count from 0 to its real length. Once it passes, reading or writing its entries
 * runs no user code (a typed array's indexed elements are never looked up on its prototype), so
 * nothing can change the allocator between this check and the engine's commit.
 */
export function batchCount(name: string, array: unknown, count: unknown): number {
  const kind = uncurry(typedArrayName, array);
  if (kind !== 'Uint32Array' && kind !== 'Float64Array') {
    throw invalidType(name, 'a Uint32Array or a Float64Array (a genuine one: not a Proxy or a look-alike)', array);
  }
  const length = uncurry(typedArrayLength, array);
  return count === undefined ? length : checkInteger('count', count, 0, length);
}
