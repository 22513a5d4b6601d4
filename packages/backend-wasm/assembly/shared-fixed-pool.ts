/**
 * The shared fixed pool with per-holder caches: docs/SHARED.md's algorithm ("The shared fixed
 * pool"), the same as packages/backend-js/src/shared-fixed-pool.ts and the C library's, over a
 * shared WebAssembly.Memory that every holder's instance (in any worker) imports. Each instance
 * keeps only the geometry and its own holder record's address in globals; everything else is in
 * that memory, after the header (assembly/shared-header.ts) attach verifies.
 *
 * Every state change of a slot is decided by one compare-and-swap on its own live word, packed as
 * `epoch << 10 | holder << 2 | state`. A holder's cache and the shared stack of batches are hints
 * that compare-and-swap validates: a stale cache entry fails it and is dropped, so no slot is
 * handed out twice and none is on the stack twice.
 */
import { DOUBLE_FREE, INVALID_ARGUMENT, INVALID_HANDLE, OK } from './engine-facts';
import * as facts from './engine-facts';
import { reserve } from './engine-memory';
import {
  HEADER_CAPACITY,
  HEADER_DATA_OFFSET,
  HEADER_LINES,
  HEADER_OBJECT_SIZE,
  HEADER_SLOT_SIZE,
  HEADER_STATE_BYTES,
  KIND_POOL,
  headerFits,
  headerWord,
  writeHeader,
} from './shared-header';
import { BUSY, LINE, lineAt } from './shared-words';

/** Holder records: the creator and every attach each claim one; an attach when all are claimed is refused (BUSY). */
export const HOLDERS: u32 = 64;
/** Slots a holder's cache parks (M); a full cache moves its older half (a batch) to the stack. */
const CACHE: u32 = 32;
const BATCH: u32 = CACHE >> 1;
/** Lines of one holder record: its own line of words and counters, then the cache's entries. */
const RECORD_LINES: usize = 1 + ((<usize>CACHE << 2) + LINE - 1) / LINE;

// A slot's live word: epoch << 10 | holder << 2 | state. A word whose epoch is not the current
// one is free, and so is 0 (epochs start at 1), so a reset frees every slot at once.
/** Claimed by a `freeMany` still checking its batch. */
const PENDING: u32 = 0;
const LIVE: u32 = 1;
/** Free, parked in the cache of the holder in bits 2-9. */
const CACHED: u32 = 2;
/** Free, in a batch on the shared stack. */
const STACKED: u32 = 3;
const EPOCH_SHIFT: u32 = 10;
const EPOCH_LIMIT: u32 = 1 << (32 - EPOCH_SHIFT);
const LOW: u64 = 0xffffffff;

// The pool's words after the header, one line per group written by different calls.
/** The reset epoch (read by claims and reset; holders use their record's copy), and 1 while a reset runs. */
// @ts-ignore: decorator
@inline function epochWord(): usize { return lineAt(HEADER_LINES); }
// @ts-ignore: decorator
@inline function resettingWord(): usize { return lineAt(HEADER_LINES) + 4; }
/** The first slot never handed out since creation or the last reset. */
// @ts-ignore: decorator
@inline function untouchedWord(): usize { return lineAt(HEADER_LINES + 1); }
/** The stack of batches: u64, the top batch's first slot + 1 (0 when empty) low, an ABA tag high. */
// @ts-ignore: decorator
@inline function headWord(): usize { return lineAt(HEADER_LINES + 2); }
/** The peak folded in by the last reset (the records' peaks restart from 0 there). */
// @ts-ignore: decorator
@inline function storedPeakWord(): usize { return lineAt(HEADER_LINES + 3); }
/** Holder records ever claimed (the highest index + 1): stealing, stats and reset look no further. */
// @ts-ignore: decorator
@inline function recordsUsedWord(): usize { return lineAt(HEADER_LINES + 3) + 4; }
const STATE_LINES: usize = 4;
// @ts-ignore: decorator
@inline function recordAt(holder: u32): usize { return lineAt(HEADER_LINES + STATE_LINES + <usize>holder * RECORD_LINES); }

// A holder record. The owner writes everything but `claimed` with plain stores; thieves and
// `stats` read it racily; `reset` (under quiescence) writes every record.
const R_CLAIMED: usize = 0;
/** The epoch this holder must use: set on claim and by every reset. */
const R_EPOCH: usize = 4;
const R_COUNT: usize = 8;
/**
 * allocs - frees through this record since the last reset (negative when it freed others' slots;
 * unbounded either way when one holder allocates what another frees, hence i64): `allocated` is the sum.
 */
const R_NET: usize = 16;
/** The highest `net` since the last reset: their sum bounds `peakAllocated` (exact with one holder). */
const R_PEAK: usize = 24;
const R_ALLOCS: usize = 32;
const R_FREES: usize = 40;
const R_FAILED: usize = 48;
const R_ENTRIES: usize = LINE;

// Geometry, set once per instance, and this instance's holder.
let objectSize: u32 = 0;
let slotSize: u32 = 0;
let capacity: u32 = 0;
let dataOffset: u32 = 0;
/** `next[capacity]`: within a batch, the following slot + 1 (0 after its last slot). */
let next: usize = 0;
/** `link[capacity]`, on a batch's first slot: the batch below it (first slot + 1, 0 at the bottom). */
let link: usize = 0;
/** `live[capacity]`, the slot states. */
let live: usize = 0;
/** This instance's holder record, its number, and `holder << 2 | CACHED`. */
let mine: usize = 0;
let self: u32 = 0;
let cachedBits: u32 = 0;

// @ts-ignore: decorator
@inline function nextAt(index: u32): usize { return next + (<usize>index << 2); }
// @ts-ignore: decorator
@inline function linkAt(index: u32): usize { return link + (<usize>index << 2); }
// @ts-ignore: decorator
@inline function liveAt(index: u32): usize { return live + (<usize>index << 2); }
// @ts-ignore: decorator
@inline function entryAt(record: usize, i: u32): usize { return record + R_ENTRIES + (<usize>i << 2); }
/** The epoch bits of this holder's live words. */
// @ts-ignore: decorator
@inline function epochBits(): u32 { return load<u32>(mine + R_EPOCH) << EPOCH_SHIFT; }
/** A head with `top` on it and the tag moved on (every push and pop moves it: ABA). */
// @ts-ignore: decorator
@inline function headAfter(head: u64, top: u32): u64 { return (((head >> 32) + 1) << 32) | <u64>top; }

/** Bytes of a pool's state: header, words, records and three u32 arrays. */
function stateBytes(capacity_: u32): u64 {
  return <u64>(HEADER_LINES + STATE_LINES + <usize>HOLDERS * RECORD_LINES) * LINE + <u64>capacity_ * 12;
}

function place(): void {
  objectSize = headerWord(HEADER_OBJECT_SIZE);
  slotSize = headerWord(HEADER_SLOT_SIZE);
  capacity = headerWord(HEADER_CAPACITY);
  dataOffset = headerWord(HEADER_DATA_OFFSET);
  next = recordAt(HOLDERS);
  link = next + (<usize>capacity << 2);
  live = link + (<usize>capacity << 2);
}

/** Claims a free holder record for this instance: OK, or BUSY when all are claimed. */
function claim(): i32 {
  for (let holder: u32 = 0; holder < HOLDERS; holder++) {
    const record = recordAt(holder);
    if (atomic.cmpxchg<u32>(record + R_CLAIMED, 0, 1) != 0) continue;
    // A record keeps its counters from earlier holders: the pool's totals are their sums.
    store<u32>(record + R_EPOCH, atomic.load<u32>(epochWord()));
    store<u32>(record + R_COUNT, 0);
    let used = atomic.load<u32>(recordsUsedWord());
    while (used < holder + 1) {
      const was = atomic.cmpxchg<u32>(recordsUsedWord(), used, holder + 1);
      if (was == used) break;
      used = was;
    }
    mine = record;
    self = holder;
    cachedBits = (holder << 2) | CACHED;
    return OK;
  }
  return BUSY;
}

/**
 * A new pool: lays out and zeroes its state, writes the header and claims holder record 0. OK,
 * INVALID_ARGUMENT (its state cannot fit a wasm32 memory) or OUT_OF_MEMORY.
 */
export function sharedPoolCreate(objectSize_: u32, slotSize_: u32, capacity_: u32, align_: u32, dataOffset_: u32, memoryBytes: u32, tag: u32): i32 {
  const bytes = stateBytes(capacity_);
  const status = reserve(bytes);
  if (status != OK) return status;
  writeHeader(KIND_POOL, objectSize_, slotSize_, capacity_, align_, dataOffset_, capacity_ * slotSize_, memoryBytes, <u32>bytes, HOLDERS, CACHE, tag);
  atomic.store<u32>(epochWord(), 1);
  place();
  return claim();
}

/**
 * Another holder of the pool in this memory (whose header JavaScript has checked against the
 * descriptor): claims a free holder record. OK, INVALID_ARGUMENT (no pool of this engine's
 * layout here) or BUSY (every record is claimed).
 */
export function sharedPoolAttach(): i32 {
  // JavaScript has checked the kind; an arena's state would not have a pool's size either.
  if (!headerFits()) return INVALID_ARGUMENT;
  if (<u64>headerWord(HEADER_STATE_BYTES) != stateBytes(headerWord(HEADER_CAPACITY))) return INVALID_ARGUMENT;
  place();
  return claim();
}

/** The slot index `handle` names (live or not), or -1 when it names no slot of this pool. */
// @ts-ignore: decorator
@inline function slotIndex(handle: u32): i32 {
  if (handle < dataOffset) return -1;
  const relative = handle - dataOffset;
  const index = relative / slotSize;
  return index * slotSize == relative && index < capacity ? <i32>index : -1;
}

/** Counts an allocation of slot `index` on this holder's record and returns its handle. */
function counted(index: u32): u32 {
  store<u64>(mine + R_ALLOCS, load<u64>(mine + R_ALLOCS) + 1);
  const net = load<i64>(mine + R_NET) + 1;
  store<i64>(mine + R_NET, net);
  if (net > load<i64>(mine + R_PEAK)) store<i64>(mine + R_PEAK, net);
  return dataOffset + index * slotSize;
}

export function sharedPoolAlloc(): u32 {
  let count = load<u32>(mine + R_COUNT);
  if (count != 0) {
    const epoch = epochBits();
    const parked = epoch | cachedBits;
    // Only this holder writes its cache, so plain accesses; the compare-and-swap decides (an entry
    // another holder stole since is no longer parked here and is dropped).
    while (count != 0) {
      const slot = load<u32>(entryAt(mine, --count));
      if (slot < capacity && atomic.cmpxchg<u32>(liveAt(slot), parked, epoch | LIVE) == parked) {
        store<u32>(mine + R_COUNT, count);
        return counted(slot);
      }
    }
    store<u32>(mine + R_COUNT, 0);
  }
  return allocSlow();
}

/** `alloc` with an empty cache: a batch from the stack, else an untouched slot, else stealing. */
function allocSlow(): u32 {
  while (true) {
    const epoch = epochBits();
    const head = atomic.load<u64>(headWord());
    const top = <u32>(head & LOW);
    if (top != 0 && top <= capacity) {
      // `link` is read after the load of the head that saw the push which wrote it; a later write
      // means the batch was popped and pushed again, which moved the tag, so the swap fails.
      if (atomic.cmpxchg<u64>(headWord(), head, headAfter(head, atomic.load<u32>(linkAt(top - 1)))) != head) continue;
      // The batch is this call's: refill the cache in the order it was pushed (oldest at the bottom).
      const parked = epoch | cachedBits;
      const stacked = epoch | STACKED;
      let n: u32 = 0;
      let index = top - 1;
      // A batch is at most BATCH slots; the bound also ends a walk over links a damaged state holds.
      for (let steps: u32 = 0; steps < BATCH; steps++) {
        // Read while the slot is still STACKED, so this call's alone: once parked, another holder
        // may steal it and flush it into a batch of its own, rewriting its link.
        const following = atomic.load<u32>(nextAt(index));
        if (atomic.cmpxchg<u32>(liveAt(index), stacked, parked) == stacked) store<u32>(entryAt(mine, n++), index);
        if (following == 0 || following > capacity) break;
        index = following - 1;
      }
      store<u32>(mine + R_COUNT, n);
      if (n == 0) continue;
      return sharedPoolAlloc();
    }
    // Fresh slots one at a time, so they go out in ascending order whichever holder asks.
    const untouched = atomic.load<u32>(untouchedWord());
    if (untouched < capacity) {
      const word = atomic.load<u32>(liveAt(untouched));
      // The slot's own compare-and-swap hands it out, so it is never taken yet not live (a free
      // or a full pool seen in between would contradict each other); `untouched` follows, moved
      // on by the taker or by any alloc that finds the slot already of this epoch.
      const fresh = word >> EPOCH_SHIFT != epoch >> EPOCH_SHIFT;
      if (fresh && atomic.cmpxchg<u32>(liveAt(untouched), word, epoch | LIVE) != word) continue;
      atomic.cmpxchg<u32>(untouchedWord(), untouched, untouched + 1);
      if (fresh) return counted(untouched);
      continue;
    }
    const stolen = steal(epoch);
    if (stolen >= 0) return counted(<u32>stolen);
    // Full only if no batch was pushed meanwhile (every push moves the tag).
    if (atomic.load<u64>(headWord()) != head) continue;
    store<u64>(mine + R_FAILED, load<u64>(mine + R_FAILED) + 1);
    return 0;
  }
  return 0;
}

/**
 * Full means full: takes a slot parked in another holder's cache (a live holder's, or one whose
 * worker was terminated) and returns its index, or -1 when no cache has one. The other caches are
 * read racily: each index is bounds-checked, and the compare-and-swap decides.
 */
function steal(epoch: u32): i64 {
  const used = min(atomic.load<u32>(recordsUsedWord()), HOLDERS);
  for (let holder: u32 = 0; holder < used; holder++) {
    if (holder == self) continue;
    const record = recordAt(holder);
    const parked = epoch | (holder << 2) | CACHED;
    let count = min(atomic.load<u32>(record + R_COUNT), CACHE);
    while (count != 0) {
      const slot = atomic.load<u32>(entryAt(record, --count));
      if (slot < capacity && atomic.cmpxchg<u32>(liveAt(slot), parked, epoch | LIVE) == parked) return <i64>slot;
    }
  }
  return -1;
}

/**
 * Moves the `take` oldest entries of this holder's cache to the stack as one batch, and the rest
 * down. Each entry moves only if its CACHED(self) -> STACKED compare-and-swap wins (one another
 * holder stole since has gone), so a slot is on the stack at most once.
 */
function flush(take: u32): void {
  const epoch = epochBits();
  const parked = epoch | cachedBits;
  let first1: u32 = 0;
  let last: u32 = 0;
  for (let i: u32 = 0; i < take; i++) {
    const slot = load<u32>(entryAt(mine, i));
    if (slot >= capacity || atomic.cmpxchg<u32>(liveAt(slot), parked, epoch | STACKED) != parked) continue;
    if (first1 == 0) first1 = slot + 1;
    else atomic.store<u32>(nextAt(last), slot + 1);
    last = slot;
  }
  const count = load<u32>(mine + R_COUNT);
  for (let i = take; i < count; i++) store<u32>(entryAt(mine, i - take), load<u32>(entryAt(mine, i)));
  store<u32>(mine + R_COUNT, count - take);
  if (first1 == 0) return;
  atomic.store<u32>(nextAt(last), 0);
  // The compare-and-swap that pushes the batch publishes its `next` and `link` words.
  let head = atomic.load<u64>(headWord());
  while (true) {
    atomic.store<u32>(linkAt(first1 - 1), <u32>(head & LOW));
    const was = atomic.cmpxchg<u64>(headWord(), head, headAfter(head, first1));
    if (was == head) return;
    head = was;
  }
}

/** Puts slot `index`, whose live word this call made CACHED(self), on top of the cache, and counts the free. */
function park(index: u32): void {
  let count = load<u32>(mine + R_COUNT);
  if (count >= CACHE) {
    flush(BATCH);
    count = load<u32>(mine + R_COUNT);
  }
  store<u32>(entryAt(mine, count), index);
  store<u32>(mine + R_COUNT, count + 1);
  store<u64>(mine + R_FREES, load<u64>(mine + R_FREES) + 1);
  store<i64>(mine + R_NET, load<i64>(mine + R_NET) - 1);
}

/** Frees one slot: OK, INVALID_HANDLE or DOUBLE_FREE (of racing frees of one handle, in any holders, exactly one gets OK). */
export function sharedPoolFree(handle: u32): i32 {
  const index = slotIndex(handle);
  if (index < 0) return INVALID_HANDLE;
  const epoch = epochBits();
  // The one shared write of a free.
  if (atomic.cmpxchg<u32>(liveAt(<u32>index), epoch | LIVE, epoch | cachedBits) != (epoch | LIVE)) return DOUBLE_FREE;
  park(<u32>index);
  return OK;
}

/**
 * Ends this holder: its cache goes to the stack, oldest batch first (so the next holder to
 * allocate gets last-freed-first), and its record is free for another attach. Its counters stay
 * in the record (stats keep summing them; a later claimant adds to them).
 */
export function sharedPoolDetach(): void {
  while (load<u32>(mine + R_COUNT) != 0) flush(min(BATCH, load<u32>(mine + R_COUNT)));
  atomic.store<u32>(mine + R_CLAIMED, 0);
}

/**
 * Every slot free again: OK, or BUSY when another reset is running (then nothing changes). Needs
 * quiescence (no call of any holder running), as documented: it writes every record.
 */
export function sharedPoolReset(): i32 {
  if (atomic.cmpxchg<u32>(resettingWord(), 0, 1) != 0) return BUSY;
  atomic.store<u32>(storedPeakWord(), peakAllocated());
  let epoch = atomic.load<u32>(epochWord()) + 1;
  if (epoch == EPOCH_LIMIT) {
    // Once in 2^22 - 1 resets: old words could match the new epoch, so clear them (amortised O(1)).
    for (let i: u32 = 0; i < capacity; i++) atomic.store<u32>(liveAt(i), 0);
    epoch = 1;
  }
  atomic.store<u32>(epochWord(), epoch);
  while (true) {
    const head = atomic.load<u64>(headWord());
    if (atomic.cmpxchg<u64>(headWord(), head, headAfter(head, 0)) == head) break;
  }
  atomic.store<u32>(untouchedWord(), 0);
  for (let holder: u32 = 0; holder < HOLDERS; holder++) {
    const record = recordAt(holder);
    atomic.store<u32>(record + R_EPOCH, epoch);
    atomic.store<u32>(record + R_COUNT, 0);
    atomic.store<i64>(record + R_NET, 0);
    atomic.store<i64>(record + R_PEAK, 0);
  }
  atomic.store<u32>(resettingWord(), 0);
  return OK;
}

/**
 * Pass 1 of freeMany for one handle: claims its slot (LIVE -> PENDING, so a duplicate or a racing
 * free is refused as DOUBLE_FREE) and returns its index, or INVALID_HANDLE / DOUBLE_FREE.
 */
export function sharedPoolClaim(handle: u32): i32 {
  const index = slotIndex(handle);
  if (index < 0) return INVALID_HANDLE;
  const epoch = epochBits();
  const liveWord = epoch | LIVE;
  return atomic.cmpxchg<u32>(liveAt(<u32>index), liveWord, epoch | (self << 2) | PENDING) == liveWord ? index : DOUBLE_FREE;
}

/** Gives back a claim of a refused batch. */
export function sharedPoolUnclaim(index: u32): void {
  if (index < capacity) atomic.store<u32>(liveAt(index), epochBits() | LIVE);
}

/** Pass 2 of freeMany for one claimed slot. */
export function sharedPoolFreeClaimed(index: u32): void {
  if (index >= capacity) return;
  atomic.store<u32>(liveAt(index), epochBits() | cachedBits);
  park(index);
}

/** Holder records to sum over. */
// @ts-ignore: decorator
@inline function recordsUsed(): u32 {
  return min(atomic.load<u32>(recordsUsedWord()), HOLDERS);
}

/** Sums record counter `at` (a u64) over the records used. */
function sum64(at: usize): u64 {
  let total: u64 = 0;
  const used = recordsUsed();
  for (let holder: u32 = 0; holder < used; holder++) total += atomic.load<u64>(recordAt(holder) + at);
  return total;
}

/** Sums record counter `at` (an i64) over the records used. */
function sumSigned(at: usize): i64 {
  let total: i64 = 0;
  const used = recordsUsed();
  for (let holder: u32 = 0; holder < used; holder++) total += atomic.load<i64>(recordAt(holder) + at);
  return total;
}

/**
 * Free slots parked in holders' caches now: the distinct entries whose slot's word still says
 * CACHED(that holder) (a stale entry, or a second entry of one slot, counts nothing).
 */
export function sharedPoolCached(): f64 {
  const epoch = atomic.load<u32>(epochWord()) << EPOCH_SHIFT;
  const used = recordsUsed();
  let total: u32 = 0;
  for (let holder: u32 = 0; holder < used; holder++) {
    const record = recordAt(holder);
    const count = min(atomic.load<u32>(record + R_COUNT), CACHE);
    const parked = epoch | (holder << 2) | CACHED;
    for (let i: u32 = 0; i < count; i++) {
      const slot = atomic.load<u32>(entryAt(record, i));
      if (slot >= capacity || atomic.load<u32>(liveAt(slot)) != parked) continue;
      let first = true;
      for (let j: u32 = i + 1; j < count && first; j++) first = atomic.load<u32>(entryAt(record, j)) != slot;
      if (first) total++;
    }
  }
  return <f64>total;
}

/**
 * The larger of the peak stored at the last reset and the sum of the records' highest `net` (at
 * most `capacity`): the highest value of a sum is at most the sum of its terms' highest values, so
 * this is an upper bound with several holders, and exact with one.
 */
function peakAllocated(): u32 {
  const sum = sumSigned(R_PEAK);
  // Each record's peak is at least 0, so only the top needs a bound.
  return max(atomic.load<u32>(storedPeakWord()), <u32>(sum > <i64>capacity ? <i64>capacity : sum));
}

/**
 * Stats field `field` (a POOL_STAT_* index), summed over the holder records: exact whenever no
 * call is in flight, a snapshot that may lag the calls otherwise (never outside [0, capacity]).
 */
export function sharedPoolStat(field: i32): f64 {
  const net = sumSigned(R_NET);
  const allocated = <u32>(net < 0 ? 0 : net > <i64>capacity ? <i64>capacity : net);
  if (field == facts.POOL_STAT_OBJECT_SIZE) return <f64>objectSize;
  if (field == facts.POOL_STAT_SLOT_SIZE) return <f64>slotSize;
  if (field == facts.POOL_STAT_CAPACITY) return <f64>capacity;
  if (field == facts.POOL_STAT_ALLOCATED) return <f64>allocated;
  if (field == facts.POOL_STAT_AVAILABLE) return <f64>(capacity - allocated);
  if (field == facts.POOL_STAT_PEAK_ALLOCATED) return <f64>max(allocated, peakAllocated());
  if (field == facts.POOL_STAT_ALLOC_COUNT) return <f64>sum64(R_ALLOCS);
  if (field == facts.POOL_STAT_FREE_COUNT) return <f64>sum64(R_FREES);
  if (field == facts.POOL_STAT_FAILED_ALLOCS) return <f64>sum64(R_FAILED);
  return -1;
}
