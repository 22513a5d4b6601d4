/**
 * The arena of docs/ALGORITHMS.md, name for name with packages/backend-js/src/arena.ts. One
 * WebAssembly instance is one arena: the state lives in this module's globals; the engine's
 * private memory holds only the scratch that `stats` writes. The data region is another memory
 * the engine never touches.
 */
import { INVALID_HANDLE, MARK_GENERATIONS, OK } from './engine-facts';
import * as facts from './engine-facts';
import { RESERVED, SCRATCH_BYTES, reserve } from './engine-memory';

let dataOffset: u32 = 0;
let bufferSize: u32 = 0;
/** `dataOffset + bufferSize`: no allocation passes it. Up to 2^32, so 64 bits. */
let limit: u64 = 0;

/** Absolute offset of the first free byte (up to 2^32, so 64 bits). */
let end: u64 = 0;
/** Resets so far, modulo 2^20: what makes a mark from before a reset stale. */
let generation: u32 = 0;
let allocations: u64 = 0;
let peakOffset: u32 = 0;
let failedAllocs: u64 = 0;

/** Sets the geometry: OK, or OUT_OF_MEMORY when the scratch's page is refused. */
export function arenaInit(dataOffset_: u32, bufferSize_: u32): i32 {
  const status = reserve(SCRATCH_BYTES);
  if (status != OK) return status;
  dataOffset = dataOffset_;
  bufferSize = bufferSize_;
  limit = <u64>dataOffset_ + <u64>bufferSize_;
  end = dataOffset_;
  return OK;
}

/** What every call leaves true; compiled into the debug build only (`--noAssert` sets ASC_NO_ASSERT). */
// @ts-ignore: decorator
@inline function checkInvariants(): void {
  if (ASC_NO_ASSERT) return;
  assert(<u64>dataOffset <= end && end <= limit);
  assert(limit <= <u64>1 << 32);
  assert(end - dataOffset <= <u64>peakOffset && peakOffset <= bufferSize);
  assert(generation < MARK_GENERATIONS);
}

/**
 * Bump: the lowest multiple of `align` (a power of two, checked by the caller) at or after `end`,
 * or 0 when `size` bytes from there would pass the data region. A size past 2^32 - 1 arrives
 * clamped to 2^32 - 1, which never fits.
 */
export function arenaAlloc(size: u32, align: u32): u32 {
  const mask = <u64>align - 1;
  const start = (end + mask) & ~mask;
  if (start + <u64>size > limit) {
    failedAllocs++;
    return 0;
  }
  end = start + <u64>size;
  allocations++;
  const offset = <u32>(end - dataOffset);
  if (offset > peakOffset) peakOffset = offset;
  checkInvariants();
  // size >= 1 and start + size <= 2^32, so start < 2^32.
  return <u32>start;
}

export function arenaReset(): void {
  end = dataOffset;
  generation = (generation + 1) % MARK_GENERATIONS;
  checkInvariants();
}

/** `end - dataOffset`: what a mark records and `stats().offset` reports. */
export function arenaOffset(): u32 {
  return <u32>(end - dataOffset);
}

export function arenaGeneration(): u32 {
  return generation;
}

/** Moves `end` back to `dataOffset + offset`; refuses (INVALID_HANDLE) an offset past the end. */
export function arenaRewind(offset: u32): i32 {
  if (<u64>offset > end - dataOffset) return INVALID_HANDLE;
  end = <u64>dataOffset + offset;
  checkInvariants();
  return OK;
}

// @ts-ignore: decorator
@inline function stat(field: i32, value: f64): void {
  store<f64>(RESERVED + (<usize>field << 3), value);
}

/** Writes the stats to the scratch as f64, at the ARENA_STAT_* indices. */
export function arenaStats(): void {
  const offset = <u32>(end - dataOffset);
  stat(facts.ARENA_STAT_BUFFER_SIZE, <f64>bufferSize);
  stat(facts.ARENA_STAT_OFFSET, <f64>offset);
  stat(facts.ARENA_STAT_REMAINING, <f64>(bufferSize - offset));
  stat(facts.ARENA_STAT_ALLOCATIONS, <f64>allocations);
  stat(facts.ARENA_STAT_PEAK_OFFSET, <f64>peakOffset);
  stat(facts.ARENA_STAT_FAILED_ALLOCS, <f64>failedAllocs);
}
