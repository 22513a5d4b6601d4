import { type FixedPoolEngine, type FixedPoolGeometry, type HandleArray, Status } from '@mempool/api';
import { BLOCK, packageBinding } from './binding.js';
import { NativeEngine } from './engine.js';
import { reserveMemory } from './memory.js';
import { collectorPressure, NO_PRESSURE } from './pressure.js';

// The argument block's indexes, as module constants (the hot paths read them on every call).
const { id: ID, arg0: ARG0, result: RESULT } = BLOCK;
// The addon's functions as module constants: see packageBinding for why not fields.
const binding = packageBinding();
const { block, poolAlloc, poolFree, poolAllocMany, poolFreeMany } = binding;

/**
 * A fixed pool kept by the C library, as `EngineFixedPool` (@mempool/api) drives it. `alloc` and
 * `free` pass their argument and result through the argument block, written just before the call
 * and read just after it, with nothing between that could run other JavaScript (only a number is
 * written, so no `valueOf` can run and reuse the block).
 */
export class NativeFixedPoolEngine extends NativeEngine implements FixedPoolEngine {
  /**
   * Makes the garbage collector count the C bookkeeping on every engine (see collectorPressure).
   * A field, not a WeakMap entry: Deno 2.9 collected ephemeron values too late to help (measured).
   */
  #pressure: ArrayBuffer;

  constructor(geometry: FixedPoolGeometry) {
    const memory = reserveMemory(geometry.byteLength);
    super(memory, binding.createFixedPool(memory, geometry.objectSize, geometry.capacity, geometry.align));
    this.#pressure = collectorPressure(geometry.capacity);
  }

  alloc(): number {
    // Detached memory may be freed or moved: the C pool is not asked about it.
    if (this.probe.length === 0) return 0;
    block[ID] = this.id;
    poolAlloc();
    return block[RESULT]!;
  }

  free(handle: unknown): number {
    // Only a number goes into the block (so no valueOf can run between the write and the call).
    if (typeof handle !== 'number') return Status.INVALID_HANDLE;
    if (this.probe.length === 0) return Status.NULL_POINTER;
    block[ID] = this.id;
    block[ARG0] = handle;
    poolFree();
    return block[RESULT]!;
  }

  allocMany(out: HandleArray, count: number): number {
    // The addon re-checks the array itself (a Proxy or a lying length is refused, no trap runs).
    block[ID] = this.id;
    return poolAllocMany(out, count);
  }

  freeMany(handles: HandleArray, count: number): number {
    block[ID] = this.id;
    return poolFreeMany(handles, count);
  }

  /** The index `freeMany` refused: the addon writes it to the block's result. */
  refusedAt(): number {
    return block[RESULT]!;
  }

  override destroy(): void {
    // The C bookkeeping is freed now: nothing is left for the collector to count.
    if (this.#pressure.byteLength !== 0) this.#pressure = NO_PRESSURE;
    super.destroy();
  }
}
