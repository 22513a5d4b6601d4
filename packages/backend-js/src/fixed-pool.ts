import {
  checkBatch,
  invalidType,
  destroyed,
  detached,
  doubleFree,
  ENGINE_FACTS,
  fixedPoolStatsFrom,
  notASlot,
  unboundMethod,
  type FixedPool,
  type FixedPoolGeometry,
  type FixedPoolStats,
  type HandleArray,
} from '@mempool/api';
import { detach, NO_BYTES, reserveMemory, reserveWords } from './memory.js';

/** Marks a slot as claimed by the batch `freeMany` is checking; never a real epoch. */
const PENDING = 0xffffffff;
/** What a destroyed pool's bookkeeping becomes, so its words are given back at once. */
const NO_WORDS = new Uint32Array(0);

/**
 * A fixed pool over one `ArrayBuffer` (docs/ALGORITHMS.md). The bookkeeping lives in typed arrays
 * outside `memory`, so nothing written into a slot can corrupt the pool.
 *
 * The one pool that is not an `EngineFixedPool` around an engine: here the contract class and the
 * allocator are one object, and its guards repeat the api class's. Split in two, every call loads
 * the engine from the pool before the engine's own fields, one more dependent load on the path of
 * a call that is otherwise a few loads and stores: the js alloc+free pair took 10.1-10.5 ns against
 * 7.5-7.9 ns in the benchmark's harness (same machine, alternating builds), where wasm and native,
 * whose calls cost 14 and 30 ns, showed no difference. The js shared pool, and every arena, go
 * through the api classes.
 */
export class JsFixedPool implements FixedPool {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;

  // Every private field starts with a value of the type it keeps (0, an empty array): a field
  // declared bare starts as `undefined`, and V8 then keeps it in a generic representation that
  // made alloc and free measurably slower (up to 19%).

  /**
   * One byte of `memory`, read only to learn whether `memory` is still attached: a detached view
   * reads `undefined`. The cheapest such test measured: an alloc+free pair takes about 1.1x its
   * time without any test, against 1.4x testing a full view's `length` and 1.8x for
   * `memory.byteLength` (a getter call the JIT does not inline).
   */
  readonly #probe: Uint8Array = NO_BYTES;
  /** Indices of freed slots, last freed on top. */
  #freeStack: Uint32Array = NO_WORDS;
  #freeTop = 0;
  /** The first slot never handed out since creation or the last reset. */
  #untouched = 0;
  /** `liveEpoch[i] === epoch` exactly when slot `i` is allocated; `reset` moves the epoch on. */
  #liveEpoch: Uint32Array = NO_WORDS;
  #epoch = 1;
  #allocated = 0;
  #peakAllocated = 0;
  #allocCount = 0;
  /** Allocations `reset` gave back: `freeCount` is derived from it, so `free` counts nothing. */
  #releasedByReset = 0;
  #failedAllocs = 0;
  #destroyed = false;

  constructor(geometry: FixedPoolGeometry) {
    this.objectSize = geometry.objectSize;
    this.slotSize = geometry.slotSize;
    this.capacity = geometry.capacity;
    this.align = geometry.align;
    this.dataOffset = geometry.dataOffset;
    const bookkeepingBytes = ENGINE_FACTS.bookkeepingBytesPerSlot * geometry.capacity;
    this.memory = reserveMemory(geometry.byteLength, bookkeepingBytes);
    this.#probe = new Uint8Array(this.memory, 0, 1);
    this.#freeStack = reserveWords(geometry.capacity, geometry.byteLength, bookkeepingBytes);
    this.#liveEpoch = reserveWords(geometry.capacity, geometry.byteLength, bookkeepingBytes);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  // alloc, free and reset test `#probe` (is `memory` still attached? destroy() and other code
  // detach it) and pay for nothing else unless they fail: a call without a pool as `this` fails on
  // its first private field and is caught and explained by `#misuse`.

  alloc(): number {
    try {
      if (this.#probe[0] === undefined) throw this.#unusable('alloc');
      let index: number;
      if (this.#freeTop > 0) index = this.#freeStack[--this.#freeTop]!;
      else if (this.#untouched < this.capacity) index = this.#untouched++;
      else return this.#allocFailed();
      this.#liveEpoch[index] = this.#epoch;
      if (++this.#allocated > this.#peakAllocated) this.#peakAllocated = this.#allocated;
      this.#allocCount++;
      return this.dataOffset + index * this.slotSize;
    } catch (error) {
      throw JsFixedPool.#misuse(this, 'alloc', error);
    }
  }

  free(handle: number): void {
    try {
      const index = this.#liveIndex(handle);
      if (index < 0 || this.#probe[0] === undefined) throw this.#refusal('free', 'handle', handle);
      this.#release(index);
    } catch (error) {
      throw JsFixedPool.#misuse(this, 'free', error);
    }
  }

  reset(): void {
    try {
      if (this.#probe[0] === undefined) throw this.#unusable('reset');
      this.#freeTop = 0;
      this.#untouched = 0;
      this.#releasedByReset += this.#allocated;
      this.#allocated = 0;
      if (++this.#epoch === PENDING) {
        // Once in 2^32 - 2 resets: old stamps could match the new epoch, so clear them (amortised O(1)).
        this.#liveEpoch.fill(0);
        this.#epoch = 1;
      }
    } catch (error) {
      throw JsFixedPool.#misuse(this, 'reset', error);
    }
  }

  allocMany(out: HandleArray, count?: number): number {
    JsFixedPool.#check(this, 'allocMany');
    // A genuine typed array (checkBatch): writing to it runs no user code. The loop is
    // EngineFixedPool's for engines without allocMany, kept here with this class (see above).
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
    JsFixedPool.#check(this, 'freeMany');
    // A genuine typed array (checkBatch): reading it runs no user code, and each entry is read once.
    const n = checkBatch('handles', handles, count, this.memory.byteLength);
    const liveEpoch = this.#liveEpoch;
    const freeStack = this.#freeStack;
    const top = this.#freeTop;
    // Pass 1 claims every slot (PENDING is never an epoch, so a duplicate reads as already free)
    // and stacks its index above the free stack's top, where freeing them in order puts them; there
    // is room, as each is a distinct live slot. On the first refusal it gives the claimed slots back
    // and throws, having freed nothing.
    for (let k = 0; k < n; k++) {
      const handle = handles[k]!;
      const index = this.#liveIndex(handle);
      if (index < 0) {
        for (let j = 0; j < k; j++) liveEpoch[freeStack[top + j]!] = this.#epoch;
        throw this.#refusal('freeMany', `handles[${k}]`, handle);
      }
      liveEpoch[index] = PENDING;
      freeStack[top + k] = index;
    }
    // Pass 2 commits what pass 1 read: the same result as calling free() on each handle in order.
    for (let k = 0; k < n; k++) liveEpoch[freeStack[top + k]!] = 0;
    this.#freeTop = top + n;
    this.#allocated -= n;
  }

  stats(): FixedPoolStats {
    JsFixedPool.#check(this, 'stats');
    return fixedPoolStatsFrom([
      this.objectSize,
      this.slotSize,
      this.capacity,
      this.#allocated,
      this.capacity - this.#allocated,
      this.#peakAllocated,
      this.#allocCount,
      this.#allocCount - this.#allocated - this.#releasedByReset,
      this.#failedAllocs,
    ]);
  }

  /** As on every unshared pool: `share()` needs a pool created with `{ shared: true }`. */
  share(): never {
    JsFixedPool.#check(this, 'share');
    throw invalidType('this', 'a pool created with { shared: true }', 'an unshared pool');
  }

  destroy(): void {
    if (!JsFixedPool.#isPool(this)) throw unboundMethod('FixedPool', 'destroy', this);
    if (this.#destroyed) return;
    this.#destroyed = true;
    detach(this.memory);
    this.#freeStack = NO_WORDS;
    this.#liveEpoch = NO_WORDS;
  }

  [Symbol.dispose](): void {
    JsFixedPool.prototype.destroy.call(this);
  }

  static #isPool(value: unknown): value is JsFixedPool {
    return typeof value === 'object' && value !== null && #epoch in value;
  }

  /** `error`, or the reason it was thrown if `receiver` is not a pool (the method lost its `this`). */
  static #misuse(receiver: unknown, method: string, error: unknown): unknown {
    return JsFixedPool.#isPool(receiver) ? error : unboundMethod('FixedPool', method, receiver);
  }

  /** Throws unless `receiver` is a pool that is neither destroyed nor detached. */
  static #check(receiver: unknown, method: string): void {
    let attached: boolean;
    try {
      // Reading a private field is the brand check: it throws for anything but a FixedPool.
      attached = (receiver as JsFixedPool).#probe[0] !== undefined;
    } catch {
      throw unboundMethod('FixedPool', method, receiver);
    }
    if (!attached) throw (receiver as JsFixedPool).#unusable(method);
  }

  /** Why a pool whose `memory` is detached refuses every call. */
  #unusable(method: string): Error {
    return this.#destroyed ? destroyed('FixedPool', method) : detached('FixedPool', method);
  }

  /** The slow path of `alloc`: a full pool. */
  #allocFailed(): number {
    this.#failedAllocs++;
    return 0;
  }

  /** The slot index of a live allocation at `handle`, or -1. */
  #liveIndex(handle: number): number {
    if (typeof handle !== 'number') return -1;
    const index = (handle - this.dataOffset) / this.slotSize;
    // Slot indices fit in 32 bits, so `index >>> 0 === index` tests integer, non-negative and
    // below 2^32 at once (NaN and fractions fail it) and lets the engine index as uint32.
    return index >>> 0 === index && index < this.capacity && this.#liveEpoch[index] === this.#epoch ? index : -1;
  }

  /** Why `method` refused `handle` (passed as `name`): a pool that cannot be used refuses everything. */
  #refusal(method: string, name: string, handle: number): Error {
    if (this.#probe[0] === undefined) return this.#unusable(method);
    if (typeof handle !== 'number') return notASlot(name, handle, this);
    const index = (handle - this.dataOffset) / this.slotSize;
    if (index >>> 0 !== index || index >= this.capacity) return notASlot(name, handle, this);
    return doubleFree(name, handle);
  }

  #release(index: number): void {
    this.#liveEpoch[index] = 0;
    this.#freeStack[this.#freeTop++] = index;
    this.#allocated--;
  }
}
