/**
 * How a backend gives `memory` back at `destroy()` and keeps other code from taking it meanwhile,
 * found by trying each means on a probe buffer once, never by the runtime's name or version.
 *
 * Two wishes pull apart on some runtimes: a buffer marked untransferable (Node's
 * `markAsUntransferable`) cannot be moved by `postMessage`, but on Node 24+ and Deno the mark also
 * makes it undetachable by any means (`transfer()` throws, and Node-API's
 * `napi_detach_arraybuffer` aborts the process or panics). Detaching at `destroy()` is the promise
 * that keeps a stale view from reaching memory that was given back, while a transfer that was not
 * refused is still caught (every call throws `ERR_MEMPOOL_DETACHED`). So where the two cannot both
 * hold, memory is not marked.
 */

type Transferable = ArrayBuffer & { transfer?(length: number): ArrayBuffer };

/**
 * Detaches `buffer` so every view over it reads as length 0 and its bytes go back: ES2024's
 * `transfer(0)` where there is one, else a transfer to a structured clone that nobody holds.
 * Returns whether `buffer` is detached now; never throws.
 */
export function detachBuffer(buffer: ArrayBuffer): boolean {
  const transferable = buffer as Transferable;
  try {
    if (typeof transferable.transfer === 'function') transferable.transfer(0);
    else structuredClone(buffer, { transfer: [buffer] });
  } catch {
    // Not detachable here (marked, or no means at all): the caller says what follows.
  }
  return buffer.byteLength === 0;
}

/** Whether this runtime can detach a buffer nobody marked: what `supports.detachOnDestroy` declares. */
export const DETACH_ON_DESTROY: boolean = detachBuffer(new ArrayBuffer(8));

/**
 * `mark` (a function that makes a buffer untransferable) if a buffer it marked can still be
 * detached here, else `undefined`: then memory stays transferable, and a transfer is caught as
 * `ERR_MEMPOOL_DETACHED` instead of refused.
 */
export function markThatKeepsDetach(mark: ((buffer: ArrayBuffer) => void) | undefined): ((buffer: ArrayBuffer) => void) | undefined {
  if (typeof mark !== 'function' || !DETACH_ON_DESTROY) return undefined;
  const probe = new ArrayBuffer(8);
  try {
    mark(probe);
  } catch {
    return undefined;
  }
  return detachBuffer(probe) ? mark : undefined;
}
