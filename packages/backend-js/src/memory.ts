import { detachBuffer, outOfMemory } from '@mempool/api';
import { keepAttached, reservableBytes } from '#platform';

/** How an allocator's reservation reads in an error: its memory, and its bookkeeping if any. */
function describe(memoryBytes: number, bookkeepingBytes: number): string {
  return bookkeepingBytes === 0 ? `${memoryBytes} bytes of memory` : `${memoryBytes} bytes of memory + ${bookkeepingBytes} of bookkeeping`;
}

/**
 * A zeroed `memory` of `memoryBytes` that the platform refuses to let other code transfer where it
 * can. `bookkeepingBytes` is what the allocator keeps outside it: both must fit what this machine
 * can reserve, checked up front (`ERR_MEMPOOL_OUT_OF_MEMORY` naming the real total), because the
 * engine hands out big buffers lazily and would otherwise fail only when their pages are touched.
 */
export function reserveMemory(memoryBytes: number, bookkeepingBytes: number): ArrayBuffer {
  const total = memoryBytes + bookkeepingBytes;
  const limit = reservableBytes();
  if (total > limit) {
    throw outOfMemory(total, undefined, `${describe(memoryBytes, bookkeepingBytes)}; this machine has ${limit}`);
  }
  let memory: ArrayBuffer;
  try {
    memory = new ArrayBuffer(memoryBytes);
  } catch (error) {
    throw outOfMemory(total, error, describe(memoryBytes, bookkeepingBytes));
  }
  keepAttached(memory);
  return memory;
}

/** `count` 32-bit words of bookkeeping, part of the reservation `reserveMemory` checked. */
export function reserveWords(count: number, memoryBytes: number, bookkeepingBytes: number): Uint32Array {
  try {
    return new Uint32Array(count);
  } catch (error) {
    throw outOfMemory(memoryBytes + bookkeepingBytes, error, describe(memoryBytes, bookkeepingBytes));
  }
}

/** The starting value of an allocator's one-byte probe of `memory` (see JsFixedPoolEngine's `#probe`). */
export const NO_BYTES = new Uint8Array(0);

/**
 * Detaches `memory` at `destroy()`, so every view over it reads as length 0, wherever the runtime
 * can (`supports.detachOnDestroy`); elsewhere views keep their bytes and never throw here.
 */
export function detach(memory: ArrayBuffer): void {
  if (memory.byteLength !== 0) detachBuffer(memory);
}
