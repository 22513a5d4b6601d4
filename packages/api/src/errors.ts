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
   * Not in the contract's table: only the wasm backend can raise it, when a program wrote past the
   * data region into the pool's bookkeeping (which shares the wasm memory) and the pool refuses to
   * act on what it finds there rather than trap.
   */
  CORRUPTED: 'ERR_MEMPOOL_CORRUPTED',
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
  if (Array.isArray(value)) return 'an Array';
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : 'an object';
}

/** `name must <rule>, got <value>`: the wrong kind of value. */
export function invalidType(name: string, rule: string, value: unknown): MempoolError<TypeError> {
  return withCode(new TypeError(`${name} must be ${rule}, got ${describeValue(value)}`), ErrorCode.INVALID_ARGUMENT);
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
  return withCode(
    new Error(`${name} must be a live allocation, got ${handle}: that slot is already free`),
    ErrorCode.DOUBLE_FREE,
  );
}

/** Any call but `destroy()` after `destroy()`. */
export function destroyed(what: string, method: string): MempoolError {
  return withCode(new Error(`${what}.${method}() called after destroy()`), ErrorCode.DESTROYED);
}

/** The engine or the system refused the memory. */
export function outOfMemory(bytes: number, cause?: unknown): MempoolError<RangeError> {
  const error = new RangeError(
    `could not reserve ${bytes} bytes: the engine or the system refused the memory`,
    cause === undefined ? undefined : { cause },
  );
  return withCode(error, ErrorCode.OUT_OF_MEMORY);
}

/** The allocator's bookkeeping was overwritten from outside (wasm only: see `ErrorCode.CORRUPTED`). */
export function corrupted(name: string, handle: number): MempoolError {
  return withCode(
    new Error(`${name} ${handle} was not freed: the pool's bookkeeping after its last slot in memory was overwritten`),
    ErrorCode.CORRUPTED,
  );
}

/** A shared allocator's call that needs quiescence found other calls in flight (see contract.ts). */
export function busy(what: string, method: string, why: string): MempoolError {
  return withCode(new Error(`${what}.${method}() refused: ${why}; it needs no other call in flight`), ErrorCode.BUSY);
}
