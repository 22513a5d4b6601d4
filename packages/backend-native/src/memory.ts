import { markAsUntransferable } from 'node:worker_threads';
import { detachBuffer, invalidRange, markThatKeepsDetach, outOfMemory, Status } from '@mempool/api';
import { BLOCK, type NativeAnchor, type NativeBinding } from './binding.js';

/**
 * `markAsUntransferable` where a marked buffer can still be detached. On Node 24+ and Deno the mark
 * forbids detaching, and `napi_detach_arraybuffer` on such a buffer aborts the process (Node) or
 * panics (Deno) instead of returning a status: there `memory` is not marked, so destroy() can
 * always detach it.
 */
const mark = markThatKeepsDetach(markAsUntransferable);

/** A zeroed, V8-owned `ArrayBuffer` of `bytes`, or `ERR_MEMPOOL_OUT_OF_MEMORY` when the engine refuses it. */
export function reserveMemory(bytes: number): ArrayBuffer {
  let memory: ArrayBuffer;
  try {
    memory = new ArrayBuffer(bytes);
  } catch (error) {
    throw outOfMemory(bytes, error);
  }
  // No postMessage/structuredClone may move it elsewhere, where the mark leaves it detachable
  // (see `mark`). A BYOB stream read, or a transfer where it is not marked, detaches it anyway:
  // every method checks that it is still attached before it calls the addon.
  mark?.(memory);
  return memory;
}

/**
 * The anchor of a new allocator (its id is in the block), or the contract's error for a refusal:
 * `result` is what `binding.createFixedPool`/`createArena` returned.
 */
export function created(binding: NativeBinding, result: NativeAnchor | number | undefined, memoryBytes: number): NativeAnchor {
  if (typeof result === 'object') return result;
  if (result === Status.INVALID_ARGUMENT) throw invalidRange('arguments', 'what the C library accepts', memoryBytes);
  if (result === Status.OUT_OF_MEMORY) {
    // The memory was reserved; the C library's bookkeeping (its size is in the block) was not.
    const bookkeepingBytes = binding.block[BLOCK.result]!;
    throw outOfMemory(
      memoryBytes + bookkeepingBytes,
      undefined,
      `${memoryBytes} bytes of memory + ${bookkeepingBytes} bytes of bookkeeping, the C library's free stack and live epochs; the memory was reserved, the bookkeeping refused`,
    );
  }
  throw outOfMemory(memoryBytes);
}

/**
 * Gives `memory` back at destroy(): the addon detaches it and frees the C bookkeeping; if the
 * addon could not detach it (a Node-API that refuses), the means JavaScript has are tried.
 */
export function destroyIn(binding: NativeBinding, memory: ArrayBuffer, anchor: NativeAnchor): void {
  binding.destroy(memory, anchor);
  if (memory.byteLength !== 0) detachBuffer(memory);
}
