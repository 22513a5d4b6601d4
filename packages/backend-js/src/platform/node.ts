// The Node side of `#platform` (package.json `imports`, condition "node"; Bun and Deno take it
// too): Node can refuse a transfer of `memory`, and knows how much memory the machine has.
import { totalmem } from 'node:os';
import { markAsUntransferable } from 'node:worker_threads';
import { markThatKeepsDetach } from '@mempool/api';

/**
 * The mark that makes a transfer of `memory` (postMessage, structuredClone) throw, where a marked
 * buffer can still be detached at `destroy()` (Node 21 to 23, Bun). Elsewhere (Node 20, whose
 * `structuredClone` copies a marked buffer; Node 24+ and Deno, where the mark forbids detaching)
 * `memory` stays transferable and the allocators throw ERR_MEMPOOL_DETACHED after a transfer.
 */
const mark = markThatKeepsDetach(markAsUntransferable);

/** Makes a transfer of `buffer` throw instead of detaching it, where that keeps `detach` working. */
export function keepAttached(buffer: ArrayBuffer): void {
  if (mark !== undefined) mark(buffer);
}

/**
 * The machine's memory, or its container's limit if lower: neither changes while we run. Unknown
 * (no bound beyond the engine's own refusal) where the runtime will not say: Deno without
 * `--allow-sys` throws on `totalmem()`.
 */
function machineMemory(): number {
  try {
    return Math.min(totalmem(), process.constrainedMemory?.() || Number.POSITIVE_INFINITY);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
const reservable = machineMemory();

/**
 * The most bytes one allocator can honestly reserve here. V8 hands out larger buffers lazily, so
 * without this bound a pool would "succeed" and fail later, when its pages are touched.
 */
export function reservableBytes(): number {
  return reservable;
}
