import { invalidRange, outOfMemory, type MempoolError } from '@mempool/api';
import { WebAssemblyApi, type WasmMemory } from './webassembly.js';

/** Bytes in a WebAssembly page. */
export const PAGE_BYTES = 65536;

/** The largest u32: what wasm32 takes for a size past it. */
export const MAX_U32 = 0xffffffff;

/**
 * `supports.maxMemoryBytes`: all a wasm32 memory addresses, 65536 pages. The allocator's `memory`
 * holds only the header and the data region (the engine keeps its bookkeeping in a memory of its
 * own), so a pool or an arena of exactly this size is taken.
 */
export const MAX_MEMORY_BYTES = 65536 * PAGE_BYTES;

/**
 * The allocator's `memory`: a wasm memory of exactly the pages `bytes` needs, never grown
 * (initial = maximum), so its `buffer` stays the same object until `detach`, and cannot be
 * transferred away (a wasm memory's buffer is not detachable by other code).
 * `ERR_MEMPOOL_OUT_OF_MEMORY` when the engine refuses it.
 */
export function reserveMemory(bytes: number): WasmMemory {
  const pages = Math.ceil(bytes / PAGE_BYTES);
  try {
    return new WebAssemblyApi.Memory({ initial: pages, maximum: pages });
  } catch (error) {
    throw outOfMemory(bytes, error);
  }
}

/**
 * Detaches `memory.buffer` so every view over it reads as length 0: growing a wasm memory, even by
 * 0 pages, detaches its old buffer. The pages themselves go back when the garbage collector takes
 * the memory, which nothing references once the allocator has dropped it.
 */
export function detach(memory: WasmMemory): void {
  memory.grow(0);
}

/** Why an engine refused `capacity`: its `bytesPerSlot` of bookkeeping a slot would not fit a wasm32 memory. */
export function tooManySlots(capacity: number, bytesPerSlot: number): MempoolError {
  const most = Math.floor(MAX_MEMORY_BYTES / bytesPerSlot / 1e6);
  return invalidRange(
    'capacity',
    `small enough that ${bytesPerSlot} bytes of bookkeeping a slot fit a wasm32 memory (about ${most} million slots)`,
    capacity,
  );
}
