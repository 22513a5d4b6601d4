/**
 * The fixed pool of docs/ALGORITHMS.md, name for name with packages/backend-js/src.
 *
 * One WebAssembly instance is one pool: the state lives in this module's globals, the two arrays
 * (`freeStack`, `liveEpoch`) and the batch scratch live in `memory` after the data region, at
 * addresses the TypeScript wrapper chose (src/memory.ts). Only raw `load`/`store`: no managed
 * objects, no allocation, no `abort`, no path that traps on any argument.
 */
import { CORRUPTED, DOUBLE_FREE, INVALID_HANDLE, OK } from './status';

/** `liveEpoch[i]` of a slot that `freeMany` has checked and will free: never a real epoch. */
const PENDING: u32 = 0xffffffff;
/** Returned by `slotOf` for a handle that is not the start of a slot. */
const NOT_A_SLOT: u32 = 0xffffffff;

// Geometry, set once by fixedPoolInit.
let objectSize: u32 = 0;
let slotSize: u32 = 0;
/** log2(slotSize) when slotSize is a power of two, else -1 (then `free` divides). */
let slotShift: i32 = -1;
let capacity: u32 = 0;
let dataOffset: u32 = 0;
/** `dataOffset + capacity * slotSize`: one past the last slot. */
let dataEnd: u32 = 0;
/** Address of `freeStack[capacity]` (u32 slot indices). */
let freeStack: usize = 0;
/** Address of `liveEpoch[capacity]` (u32). */
let liveEpoch: usize = 0;
/**
 * Address of the scratch shared with JavaScript: u32 handles (or slot indices) for the batches,
 * or the f64 stats. The wrapper zeroes what it used after every call.
 */
let scratch: usize = 0;

// State.
let freeTop: u32 = 0;
let untouched: u32 = 0;
let epoch: u32 = 1;
let allocated: u32 = 0;
let peakAllocated: u32 = 0;
let allocCount: u64 = 0;
let freeCount: u64 = 0;
let failedAllocs: u64 = 0;
/** Index within the last `freeManyCheck` batch of the handle it refused. */
let refusedAt: u32 = 0;

export function fixedPoolInit(
  objectSize_: u32,
  slotSize_: u32,
  capacity_: u32,
  dataOffset_: u32,
  freeStack_: usize,
  liveEpoch_: usize,
  scratch_: usize,
): void {
  objectSize = objectSize_;
  slotSize = slotSize_;
  slotShift = popcnt(slotSize_) == 1 ? <i32>ctz(slotSize_) : -1;
  capacity = capacity_;
  dataOffset = dataOffset_;
  dataEnd = <u32>(<u64>dataOffset_ + <u64>capacity_ * <u64>slotSize_);
  freeStack = freeStack_;
  liveEpoch = liveEpoch_;
  scratch = scratch_;
  // A fresh memory is all zeros: every liveEpoch[i] is 0 !== epoch, so every slot is free.
}

/** The slot index of `handle`, or NOT_A_SLOT when it is not the start of a slot of this pool. */
// @ts-ignore: decorator
@inline function slotOf(handle: u32): u32 {
  if (handle < dataOffset || handle >= dataEnd) return NOT_A_SLOT;
  const relative = handle - dataOffset;
  if (slotShift >= 0) {
    if (relative & (slotSize - 1)) return NOT_A_SLOT;
    return relative >>> (<u32>slotShift);
  }
  const index = relative / slotSize;
  return index * slotSize == relative ? index : NOT_A_SLOT;
}

// @ts-ignore: decorator
@inline function liveEpochAt(index: u32): usize {
  return liveEpoch + (<usize>index << 2);
}

/** Pop a freed slot, else take the next untouched one, else fail: returns the handle or 0. */
export function fixedPoolAlloc(): u32 {
  let index: u32;
  if (freeTop > 0) {
    index = load<u32>(freeStack + (<usize>(freeTop - 1) << 2));
    // Only a write into the bookkeeping from outside can make this false.
    if (index >= capacity) {
      failedAllocs++;
      return 0;
    }
    freeTop--;
  } else if (untouched < capacity) {
    index = untouched++;
  } else {
    failedAllocs++;
    return 0;
  }
  store<u32>(liveEpochAt(index), epoch);
  allocated++;
  if (allocated > peakAllocated) peakAllocated = allocated;
  allocCount++;
  return dataOffset + index * slotSize;
}

/** Frees one slot: OK, INVALID_HANDLE or DOUBLE_FREE, changing nothing unless OK. */
export function fixedPoolFree(handle: u32): i32 {
  const index = slotOf(handle);
  if (index == NOT_A_SLOT) return INVALID_HANDLE;
  const live = liveEpochAt(index);
  if (load<u32>(live) != epoch) return DOUBLE_FREE;
  if (freeTop >= capacity) return CORRUPTED;
  store<u32>(live, 0);
  store<u32>(freeStack + (<usize>freeTop << 2), index);
  freeTop++;
  allocated--;
  freeCount++;
  return OK;
}

/** Every slot free again in O(1): a new epoch makes every liveEpoch entry stale. */
export function fixedPoolReset(): void {
  freeTop = 0;
  untouched = 0;
  allocated = 0;
  epoch++;
  if (epoch == PENDING) {
    // Wrapped: clear the array once every 2^32 - 2 resets (amortised O(1)).
    memory.fill(liveEpoch, 0, <usize>capacity << 2);
    epoch = 1;
  }
}

/** Entry `k` of the batch scratch. */
// @ts-ignore: decorator
@inline function entryAt(k: u32): usize {
  return scratch + (<usize>k << 2);
}

/**
 * Up to `count` allocations into the scratch, stopping at the first 0: exactly `count` calls of
 * fixedPoolAlloc, with the state held in locals for the loop.
 */
export function fixedPoolAllocMany(count: u32): u32 {
  let top = freeTop;
  let next = untouched;
  let placed: u32 = 0;
  while (placed < count) {
    let index: u32 = 0;
    if (top > 0) {
      index = load<u32>(freeStack + (<usize>(top - 1) << 2));
      if (index >= capacity) break; // the bookkeeping was overwritten from outside
      top--;
    } else if (next < capacity) {
      index = next++;
    } else {
      break;
    }
    store<u32>(liveEpochAt(index), epoch);
    store<u32>(entryAt(placed), dataOffset + index * slotSize);
    placed++;
  }
  freeTop = top;
  untouched = next;
  if (placed < count) failedAllocs++;
  allocated += placed;
  if (allocated > peakAllocated) peakAllocated = allocated;
  allocCount += placed;
  return placed;
}

/**
 * Pass 1 of freeMany over `count` handles in the scratch (the wrapper puts 0, never a slot, for
 * a value that is not a u32): marks each live slot PENDING, so a duplicate is seen as
 * DOUBLE_FREE, and replaces the handle by its slot index. On the first bad entry it unmarks the
 * entries before it, records the entry's position (fixedPoolRefusedAt) and returns its status.
 */
export function fixedPoolFreeManyCheck(count: u32): i32 {
  for (let k: u32 = 0; k < count; k++) {
    const index = slotOf(load<u32>(entryAt(k)));
    if (index == NOT_A_SLOT) return refuse(k, INVALID_HANDLE);
    const live = liveEpochAt(index);
    if (load<u32>(live) != epoch) return refuse(k, DOUBLE_FREE);
    store<u32>(live, PENDING);
    store<u32>(entryAt(k), index);
  }
  return OK;
}

/** Pass 1 refuses entry `k`: unmark the entries before it (now slot indices). */
function refuse(k: u32, status: i32): i32 {
  for (let j: u32 = 0; j < k; j++) store<u32>(liveEpochAt(load<u32>(entryAt(j))), epoch);
  refusedAt = k;
  return status;
}

/**
 * Pass 2 of freeMany for a batch that fitted one chunk: frees the slot indices pass 1 left, in
 * order, with the state held in locals for the loop.
 */
export function fixedPoolFreeManyCommitSlots(count: u32): void {
  let top = freeTop;
  let freed: u32 = 0;
  for (let k: u32 = 0; k < count; k++) {
    const index = load<u32>(entryAt(k));
    const live = liveEpochAt(index);
    // Anything but a PENDING slot was changed from outside since pass 1: skip it.
    if (index >= capacity || load<u32>(live) != PENDING || top >= capacity) continue;
    store<u32>(live, 0);
    store<u32>(freeStack + (<usize>top << 2), index);
    top++;
    freed++;
  }
  freeTop = top;
  allocated -= freed;
  freeCount += freed;
}

/** Frees a slot pass 1 marked PENDING (anything else was changed from outside: skip it). */
// @ts-ignore: decorator
@inline function release(index: u32): void {
  const live = liveEpochAt(index);
  if (index < capacity && load<u32>(live) == PENDING && freeTop < capacity) {
    store<u32>(live, 0);
    store<u32>(freeStack + (<usize>freeTop << 2), index);
    freeTop++;
    allocated--;
    freeCount++;
  }
}

/** Undoes pass 1 for `count` handles the wrapper copied back into the scratch (a later chunk failed). */
export function fixedPoolFreeManyUndo(count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const index = slotOf(load<u32>(entryAt(k)));
    if (index != NOT_A_SLOT && load<u32>(liveEpochAt(index)) == PENDING) store<u32>(liveEpochAt(index), epoch);
  }
}

/** Pass 2 of freeMany for a batch of several chunks: frees the `count` handles in the scratch, in order. */
export function fixedPoolFreeManyCommit(count: u32): void {
  for (let k: u32 = 0; k < count; k++) {
    const index = slotOf(load<u32>(entryAt(k)));
    if (index != NOT_A_SLOT) release(index);
  }
}

export function fixedPoolRefusedAt(): u32 {
  return refusedAt;
}

/** Writes the stats to the scratch in FIXED_POOL_STATS_FIELDS order. */
export function fixedPoolStats(): void {
  store<f64>(scratch, <f64>objectSize, 0);
  store<f64>(scratch, <f64>slotSize, 8);
  store<f64>(scratch, <f64>capacity, 16);
  store<f64>(scratch, <f64>allocated, 24);
  store<f64>(scratch, <f64>(capacity - allocated), 32);
  store<f64>(scratch, <f64>peakAllocated, 40);
  store<f64>(scratch, <f64>allocCount, 48);
  store<f64>(scratch, <f64>freeCount, 56);
  store<f64>(scratch, <f64>failedAllocs, 64);
}
