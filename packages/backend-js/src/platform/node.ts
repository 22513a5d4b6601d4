// The Node side of `#platform` (package.json `imports`, condition "node"): Node can refuse a
// transfer of `memory` and knows how much memory the machine has.
import { totalmem } from 'node:os';
import { ReadableStream, type ReadableStreamBYOBReader } from 'node:stream/web';
import { markAsUntransferable } from 'node:worker_threads';

/** Makes a transfer of `buffer` (postMessage, structuredClone) copy it instead of detaching it. */
export function keepAttached(buffer: ArrayBuffer): void {
  markAsUntransferable(buffer);
}

/** A reader of a closed byte stream: see `detach`. */
let closedReader: ReadableStreamBYOBReader | undefined;

/**
 * Detaches `buffer`, marked untransferable, so every view over it reads as length 0. Where
 * ES2024's `transfer()` exists it does that; Node 20 lacks it and copies a marked buffer on
 * `structuredClone`, but a BYOB read moves any buffer. A closed byte stream's read moves the bytes
 * into an empty view and settles at once, so one reader serves every `destroy()` and nothing
 * piles up in it.
 */
export function detach(buffer: ArrayBuffer): void {
  const transfer = (buffer as { transfer?: (length: number) => ArrayBuffer }).transfer;
  if (typeof transfer === 'function') {
    transfer.call(buffer, 0);
    return;
  }
  closedReader ??= new ReadableStream({ type: 'bytes', start: (controller) => controller.close() }).getReader({ mode: 'byob' });
  void closedReader.read(new Uint8Array(buffer));
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
