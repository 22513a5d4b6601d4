import { type FixedPoolEngine, type FixedPoolGeometry, type HandleArray, Status } from '@mempool/api';
import { BLOCK, type NativeAnchor, packageBinding } from './binding.js';
import { created, destroyIn, reserveMemory, UNUSABLE } from './memory.js';
import { collectorPressure, NO_PRESSURE } from './pressure.js';

// The argument block's indexes, as module constants (the hot paths read them on every call).
const { id: ID, arg0: ARG0, result: RESULT } = BLOCK;
// The addon's functions as module constants: see packageBinding for why not fields.
const binding = packageBinding();
const { block, poolAlloc, poolFree, poolAllocMany, poolFreeMany } = binding;

/**
 * A fixed pool kept by the C library, as `EngineFixedPool` (@mempool/api) drives it. Every call
 * names the pool by writing its id to the argument block (see `addon/addon.cc`); `alloc` and `free`
 * also pass their argument and result through it, written just before the call and read just after
 * it, with nothing between that could run other JavaScript (only a number is written, so no
 * `valueOf` can run and reuse the block).
 */
export class NativeFixedPoolEngine implements FixedPoolEngine {
  readonly memory: ArrayBuffer;
  /** The pool's id in the addon's table: what every call writes to the block. */
  readonly #id: number;
  /** Keeps the C pool alive as long as this engine is reachable; destroy() shows it to the addon. */
  readonly #anchor: NativeAnchor;
  /**
   * One byte of `memory`: its length reads 0 once `memory` is detached (by destroy() or by other
   * code), and optimized code reads it faster than `memory.byteLength`. destroy() swaps in
   * `UNUSABLE`, should no means of detaching work.
   */
  #probe: Uint8Array;
  /**
   * Makes the garbage collector count the C bookkeeping on every engine (see collectorPressure).
   * A field, not a WeakMap entry: Deno 2.9 collected ephemeron values too late to help (measured).
   */
  #pressure: ArrayBuffer;

  constructor(geometry: FixedPoolGeometry) {
    const memory = reserveMemory(geometry.byteLength);
    const anchor = binding.createFixedPool(memory, geometry.objectSize, geometry.capacity, geometry.align);
    this.#anchor = created(binding, anchor, geometry.byteLength);
    this.#id = block[RESULT]!;
    this.#pressure = collectorPressure(geometry.capacity);
    this.memory = memory;
    this.#probe = new Uint8Array(memory, 0, 1);
  }

  usable(): boolean {
    return this.#probe.length !== 0;
  }

  alloc(): number {
    // Detached memory may be freed or moved: the C pool is not asked about it.
    if (this.#probe.length === 0) return 0;
    block[ID] = this.#id;
    poolAlloc();
    return block[RESULT]!;
  }

  free(handle: unknown): number {
    // Only a number goes into the block (so no valueOf can run between the write and the call).
    if (typeof handle !== 'number') return Status.INVALID_HANDLE;
    if (this.#probe.length === 0) return Status.NULL_POINTER;
    block[ID] = this.#id;
    block[ARG0] = handle;
    poolFree();
    return block[RESULT]!;
  }

  reset(): number {
    block[ID] = this.#id;
    return binding.reset();
  }

  allocMany(out: HandleArray, count: number): number {
    // The addon re-checks the array itself (a Proxy or a lying length is refused, no trap runs).
    block[ID] = this.#id;
    return poolAllocMany(out, count);
  }

  freeMany(handles: HandleArray, count: number): number {
    block[ID] = this.#id;
    return poolFreeMany(handles, count);
  }

  refusedAt(): number {
    return block[RESULT]!;
  }

  stats(words: Float64Array): void {
    block[ID] = this.#id;
    binding.stats(words);
  }

  destroy(): void {
    // The C bookkeeping is freed now: nothing is left for the collector to count.
    if (this.#pressure.byteLength !== 0) this.#pressure = NO_PRESSURE;
    block[ID] = this.#id;
    destroyIn(binding, this.memory, this.#anchor);
    this.#probe = UNUSABLE;
  }
}
