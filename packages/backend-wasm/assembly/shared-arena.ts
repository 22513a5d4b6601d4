/**
 * The shared arena: packages/backend-js/src/shared-arena.ts in AssemblyScript, over a shared
 * WebAssembly.Memory every holder's instance imports. `alloc` bumps the offset with a
 * compare-and-swap loop, so two allocations never overlap; `reset` and `rewind` need quiescence
 * and refuse (BUSY) when another one runs or, for `rewind`, when the end moved meanwhile.
 */
import { INVALID_ARGUMENT, INVALID_HANDLE, MARK_GENERATIONS, OK } from './engine-facts';
import * as facts from './engine-facts';
import { reserve } from './engine-memory';
import { HEADER_BUFFER_SIZE, HEADER_DATA_OFFSET, HEADER_LINES, HEADER_STATE_BYTES, KIND_ARENA, headerFits, headerWord, writeHeader } from './shared-header';
import { BUSY, LINE, lineAt, raiseTo } from './shared-words';

/** State line 0: bytes used from the start of the data region (below 2^32), the word every alloc bumps. */
// @ts-ignore: decorator
@inline function offsetWord(): usize { return lineAt(HEADER_LINES + 0); }
/** State line 1: a sequence, even while no reset or rewind runs (they make it odd, then add 2 in all). */
// @ts-ignore: decorator
@inline function sequenceWord(): usize { return lineAt(HEADER_LINES + 1); }
/** Resets so far, modulo 2^20. */
// @ts-ignore: decorator
@inline function generationWord(): usize { return lineAt(HEADER_LINES + 1) + 4; }
/** State line 2: u32 `peakOffset`, u64 `allocations`, u64 `failedAllocs`. */
// @ts-ignore: decorator
@inline function peakWord(): usize { return lineAt(HEADER_LINES + 2); }
// @ts-ignore: decorator
@inline function allocationsWord(): usize { return lineAt(HEADER_LINES + 2) + 8; }
// @ts-ignore: decorator
@inline function failedWord(): usize { return lineAt(HEADER_LINES + 2) + 16; }
const STATE_LINES: usize = 3;

let dataOffset: u32 = 0;
let bufferSize: u32 = 0;
/** `dataOffset + bufferSize`, up to 2^32. */
let limit: u64 = 0;

/** A new arena: reserves and zeroes its state and writes the header. OK, INVALID_ARGUMENT or OUT_OF_MEMORY. */
export function sharedArenaCreate(dataOffset_: u32, bufferSize_: u32, align_: u32, memoryBytes: u32, tag: u32): i32 {
  const bytes = <u64>(HEADER_LINES + STATE_LINES) * LINE;
  const status = reserve(bytes);
  if (status != OK) return status;
  writeHeader(KIND_ARENA, 0, 0, 0, align_, dataOffset_, bufferSize_, memoryBytes, <u32>bytes, 0, 0, tag);
  place();
  return OK;
}

/** Another holder of the arena in this memory (whose header JavaScript has checked): OK, or INVALID_ARGUMENT (no arena here). */
export function sharedArenaAttach(): i32 {
  // JavaScript has checked the kind; a pool's state would not have an arena's size either.
  if (!headerFits()) return INVALID_ARGUMENT;
  if (<u64>headerWord(HEADER_STATE_BYTES) != <u64>(HEADER_LINES + STATE_LINES) * LINE) return INVALID_ARGUMENT;
  place();
  return OK;
}

function place(): void {
  dataOffset = headerWord(HEADER_DATA_OFFSET);
  bufferSize = headerWord(HEADER_BUFFER_SIZE);
  limit = <u64>dataOffset + <u64>bufferSize;
}

export function sharedArenaAlloc(size: u32, align: u32): u32 {
  const mask = <u64>align - 1;
  while (true) {
    const offset = atomic.load<u32>(offsetWord());
    const start = (<u64>dataOffset + <u64>offset + mask) & ~mask;
    if (start + <u64>size > limit) {
      atomic.add<u64>(failedWord(), 1);
      return 0;
    }
    const next = <u32>(start + <u64>size - <u64>dataOffset);
    if (atomic.cmpxchg<u32>(offsetWord(), offset, next) != offset) continue;
    atomic.add<u64>(allocationsWord(), 1);
    raiseTo(peakWord(), next);
    return <u32>start;
  }
  return 0;
}

/** Makes the sequence odd for a reset or rewind: the even sequence it found, or -1 when another runs. */
function enter(): i64 {
  const sequence = atomic.load<u32>(sequenceWord());
  if ((sequence & 1) != 0 || atomic.cmpxchg<u32>(sequenceWord(), sequence, sequence + 1) != sequence) return -1;
  return <i64>sequence;
}

export function sharedArenaReset(): i32 {
  const sequence = enter();
  if (sequence < 0) return BUSY;
  atomic.store<u32>(generationWord(), (atomic.load<u32>(generationWord()) + 1) % MARK_GENERATIONS);
  atomic.store<u32>(offsetWord(), 0);
  atomic.store<u32>(sequenceWord(), <u32>sequence + 2);
  return OK;
}

/**
 * The generation and the offset read as one state, as `generation * 2^32 + offset` (exact in an
 * f64), or -1 when a reset or rewind ran at the same time.
 */
export function sharedArenaMark(): f64 {
  const sequence = atomic.load<u32>(sequenceWord());
  const generation = atomic.load<u32>(generationWord());
  const offset = atomic.load<u32>(offsetWord());
  if ((sequence & 1) != 0 || atomic.load<u32>(sequenceWord()) != sequence) return -1;
  return <f64>generation * 4294967296.0 + <f64>offset;
}

/**
 * Moves the end back to `offset` if the mark's `generation` is the current one and `offset` is at
 * or before the end: OK, INVALID_HANDLE (a stale mark or one past the end), or BUSY (another reset
 * or rewind runs, or other holders allocated meanwhile: rewinding then would give back their
 * allocations).
 */
export function sharedArenaRewind(generation: u32, offset: u32): i32 {
  const sequence = enter();
  if (sequence < 0) return BUSY;
  const current = atomic.load<u32>(offsetWord());
  let status = OK;
  if (generation != atomic.load<u32>(generationWord()) || offset > current) status = INVALID_HANDLE;
  else if (atomic.cmpxchg<u32>(offsetWord(), current, offset) != current) status = BUSY;
  atomic.store<u32>(sequenceWord(), <u32>sequence + (status == OK ? 2 : 0));
  return status;
}


/** Stats field `field` (an ARENA_STAT_* index, as sharedPoolStat), or, one past them, the mark generation (a bad mark's error names it). */
export function sharedArenaStat(field: i32): f64 {
  const offset = atomic.load<u32>(offsetWord());
  if (field == facts.ARENA_STAT_BUFFER_SIZE) return <f64>bufferSize;
  if (field == facts.ARENA_STAT_OFFSET) return <f64>offset;
  if (field == facts.ARENA_STAT_REMAINING) return <f64>(bufferSize - offset);
  if (field == facts.ARENA_STAT_ALLOCATIONS) return <f64>atomic.load<u64>(allocationsWord());
  if (field == facts.ARENA_STAT_PEAK_OFFSET) return <f64>atomic.load<u32>(peakWord());
  if (field == facts.ARENA_STAT_FAILED_ALLOCS) return <f64>atomic.load<u64>(failedWord());
  if (field == facts.ARENA_STAT_FAILED_ALLOCS + 1) return <f64>atomic.load<u32>(generationWord());
  return -1;
}
