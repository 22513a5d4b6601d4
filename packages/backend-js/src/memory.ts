import { outOfMemory } from '@mempool/api';

/** A zeroed `ArrayBuffer` of `bytes`, or `ERR_MEMPOOL_OUT_OF_MEMORY` when the engine refuses it. */
export function reserveMemory(bytes: number): ArrayBuffer {
  try {
    return new ArrayBuffer(bytes);
  } catch (error) {
    throw outOfMemory(bytes, error);
  }
}

/** 32-bit words outside the user's bytes, for the allocator's own bookkeeping. */
export function reserveWords(count: number, userBytes: number): Uint32Array {
  try {
    return new Uint32Array(count);
  } catch (error) {
    throw outOfMemory(userBytes + count * 4, error);
  }
}

/**
 * Detaches `buffer` so every view over it reads as length 0: transferring it moves the bytes out
 * (no copy) to a clone nobody holds, which the garbage collector then frees.
 */
export function detach(buffer: ArrayBuffer): void {
  structuredClone(buffer, { transfer: [buffer] });
}
