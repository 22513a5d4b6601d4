/** Bytes reserved at the start of every `memory` (or `align` bytes if larger): handle 0 is never user data. */
export const HEADER_BYTES = 64;
/** Largest `align` any allocator takes. */
export const MAX_ALIGN = 4096;
/** Default alignment of pool slots, of the arena's data region and of `Arena.alloc`. */
export const DEFAULT_ALIGN = 8;
/**
 * Marks encode the end offset below this span and the reset generation above it; it bounds every
 * backend's memory so that a mark stays an exact integer (2^33 * 2^20 = 2^53).
 */
export const MARK_OFFSET_SPAN = 2 ** 33;
/** Reset generations a mark can tell apart before they repeat. */
export const MARK_GENERATIONS = 2 ** 20;
/**
 * The largest memory the js and native backends create: 4 GiB, because a `Uint8Array` over
 * `memory` cannot pass 2^32 elements in Node 20's V8, and every offset must fit a mark.
 */
export const MAX_MEMORY_BYTES = 2 ** 32;
/** Pools index slots with 32-bit integers. */
export const MAX_CAPACITY = 2 ** 32 - 1;
