/**
 * The shared fixed pool with per-holder caches (issue 18; the algorithm is docs/SHARED.md's, the
 * same in the js backend and the C library), over a shared WebAssembly.Memory that every holder's
 * instance (in any worker) imports. Each instance keeps only its geometry and its holder record's
 * address in globals; everything else is in that memory.
 *
 * Every state change of a slot is decided by one compare-and-swap on its own `live` word, packed as
 * `epoch << 8 | state << 6 | holder`: LIVE, CACHED(holder) (free, parked in that holder's cache),
 * STACKED (free, on the shared stack); a word of another epoch, or of state 0, is free and parked
 * nowhere (untouched, or claimed by a running freeMany). A holder's cache (M slot indices) and the
 * shared stack are hints the compare-and-swap validates: a stale cache entry fails it and is
 * dropped, so no slot is handed out twice and none is on the stack twice.
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
import { reserve } from './engine-memory';
import { HEADER_CAPACITY, HEADER_DATA_OFFSET, HEADER_KIND, HEADER_LINES, HEADER_OBJECT_SIZE, HEADER_SLOT_SIZE, HEADER_STATE_BYTES, KIND_POOL, headerFits, sharedHeader, writeHeader } from './shared-header';
import { BUSY, LINE, lineAt } from './shared-words';

/** Holder records: the creator and up to 63 attached holders at once (attach refuses a 65th). */
export const HOLDERS: u32 = 64;
/** Slots a holder's cache parks (M); a full cache moves its older half (a batch) to the stack. */
export const CACHE: u32 = 32;
const BATCH: u32 = CACHE >> 1;
/** Lines of one holder record: the counters line, then the cache's entries. */
const RECORD_LINES: usize = 1 + ((<usize>CACHE << 2) + LINE - 1) / LINE;

// Slot states, in bits 6-7 of a live word.
const LIVE: u32 = 1 << 6;
const CACHED: u32 = 2 << 6;
const STACKED: u32 = 3 << 6;
/** Epochs use the top 24 bits; 0 is never current, so a zeroed word is free. */
const EPOCH_LIMIT: u32 = 1 << 24;
const LOW: u64 = 0xffffffff;
/** Rounds an alloc that found nothing retries while other holders move a batch (see `alloc`). */
const TRANSIT_ROUNDS: i32 = 1 << 12;

// The state after the header, one cache line per word written by different calls.
/** Read by every call, written by reset only: the epoch, and 1 while a reset runs. */
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
/** Batches between leaving a cache or the stack and reaching the other (an alloc finding nothing waits for them). */
// @ts-ignore: decorator
@inline function transitWord(): usize { return lineAt(HEADER_LINES + 3); }
/** The peak folded in by the last reset (the records' peaks restart from 0 there). */
// @ts-ignore: decorator
@inline function storedPeakWord(): usize { return lineAt(HEADER_LINES + 3) + 8; }
/** Holder records claimed now. */
// @ts-ignore: decorator
@inline function claimedWord(): usize { return lineAt(HEADER_LINES + 3) + 4; }
const STATE_LINES: usize = 4;
// @ts-ignore: decorator
@inline function recordAt(holder: u32): usize { return lineAt(HEADER_LINES + STATE_LINES + <usize>holder * RECORD_LINES); }

// A holder record: the owner alone writes everything but `claimed` with plain stores; `stats`
// and thieves read them racily.
const R_CLAIMED: usize = 0;
const R_COUNT: usize = 4;
const R_ALLOCS: usize = 8;
const R_FREES: usize = 16;
const R_FAILED: usize = 24;
/** allocs - frees of this record (negative when it freed others' slots): `allocated` is the sum. */
const R_NET: usize = 32;
/** The highest `net` reached: their sum bounds `peakAllocated` (exact with one holder). */
const R_PEAK: usize = 36;
const R_ENTRIES: usize = LINE;

// Geometry, set once per instance.
let objectSize: u32 = 0;
let slotSize: u32 = 0;
let capacity: u32 = 0;
let dataOffset: u32 = 0;
/** `next[capacity]`: a batch's chain (slot + 1, 0 after its last slot). */
let next: usize = 0;
/** `link[capacity]`, at a batch's first slot: the batch below it (first slot + 1, 0 at the bottom). */
let link: usize = 0;
/** `live[capacity]`, the slot states. */
let live: usize = 0;
/** This instance's holder record and its number. */
let mine: usize = 0;
let self: u32 = 0;

// @ts-ignore: decorator
@inline function nextAt(index: u32): usize { return next + (<usize>index << 2); }
// @ts-ignore: decorator
@inline function linkAt(index: u32): usize { return link + (<usize>index << 2); }
// @ts-ignore: decorator
@inline function liveAt(index: u32): usize { return live + (<usize>index << 2); }
// @ts-ignore: decorator
@inline function entryAt(record: usize, i: u32): usize { return record + R_ENTRIES + (<usize>i << 2); }

/** Bytes of a pool's state: header, words, records and three u32 arrays. */
function stateBytes(capacity_: u32): u64 {
  return (<u64>(HEADER_LINES + STATE_LINES + <usize>HOLDERS * RECORD_LINES) * LINE) + <u64>capacity_ * 12;
}

function place(): void {
  objectSize = sharedHeader(HEADER_OBJECT_SIZE);
  slotSize = sharedHeader(HEADER_SLOT_SIZE);
  capacity = sharedHeader(HEADER_CAPACITY);
  dataOffset = sharedHeader(HEADER_DATA_OFFSET);
  next = recordAt(HOLDERS);
  link = next + (<usize>capacity << 2);
  live = link + (<usize>capacity << 2);
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
  atomic.store<u32>(recordAt(0) + R_CLAIMED, 1);
  atomic.store<u32>(claimedWord(), 1);
  mine = recordAt(0);
  self = 0;
  return OK;
}

/**
 * Another holder of the pool in this memory (whose header JavaScript has checked against the
 * descriptor): claims a free holder record. OK, INVALID_ARGUMENT (no pool here) or BUSY (every
 * record is claimed).
 */
export function sharedPoolAttach(): i32 {
  if (!headerFits() || sharedHeader(HEADER_KIND) != KIND_POOL) return INVALID_ARGUMENT;
  if (<u64>sharedHeader(HEADER_STATE_BYTES) != stateBytes(sharedHeader(HEADER_CAPACITY))) return INVALID_ARGUMENT;
  place();
  for (let holder: u32 = 0; holder < HOLDERS; holder++) {
    const record = recordAt(holder);
    if (atomic.load<u32>(record + R_CLAIMED) == 0 && atomic.cmpxchg<u32>(record + R_CLAIMED, 0, 1) == 0) {
      atomic.add<u32>(claimedWord(), 1);
      mine = record;
      self = holder;
      return OK;
    }
  }
  return BUSY;
}

/** The slot index `handle` names (live or not), or -1 when it names no slot of this pool. */
// @ts-ignore: decorator
@inline function slotIndex(handle: u32): i32 {
  if (handle < dataOffset) return -1;
  const relative = handle - dataOffset;
  const index = relative / slotSize;
  return index * slotSize == relative && index < capacity ? <i32>index : -1;
}

/** Counts an allocation of this holder. */
// @ts-ignore: decorator
@inline function counted(index: u32): u32 {
  store<u64>(mine + R_ALLOCS, load<u64>(mine + R_ALLOCS) + 1);
  const net = load<i32>(mine + R_NET) + 1;
  store<i32>(mine + R_NET, net);
  if (net > load<i32>(mine + R_PEAK)) store<i32>(mine + R_PEAK, net);
  return dataOffset + index * slotSize;
}

/**
 * Refills this holder's empty cache, as CACHED(self), with a batch from the stack (in the order it
 * was pushed, so one holder alone keeps last-freed-first). False when the stack is empty.
 */
function refill(epoch: u32): bool {
  const cached = (epoch << 8) | CACHED | self;
  if (<u32>(atomic.load<u64>(headWord()) & LOW) == 0) return false;
  // Raised before the batch leaves the stack: until it is parked, it is on no stack and in no cache.
  atomic.add<u32>(transitWord(), 1);
  while (true) {
    const top = atomic.load<u64>(headWord());
    const first1 = <u32>(top & LOW);
    if (first1 == 0) break;
    const below = atomic.load<u32>(linkAt(first1 - 1));
    if (atomic.cmpxchg<u64>(headWord(), top, (((top >> 32) + 1) << 32) | <u64>below) != top) continue;
    // The batch is this call's: only its popper moves its slots out of STACKED.
    let count: u32 = 0;
    let slot1 = first1;
    while (slot1 != 0 && count < BATCH) {
      const slot = slot1 - 1;
      // The link first: once parked, another holder may take the slot and link it into a batch of its own.
      slot1 = atomic.load<u32>(nextAt(slot));
      atomic.store<u32>(liveAt(slot), cached);
      store<u32>(entryAt(mine, count++), slot);
    }
    store<u32>(mine + R_COUNT, count);
    atomic.sub<u32>(transitWord(), 1);
    return true;
  }
  atomic.sub<u32>(transitWord(), 1);
  return false;
}

/**
 * Full means full: takes a slot parked in another holder's cache (a dead worker's too), reading
 * their entries racily and validating each by the compare-and-swap; then, with several holders, a
 * scan of the live words for a parked slot whose entry the racy reads missed. -1 when none is parked.
 */
function steal(epoch: u32): i64 {
  const liveWord = (epoch << 8) | LIVE;
  for (let holder: u32 = 0; holder < HOLDERS; holder++) {
    if (holder == self) continue;
    const record = recordAt(holder);
    if (atomic.load<u32>(record + R_CLAIMED) == 0) continue;
    const cached = (epoch << 8) | CACHED | holder;
    let count = atomic.load<u32>(record + R_COUNT);
    if (count > CACHE) count = CACHE;
    while (count > 0) {
      const slot = atomic.load<u32>(entryAt(record, --count));
      if (slot < capacity && atomic.cmpxchg<u32>(liveAt(slot), cached, liveWord) == cached) return <i64>slot;
    }
  }
  if (atomic.load<u32>(claimedWord()) > 1) {
    for (let slot: u32 = 0; slot < capacity; slot++) {
      const word = atomic.load<u32>(liveAt(slot));
      if (word >> 8 == epoch && (word & STACKED) == CACHED && atomic.cmpxchg<u32>(liveAt(slot), word, liveWord) == word) return <i64>slot;
    }
  }
  return -1;
}

export function sharedPoolAlloc(): u32 {
  const epoch = atomic.load<u32>(epochWord());
  const cached = (epoch << 8) | CACHED | self;
  const liveWord = (epoch << 8) | LIVE;
  let rounds = TRANSIT_ROUNDS;
  while (true) {
    let count = load<u32>(mine + R_COUNT);
    while (count > 0) {
      const slot = load<u32>(entryAt(mine, --count));
      store<u32>(mine + R_COUNT, count);
      // A stale entry (its slot was stolen, or is parked again under a newer entry) fails here.
      if (atomic.cmpxchg<u32>(liveAt(slot), cached, liveWord) == cached) return counted(slot);
    }
    if (refill(epoch)) continue;
    // One untouched slot at a time, so that a fresh pool hands out ascending slots whichever holder asks.
    const untouched = atomic.load<u32>(untouchedWord());
    if (untouched < capacity) {
      if (atomic.cmpxchg<u32>(untouchedWord(), untouched, untouched + 1) != untouched) continue;
      atomic.store<u32>(liveAt(untouched), liveWord);
      return counted(untouched);
    }
    const stolen = steal(epoch);
    if (stolen >= 0) return counted(<u32>stolen);
    // Slots another holder is moving between its cache and the stack are in no cache and on no
    // stack for a moment: wait for them rather than say "full" while they are free. (A worker
    // terminated in that moment leaves its count up: the rounds bound the wait.)
    if (atomic.load<u32>(transitWord()) == 0 || --rounds <= 0) break;
  }
  store<u64>(mine + R_FAILED, load<u64>(mine + R_FAILED) + 1);
  return 0;
}

/**
 * Moves entries[from, from + n) of this holder's cache to the stack as one batch: each slot by a
 * compare-and-swap CACHED(self) -> STACKED (a stale entry, its slot stolen or parked again under a
 * newer entry, fails and is dropped), linked through next[], pushed by one compare-and-swap.
 */
function pushBatch(from: u32, n: u32, epoch: u32): void {
  const cached = (epoch << 8) | CACHED | self;
  const stacked = (epoch << 8) | STACKED;
  atomic.add<u32>(transitWord(), 1);
  let first1: u32 = 0;
  let last: u32 = 0;
  for (let i = from; i < from + n; i++) {
    const slot = load<u32>(entryAt(mine, i));
    if (slot >= capacity || atomic.cmpxchg<u32>(liveAt(slot), cached, stacked) != cached) continue;
    if (first1 == 0) first1 = slot + 1;
    else atomic.store<u32>(nextAt(last), slot + 1);
    last = slot;
  }
  if (first1 != 0) {
    atomic.store<u32>(nextAt(last), 0);
    while (true) {
      const top = atomic.load<u64>(headWord());
      atomic.store<u32>(linkAt(first1 - 1), <u32>(top & LOW));
      if (atomic.cmpxchg<u64>(headWord(), top, (((top >> 32) + 1) << 32) | <u64>first1) == top) break;
    }
  }
  atomic.sub<u32>(transitWord(), 1);
}

/** Makes room in this holder's full cache: its older half goes to the stack, the newer half moves down. */
function flush(epoch: u32): void {
  pushBatch(0, BATCH, epoch);
  for (let i: u32 = BATCH; i < CACHE; i++) store<u32>(entryAt(mine, i - BATCH), load<u32>(entryAt(mine, i)));
  store<u32>(mine + R_COUNT, CACHE - BATCH);
}

/** Parks a slot this holder just made CACHED(self) in its cache. */
function park(slot: u32, epoch: u32): void {
  let count = load<u32>(mine + R_COUNT);
  if (count >= CACHE) {
    flush(epoch);
    count = CACHE - BATCH;
  }
  store<u32>(entryAt(mine, count), slot);
  store<u32>(mine + R_COUNT, count + 1);
  store<u64>(mine + R_FREES, load<u64>(mine + R_FREES) + 1);
  store<i32>(mine + R_NET, load<i32>(mine + R_NET) - 1);
}

/** Frees one slot: OK, INVALID_HANDLE or DOUBLE_FREE (exactly one of racing frees gets OK). */
export function sharedPoolFree(handle: u32): i32 {
  const index = slotIndex(handle);
  if (index < 0) return INVALID_HANDLE;
  const epoch = atomic.load<u32>(epochWord());
  const liveWord = (epoch << 8) | LIVE;
  if (atomic.cmpxchg<u32>(liveAt(<u32>index), liveWord, (epoch << 8) | CACHED | self) != liveWord) return DOUBLE_FREE;
  park(<u32>index, epoch);
  return OK;
}

/**
 * Ends this holder: its cache goes to the stack (as batches) and its record is free for another
 * attach; its counters stay in the record (stats keep counting them, a later claimant adds to them).
 */
export function sharedPoolDetach(): void {
  const epoch = atomic.load<u32>(epochWord());
  const count = min(load<u32>(mine + R_COUNT), CACHE);
  for (let from: u32 = 0; from < count; from += BATCH) pushBatch(from, min(BATCH, count - from), epoch);
  store<u32>(mine + R_COUNT, 0);
  atomic.sub<u32>(claimedWord(), 1);
  atomic.store<u32>(mine + R_CLAIMED, 0);
}

/**
 * Every slot free again: OK, or BUSY when another reset is running (then nothing changes). Needs
 * quiescence (no call of any holder running), as documented.
 */
export function sharedPoolReset(): i32 {
  if (atomic.cmpxchg<u32>(resettingWord(), 0, 1) != 0) return BUSY;
  let epoch = atomic.load<u32>(epochWord()) + 1;
  if (epoch == EPOCH_LIMIT) {
    // Once in 2^24 - 1 resets: old words could match the new epoch, so clear them (amortised O(1)).
    for (let i: u32 = 0; i < capacity; i++) atomic.store<u32>(liveAt(i), 0);
    epoch = 1;
  }
  atomic.store<u32>(storedPeakWord(), peakAllocated());
  atomic.store<u32>(epochWord(), epoch);
  while (true) {
    const top = atomic.load<u64>(headWord());
    if (atomic.cmpxchg<u64>(headWord(), top, ((top >> 32) + 1) << 32) == top) break;
  }
  atomic.store<u32>(untouchedWord(), 0);
  for (let holder: u32 = 0; holder < HOLDERS; holder++) {
    const record = recordAt(holder);
    atomic.store<u32>(record + R_COUNT, 0);
    atomic.store<i32>(record + R_NET, 0);
    atomic.store<i32>(record + R_PEAK, 0);
  }
  atomic.store<u32>(resettingWord(), 0);
  return OK;
}

/** The epoch a `freeMany` claims under (read once per batch). */
export function sharedPoolEpoch(): u32 {
  return atomic.load<u32>(epochWord());
}

/**
 * Pass 1 of freeMany for one handle: claims its slot (LIVE -> state 0 of this epoch, so a
 * duplicate or a racing free is refused as DOUBLE_FREE) and returns its index, or INVALID_HANDLE /
 * DOUBLE_FREE.
 */
export function sharedPoolClaim(handle: u32, epoch: u32): i32 {
  const index = slotIndex(handle);
  if (index < 0) return INVALID_HANDLE;
  return atomic.cmpxchg<u32>(liveAt(<u32>index), (epoch << 8) | LIVE, epoch << 8) == ((epoch << 8) | LIVE) ? index : DOUBLE_FREE;
}

/** Gives back a claim of a refused batch. */
export function sharedPoolUnclaim(index: u32, epoch: u32): void {
  if (index < capacity) atomic.store<u32>(liveAt(index), (epoch << 8) | LIVE);
}

/** Pass 2 of freeMany for one claimed slot. */
export function sharedPoolFreeClaimed(index: u32, epoch: u32): void {
  if (index >= capacity) return;
  atomic.store<u32>(liveAt(index), (epoch << 8) | CACHED | self);
  park(index, epoch);
}

/** Sums record field `at` (an i64 or i32 counter) over all holder records. */
function sum64(at: usize): u64 {
  let total: u64 = 0;
  for (let holder: u32 = 0; holder < HOLDERS; holder++) total += atomic.load<u64>(recordAt(holder) + at);
  return total;
}
function sum32(at: usize): i64 {
  let total: i64 = 0;
  for (let holder: u32 = 0; holder < HOLDERS; holder++) total += <i64><i32>atomic.load<u32>(recordAt(holder) + at);
  return total;
}

/**
 * Free slots parked in holders' caches now: the distinct entries whose slot's word still says
 * CACHED(that holder) (a stale entry, or a second entry of one slot, counts nothing).
 */
export function sharedPoolCached(): f64 {
  const epoch = atomic.load<u32>(epochWord());
  let total: u32 = 0;
  for (let holder: u32 = 0; holder < HOLDERS; holder++) {
    const record = recordAt(holder);
    const count = min(atomic.load<u32>(record + R_COUNT), CACHE);
    const cached = (epoch << 8) | CACHED | holder;
    for (let i: u32 = 0; i < count; i++) {
      const slot = atomic.load<u32>(entryAt(record, i));
      if (slot >= capacity || atomic.load<u32>(liveAt(slot)) != cached) continue;
      let first = true;
      for (let j: u32 = 0; j < i && first; j++) first = atomic.load<u32>(entryAt(record, j)) != slot;
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
  const sum = sum32(R_PEAK);
  return max(atomic.load<u32>(storedPeakWord()), <u32>(sum > <i64>capacity ? <i64>capacity : sum < 0 ? 0 : sum));
}

/**
 * Stats field `field` (a POOL_STAT_* index), summed over the holder records: exact whenever no
 * call is in flight (then `allocated` is the sum of the records' allocs - frees), a snapshot that
 * may lag the calls otherwise. `peakAllocated` as `peakAllocated()` says, never below `allocated`.
 */
export function sharedPoolStat(field: i32): f64 {
  const net = sum32(R_NET);
  const allocated = <u32>(net < 0 ? 0 : net > <i64>capacity ? <i64>capacity : net);
  if (field == POOL_STAT_OBJECT_SIZE) return <f64>objectSize;
  if (field == POOL_STAT_SLOT_SIZE) return <f64>slotSize;
  if (field == POOL_STAT_CAPACITY) return <f64>capacity;
  if (field == POOL_STAT_ALLOCATED) return <f64>allocated;
  if (field == POOL_STAT_AVAILABLE) return <f64>(capacity - allocated);
  if (field == POOL_STAT_PEAK_ALLOCATED) return <f64>max(allocated, peakAllocated());
  if (field == POOL_STAT_ALLOC_COUNT) return <f64>sum64(R_ALLOCS);
  if (field == POOL_STAT_FREE_COUNT) return <f64>sum64(R_FREES);
  if (field == POOL_STAT_FAILED_ALLOCS) return <f64>sum64(R_FAILED);
  return -1;
}
