import {
  checkBatch,
  destroyed,
  doubleFree,
  fixedPoolStatsFrom,
  notASlot,
  type FixedPool,
  type FixedPoolLayout,
  type FixedPoolStats,
  type HandleArray,
} from '@mempool/api';
import { detach, reserveMemory, reserveWords } from './memory.js';

/** Marks a slot as claimed by the batch `freeMany` is checking; never a real epoch. */
const PENDING = 0xffffffff;

/**
 * A fixed pool over one `ArrayBuffer` (docs/ALGORITHMS.md). The bookkeeping lives in typed arrays
 * outside `memory`, so nothing written into a slot can corrupt the pool.
 */
export class JsFixedPool implements FixedPool {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;

  /** Indices of freed slots, last freed on top. */
  #freeStack: Uint32Array;
  #freeTop = 0;
  /** The first slot never handed out since creation or the last reset. */
  #untouched = 0;
  /** `liveEpoch[i] === epoch` exactly when slot `i` is allocated; `reset` moves the epoch on. */
  #liveEpoch: Uint32Array;
  #epoch = 1;
  #allocated = 0;
  #peakAllocated = 0;
  #allocCount = 0;
  /** Allocations `reset` gave back: `freeCount` is derived from it, so `free` counts nothing. */
  #releasedByReset = 0;
  #failedAllocs = 0;
  #destroyed = false;

  constructor(layout: FixedPoolLayout) {
    this.objectSize = layout.objectSize;
    this.slotSize = layout.slotSize;
    this.capacity = layout.capacity;
    this.align = layout.align;
    this.dataOffset = layout.dataOffset;
    this.memory = reserveMemory(layout.byteLength);
    this.#freeStack = reserveWords(layout.capacity, layout.byteLength);
    this.#liveEpoch = reserveWords(layout.capacity, layout.byteLength);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  alloc(): number {
    let index: number;
    if (this.#freeTop > 0) index = this.#freeStack[--this.#freeTop]!;
    else if (this.#untouched < this.capacity) index = this.#untouched++;
    else return this.#allocFailed();
    this.#liveEpoch[index] = this.#epoch;
    if (++this.#allocated > this.#peakAllocated) this.#peakAllocated = this.#allocated;
    this.#allocCount++;
    return this.dataOffset + index * this.slotSize;
  }

  free(handle: number): void {
    const index = this.#liveIndex(handle);
    if (index < 0) throw this.#refusal('handle', handle);
    this.#release(index);
  }

  reset(): void {
    if (this.#destroyed) throw destroyed('FixedPool', 'reset');
    this.#freeTop = 0;
    this.#untouched = 0;
    this.#releasedByReset += this.#allocated;
    this.#allocated = 0;
    if (++this.#epoch === PENDING) {
      // Once in 2^32 resets: old stamps could match the new epoch, so clear them (amortised O(1)).
      this.#liveEpoch.fill(0);
      this.#epoch = 1;
    }
  }

  allocMany(out: HandleArray, count?: number): number {
    if (this.#destroyed) throw destroyed('FixedPool', 'allocMany');
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
    if (this.#destroyed) throw destroyed('FixedPool', 'freeMany');
    const n = checkBatch('handles', handles, count, this.memory.byteLength);
    const liveEpoch = this.#liveEpoch;
    // Pass 1 claims every slot (PENDING is never an epoch, so a duplicate fails as already free);
    // on the first refusal it gives the claimed ones back and throws, having freed nothing.
    let k = 0;
    for (; k < n; k++) {
      const index = this.#liveIndex(handles[k]!);
      if (index < 0) break;
      liveEpoch[index] = PENDING;
    }
    if (k < n) {
      for (let j = 0; j < k; j++) liveEpoch[this.#indexOf(handles[j]!)] = this.#epoch;
      throw this.#refusal(`handles[${k}]`, handles[k]!);
    }
    for (k = 0; k < n; k++) this.#release(this.#indexOf(handles[k]!));
  }

  stats(): FixedPoolStats {
    if (this.#destroyed) throw destroyed('FixedPool', 'stats');
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

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    detach(this.memory);
    // alloc and free check `destroyed` only on their failure paths: make every call fail.
    this.#freeTop = 0;
    this.#untouched = this.capacity;
    this.#freeStack = new Uint32Array(0);
    this.#liveEpoch = new Uint32Array(0);
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  /** The slow path of `alloc`: a full pool, or a destroyed one. */
  #allocFailed(): number {
    if (this.#destroyed) throw destroyed('FixedPool', 'alloc');
    this.#failedAllocs++;
    return 0;
  }

  #indexOf(handle: number): number {
    return (handle - this.dataOffset) / this.slotSize;
  }

  /** The slot index of a live allocation at `handle`, or -1. */
  #liveIndex(handle: number): number {
    if (typeof handle !== 'number') return -1;
    const index = (handle - this.dataOffset) / this.slotSize;
    // Slot indices fit in 32 bits, so `index >>> 0 === index` tests integer, non-negative and
    // below 2^32 at once (NaN and fractions fail it) and lets the engine index as uint32.
    return index >>> 0 === index && index < this.capacity && this.#liveEpoch[index] === this.#epoch ? index : -1;
  }

  /** Why `handle` was refused; a destroyed pool refuses everything, its bookkeeping is gone. */
  #refusal(name: string, handle: number): Error {
    if (this.#destroyed) return destroyed('FixedPool', name === 'handle' ? 'free' : 'freeMany');
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
