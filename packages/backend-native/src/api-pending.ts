// What this package needs from @mempool/api before @mempool/api has it: the detached-memory code,
// the unbound-method error, the bookkeeping out-of-memory message and the
// brand check of batches (checkBatch reads `length` through a Proxy's traps today). Each is
// built the way packages/api/src/errors.ts builds its errors; once @mempool/api exports them,
// import them from there and delete this file.
import { checkBatch, invalidRange, invalidType, type ErrorCode, type HandleArray, type MempoolError } from '@mempool/api';

/** `ErrorCode.DETACHED`: `memory` was detached by other code while the allocator lives. */
export const DETACHED = 'ERR_MEMPOOL_DETACHED';

function withCode<E extends Error>(error: E, code: string): MempoolError<E> {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  return error as MempoolError<E>;
}

/** Any call but `destroy()` after other code detached `memory` (a transfer, a BYOB stream read). */
export function detached(what: string, method: string): MempoolError {
  return withCode(
    new Error(
      `${what}.${method}() called after its memory was detached by other code (a transfer or a BYOB read): its handles have nowhere to point`,
    ),
    DETACHED,
  );
}

/** A method called on something that is not its allocator (`handles.forEach(pool.free)`). */
export function unbound(what: string, method: string, self: unknown): MempoolError<TypeError> {
  return invalidType(`this of ${what}.${method}()`, `a ${what} (call it as a method, or bind it)`, self);
}

/** The C library refused its bookkeeping (the memory itself was reserved). */
export function bookkeepingOutOfMemory(bytes: number, memoryBytes: number): MempoolError<RangeError> {
  return withCode(
    new RangeError(
      `could not reserve ${bytes} bytes of bookkeeping (the C library's free stack and live epochs, beside the ${memoryBytes} bytes of memory): the system refused them`,
    ),
    'ERR_MEMPOOL_OUT_OF_MEMORY' satisfies ErrorCode,
  );
}

// The intrinsic %TypedArray%.prototype getters: they read a typed array's own internal slots, so
// neither a Proxy's traps nor a subclass's `length` getter run (and they throw for anything else).
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (key: PropertyKey) => Object.getOwnPropertyDescriptor(typedArrayPrototype, key)!.get!;
const tagOf = intrinsic(Symbol.toStringTag) as (this: unknown) => string | undefined;
const lengthOf = intrinsic('length') as (this: HandleArray) => number;

/**
 * checkBatch for a genuine Uint32Array or Float64Array only: a Proxy is refused with a TypeError
 * ERR_MEMPOOL_INVALID_ARGUMENT before any trap can run, and a subclass's lying `length` is not
 * believed (the count defaults to the real length).
 */
export function checkGenuineBatch(name: string, array: unknown, count: unknown, memoryBytes: number): number {
  const tag = tagOf.call(array);
  if (tag !== 'Uint32Array' && tag !== 'Float64Array') {
    // An object is described without reading it (a Proxy's traps would run).
    const shown = typeof array === 'object' && array !== null ? Object.create(null) : array;
    throw invalidType(name, 'a Uint32Array or a Float64Array (not a Proxy or another look-alike)', shown);
  }
  const length = lengthOf.call(array as HandleArray);
  const n = checkBatch(name, array, count === undefined ? length : count, memoryBytes);
  if (n > length) throw invalidRange('count', `an integer from 0 to ${length} (the array's length)`, n);
  return n;
}
