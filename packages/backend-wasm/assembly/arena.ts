/**
 * The arena of docs/ALGORITHMS.md, name for name with packages/backend-js/src. One WebAssembly
 * instance is one arena: the state lives in this module's globals; `memory` holds the header,
 * the data region and, after it, the f64 scratch that `stats` writes.
 */

let dataOffset: u32 = 0;
let bufferSize: u32 = 0;
/** `dataOffset + bufferSize`, in 64 bits so that `start + size` cannot wrap. */
let limit: u64 = 0;
let scratch: usize = 0;

/** Absolute offset of the first free byte. */
let end: u32 = 0;
/** Resets so far (modulo 2^32; marks keep it modulo 2^20). */
let generation: u32 = 0;
let allocations: u64 = 0;
let peakOffset: u32 = 0;
let failedAllocs: u64 = 0;

export function arenaInit(dataOffset_: u32, bufferSize_: u32, scratch_: usize): void {
  dataOffset = dataOffset_;
  bufferSize = bufferSize_;
  limit = <u64>dataOffset_ + <u64>bufferSize_;
  scratch = scratch_;
  end = dataOffset_;
}

/**
 * Bump: the lowest multiple of `align` (a power of two, checked by the caller) at or after `end`,
 * or 0 when `size` bytes from there would pass the data region. `size` past 2^32 - 1 arrives
 * clamped to 2^32 - 1, which never fits.
 */
export function arenaAlloc(size: u32, align: u32): u32 {
  const mask = <u64>align - 1;
  const start = (<u64>end + mask) & ~mask;
  const stop = start + <u64>size;
  if (stop > limit) {
    failedAllocs++;
    return 0;
  }
  end = <u32>stop;
  allocations++;
  const offset = end - dataOffset;
  if (offset > peakOffset) peakOffset = offset;
  return <u32>start;
}

export function arenaReset(): void {
  end = dataOffset;
  generation++;
}

/** `end - dataOffset`: what a mark records and `stats().offset` reports. */
export function arenaOffset(): u32 {
  return end - dataOffset;
}

export function arenaGeneration(): u32 {
  return generation;
}

/** Moves `end` back to `dataOffset + offset`; refuses (INVALID_HANDLE) an offset past the end. */
export function arenaRewind(offset: u32): i32 {
  if (offset > end - dataOffset) return -3;
  end = dataOffset + offset;
  return 0;
}

/** Writes the stats to the scratch in ARENA_STATS_FIELDS order. */
export function arenaStats(): void {
  const offset = end - dataOffset;
  store<f64>(scratch, <f64>bufferSize, 0);
  store<f64>(scratch, <f64>offset, 8);
  store<f64>(scratch, <f64>(bufferSize - offset), 16);
  store<f64>(scratch, <f64>allocations, 24);
  store<f64>(scratch, <f64>peakOffset, 32);
  store<f64>(scratch, <f64>failedAllocs, 40);
}
