import {
  attachedFixedPoolGeometry,
  busy,
  fixedPoolDescriptor,
  fixedPoolGeometry,
  invalidRange,
  Status,
  type FixedPoolEngine,
  type FixedPoolGeometry,
  type HandleArray,
  type SharedFixedPoolDescriptor,
} from '@mempool/api';
import { IDENTITY_LINES, LINE, lineWord, POOL_KIND, reserveShared, newTag, verifyIdentity, writeIdentity } from './shared-words.js';

/** The format version of the bookkeeping below: `attachFixedPool` refuses any other. */
export const SHARED_FIXED_POOL_FORMAT = 3;

// The algorithm is docs/SHARED.md's ("The shared fixed pool"); the names below are its names.

/** Holder records: the creator and every attach each claim one; `attach` is refused when none is free. */
export const MAX_HOLDERS = 64;
/** Slots a holder's cache parks; a full cache moves its older half to the shared stack as one batch. */
export const CACHE_SLOTS = 32;
const BATCH = CACHE_SLOTS / 2;
/**
 * How long a full-looking `alloc` waits for another holder's move to end before taking that holder
 * for stopped mid-move (its worker was terminated) and not waiting for it again; a move that runs
 * takes well under a microsecond, unless the OS deschedules its thread.
 */
const STALLED_MOVE_MS = 50;

// Bookkeeping lines after the identity lines (shared-words.ts). Each is written by
// different calls, so each has its own line.
/** `PEAK_BEFORE` (f64): the peak up to the last reset, which folds the holders' peaks into it. */
const RESET_LINE = IDENTITY_LINES;
const PEAK_BEFORE = (RESET_LINE * LINE) / 8;
/** The holder records ever claimed (the highest index + 1): `stats()` sums no further. */
const RECORDS_USED = lineWord(RESET_LINE) + 2;
/** The shared stack of batches: one 64-bit word, the top batch's first slot + 1 in the low half, an ABA tag in the high half. */
const HEAD_LINE = IDENTITY_LINES + 1;
/** The first slot never handed out since creation or the last reset. */
const UNTOUCHED = lineWord(IDENTITY_LINES + 2);
/** The reset epoch (1 to EPOCH_LIMIT - 1), then 1 while a reset runs. */
const EPOCH = lineWord(IDENTITY_LINES + 3);
const RESETTING = EPOCH + 1;
const HEADER_LINES = IDENTITY_LINES + 4;

// A holder record: its own 64-byte line of words, then its cache entries (slot indices).
const RECORD_BYTES = LINE + 4 * CACHE_SLOTS;
const RECORD_WORDS = RECORD_BYTES / 4;
/** 1 while a holder owns the record. */
const CLAIMED = 0;
/** The pool's epoch as this holder must use it: set on claim and by every reset (which needs quiescence). */
const HOLDER_EPOCH = 1;
/** Entries in the cache. */
const COUNT = 2;
/**
 * Odd while this holder moves a batch between its cache and the shared stack (its slots are then
 * in neither), moved on by 1 at the start and at the end of each move; written by the owner only.
 */
const MOVES = 3;
/** f64 counters (indices into the record's Float64Array, after the words above), written by the owner only with plain stores. */
const ALLOCS = 2;
const FREES = 3;
const FAILED = 4;
/** Allocs minus frees through this record since the last reset, and its highest value: `allocated` and the peak bound are sums of them. */
const NET = 5;
const PEAK = 6;
const ENTRIES = RECORD_WORDS - CACHE_SLOTS;

// A slot's live word: epoch << 10 | holder << 2 | state. A word whose epoch is not the pool's is
// free (so a reset frees every slot at once), and so is a word of 0 (epochs start at 1).
const PENDING = 0; // claimed by a `freeMany` that is still checking its batch
const LIVE = 1;
const CACHED = 2; // free, parked in the holder's cache
const STACKED = 3; // free, in a batch on the shared stack
const EPOCH_SHIFT = 10;
const EPOCH_LIMIT = 2 ** (32 - EPOCH_SHIFT);

const recordsAt = (): number => HEADER_LINES * LINE;
/** Where holder record `r`'s `MOVES` word is, in u32 words of the bookkeeping (for the tests that stop a holder mid-move). */
export const movesWordAt = (r: number): number => (recordsAt() + r * RECORD_BYTES) / 4 + MOVES;
/** Where record `r`'s counters start in a Float64Array over the whole bookkeeping. */
const countAt = (r: number): number => (recordsAt() + r * RECORD_BYTES) / 8;
const stateBytes = (capacity: number): number => recordsAt() + MAX_HOLDERS * RECORD_BYTES + 12 * capacity;

// A head value is taken apart and put together through a scratch 64-bit word seen as two u32
// halves: one BigInt per new head. The head is touched only when a batch moves (cold path).
const scratch = new BigUint64Array(1);
const halves = new Uint32Array(scratch.buffer);
const LOW_HALF = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const TAG_HALF = 1 - LOW_HALF;
function topOf(head: bigint): number {
  scratch[0] = head;
  return halves[LOW_HALF]!;
}
function headAfter(head: bigint, top: number): bigint {
  scratch[0] = head;
  halves[LOW_HALF] = top;
  halves[TAG_HALF] = halves[TAG_HALF]! + 1;
  return scratch[0]!;
}

/** What a holder dropped without `destroy()` leaves for the registry below to give back. */
interface Dropped {
  readonly geometry: FixedPoolGeometry;
  readonly memory: SharedArrayBuffer;
  readonly state: SharedArrayBuffer;
  readonly holder: number;
}

/**
 * A holder collected without `destroy()` (in a thread that lives on) gives its cache and its record
 * back, as `destroy()` would: otherwise every such holder would keep one of the records for good.
 * A worker that ends or is terminated runs no finalizers: its record stays taken.
 */
const droppedHolders = new FinalizationRegistry<Dropped>((d) => {
  new SharedJsFixedPoolEngine(d.geometry, d.memory, d.state, d.holder).destroy();
});

/**
 * A fixed pool that many workers use at once (contract.ts, "Shared allocators"), lock-free, with a
 * cache of free slots per holder so that `alloc` and `free` touch one shared word, the slot's own
 * live word, with one compare-and-swap each (docs/SHARED.md).
 */
export class SharedJsFixedPoolEngine implements FixedPoolEngine {
  readonly geometry: FixedPoolGeometry;
  readonly memory: SharedArrayBuffer;
  readonly #slotSize: number = 0;
  readonly #capacity: number = 0;
  readonly #dataOffset: number = 0;

  readonly #state: SharedArrayBuffer;
  readonly #words: Uint32Array;
  readonly #head: BigUint64Array;
  readonly #live: Int32Array;
  /** Within a batch on the stack: the following slot + 1 (0 ends the batch). */
  readonly #next: Uint32Array;
  /** On a batch's first slot: the next batch's first slot + 1 (0: none). */
  readonly #link: Uint32Array;
  /** Every holder record's words (others' are read only by `alloc`'s stealing and by `stats`). */
  readonly #records: Uint32Array;
  /** This holder's record: words and cache entries, and its f64 counters. */
  readonly #record: Uint32Array;
  readonly #counts: Float64Array;
  /** The whole bookkeeping as f64s: every record's counters (`stats`, `reset`) and `PEAK_BEFORE`. */
  readonly #f64: Float64Array;
  readonly #holder: number;
  /** `holder << 2 | CACHED`: the low bits of this holder's parked slots. */
  readonly #cachedBits: number;
  #destroyed = false;
  /** The first refused entry of the last `freeMany` that refused one. */
  #refusedAt = 0;
  /** Per record, the odd `MOVES` value this holder stopped waiting for (see STALLED_MOVE_MS). */
  readonly #stalled = new Uint32Array(MAX_HOLDERS);
  /** Per record, its `MOVES` as `#othersMoves` last read it, and whether one of them was a move to wait for. */
  readonly #seen = new Uint32Array(MAX_HOLDERS);
  #moving = false;

  /**
   * A new pool (`state` undefined), or another holder of an existing one; `adopt` takes over the
   * record of a holder that was collected, only to end it.
   */
  constructor(geometry: FixedPoolGeometry, memory?: SharedArrayBuffer, state?: SharedArrayBuffer, adopt?: number) {
    this.geometry = geometry;
    this.#slotSize = geometry.slotSize;
    this.#capacity = geometry.capacity;
    this.#dataOffset = geometry.dataOffset;
    const fresh = state === undefined;
    this.memory = memory ?? reserveShared(geometry.byteLength);
    const bytes = stateBytes(geometry.capacity);
    this.#state = state ?? reserveShared(bytes);
    const records = recordsAt();
    const arrays = records + MAX_HOLDERS * RECORD_BYTES;
    this.#words = new Uint32Array(this.#state, 0, records / 4);
    this.#head = new BigUint64Array(this.#state, HEAD_LINE * LINE, 1);
    this.#records = new Uint32Array(this.#state, records, MAX_HOLDERS * RECORD_WORDS);
    this.#next = new Uint32Array(this.#state, arrays, geometry.capacity);
    this.#link = new Uint32Array(this.#state, arrays + 4 * geometry.capacity, geometry.capacity);
    this.#live = new Int32Array(this.#state, arrays + 8 * geometry.capacity, geometry.capacity);
    if (fresh) {
      Atomics.store(this.#words, EPOCH, 1);
      writeIdentity(this.#state, this.memory, POOL_KIND, SHARED_FIXED_POOL_FORMAT, {
        objectSize: geometry.objectSize,
        slotSize: geometry.slotSize,
        capacity: geometry.capacity,
        align: geometry.align,
        dataOffset: geometry.dataOffset,
        bufferSize: 0,
        memoryBytes: this.memory.byteLength,
        stateBytes: bytes,
        tag: newTag(),
      });
    }
    this.#holder = adopt ?? this.#claim();
    this.#record = new Uint32Array(this.#state, records + this.#holder * RECORD_BYTES, RECORD_WORDS);
    this.#counts = new Float64Array(this.#state, records + this.#holder * RECORD_BYTES, LINE / 8);
    this.#f64 = new Float64Array(this.#state, 0, (records + MAX_HOLDERS * RECORD_BYTES) / 8);
    this.#cachedBits = (this.#holder << 2) | CACHED;
    if (adopt === undefined) {
      droppedHolders.register(this, { geometry, memory: this.memory, state: this.#state, holder: this.#holder }, this);
    }
  }

  /**
   * Another holder of the pool `descriptor` came from (`backend.attachFixedPool`). The geometry
   * comes from the bookkeeping, which the descriptor must match field by field.
   */
  static attach(descriptor: unknown): SharedJsFixedPoolEngine {
    const { descriptor: d } = attachedFixedPoolGeometry(descriptor, 'js', SHARED_FIXED_POOL_FORMAT);
    const recorded = verifyIdentity(d, POOL_KIND, SHARED_FIXED_POOL_FORMAT, ['objectSize', 'capacity', 'align']);
    const geometry = fixedPoolGeometry(recorded.objectSize, recorded.capacity, { align: recorded.align }, recorded.memoryBytes);
    if (
      geometry.slotSize !== recorded.slotSize ||
      geometry.dataOffset !== recorded.dataOffset ||
      geometry.byteLength !== recorded.memoryBytes ||
      stateBytes(geometry.capacity) !== recorded.stateBytes
    ) {
      throw invalidRange('descriptor.state', "a pool's bookkeeping whose geometry is consistent", 'a damaged identity line');
    }
    return new SharedJsFixedPoolEngine(geometry, d.memory, d.state as SharedArrayBuffer);
  }

  usable(): boolean {
    return !this.#destroyed;
  }

  share(): SharedFixedPoolDescriptor {
    return fixedPoolDescriptor('js', SHARED_FIXED_POOL_FORMAT, this.geometry, this.memory, this.#state);
  }

  alloc(): number {
    if (this.#destroyed) return 0;
    const record = this.#record;
    let n = record[COUNT]!;
    if (n !== 0) {
      const epochBits = record[HOLDER_EPOCH]! << EPOCH_SHIFT;
      const parked = epochBits | this.#cachedBits;
      const live = this.#live;
      // Only this holder writes its cache, so plain accesses; the compare-and-swap is what decides
      // (an entry another holder stole since is no longer parked here and is dropped).
      while (n !== 0) {
        const index = record[ENTRIES + --n]!;
        if (Atomics.compareExchange(live, index, parked, epochBits | LIVE) === parked) {
          record[COUNT] = n;
          this.#counted();
          return this.#dataOffset + index * this.#slotSize;
        }
      }
      record[COUNT] = 0;
    }
    return this.#allocSlow();
  }

  free(handle: number): number {
    const index = this.#slotIndex(handle);
    if (index < 0 || this.#destroyed) return Status.INVALID_HANDLE;
    const record = this.#record;
    const epochBits = record[HOLDER_EPOCH]! << EPOCH_SHIFT;
    // The one shared write of a free: of several frees of one handle, in any holders, one wins.
    if (Atomics.compareExchange(this.#live, index, epochBits | LIVE, epochBits | this.#cachedBits) !== (epochBits | LIVE)) {
      return Status.DOUBLE_FREE;
    }
    this.#park(index);
    const counts = this.#counts;
    counts[FREES]!++;
    counts[NET]!--;
    return Status.OK;
  }

  reset(): number {
    const words = this.#words;
    if (Atomics.compareExchange(words, RESETTING, 0, 1) !== 0) return Status.BUSY;
    const peak = this.#peakBound();
    let epoch = Atomics.load(words, EPOCH) + 1;
    if (epoch === EPOCH_LIMIT) {
      // Once in 2^22 resets: old live words could match the new epoch, so clear them (amortised O(1)).
      for (let i = 0; i < this.#capacity; i++) Atomics.store(this.#live, i, 0);
      epoch = 1;
    }
    Atomics.store(words, EPOCH, epoch);
    for (;;) {
      const head = Atomics.load(this.#head, 0);
      if (Atomics.compareExchange(this.#head, 0, head, headAfter(head, 0)) === head) break;
    }
    Atomics.store(words, UNTOUCHED, 0);
    const f64 = this.#f64;
    f64[PEAK_BEFORE] = peak;
    // Quiescence is the caller's: no holder is in a call, so their records are written here.
    const records = this.#records;
    for (let r = 0; r < MAX_HOLDERS; r++) {
      const at = r * RECORD_WORDS;
      records[at + HOLDER_EPOCH] = epoch;
      records[at + COUNT] = 0;
      f64[countAt(r) + NET] = 0;
      f64[countAt(r) + PEAK] = 0;
    }
    Atomics.store(words, RESETTING, 0);
    return Status.OK;
  }

  freeMany(handles: HandleArray, n: number): number {
    const live = this.#live;
    const epochBits = this.#record[HOLDER_EPOCH]! << EPOCH_SHIFT;
    const claimed = epochBits | (this.#holder << 2) | PENDING;
    // Pass 1 claims every slot (a duplicate then fails as already free); on the first refusal it
    // gives the claimed ones back and refuses, having freed nothing.
    let k = 0;
    let refusal: number = Status.OK;
    for (; k < n; k++) {
      const index = this.#slotIndex(handles[k]!);
      if (index < 0) {
        refusal = Status.INVALID_HANDLE;
        break;
      }
      if (Atomics.compareExchange(live, index, epochBits | LIVE, claimed) !== (epochBits | LIVE)) {
        refusal = Status.DOUBLE_FREE;
        break;
      }
    }
    if (refusal !== Status.OK) {
      for (let j = 0; j < k; j++) Atomics.store(live, this.#slotIndex(handles[j]!), epochBits | LIVE);
      this.#refusedAt = k;
      return refusal;
    }
    const counts = this.#counts;
    for (k = 0; k < n; k++) {
      const index = this.#slotIndex(handles[k]!);
      Atomics.store(live, index, epochBits | this.#cachedBits);
      this.#park(index);
      counts[FREES]!++;
      counts[NET]!--;
    }
    return Status.OK;
  }

  refusedAt(): number {
    return this.#refusedAt;
  }

  stats(words: Float64Array): void {
    const used = Atomics.load(this.#words, RECORDS_USED);
    const f64 = this.#f64;
    let allocs = 0;
    let frees = 0;
    let failed = 0;
    let net = 0;
    for (let r = 0; r < used; r++) {
      const at = countAt(r);
      allocs += f64[at + ALLOCS]!;
      frees += f64[at + FREES]!;
      failed += f64[at + FAILED]!;
      net += f64[at + NET]!;
    }
    // During calls the sums are a snapshot that may lag them; they never leave [0, capacity].
    const allocated = Math.min(Math.max(net, 0), this.#capacity);
    words.set([
      this.geometry.objectSize,
      this.#slotSize,
      this.#capacity,
      allocated,
      this.#capacity - allocated,
      Math.max(this.#peakBound(), allocated),
      allocs,
      frees,
      failed,
      this.#parkedSlots(used),
    ]);
  }

  /**
   * Ends this holder: its cache goes back to the shared stack, its record to the free ones. Other
   * holders keep the pool; the memory goes when the last holder is collected (a
   * `SharedArrayBuffer` cannot be detached).
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    droppedHolders.unregister(this);
    const record = this.#record;
    // Oldest first, so the newest batch ends on top, as the cache would have handed them out.
    while (record[COUNT]! > 0) this.#flush(Math.min(BATCH, record[COUNT]!));
    Atomics.store(record, CLAIMED, 0);
  }

  /** The slot index `handle` names (live or not), or -1 when it names no slot of this pool. */
  #slotIndex(handle: number): number {
    if (typeof handle !== 'number') return -1;
    const index = (handle - this.#dataOffset) / this.#slotSize;
    return index >>> 0 === index && index < this.#capacity ? index : -1;
  }

  /** Counts one alloc on this holder's record. */
  #counted(): void {
    const counts = this.#counts;
    counts[ALLOCS]!++;
    const net = ++counts[NET]!;
    if (net > counts[PEAK]!) counts[PEAK] = net;
  }

  /** Puts slot `index`, whose live word this call made CACHED(this holder), on top of the cache. */
  #park(index: number): void {
    const record = this.#record;
    let n = record[COUNT]!;
    if (n === CACHE_SLOTS) n = this.#flush(BATCH);
    record[ENTRIES + n] = index;
    record[COUNT] = n + 1;
  }

  /**
   * Moves the `take` oldest cache entries to the shared stack as one batch, and returns the count
   * left. Each entry moves only if its CACHED -> STACKED compare-and-swap wins (one another holder
   * stole since has gone), so a slot is on the stack at most once.
   */
  #flush(take: number): number {
    const record = this.#record;
    const live = this.#live;
    const next = this.#next;
    const epochBits = record[HOLDER_EPOCH]! << EPOCH_SHIFT;
    const parked = epochBits | this.#cachedBits;
    const moves = record[MOVES]!;
    Atomics.store(record, MOVES, moves + 1);
    let first = -1;
    let last = -1;
    for (let i = 0; i < take; i++) {
      const index = record[ENTRIES + i]!;
      if (Atomics.compareExchange(live, index, parked, epochBits | STACKED) !== parked) continue;
      if (last < 0) first = index;
      else next[last] = index + 1;
      last = index;
    }
    const n = record[COUNT]!;
    record.copyWithin(ENTRIES, ENTRIES + take, ENTRIES + n);
    record[COUNT] = n - take;
    if (last >= 0) {
      next[last] = 0;
      const head = this.#head;
      // Plain writes of `next` and `link`: the compare-and-swap that pushes the batch publishes them.
      for (let seen = Atomics.load(head, 0); ; ) {
        this.#link[first] = topOf(seen);
        const was = Atomics.compareExchange(head, 0, seen, headAfter(seen, first + 1));
        if (was === seen) break;
        seen = was;
      }
    }
    Atomics.store(record, MOVES, moves + 2);
    return n - take;
  }

  /** `alloc` with an empty cache: a batch from the stack, else an untouched slot, else stealing. */
  #allocSlow(): number {
    const record = this.#record;
    const live = this.#live;
    const words = this.#words;
    const headWord = this.#head;
    let waitingSince = -1;
    for (;;) {
      const epochBits = record[HOLDER_EPOCH]! << EPOCH_SHIFT;
      const head = Atomics.load(headWord, 0);
      const top = topOf(head);
      if (top !== 0) {
        // Marked before the pop: a holder that sees the stack without this batch sees the move.
        const moves = record[MOVES]!;
        Atomics.store(record, MOVES, moves + 1);
        // `link` is read after the atomic load of the head that saw the push which wrote it; a
        // later write means the batch was popped and pushed again, which moved the tag, so the
        // compare-and-swap fails and the value read is dropped.
        if (Atomics.compareExchange(headWord, 0, head, headAfter(head, this.#link[top - 1]!)) !== head) {
          Atomics.store(record, MOVES, moves + 2);
          continue;
        }
        // The batch is this call's: refill the cache in the order it was pushed (oldest at the bottom).
        const parked = epochBits | this.#cachedBits;
        let n = 0;
        // A batch is at most BATCH slots; the bound also ends a walk over links a damaged buffer holds.
        for (let index = top - 1, steps = 0; steps < BATCH; steps++) {
          // Read while the slot is still STACKED, so still this call's alone: once parked, another
          // holder may steal it and flush it into a batch of its own, rewriting its link.
          const following = this.#next[index]!;
          if (Atomics.compareExchange(live, index, epochBits | STACKED, parked) === (epochBits | STACKED)) {
            record[ENTRIES + n++] = index;
          }
          if (following === 0 || following > this.#capacity) break;
          index = following - 1;
        }
        record[COUNT] = n;
        Atomics.store(record, MOVES, moves + 2);
        if (n === 0) continue;
        return this.alloc();
      }
      // Fresh slots one at a time, so they go out in ascending order whichever holder asks. The
      // compare-and-swap on the slot's own live word hands it out, and `untouched` follows (any
      // call moves it on): moving `untouched` first would leave a slot taken but not yet live, whose
      // free is refused while another holder's alloc reports full, a history no order explains.
      const untouched = Atomics.load(words, UNTOUCHED);
      if (untouched < this.#capacity) {
        const word = Atomics.load(live, untouched);
        const fresh = (word ^ epochBits) >>> EPOCH_SHIFT !== 0;
        if (fresh && Atomics.compareExchange(live, untouched, word, epochBits | LIVE) !== word) continue;
        Atomics.compareExchange(words, UNTOUCHED, untouched, untouched + 1);
        if (!fresh) continue;
        this.#counted();
        return this.#dataOffset + untouched * this.#slotSize;
      }
      // Full only if no other holder was moving a batch meanwhile (the moves are read before and
      // after the caches are searched: a move that ended in between changes them), and no batch
      // was pushed meanwhile (every push moves the tag).
      const moves = this.#othersMoves();
      const stolen = this.#steal(epochBits);
      if (stolen >= 0) {
        this.#counted();
        return this.#dataOffset + stolen * this.#slotSize;
      }
      if (this.#othersMoves() !== moves || Atomics.load(headWord, 0) !== head) continue;
      if (this.#moving) {
        const now = performance.now();
        if (waitingSince < 0) waitingSince = now;
        if (now - waitingSince < STALLED_MOVE_MS) continue;
        this.#stopWaiting();
      }
      this.#counts[FAILED]!++;
      return 0;
    }
  }

  /**
   * Takes a slot parked in another holder's cache (a live holder's, or one whose worker was
   * terminated), and returns its index, or -1 when no cache has one. The other caches are read
   * with plain, racy reads: each index is bounds-checked, and the compare-and-swap decides.
   */
  #steal(epochBits: number): number {
    const used = Atomics.load(this.#words, RECORDS_USED);
    const records = this.#records;
    const live = this.#live;
    for (let r = 0; r < used; r++) {
      if (r === this.#holder) continue;
      const at = r * RECORD_WORDS;
      const parked = epochBits | (r << 2) | CACHED;
      for (let i = Math.min(records[at + COUNT]!, CACHE_SLOTS); i-- > 0; ) {
        const index = records[at + ENTRIES + i]!;
        if (index < this.#capacity && Atomics.compareExchange(live, index, parked, epochBits | LIVE) === parked) return index;
      }
    }
    return -1;
  }

  /**
   * The sum of the other records' `MOVES`: it changes whenever one of their moves starts or ends.
   * The same reads say whether another holder is in a move this holder has not stopped waiting
   * for (`#moving`), and note each value (`#seen`): a second read could miss a move that ended
   * after the sum was taken, whose batch the search before it did not see.
   */
  #othersMoves(): number {
    const used = Atomics.load(this.#words, RECORDS_USED);
    const records = this.#records;
    const seen = this.#seen;
    let sum = 0;
    let moving = false;
    for (let r = 0; r < used; r++) {
      if (r === this.#holder) continue;
      const moves = Atomics.load(records, r * RECORD_WORDS + MOVES);
      seen[r] = moves;
      sum = (sum + moves) >>> 0;
      if ((moves & 1) === 1 && moves !== this.#stalled[r]) moving = true;
    }
    this.#moving = moving;
    return sum;
  }

  /** Takes the holders last seen in a move for stopped: this holder no longer waits for those moves. */
  #stopWaiting(): void {
    const used = Atomics.load(this.#words, RECORDS_USED);
    for (let r = 0; r < used; r++) if ((this.#seen[r]! & 1) === 1) this.#stalled[r] = this.#seen[r]!;
  }

  /** Claims a free holder record for this holder; `ERR_MEMPOOL_BUSY` when all are taken. */
  #claim(): number {
    const records = this.#records;
    for (let r = 0; r < MAX_HOLDERS; r++) {
      const at = r * RECORD_WORDS;
      if (Atomics.compareExchange(records, at + CLAIMED, 0, 1) !== 0) continue;
      // A record keeps its counters from earlier holders: the pool's totals are their sums.
      records[at + HOLDER_EPOCH] = Atomics.load(this.#words, EPOCH);
      records[at + COUNT] = 0;
      for (let used = Atomics.load(this.#words, RECORDS_USED); used < r + 1; ) {
        const was = Atomics.compareExchange(this.#words, RECORDS_USED, used, r + 1);
        if (was === used) break;
        used = was;
      }
      return r;
    }
    throw busy('FixedPool', 'attach', `all ${MAX_HOLDERS} holder records are taken; destroy() a holder to free one`);
  }

  /**
   * The peak: exact from one holder; with several, the sum of each record's highest net count since
   * the last reset bounds it (the highest sum is at most the sum of the highest terms).
   */
  #peakBound(): number {
    const used = Atomics.load(this.#words, RECORDS_USED);
    let sum = 0;
    for (let r = 0; r < used; r++) sum += this.#f64[countAt(r) + PEAK]!;
    const before = this.#f64[PEAK_BEFORE]!;
    return Math.max(before, Math.min(sum, this.#capacity));
  }

  /** Distinct slots parked in the caches of records below `used` (a stale entry repeats a slot or names one no longer parked). */
  #parkedSlots(used: number): number {
    const records = this.#records;
    const live = this.#live;
    const epochBits = Atomics.load(this.#words, EPOCH) << EPOCH_SHIFT;
    let parked = 0;
    for (let r = 0; r < used; r++) {
      const at = r * RECORD_WORDS;
      const word = epochBits | (r << 2) | CACHED;
      const n = Math.min(records[at + COUNT]!, CACHE_SLOTS);
      for (let i = 0; i < n; i++) {
        const index = records[at + ENTRIES + i]!;
        if (index >= this.#capacity || Atomics.load(live, index) !== word) continue;
        let repeated = false;
        for (let j = i + 1; j < n && !repeated; j++) repeated = records[at + ENTRIES + j] === index;
        if (!repeated) parked++;
      }
    }
    return parked;
  }
}
