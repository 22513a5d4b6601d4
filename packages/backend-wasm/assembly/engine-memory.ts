/**
 * The engine's own memory. Each instance imports a private `env.memory` that JavaScript never
 * hands to anyone: the pool's bookkeeping and the scratch live there, and the allocator's
 * `memory` (the user's bytes) is another memory the engine never sees, so no write into it, nor a
 * batch array that is a view of it, can reach the bookkeeping.
 */
import { INVALID_ARGUMENT, OK, OUT_OF_MEMORY } from './engine-facts';

/**
 * Bytes of the scratch shared with JavaScript, at the start of the reserved region: a batch
 * chunk of u32 handles (BATCH_ENTRIES of them), or the f64 stats.
 */
export const SCRATCH_BYTES: u32 = 4096;
export const BATCH_ENTRIES: u32 = SCRATCH_BYTES >> 2;

const PAGE_BYTES: u64 = 65536;
const WASM32_BYTES: u64 = 1 << 32;

/** First byte after the module's static data (none in the release build; the debug build's assertions name their file). */
export const RESERVED: usize = (__heap_base + 7) & ~7;

/**
 * Grows the memory so that `bytes` fit at RESERVED: OK, INVALID_ARGUMENT when they cannot fit a
 * wasm32 memory at all, OUT_OF_MEMORY when the engine refuses the pages.
 */
export function reserve(bytes: u64): i32 {
  const end = <u64>RESERVED + bytes;
  if (end > WASM32_BYTES) return INVALID_ARGUMENT;
  const pages = <i32>((end + PAGE_BYTES - 1) / PAGE_BYTES);
  const missing = pages - memory.size();
  if (missing > 0 && memory.grow(missing) < 0) return OUT_OF_MEMORY;
  return OK;
}

/** Where the scratch starts (JavaScript makes its views there once the engine is set up). */
export function engineScratch(): usize {
  return RESERVED;
}
