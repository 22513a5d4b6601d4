// The Node side of `#platform` (package.json `imports`, condition "node"): Node can refuse a
// transfer of `memory`, and knows how much memory the machine has.
import { totalmem } from 'node:os';
import { markAsUntransferable } from 'node:worker_threads';

/**
 * Whether this Node can refuse a transfer of `memory` and still let `destroy()` detach it. Node 21
 * and later throw a `DataCloneError` on a transfer of a buffer marked untransferable, and ES2024's
 * `transfer()` detaches it all the same. Node 20 lacks `transfer()`: it copies a marked buffer on
 * `structuredClone`, and the one way left to detach it (a BYOB read) keeps the bytes alive, so
 * there `memory` stays transferable and the allocators throw ERR_MEMPOOL_DETACHED after a transfer.
 */
const canRefuse = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function';

/** Makes a transfer of `buffer` (postMessage, structuredClone) throw instead of detaching it. */
export function keepAttached(buffer: ArrayBuffer): void {
  if (canRefuse) markAsUntransferable(buffer);
}

/** Detaches `buffer` so every view over it reads as length 0, and gives its bytes back. */
export function detach(buffer: ArrayBuffer): void {
  if (canRefuse) (buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);
  else structuredClone(buffer, { transfer: [buffer] });
}

/** The machine's memory, or its container's limit if lower: neither changes while we run. */
const reservable = Math.min(totalmem(), process.constrainedMemory?.() || Number.POSITIVE_INFINITY);

/**
 * The most bytes one allocator can honestly reserve here. V8 hands out larger buffers lazily, so
 * without this bound a pool would "succeed" and fail later, when its pages are touched.
 */
export function reservableBytes(): number {
  return reservable;
}
