/**
 * The shared fixed pool: packages/backend-js/src/shared-fixed-pool.ts in AssemblyScript, over a
 * shared WebAssembly.Memory that every holder's instance (in any worker) imports. All state is in
 * that memory and touched only with atomics; each instance keeps only the immutable geometry in
 * its globals. Lock-free: the free stack is a Treiber stack linked through `next[]` whose 64-bit
 * head carries a tag every push and pop moves on (ABA), and a slot's `live` word goes from `epoch`
 * to 0 by one compare-and-swap, so of several frees of one handle exactly one wins.
 */
import {
  DOUBLE_FREE,
  INVALID_ARGUMENT,
  INVALID_HANDLE,
  OK,
  POOL_STAT_ALLOCATED,
  POOL_STAT_ALLOC_COUNT,
  POOL_STAT_AVAILABLE,
  POOL_STAT_CAPACITY,
  POOL_STAT_FAILED_ALLOCS,
  POOL_STAT_FREE_COUNT,
  POOL_STAT_OBJECT_SIZE,
  POOL_STAT_PEAK_ALLOCATED,
  POOL_STAT_SLOT_SIZE,
} from './engine-facts';
import { RESERVED, reserve } from './engine-memory';
import { BUSY, LINE, lineAt, raiseTo } from './shared-words';

/** Marks a slot claimed by the batch `freeMany` is checking; never a real epoch. */
const PENDING: u32 = 0xffffffff;
const LOW: u64 = 0xffffffff;

// The state, one cache line per hot word.
/** Line 0, one u64: the free stack's top (slot index + 1, 0 when empty) low, a tag high. */
// @ts-ignore: decorator
@inline function head(): usize { return lineAt(0); }
/** The first slot never handed out since creation or the last reset. */
// @ts-ignore: decorator
@inline function untouchedWord(): usize { return lineAt(1); }
/** `live[i] == epoch` exactly when slot `i` is allocated; `reset` moves it on. */
// @ts-ignore: decorator
@inline function epochWord(): usize { return lineAt(2); }
/** Counters: u32 `allocated`, u32 `peakAllocated`, u64 `allocCount`, `failedAllocs`, `releasedByReset`. */
// @ts-ignore: decorator
@inline function allocatedWord(): usize { return lineAt(3); }
// @ts-ignore: decorator
@inline function peakWord(): usize { return lineAt(3) + 4; }
// @ts-ignore: decorator
@inline function allocCountWord(): usize { return lineAt(3) + 8; }
// @ts-ignore: decorator
@inline function failedWord(): usize { return lineAt(3) + 16; }
// @ts-ignore: decorator
@inline function releasedWord(): usize { return lineAt(3) + 24; }
/** 0, or 1 while a `reset` runs: two at once are refused. */
// @ts-ignore: decorator
@inline function resettingWord(): usize { return lineAt(4); }
/** The geometry the pool was made with (objectSize, slotSize, capacity, dataOffset): attach checks it. */
// @ts-ignore: decorator
@inline function geometryWord(): usize { return lineAt(5); }
const HEADER_LINES: usize = 6;

// Geometry, set once per instance.
let objectSize: u32 = 0;
let slotSize: u32 = 0;
let capacity: u32 = 0;
let dataOffset: u32 = 0;
/** Address of `next[capacity]`: the free stack's links (slot index + 1, 0 at the bottom). */
let next: usize = 0;
/** Address of `live[capacity]`. */
let live: usize = 0;

// @ts-ignore: decorator
@inline function nextAt(index: u32): usize { return next + (<usize>index << 2); }
// @ts-ignore: decorator
@inline function liveAt(index: u32): usize { return live + (<usize>index << 2); }

/**
 * Sets this instance's geometry. A new pool (`attach` false) lays out and zeroes its state; an
 * attached holder checks that the memory holds a pool of this geometry: OK, INVALID_ARGUMENT
 * (another geometry, or a memory too small), OUT_OF_MEMORY.
 */
export function sharedPoolInit(objectSize_: u32, slotSize_: u32, capacity_: u32, dataOffset_: u32, attach: bool): i32 {
  const bytes = <u64>HEADER_LINES * LINE + (<u64>capacity_ << 3);
  const geometry = geometryWord();
  if (attach) {
    if (<u64>RESERVED + bytes > <u64>memory.size() << 16) return INVALID_ARGUMENT;
    if (
      atomic.load<u32>(geometry) != objectSize_ ||
      atomic.load<u32>(geometry + 4) != slotSize_ ||
      atomic.load<u32>(geometry + 8) != capacity_ ||
      atomic.load<u32>(geometry + 12) != dataOffset_
    ) return INVALID_ARGUMENT;
  } else {
    const status = reserve(bytes);
    if (status != OK) return status;
    atomic.store<u32>(geometry, objectSize_);
    atomic.store<u32>(geometry + 4, slotSize_);
    atomic.store<u32>(geometry + 8, capacity_);
    atomic.store<u32>(geometry + 12, dataOffset_);
    atomic.store<u32>(epochWord(), 1);
  }
  objectSize = objectSize_;
  slotSize = slotSize_;
  capacity = capacity_;
  dataOffset = dataOffset_;
  next = lineAt(HEADER_LINES);
  live = next + (<usize>capacity_ << 2);
  return OK;
}

/** The slot index `handle` names (live or not), or -1 when it names no slot of this pool. */
// @ts-ignore: decorator
@inline function slotIndex(handle: u32): i32 {
  if (handle < dataOffset) return -1;
  const relative = handle - dataOffset;
  const index = relative / slotSize;
  return index * slotSize == relative && index < capacity ? <i32>index : -1;
}

export function sharedPoolAlloc(): u32 {
  while (true) {
    const epoch = atomic.load<u32>(epochWord());
    const top = atomic.load<u64>(head());
    const top1 = <u32>(top & LOW);
    let index: u32;
    if (top1 != 0) {
      const below = atomic.load<u32>(nextAt(top1 - 1));
      // Keep the tag, move it on, and put `below` in the low half.
      if (atomic.cmpxchg<u64>(head(), top, ((top | LOW) + 1) | <u64>below) != top) continue;
      index = top1 - 1;
    } else {
      const untouched = atomic.load<u32>(untouchedWord());
      if (untouched >= capacity) {
        // Full, if the stack is still empty now (`untouched` only grows until a reset).
        if (atomic.load<u64>(head()) != top || atomic.load<u32>(epochWord()) != epoch) continue;
        atomic.add<u64>(failedWord(), 1);
        return 0;
      }
      if (atomic.cmpxchg<u32>(untouchedWord(), untouched, untouched + 1) != untouched) continue;
      index = untouched;
    }
    atomic.store<u32>(liveAt(index), epoch);
    // A reset that overtook this call has made the slot free again: take another.
    if (atomic.load<u32>(epochWord()) != epoch) continue;
    raiseTo(peakWord(), atomic.add<u32>(allocatedWord(), 1) + 1);
    atomic.add<u64>(allocCountWord(), 1);
    return dataOffset + index * slotSize;
  }
  return 0;
}

/** Pushes a slot whose `live` word this call took from `epoch`, unless a reset freed it meanwhile. */
function release(index: u32, epoch: u32): void {
  atomic.sub<u32>(allocatedWord(), 1);
  while (true) {
    const top = atomic.load<u64>(head());
    // Read after the head: a reset moves the epoch before the head, so either this sees the new
    // epoch or the compare-and-swap below sees the reset's head.
    if (atomic.load<u32>(epochWord()) != epoch) return;
    atomic.store<u32>(nextAt(index), <u32>(top & LOW));
    if (atomic.cmpxchg<u64>(head(), top, ((top | LOW) + 1) | (<u64>index + 1)) == top) return;
  }
}

/** Frees one slot: OK, INVALID_HANDLE or DOUBLE_FREE (exactly one of racing frees gets OK). */
export function sharedPoolFree(handle: u32): i32 {
  const index = slotIndex(handle);
  if (index < 0) return INVALID_HANDLE;
  const epoch = atomic.load<u32>(epochWord());
  if (atomic.cmpxchg<u32>(liveAt(<u32>index), epoch, 0) != epoch) return DOUBLE_FREE;
  release(<u32>index, epoch);
  return OK;
}

/** Every slot free again: OK, or BUSY when another reset is running (then nothing changes). */
export function sharedPoolReset(): i32 {
  if (atomic.cmpxchg<u32>(resettingWord(), 0, 1) != 0) return BUSY;
  // The epoch moves first: a call that read the old one sees the change and retries or stands
  // down (alloc and free check it after touching the stack), so no slot is handed out twice.
  let epoch = atomic.load<u32>(epochWord()) + 1;
  if (epoch == PENDING) {
    // Once in 2^32 - 2 resets: old stamps could match the new epoch, so clear them (amortised O(1)).
    for (let i: u32 = 0; i < capacity; i++) atomic.store<u32>(liveAt(i), 0);
    epoch = 1;
  }
  atomic.store<u32>(epochWord(), epoch);
  while (true) {
    const top = atomic.load<u64>(head());
    if (atomic.cmpxchg<u64>(head(), top, (top | LOW) + 1) == top) break;
  }
  atomic.store<u32>(untouchedWord(), 0);
  atomic.add<u64>(releasedWord(), <u64>atomic.xchg<u32>(allocatedWord(), 0));
  atomic.store<u32>(resettingWord(), 0);
  return OK;
}

/** The epoch a `freeMany` claims under (read once per batch). */
export function sharedPoolEpoch(): u32 {
  return atomic.load<u32>(epochWord());
}

/**
 * Pass 1 of freeMany for one handle: claims its slot (live -> PENDING, so a duplicate is refused
 * as DOUBLE_FREE) and returns its index, or INVALID_HANDLE / DOUBLE_FREE.
 */
export function sharedPoolClaim(handle: u32, epoch: u32): i32 {
  const index = slotIndex(handle);
  if (index < 0) return INVALID_HANDLE;
  return atomic.cmpxchg<u32>(liveAt(<u32>index), epoch, PENDING) == epoch ? index : DOUBLE_FREE;
}

/** Gives back a claim of a refused batch. */
export function sharedPoolUnclaim(index: u32, epoch: u32): void {
  if (index < capacity) atomic.store<u32>(liveAt(index), epoch);
}

/** Pass 2 of freeMany for one claimed slot. */
export function sharedPoolFreeClaimed(index: u32, epoch: u32): void {
  if (index >= capacity) return;
  atomic.store<u32>(liveAt(index), 0);
  release(index, epoch);
}

/**
 * Stats field `field` (a POOL_STAT_* index). Each read is atomic; together they are exact
 * whenever no call is in flight, a snapshot that may lag the calls otherwise.
 */
export function sharedPoolStat(field: i32): f64 {
  const allocated = atomic.load<u32>(allocatedWord());
  if (field == POOL_STAT_OBJECT_SIZE) return <f64>objectSize;
  if (field == POOL_STAT_SLOT_SIZE) return <f64>slotSize;
  if (field == POOL_STAT_CAPACITY) return <f64>capacity;
  if (field == POOL_STAT_ALLOCATED) return <f64>allocated;
  if (field == POOL_STAT_AVAILABLE) return <f64>(capacity - allocated);
  if (field == POOL_STAT_PEAK_ALLOCATED) return <f64>atomic.load<u32>(peakWord());
  if (field == POOL_STAT_ALLOC_COUNT) return <f64>atomic.load<u64>(allocCountWord());
  if (field == POOL_STAT_FREE_COUNT) return <f64>(atomic.load<u64>(allocCountWord()) - <u64>allocated - atomic.load<u64>(releasedWord()));
  if (field == POOL_STAT_FAILED_ALLOCS) return <f64>atomic.load<u64>(failedWord());
  return -1;
}
