/** Every code a memory-pool-core error carries, on every backend. */
export const ErrorCode = {
  INVALID_ARGUMENT: 'ERR_MEMPOOL_INVALID_ARGUMENT',
  INVALID_HANDLE: 'ERR_MEMPOOL_INVALID_HANDLE',
  DOUBLE_FREE: 'ERR_MEMPOOL_DOUBLE_FREE',
  DESTROYED: 'ERR_MEMPOOL_DESTROYED',
  /** A shared allocator refused a call that needs quiescence while other calls were in flight. */
  BUSY: 'ERR_MEMPOOL_BUSY',
  OUT_OF_MEMORY: 'ERR_MEMPOOL_OUT_OF_MEMORY',
  /**
   * Reserved for a backend whose bookkeeping shares memory with user data and finds it overwritten.
   * No backend raises it today: js and C keep their bookkeeping in their own buffers, and the wasm
   * engine in a private memory that no write into `memory` (nor any batch array) can reach.
   */
  CORRUPTED: 'ERR_MEMPOOL_CORRUPTED',
  /**
   * Other code detached the allocator's `memory` (a transfer the platform could not refuse, a BYOB
   * stream read): every later call throws it rather than hand out handles into 0 bytes.
   */
  DETACHED: 'ERR_MEMPOOL_DETACHED',
  /**
   * A backend does not load on this runtime (its package is not installed, the runtime has no
   * working Node-API for the native addon, no addon fits the platform): the message names the
   * runtime and why. `loadBackend('auto')` passes over such a backend with that message.
   */
  UNAVAILABLE: 'ERR_MEMPOOL_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A built-in error with the contract's `code`. */
export type MempoolError<E extends Error = Error> = E & { readonly code: ErrorCode };

function withCode<E extends Error>(error: E, code: ErrorCode): MempoolError<E> {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  return error as MempoolError<E>;
}

/** How a value reads in a message: strings quoted, objects by their kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'function') return 'a function';
  try {
    if (Array.isArray(value)) return 'an Array';
    const name = (value as object).constructor?.name;
    return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
  } catch {
    return 'an object'; // a revoked Proxy, or a getter that throws: the message must not
  }
}

/** `name must <rule>, got <value>`: the wrong kind of value. */
export function invalidType(name: string, rule: string, value: unknown): MempoolError<TypeError> {
  return invalidTypeDescribed(name, rule, describeValue(value));
}

/** `invalidType` for a value already described (when describing it could run the value's code). */
export function invalidTypeDescribed(name: string, rule: string, description: string): MempoolError<TypeError> {
  return withCode(new TypeError(`${name} must be ${rule}, got ${description}`), ErrorCode.INVALID_ARGUMENT);
}

/** `name must <rule>, got <value>`: the right kind of value, out of its range. */
export function invalidRange(name: string, rule: string, value: unknown): MempoolError<RangeError> {
  return withCode(new RangeError(`${name} must be ${rule}, got ${describeValue(value)}`), ErrorCode.INVALID_ARGUMENT);
}

/** A number that names no live allocation (or no valid mark) of this allocator. */
export function invalidHandle(name: string, rule: string, value: unknown): MempoolError<RangeError> {
  return withCode(new RangeError(`${name} must be ${rule}, got ${describeValue(value)}`), ErrorCode.INVALID_HANDLE);
}

/** A slot handle of this pool whose slot is free. */
export function doubleFree(name: string, handle: number): MempoolError {
  return withCode(new Error(`${name} must be a live allocation, got ${handle}: that slot is already free`), ErrorCode.DOUBLE_FREE);
}

/** Any call but `destroy()` after `destroy()`. */
export function destroyed(what: string, method: string): MempoolError {
  return withCode(new Error(`${what}.${method}() called after destroy()`), ErrorCode.DESTROYED);
}

/** `memory` was detached by other code while the allocator lives. */
export function detached(what: string, method: string): MempoolError {
  return withCode(
    new Error(`${what}.${method}() called after its memory was detached by other code (a transfer or a BYOB read)`),
    ErrorCode.DETACHED,
  );
}

/**
 * A method called on something that is not its allocator, as `handles.forEach(pool.free)` does:
 * the method lost its `this`. Backends build it on their failure path only.
 */
export function unboundMethod(what: string, method: string, receiver: unknown): MempoolError<TypeError> {
  return invalidType(
    `the receiver of ${what}.${method}()`,
    `the ${what} it belongs to (call it as allocator.${method}(...) or pass allocator.${method}.bind(allocator))`,
    receiver,
  );
}

/**
 * The engine or the system refused the memory, or it is more than can be reserved. `bytes` is
 * everything the allocator needs, its own bookkeeping included; `detail` says what they are made of.
 */
export function outOfMemory(bytes: number, cause?: unknown, detail?: string): MempoolError<RangeError> {
  const error = new RangeError(
    `could not reserve ${bytes} bytes${detail ? ` (${detail})` : ''}: the engine or the system refused the memory`,
    cause === undefined ? undefined : { cause },
  );
  return withCode(error, ErrorCode.OUT_OF_MEMORY);
}

/** The allocator's bookkeeping was overwritten from outside (reserved: see `ErrorCode.CORRUPTED`). */
export function corrupted(name: string, handle: number): MempoolError {
  return withCode(
    new Error(`${name} ${handle} was not freed: the pool's bookkeeping after its last slot in memory was overwritten`),
    ErrorCode.CORRUPTED,
  );
}

/**
 * `@mempool/backend-<name>` does not load on `runtime` (see `ErrorCode.UNAVAILABLE`), or with
 * `name` undefined, none does; `why` says what failed.
 */
export function unavailable(name: string | undefined, runtime: string, why: string, cause?: unknown): MempoolError {
  const subject = name === undefined ? 'no backend loads' : `@mempool/backend-${name} does not load`;
  return withCode(new Error(`${subject} on ${runtime}: ${why}`, cause === undefined ? undefined : { cause }), ErrorCode.UNAVAILABLE);
}

/** A shared allocator's call that needs quiescence found other calls in flight (see contract.ts). */
export function busy(what: string, method: string, why: string): MempoolError {
  return withCode(new Error(`${what}.${method}() refused: ${why}; it needs no other call in flight`), ErrorCode.BUSY);
}
