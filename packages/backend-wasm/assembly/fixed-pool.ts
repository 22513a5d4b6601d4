/**
 * The fixed pool of docs/ALGORITHMS.md, name for name with packages/backend-js/src/fixed-pool.ts.
 *
 * One WebAssembly instance is one pool: the state lives in this module's globals, and the two
 * arrays (`freeStack`, `liveEpoch`) after the scratch in the engine's private memory
 * (engine-memory.ts). The slots are in another memory the engine never touches: it only computes
 * their offsets. Only raw `load`/`store`, no managed objects, no allocation; the release build has
 * no `abort`, the debug build asserts the invariants after every call that changes the state.
 */
import { BOOKKEEPING_BYTES_PER_SLOT, DOUBLE_FREE, INVALID_HANDLE, OK } from './engine-facts';
import * as facts from './engine-facts';
import { BATCH_ENTRIES, RESERVED, SCRATCH_BYTES, reserve } from './engine-memory';

/** Marks a slot as claimed by the batch `freeMany` is checking; never a real epoch. */
const PENDING: u32 = 0xffffffff;

// Geometry, set once by fixedPoolInit.
let objectSize: u32 = 0;
let slotSize: u32 = 0;
/** log2(slotSize) when slotSize is a power of two, else -1 (then a handle is divided). */
let slotShift: i32 = -1;
let capacity: u32 = 0;
let dataOffset: u32 = 0;
/** Address of `freeStack[capacity]`: indices of freed slots, last freed on top. */
let freeStack: usize = 0;
/** Address of `liveEpoch[capacity]`: `liveEpoch[i] == epoch` exactly when slot `i` is allocated. */
let liveEpoch: usize = 0;

// State.
let freeTop: u32 = 0;
/** The first slot never handed out since creation or the last reset. */
let untouched: u32 = 0;
let epoch: u32 = 1;
let allocated: u32 = 0;
let peakAllocated: u32 = 0;
let allocCount: u64 = 0;
/** Allocations `reset` gave back: `freeCount` is derived from it, so `free` counts nothing. */
let releasedByReset: u64 = 0;
let failedAllocs: u64 = 0;
/**
 * Slots `freeMany`'s pass 1 has claimed so far: their indices wait at `freeStack[freeTop ..
 * freeTop + claimed)`, exactly where freeing them in order pushes them, so the commit is one loop
 * over the engine's own memory and the batch is read once.
 */
let claimed: u32 = 0;
/** Position, in the last chunk `fixedPoolFreeManyCheck` saw, of the handle it refused. */
let refusedAt: u32 = 0;

/**
 * Sets the geometry and lays out the bookkeeping (`freeStack` and `liveEpoch`, a u32 each per
 * slot: BOOKKEEPING_BYTES_PER_SLOT): OK, or INVALID_ARGUMENT when they do not fit a wasm32 memory,
 * OUT_OF_MEMORY when the pages are refused.
 */
export function fixedPoolInit(objectSize_: u32, slotSize_: u32, capacity_: u32, dataOffset_: u32): i32 {
  const status = reserve(<u64>SCRATCH_BYTES + <u64>capacity_ * BOOKKEEPING_BYTES_PER_SLOT);
  if (status != OK) return status;
  objectSize = objectSize_;
  slotSize = slotSize_;
  slotShift = popcnt(slotSize_) == 1 ? <i32>ctz(slotSize_) : -1;
  capacity = capacity_;
  dataOffset = dataOffset_;
  freeStack = RESERVED + SCRATCH_BYTES;
  liveEpoch = freeStack + (<usize>capacity_ << 2);
  // Fresh pages are zeros: every liveEpoch[i] is 0, never an epoch, so every slot is free.
  return OK;
}

// @ts-ignore: decorator
@inline function liveEpochAt(index: u32): usize {
  return liveEpoch + (<usize>index << 2);
}

// @ts-ignore: decorator
@inline function freeStackAt(position: u32): usize {
  return freeStack + (<usize>position << 2);
}

/** Entry `k` of the batch scratch (u32 handles). */
// @ts-ignore: decorator
@inline function batchAt(k: u32): usize {
  return RESERVED + (<usize>k << 2);
}

/** The slot index `handle` starts, or -1 when it is not the start of a slot of this pool. */
// @ts-ignore: decorator
@inline function slotIndex(handle: u32): i32 {
  if (handle < dataOffset) return -1;
  const relative = handle - dataOffset;
  let index: u32;
  if (slotShift >= 0) {
    if (relative & (slotSize - 1)) return -1;
    index = relative >>> (<u32>slotShift);
  } else {
    index = relative / slotSize;
    if (index * slotSize != relative) return -1;
  }
  // capacity < 2^29 (BOOKKEEPING_BYTES_PER_SLOT, 8, a slot fit 4 GiB), so a slot index is a positive i32.
  return index < capacity ? <i32>index : -1;
}

/** The slot index of a live allocation at `handle`, or -1. */
// @ts-ignore: decorator
@inline function liveIndex(handle: u32): i32 {
  const index = slotIndex(handle);
  return index >= 0 && load<u32>(liveEpochAt(<u32>index)) == epoch ? index : -1;
}

/** Why `handle` was refused: INVALID_HANDLE, or DOUBLE_FREE for a slot that is free (or claimed). */
function refusal(handle: u32): i32 {
  return slotIndex(handle) < 0 ? INVALID_HANDLE : DOUBLE_FREE;
}

/** Frees a slot known to be live. */
// @ts-ignore: decorator
@inline function release(index: u32): void {
  store<u32>(liveEpochAt(index), 0);
  store<u32>(freeStackAt(freeTop), index);
  freeTop++;
  allocated--;
}

/** What every call leaves true; compiled into the debug build only (`--noAssert` sets ASC_NO_ASSERT). */
// @ts-ignore: decorator
@inline function checkInvariants(): void {
  if (ASC_NO_ASSERT) return;
  assert(untouched <= capacity);
  assert(freeTop <= untouched);
  assert(allocated == untouched - freeTop);
  assert(allocated <= peakAllocated && peakAllocated <= capacity);
  assert(freeTop == 0 || load<u32>(freeStackAt(freeTop - 1)) < untouched);
  assert(epoch != 0 && epoch != PENDING);
  assert(claimed <= allocated);
}

/** Pop a freed slot, else take the next untouched one, else fail: returns the handle or 0. */
export function fixedPoolAlloc(): u32 {
  let index: u32;
  if (freeTop > 0) {
    index = load<u32>(freeStackAt(--freeTop));
    if (!ASC_NO_ASSERT) assert(index < untouched && load<u32>(liveEpochAt(index)) != epoch);
  } else if (untouched < capacity) index = untouched++;
  else {
    failedAllocs++;
    return 0;
  }
  store<u32>(liveEpochAt(index), epoch);
  if (++allocated > peakAllocated) peakAllocated = allocated;
  allocCount++;
  checkInvariants();
  return dataOffset + index * slotSize;
}

/** Frees one slot: OK, INVALID_HANDLE or DOUBLE_FREE, changing nothing unless OK. */
export function fixedPoolFree(handle: u32): i32 {
  const index = liveIndex(handle);
  if (index < 0) return refusal(handle);
  release(<u32>index);
  checkInvariants();
  return OK;
}

/** Every slot free again in O(1): a new epoch makes every liveEpoch entry stale. */
export function fixedPoolReset(): void {
  freeTop = 0;
  untouched = 0;
  releasedByReset += allocated;
  allocated = 0;
  if (++epoch == PENDING) {
    // Once in 2^32 - 2 resets: old stamps could match the new epoch, so clear them (amortised O(1)).
    memory.fill(liveEpoch, 0, <usize>capacity << 2);
    epoch = 1;
  }
  checkInvariants();
}

/**
 * Up to `count` (at most BATCH_ENTRIES) allocations into the scratch, stopping at the first 0:
 * exactly `count` calls of fixedPoolAlloc, with the state held in locals for the loop.
 */
export function fixedPoolAllocMany(count: u32): u32 {
  assert(count <= BATCH_ENTRIES);
  let top = freeTop;
  let next = untouched;
  let placed: u32 = 0;
  while (placed < count) {
    let index: u32 = 0;
    if (top > 0) {
      index = load<u32>(freeStackAt(--top));
      if (!ASC_NO_ASSERT) assert(index < next && load<u32>(liveEpochAt(index)) != epoch);
    } else if (next < capacity) index = next++;
    else break;
    store<u32>(liveEpochAt(index), epoch);
    store<u32>(batchAt(placed), dataOffset + index * slotSize);
    placed++;
  }
  freeTop = top;
  untouched = next;
  if (placed < count) failedAllocs++;
  allocated += placed;
  if (allocated > peakAllocated) peakAllocated = allocated;
  allocCount += placed;
  checkInvariants();
  return placed;
}

/**
 * Pass 1 of freeMany over the next `count` handles of the batch, copied into the scratch (a value
 * that is not a u32 arrives as 0, never a slot): claims each live slot (PENDING, so a duplicate
 * is refused as DOUBLE_FREE) and queues its index on the free stack. On the first bad handle it
 * gives back every slot claimed since the batch began, records the handle's position in this
 * chunk (fixedPoolRefusedAt) and returns its status.
 */
export function fixedPoolFreeManyCheck(count: u32): i32 {
  assert(count <= BATCH_ENTRIES);
  for (let k: u32 = 0; k < count; k++) {
    const handle = load<u32>(batchAt(k));
    const index = liveIndex(handle);
    if (index < 0) {
      for (let j: u32 = 0; j < claimed; j++) store<u32>(liveEpochAt(load<u32>(freeStackAt(freeTop + j))), epoch);
      claimed = 0;
      refusedAt = k;
      checkInvariants();
      return refusal(handle);
    }
    store<u32>(liveEpochAt(<u32>index), PENDING);
    // A claimed slot is live and distinct from the others, so freeTop + claimed < untouched.
    store<u32>(freeStackAt(freeTop + claimed), <u32>index);
    claimed++;
  }
  checkInvariants();
  return OK;
}

/** Pass 2 of freeMany: frees every claimed slot, in the batch's order (they are already queued). */
export function fixedPoolFreeManyCommit(): void {
  for (let j: u32 = 0; j < claimed; j++) store<u32>(liveEpochAt(load<u32>(freeStackAt(freeTop + j))), 0);
  freeTop += claimed;
  allocated -= claimed;
  claimed = 0;
  checkInvariants();
}

export function fixedPoolRefusedAt(): u32 {
  return refusedAt;
}

// @ts-ignore: decorator
@inline function stat(field: i32, value: f64): void {
  store<f64>(RESERVED + (<usize>field << 3), value);
}

/** Writes the stats to the scratch as f64, at the POOL_STAT_* indices. */
export function fixedPoolStats(): void {
  stat(facts.POOL_STAT_OBJECT_SIZE, <f64>objectSize);
  stat(facts.POOL_STAT_SLOT_SIZE, <f64>slotSize);
  stat(facts.POOL_STAT_CAPACITY, <f64>capacity);
  stat(facts.POOL_STAT_ALLOCATED, <f64>allocated);
  stat(facts.POOL_STAT_AVAILABLE, <f64>(capacity - allocated));
  stat(facts.POOL_STAT_PEAK_ALLOCATED, <f64>peakAllocated);
  stat(facts.POOL_STAT_ALLOC_COUNT, <f64>allocCount);
  stat(facts.POOL_STAT_FREE_COUNT, <f64>(allocCount - allocated - releasedByReset));
  stat(facts.POOL_STAT_FAILED_ALLOCS, <f64>failedAllocs);
}
