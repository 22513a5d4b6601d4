import { invalidRange, outOfMemory } from '@mempool/api';
import { WebAssemblyApi, type WasmMemory } from './webassembly.js';

/** Bytes in a WebAssembly page. */
export const PAGE_BYTES = 65536;
/** The most a wasm32 memory can address: 65536 pages, 4 GiB. */
export const WASM32_BYTES = 2 ** 32;
/**
 * What `supports.maxMemoryBytes` reserves at the end of the 4 GiB for the bookkeeping that
 * follows the data region (an arena's stats scratch: 6 f64 after rounding up to 8).
 */
export const RESERVED_BYTES = 64;
/** The largest `dataOffset + bufferSize` (or `+ capacity * slotSize`) this backend takes. */
export const MAX_MEMORY_BYTES = WASM32_BYTES - RESERVED_BYTES;
/** u32 entries of a pool's batch scratch: `allocMany`/`freeMany` cross into wasm this many at a time. */
export const SCRATCH_ENTRIES = 1024;
/** Bytes of the stats a pool's engine writes into its scratch (9 f64). */
const POOL_STATS_BYTES = 9 * 8;

const roundUp8 = (value: number): number => Math.ceil(value / 8) * 8;

/** Where a pool's bookkeeping sits in its memory: after the data region, so handles match js. */
export interface FixedPoolBookkeeping {
  /** `freeStack[capacity]`, u32. */
  readonly freeStack: number;
  /** `liveEpoch[capacity]`, u32. */
  readonly liveEpoch: number;
  /** The scratch shared with JavaScript: u32 handles of a batch chunk, or the f64 stats. */
  readonly scratch: number;
  /** u32 entries in a batch chunk. */
  readonly scratchEntries: number;
  /** Bytes the memory must hold. */
  readonly memoryBytes: number;
}

export function fixedPoolBookkeeping(layout: {
  readonly byteLength: number;
  readonly capacity: number;
  readonly slotSize: number;
}): FixedPoolBookkeeping {
  const freeStack = roundUp8(layout.byteLength);
  const liveEpoch = freeStack + 4 * layout.capacity;
  const scratch = roundUp8(liveEpoch + 4 * layout.capacity);
  const scratchEntries = Math.min(SCRATCH_ENTRIES, layout.capacity + 1);
  const memoryBytes = scratch + Math.max(POOL_STATS_BYTES, roundUp8(4 * scratchEntries));
  if (memoryBytes > WASM32_BYTES) {
    const slots = layout.capacity * layout.slotSize;
    throw invalidRange(
      'objectSize * capacity',
      `small enough that the slots, 8 bytes of bookkeeping per slot and the batch scratch (4 KiB at most) fit the 4 GiB of a wasm32 memory (slotSize ${layout.slotSize} x capacity ${layout.capacity} needs ${memoryBytes} bytes)`,
      slots,
    );
  }
  return { freeStack, liveEpoch, scratch, scratchEntries, memoryBytes };
}

/** Where an arena's stats scratch sits: after the data region. */
export function arenaScratch(byteLength: number): { readonly scratch: number; readonly memoryBytes: number } {
  const scratch = roundUp8(byteLength);
  return { scratch, memoryBytes: scratch + 6 * 8 };
}

/**
 * A memory of exactly the pages `bytes` needs, never grown (initial = maximum), so its `buffer`
 * stays the same object until `detach`. `ERR_MEMPOOL_OUT_OF_MEMORY` when the engine refuses it.
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
 * the memory, which nothing references once the allocator has dropped its instance.
 */
export function detach(memory: WasmMemory): void {
  memory.grow(0);
}
