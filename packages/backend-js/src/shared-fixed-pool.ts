import {
  attachedFixedPoolLayout,
  busy,
  checkBatch,
  destroyed,
  doubleFree,
  fixedPoolStatsFrom,
  invalidRange,
  invalidType,
  notASlot,
  unboundMethod,
  type FixedPoolLayout,
  type FixedPoolStats,
  type HandleArray,
  type SharedFixedPool,
  type SharedFixedPoolDescriptor,
} from '@mempool/api';
import { countOne, LINE, lineWord, raiseTo, readCount, addCount, reserveShared } from './shared-words.js';

/** The layout version of the state below: `attachFixedPool` refuses any other. */
export const SHARED_FIXED_POOL_FORMAT = 2;

// The state buffer: one cache line per group of words written together, then `next[capacity]`
// and `live[capacity]` (u32).
/** Line 0 starts with one 64-bit word: the free stack's top (slot index + 1, 0 when empty) in the low 32 bits, a tag in the high 32 that every push and pop moves on (ABA). */
const HEAD_LINE = 0;
/**
 * Counters, on the head's line: every alloc and free that goes through the stack writes both, so
 * one line moves between the workers' cores rather than two. `allocated`, `peakAllocated`, then
 * 64-bit `allocCount`, `failedAllocs`, `releasedByReset`.
 */
const ALLOCATED = lineWord(HEAD_LINE) + 2;
const PEAK = ALLOCATED + 1;
const ALLOC_COUNT = ALLOCATED + 2;
const FAILED = ALLOCATED + 4;
const RELEASED = ALLOCATED + 6;
/** The first slot never handed out since creation or the last reset. */
const UNTOUCHED = lineWord(1);
/** `live[i] === epoch` exactly when slot `i` is allocated; `reset` moves it on. Read by every call, written by `reset` only. */
const EPOCH = lineWord(2);
/** 0, or 1 while a `reset` runs: two at once are refused. */
const RESETTING = lineWord(3);
const HEADER_LINES = 4;

/** Marks a slot claimed by the batch `freeMany` is checking; never a real epoch. */
const PENDING = 0xffffffff;

// A head value is taken apart and put together through a scratch 64-bit word seen as two u32
// halves, not with BigInt arithmetic: that makes one BigInt per new head instead of four or five.
const scratch = new BigUint64Array(1);
const halves = new Uint32Array(scratch.buffer);
const LOW_HALF = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const TAG_HALF = 1 - LOW_HALF;

/** The top slot's index + 1 in head value `top` (0: the stack is empty). */
function topOf(top: bigint): number {
  scratch[0] = top;
  return halves[LOW_HALF]!;
}

/** The head value after `top` with `index1` on top and the tag moved on (it wraps at 2^32). */
function headAfter(top: bigint, index1: number): bigint {
  scratch[0] = top;
  halves[LOW_HALF] = index1;
  halves[TAG_HALF] = halves[TAG_HALF]! + 1;
  return scratch[0]!;
}

const stateBytes = (capacity: number): number => HEADER_LINES * LINE + 8 * capacity;

/**
 * A fixed pool that many workers use at once (contract.ts, "Shared allocators"), lock-free. The
 * same algorithm as `JsFixedPool` (docs/ALGORITHMS.md), with its state in a `SharedArrayBuffer`:
 * the free stack is a Treiber stack linked through `next[]` whose head carries a 32-bit tag, so a
 * pop whose head was popped and pushed back meanwhile fails its compare-and-swap (ABA); a slot's
 * `live` word is taken from `epoch` to 0 by one compare-and-swap, so of several frees of one
 * handle exactly one wins.
 */
export class SharedJsFixedPool implements SharedFixedPool {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly memory: SharedArrayBuffer;

  readonly #state: SharedArrayBuffer;
  readonly #head: BigUint64Array;
  readonly #words: Uint32Array;
  readonly #next: Uint32Array;
  readonly #live: Uint32Array;
  /**
   * The epoch this holder last saw, which `free` compare-and-swaps the live word from without
   * loading the shared one first; `#release` reads the shared one before it pushes, so a stale
   * value is caught there (see `free`).
   */
  #epoch: number;
  /**
   * The head as this holder last saw or wrote it: `alloc` and `free` compare-and-swap against it
   * instead of loading the head first. From one thread it is the head; when another holder moved
   * the head, the compare-and-swap fails and returns the head, and the call goes on from that. A
   * compare-and-swap succeeds only on this exact value, so no call acts on a head it did not see;
   * the tag makes "the same value again" take 2^32 pushes and pops, as for any pop.
   */
  #top: bigint;
  /** `peakAllocated` as this holder last saw it: the shared word only grows, so an `alloc` that stays at or below it need not touch that word. */
  #peakSeen = 0;
  #destroyed = false;

  /** A new pool, or (with `memory` and `state`) another holder of an existing one. */
  constructor(layout: FixedPoolLayout, memory?: SharedArrayBuffer, state?: SharedArrayBuffer) {
    this.objectSize = layout.objectSize;
    this.slotSize = layout.slotSize;
    this.capacity = layout.capacity;
    this.align = layout.align;
    this.dataOffset = layout.dataOffset;
    const fresh = state === undefined;
    this.memory = memory ?? reserveShared(layout.byteLength);
    this.#state = state ?? reserveShared(stateBytes(layout.capacity));
    this.#head = new BigUint64Array(this.#state, HEAD_LINE * LINE, 1);
    this.#words = new Uint32Array(this.#state, 0, (HEADER_LINES * LINE) / 4);
    this.#next = new Uint32Array(this.#state, HEADER_LINES * LINE, layout.capacity);
    this.#live = new Uint32Array(this.#state, HEADER_LINES * LINE + 4 * layout.capacity, layout.capacity);
    if (fresh) Atomics.store(this.#words, EPOCH, 1);
    this.#epoch = Atomics.load(this.#words, EPOCH);
    this.#top = Atomics.load(this.#head, 0);
  }

  /** Another holder of the pool `descriptor` came from (`backend.attachFixedPool`). */
  static attach(descriptor: unknown): SharedJsFixedPool {
    const { layout, descriptor: d } = attachedFixedPoolLayout(descriptor, 'js', SHARED_FIXED_POOL_FORMAT);
    const state = d.state;
    if (!(state instanceof SharedArrayBuffer)) throw invalidType('descriptor.state', 'a SharedArrayBuffer', state);
    if (state.byteLength !== stateBytes(layout.capacity)) {
      throw invalidRange('descriptor.state.byteLength', `${stateBytes(layout.capacity)} for this capacity`, state.byteLength);
    }
    return new SharedJsFixedPool(layout, d.memory, state);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  share(): SharedFixedPoolDescriptor {
    SharedJsFixedPool.#check(this, 'share');
    return {
      kind: 'FixedPool',
      backend: 'js',
      format: SHARED_FIXED_POOL_FORMAT,
      objectSize: this.objectSize,
      capacity: this.capacity,
      align: this.align,
      memory: this.memory,
      state: this.#state,
    };
  }

  alloc(): number {
    SharedJsFixedPool.#check(this, 'alloc');
    const words = this.#words;
    const head = this.#head;
    let top = this.#top;
    for (;;) {
      const epoch = Atomics.load(words, EPOCH);
      let index1 = topOf(top);
      // An empty stack is never taken on trust: that would hand out an untouched slot while
      // another holder's frees wait on the stack.
      if (index1 === 0) index1 = topOf((top = Atomics.load(head, 0)));
      let index: number;
      if (index1 !== 0) {
        // A plain read, not an Atomics one: `top` came from an atomic access of the head that read
        // (directly or through the pops since) the compare-and-swap that pushed this slot after
        // writing its `next`, so that write happens before this read. A later write means the slot
        // was popped and pushed again since, which moved the tag: the compare-and-swap below fails
        // and the value read is dropped. Keep the tag, move it on, and put `next` in the low half.
        const popped = headAfter(top, this.#next[index1 - 1]!);
        const seen = Atomics.compareExchange(head, 0, top, popped);
        if (seen !== top) {
          top = seen;
          continue;
        }
        this.#top = popped;
        index = index1 - 1;
      } else {
        const untouched = Atomics.load(words, UNTOUCHED);
        if (untouched >= this.capacity) {
          // Full, if the stack is still empty now (`untouched` only grows until a reset).
          const now = Atomics.load(head, 0);
          if (now !== top || Atomics.load(words, EPOCH) !== epoch) {
            top = now;
            continue;
          }
          countOne(words, FAILED);
          return 0;
        }
        if (Atomics.compareExchange(words, UNTOUCHED, untouched, untouched + 1) !== untouched) {
          top = Atomics.load(head, 0);
          continue;
        }
        index = untouched;
      }
      Atomics.store(this.#live, index, epoch);
      // A reset that overtook this call has made the slot free again: take another.
      if (Atomics.load(words, EPOCH) !== epoch) continue;
      this.#epoch = epoch;
      const allocated = Atomics.add(words, ALLOCATED, 1) + 1;
      if (allocated > this.#peakSeen) this.#raisePeak(allocated);
      countOne(words, ALLOC_COUNT);
      return this.dataOffset + index * this.slotSize;
    }
  }

  free(handle: number): void {
    SharedJsFixedPool.#check(this, 'free');
    const index = this.#slotIndex(handle);
    if (index < 0) throw notASlot('handle', handle, this);
    let epoch = this.#epoch;
    if (Atomics.compareExchange(this.#live, index, epoch, 0) !== epoch) {
      // A double free, or another holder reset the pool since this one last looked: look again.
      const current = Atomics.load(this.#words, EPOCH);
      if (current === epoch || Atomics.compareExchange(this.#live, index, current, 0) !== current) {
        this.#epoch = current;
        throw doubleFree('handle', handle);
      }
      this.#epoch = epoch = current;
    }
    // `#release` reads the shared epoch. If it is still `epoch`, it was `epoch` from when this holder
    // saw it until now (it only moves on), so the live word this call took was the handle's stamp.
    // If it moved, either a reset came since this holder last looked (the word was a stale stamp
    // of a slot the reset released) or one overtook this call: the slot is free under the new
    // epoch either way, so this free is of a handle that is no longer live. Clearing a stale stamp
    // to 0 changes nothing, as 0 is never an epoch.
    if (!this.#release(index, epoch)) {
      this.#epoch = Atomics.load(this.#words, EPOCH);
      throw doubleFree('handle', handle);
    }
  }

  reset(): void {
    SharedJsFixedPool.#check(this, 'reset');
    const words = this.#words;
    if (Atomics.compareExchange(words, RESETTING, 0, 1) !== 0) throw busy('FixedPool', 'reset', 'another reset is running');
    // The epoch moves first: a call that read the old one sees the change and retries or stands
    // down (alloc and free check it after touching the stack), so no slot is handed out twice.
    let epoch = Atomics.load(words, EPOCH) + 1;
    if (epoch === PENDING) {
      // Once in 2^32 resets: old stamps could match the new epoch, so clear them (amortised O(1)).
      for (let i = 0; i < this.capacity; i++) Atomics.store(this.#live, i, 0);
      epoch = 1;
    }
    Atomics.store(words, EPOCH, epoch);
    this.#epoch = epoch;
    for (;;) {
      const top = Atomics.load(this.#head, 0);
      if (Atomics.compareExchange(this.#head, 0, top, headAfter(top, 0)) === top) break;
    }
    this.#top = Atomics.load(this.#head, 0);
    Atomics.store(words, UNTOUCHED, 0);
    addCount(words, RELEASED, Atomics.exchange(words, ALLOCATED, 0));
    Atomics.store(words, RESETTING, 0);
  }

  allocMany(out: HandleArray, count?: number): number {
    SharedJsFixedPool.#check(this, 'allocMany');
    const n = checkBatch('out', out, count, this.memory.byteLength);
    let placed = 0;
    while (placed < n) {
      const handle = this.alloc();
      if (handle === 0) break;
      out[placed++] = handle;
    }
    return placed;
  }

  freeMany(handles: HandleArray, count?: number): void {
    SharedJsFixedPool.#check(this, 'freeMany');
    const n = checkBatch('handles', handles, count, this.memory.byteLength);
    const live = this.#live;
    const epoch = Atomics.load(this.#words, EPOCH);
    // Pass 1 claims every slot (PENDING is never an epoch, so a duplicate fails as already free);
    // on the first refusal it gives the claimed ones back and throws, having freed nothing.
    let k = 0;
    let refusal: Error | undefined;
    for (; k < n; k++) {
      const handle = handles[k]!;
      const index = this.#slotIndex(handle);
      if (index < 0) {
        refusal = notASlot(`handles[${k}]`, handle, this);
        break;
      }
      if (Atomics.compareExchange(live, index, epoch, PENDING) !== epoch) {
        refusal = doubleFree(`handles[${k}]`, handle);
        break;
      }
    }
    if (refusal !== undefined) {
      for (let j = 0; j < k; j++) Atomics.store(live, this.#slotIndex(handles[j]!), epoch);
      throw refusal;
    }
    this.#epoch = epoch;
    // Each slot is given back; where a reset overtook this call, it has released them already.
    for (k = 0; k < n; k++) {
      const index = this.#slotIndex(handles[k]!);
      Atomics.store(live, index, 0);
      this.#release(index, epoch);
    }
  }

  stats(): FixedPoolStats {
    SharedJsFixedPool.#check(this, 'stats');
    const words = this.#words;
    const allocated = Atomics.load(words, ALLOCATED);
    const allocCount = readCount(words, ALLOC_COUNT);
    return fixedPoolStatsFrom([
      this.objectSize,
      this.slotSize,
      this.capacity,
      allocated,
      this.capacity - allocated,
      Atomics.load(words, PEAK),
      allocCount,
      allocCount - allocated - readCount(words, RELEASED),
      readCount(words, FAILED),
    ]);
  }

  /**
   * Ends this holder: every later call on it throws `ERR_MEMPOOL_DESTROYED`. Other holders keep
   * the pool; the memory goes when the last holder is collected (a `SharedArrayBuffer` cannot be
   * detached).
   */
  destroy(): void {
    try {
      this.#destroyed = true;
    } catch {
      throw unboundMethod('FixedPool', 'destroy', this);
    }
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  /**
   * Throws unless \`receiver\` is a holder that is not destroyed: reading a private field is the
   * brand check, so a method that lost its \`this\` (\`handles.forEach(pool.free)\`) gets the
   * contract's TypeError, and a correct call pays for nothing but the read.
   */
  static #check(receiver: SharedJsFixedPool, method: string): void {
    let gone: boolean;
    try {
      gone = receiver.#destroyed;
    } catch {
      throw unboundMethod('FixedPool', method, receiver);
    }
    if (gone) throw destroyed('FixedPool', method);
  }

  /** The slot index `handle` names (live or not), or -1 when it names no slot of this pool. */
  #slotIndex(handle: number): number {
    if (typeof handle !== 'number') return -1;
    const index = (handle - this.dataOffset) / this.slotSize;
    return index >>> 0 === index && index < this.capacity ? index : -1;
  }

  /** Raises the shared `peakAllocated` to at least `allocated`, and notes what it is now. */
  #raisePeak(allocated: number): void {
    raiseTo(this.#words, PEAK, allocated);
    this.#peakSeen = Atomics.load(this.#words, PEAK);
  }

  /**
   * Pushes a slot whose `live` word this call took from `epoch` to 0, and returns true; or, when
   * the epoch has moved on (a reset released the slot), changes nothing and returns false.
   */
  #release(index: number, epoch: number): boolean {
    const words = this.#words;
    // A reset moves the epoch before the head (and the head's tag with it). So if the epoch read
    // here is `epoch`, a push onto a head from before this read either lands before the reset's
    // head (which then drops it) or fails; if it is not, the slot is already free.
    if (Atomics.load(words, EPOCH) !== epoch) return false;
    Atomics.sub(words, ALLOCATED, 1);
    let top = this.#top;
    for (;;) {
      // A plain write: this call owns the slot, and the compare-and-swap below publishes it.
      this.#next[index] = topOf(top);
      const pushed = headAfter(top, index + 1);
      const seen = Atomics.compareExchange(this.#head, 0, top, pushed);
      if (seen === top) {
        this.#top = pushed;
        return true;
      }
      // The compare-and-swap read the head: the epoch is read after it, as above. A reset now
      // has released the slot, whose count it already took from `allocated`.
      top = seen;
      if (Atomics.load(words, EPOCH) !== epoch) {
        this.#top = top;
        return true;
      }
    }
  }
}
