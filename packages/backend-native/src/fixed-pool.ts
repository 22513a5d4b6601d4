import {
  checkBatch,
  destroyed,
  detached,
  FIXED_POOL_STATS_FIELDS,
  type FixedPool,
  type FixedPoolOptions,
  type FixedPoolStats,
  fixedPoolGeometry,
  fixedPoolStatsFrom,
  freeError,
  type HandleArray,
  invalidType,
  MAX_MEMORY_BYTES,
  outOfMemory,
  Status,
  unboundMethod,
} from '@mempool/api';
import { BLOCK, type NativeAnchor, packageBinding } from './binding.js';
import { created, destroyIn, reserveMemory } from './memory.js';
import { collectorPressure, NO_PRESSURE } from './pressure.js';
import { refuseShared } from './shared-refusal.js';

// The argument block's indexes, as module constants (the hot paths read them on every call).
const { id: ID, arg0: ARG0, result: RESULT } = BLOCK;
// The addon's functions as module constants: see packageBinding for why not fields.
const binding = packageBinding();
const { block, poolAlloc, poolFree } = binding;

/**
 * A fixed pool kept by the C library through the package's binding. Every call names the pool by writing its id to
 * the argument block (see `addon/addon.cc`); `alloc` and `free` also pass their argument and result
 * through it, written just before the call and read just after it, with nothing between that could
 * run other JavaScript (every value written is a number checked beforehand, so no `valueOf` can run
 * and reuse the block).
 */
export class NativeFixedPool implements FixedPool {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;
  /** The pool's id in the addon's table: what every call writes to the block. */
  readonly #id: number;
  /** Keeps the C pool alive as long as this object is reachable; destroy() shows it to the addon. */
  readonly #anchor: NativeAnchor;
  /**
   * One byte of `memory`: its length reads 0 once `memory` is detached (by destroy() or by other
   * code), and optimized code reads it faster than `memory.byteLength`.
   */
  readonly #probe: Uint8Array;
  readonly #stats = new Float64Array(FIXED_POOL_STATS_FIELDS.length);
  /**
   * Makes the garbage collector count the C bookkeeping on every engine (see collectorPressure).
   * A field, not a WeakMap entry: Deno 2.9 collected ephemeron values too late to help (measured).
   */
  #pressure: ArrayBuffer;
  #destroyed = false;

  constructor(objectSize: number, capacity: number, options?: FixedPoolOptions) {
    const layout = fixedPoolGeometry(objectSize, capacity, options, MAX_MEMORY_BYTES);
    refuseShared(options);
    const memory = reserveMemory(layout.byteLength);
    const anchor = binding.createFixedPool(memory, layout.objectSize, layout.capacity, layout.align);
    this.#anchor = created(binding, anchor, layout.byteLength);
    this.#id = block[RESULT]!;
    this.#pressure = collectorPressure(layout.capacity);
    this.objectSize = layout.objectSize;
    this.slotSize = layout.slotSize;
    this.capacity = layout.capacity;
    this.align = layout.align;
    this.dataOffset = layout.dataOffset;
    this.memory = memory;
    this.#probe = new Uint8Array(memory, 0, 1);
  }

  /** `pool`'s id; the contract's error when a method was called without its pool (unbound). */
  static #idOf(pool: NativeFixedPool, method: string): number {
    try {
      return pool.#id;
    } catch {
      throw unboundMethod('FixedPool', method, pool);
    }
  }

  /** Why a call cannot proceed once `memory` reads as length 0: destroy(), or other code detached it. */
  #unusable(method: string): Error {
    return this.#destroyed ? destroyed('FixedPool', method) : detached('FixedPool', method);
  }

  /** The error for a batch of `count` entries the addon refused with `status`. */
  #batchRefused(status: number, method: string, name: string, array: HandleArray, count: number): Error {
    if (status === Status.INVALID_ARGUMENT) {
      return invalidType(name, 'a genuine Uint32Array or Float64Array (not a Proxy, not a subclass whose length lies)', array);
    }
    // A batch over a SharedArrayBuffer is copied first: that copy was refused.
    if (status === Status.OUT_OF_MEMORY) return outOfMemory(count * array.BYTES_PER_ELEMENT);
    return this.#unusable(method);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  alloc(): number {
    const id = NativeFixedPool.#idOf(this, 'alloc');
    if (this.#probe.length === 0) throw this.#unusable('alloc');
    block[ID] = id;
    poolAlloc();
    return block[RESULT]!;
  }

  free(handle: number): void {
    const id = NativeFixedPool.#idOf(this, 'free');
    if (this.#probe.length === 0) throw this.#unusable('free');
    // Only a number goes into the block (so no valueOf can run between the write and the call).
    if (typeof handle !== 'number') throw freeError(Status.INVALID_HANDLE, 'handle', handle, this);
    block[ID] = id;
    block[ARG0] = handle;
    poolFree();
    const status = block[RESULT]!;
    if (status !== Status.OK) throw freeError(status, 'handle', handle, this);
  }

  reset(): void {
    const id = NativeFixedPool.#idOf(this, 'reset');
    if (this.#probe.length === 0) throw this.#unusable('reset');
    block[ID] = id;
    binding.reset();
  }

  allocMany(out: HandleArray, count?: number): number {
    const id = NativeFixedPool.#idOf(this, 'allocMany');
    if (this.#probe.length === 0) throw this.#unusable('allocMany');
    const n = checkBatch('out', out, count, this.memory.byteLength);
    // The addon re-checks the array itself (a Proxy or a lying length is refused, no trap runs).
    block[ID] = id;
    const placed = binding.poolAllocMany(out, n);
    if (placed < 0) throw this.#batchRefused(placed, 'allocMany', 'out', out, n);
    return placed;
  }

  freeMany(handles: HandleArray, count?: number): void {
    const id = NativeFixedPool.#idOf(this, 'freeMany');
    if (this.#probe.length === 0) throw this.#unusable('freeMany');
    const n = checkBatch('handles', handles, count, this.memory.byteLength);
    block[ID] = id;
    const status = binding.poolFreeMany(handles, n);
    if (status === Status.OK) return;
    if (status === Status.INVALID_HANDLE || status === Status.DOUBLE_FREE) {
      const index = block[RESULT]!;
      throw freeError(status, `handles[${index}]`, handles[index], this);
    }
    throw this.#batchRefused(status, 'freeMany', 'handles', handles, n);
  }

  stats(): FixedPoolStats {
    const id = NativeFixedPool.#idOf(this, 'stats');
    if (this.#probe.length === 0) throw this.#unusable('stats');
    block[ID] = id;
    binding.stats(this.#stats);
    return fixedPoolStatsFrom(this.#stats);
  }

  destroy(): void {
    const id = NativeFixedPool.#idOf(this, 'destroy');
    if (this.#destroyed) return;
    this.#destroyed = true;
    // The C bookkeeping is freed now: nothing is left for the collector to count.
    if (this.#pressure.byteLength !== 0) this.#pressure = NO_PRESSURE;
    block[ID] = id;
    destroyIn(binding, this.memory, this.#anchor);
  }

  [Symbol.dispose](): void {
    this.destroy();
  }
}
