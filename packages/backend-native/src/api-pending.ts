// What this package needs from @mempool/api before @mempool/api has it: the detached-memory code,
// the unbound-method error, the bookkeeping out-of-memory message and the `shared` option. Each is
// built the way packages/api/src/errors.ts builds its errors; once @mempool/api exports them,
// import them from there and delete this file.
import { invalidRange, invalidType, type ErrorCode, type MempoolError } from '@mempool/api';

/** `ErrorCode.DETACHED`: `memory` was detached by other code while the allocator lives. */
export const DETACHED = 'ERR_MEMPOOL_DETACHED';

function withCode<E extends Error>(error: E, code: string): MempoolError<E> {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  return error as MempoolError<E>;
}

/** Any call but `destroy()` after other code detached `memory` (a transfer, a BYOB stream read). */
export function detached(what: string, method: string): MempoolError {
  return withCode(
    new Error(`${what}.${method}() called after its memory was detached by other code (a transfer or a BYOB read): its handles have nowhere to point`),
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

/** The `shared` option of the contract's shared allocators. */
export interface SharedOption {
  readonly shared?: boolean;
}

/** `{ shared: true }` on a backend whose `supports.shared` is false. */
export function sharedUnsupported(what: string, reason: string): MempoolError<RangeError> {
  return invalidRange(`options.shared of create${what}()`, `false on the native backend (${reason})`, true);
}
