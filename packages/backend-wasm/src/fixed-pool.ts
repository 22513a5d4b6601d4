import {
  checkBatch,
  destroyed,
  FIXED_POOL_STATS_FIELDS,
  fixedPoolStatsFrom,
  freeError,
  invalidRange,
  outOfMemory,
  Status,
  unboundMethod,
  type FixedPool,
  type FixedPoolGeometry,
  type FixedPoolStats,
  type HandleArray,
} from '@mempool/api';
import { instantiate, type Engine } from './engine.js';
import { detach, reserveMemory } from './memory.js';
import type { WasmMemory, WasmModule } from './webassembly.js';

/** Bound after destroy() in place of the engine's functions, so the instance can be collected. */
const gone = (): number => 0;
/** Bound after destroy() in place of `free`: refuses every handle. */
const refuseAll = (): number => Status.INVALID_HANDLE;

/**
 * A fixed pool (docs/ALGORITHMS.md) run by its own instance of the wasm module. `memory` holds the
 * header and the slots exactly as in the js backend, and nothing else: the bookkeeping
 * (`freeStack`, `liveEpoch`) and the batch scratch are in the engine's private memory, which no
 * write into `memory` and no batch array can reach.
 */
export class WasmFixedPool implements FixedPool {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;

  #wasmMemory: WasmMemory;
  /** The scratch in the engine's memory: batches cross as u32 through `#batch`, stats as f64. */
  #batch: Uint32Array;
  #stats64: Float64Array;
  #destroyed = false;
  // The engine's functions, bound once: every call is one call into wasm.
  #alloc: Engine['fixedPoolAlloc'];
  #free: Engine['fixedPoolFree'];
  #reset: Engine['fixedPoolReset'];
  #allocMany: Engine['fixedPoolAllocMany'];
  #freeManyCheck: Engine['fixedPoolFreeManyCheck'];
  #freeManyCommit: Engine['fixedPoolFreeManyCommit'];
  #refusedAt: Engine['fixedPoolRefusedAt'];
  #stats: Engine['fixedPoolStats'];

  constructor(layout: FixedPoolGeometry, module: WasmModule) {
    this.objectSize = layout.objectSize;
    this.slotSize = layout.slotSize;
    this.capacity = layout.capacity;
    this.align = layout.align;
    this.dataOffset = layout.dataOffset;
    // The engine first: it may refuse the capacity before 4 GiB of slots are reserved.
    const engine = instantiate(module);
    const status = engine.exports.fixedPoolInit(layout.objectSize, layout.slotSize, layout.capacity, layout.dataOffset);
    if (status === Status.INVALID_ARGUMENT) {
      throw invalidRange(
        'capacity',
        'small enough that 8 bytes of bookkeeping a slot fit a wasm32 memory (about 536 million slots)',
        layout.capacity,
      );
    }
    if (status !== Status.OK) throw outOfMemory(8 * layout.capacity);
    const scratch = engine.exports.engineScratch() >>> 0;
    this.#batch = new Uint32Array(engine.memory.buffer, scratch, engine.exports.BATCH_ENTRIES.value);
    this.#stats64 = new Float64Array(engine.memory.buffer, scratch, FIXED_POOL_STATS_FIELDS.length);
    this.#wasmMemory = reserveMemory(layout.byteLength);
    this.memory = this.#wasmMemory.buffer;
    this.#alloc = engine.exports.fixedPoolAlloc;
    this.#free = engine.exports.fixedPoolFree;
    this.#reset = engine.exports.fixedPoolReset;
    this.#allocMany = engine.exports.fixedPoolAllocMany;
    this.#freeManyCheck = engine.exports.fixedPoolFreeManyCheck;
    this.#freeManyCommit = engine.exports.fixedPoolFreeManyCommit;
    this.#refusedAt = engine.exports.fixedPoolRefusedAt;
    this.#stats = engine.exports.fixedPoolStats;
  }

  get destroyed(): boolean {
    WasmFixedPool.#own(this, 'destroyed');
    return this.#destroyed;
  }

  // alloc and free look at `destroyed` only on their failure paths: destroy() rebinds the engine's
  // functions to ones that fail (`gone`, `refuseAll`), so the hot paths are one call into wasm.
  // Their try/catch costs nothing until a call with the wrong `this` throws.
  alloc(): number {
    let handle: number;
    try {
      handle = this.#alloc() >>> 0;
    } catch (error) {
      throw WasmFixedPool.#unboundOr(this, 'alloc', error);
    }
    if (handle === 0 && this.#destroyed) throw destroyed('FixedPool', 'alloc');
    return handle;
  }

  free(handle: number): void {
    let status: number;
    try {
      // Anything but an integer in [0, 2^32) (wasm would wrap it) names no slot.
      status = typeof handle === 'number' && handle >>> 0 === handle ? this.#free(handle) : Status.INVALID_HANDLE;
    } catch (error) {
      throw WasmFixedPool.#unboundOr(this, 'free', error);
    }
    if (status !== Status.OK) {
      // A handle that is not a number never reached the engine: check \`this\` here instead.
      WasmFixedPool.#own(this, 'free');
      if (this.#destroyed) throw destroyed('FixedPool', 'free');
      throw freeError(status, 'handle', handle, this);
    }
  }

  reset(): void {
    WasmFixedPool.#own(this, 'reset');
    if (this.#destroyed) throw destroyed('FixedPool', 'reset');
    this.#reset();
  }

  allocMany(out: HandleArray, count?: number): number {
    WasmFixedPool.#own(this, 'allocMany');
    if (this.#destroyed) throw destroyed('FixedPool', 'allocMany');
    const n = checkBatch('out', out, count, this.memory.byteLength);
    const batch = this.#batch;
    let placed = 0;
    while (placed < n) {
      const chunk = Math.min(n - placed, batch.length);
      const got = this.#allocMany(chunk) >>> 0;
      for (let k = 0; k < got; k++) out[placed + k] = batch[k]!;
      placed += got;
      if (got < chunk) break;
    }
    return placed;
  }

  freeMany(handles: HandleArray, count?: number): void {
    WasmFixedPool.#own(this, 'freeMany');
    if (this.#destroyed) throw destroyed('FixedPool', 'freeMany');
    const n = checkBatch('handles', handles, count, this.memory.byteLength);
    const batch = this.#batch;
    // Pass 1, a chunk at a time, each entry read once: wasm claims each slot (so duplicates are
    // caught) and queues it; on the first bad handle it gives back every claim and refuses.
    for (let from = 0; from < n; from += batch.length) {
      const chunk = Math.min(batch.length, n - from);
      for (let k = 0; k < chunk; k++) {
        const handle = handles[from + k]!;
        // Not an integer in [0, 2^32): 0, never a slot, so it is refused at its own position.
        batch[k] = handle >>> 0 === handle ? handle : 0;
      }
      const status = this.#freeManyCheck(chunk);
      if (status !== Status.OK) {
        const k = from + (this.#refusedAt() >>> 0);
        throw freeError(status, `handles[${k}]`, handles[k]!, this);
      }
    }
    // Pass 2: free the claimed slots in order.
    this.#freeManyCommit();
  }

  stats(): FixedPoolStats {
    WasmFixedPool.#own(this, 'stats');
    if (this.#destroyed) throw destroyed('FixedPool', 'stats');
    this.#stats();
    return fixedPoolStatsFrom(this.#stats64);
  }

  destroy(): void {
    WasmFixedPool.#own(this, 'destroy');
    if (this.#destroyed) return;
    this.#destroyed = true;
    detach(this.#wasmMemory);
    // Drop every reference to the instance and both memories: the collector frees the pages.
    this.#wasmMemory = undefined as unknown as WasmMemory;
    this.#batch = new Uint32Array(0);
    this.#stats64 = new Float64Array(0);
    this.#free = refuseAll;
    this.#alloc = this.#allocMany = this.#freeManyCheck = this.#refusedAt = gone;
    this.#reset = this.#freeManyCommit = this.#stats = gone;
  }

  [Symbol.dispose](): void {
    WasmFixedPool.#own(this, 'destroy');
    this.destroy();
  }

  /** Throws the contract's TypeError when a method runs with a `this` that is not a pool. */
  static #own(self: unknown, method: string): void {
    if (typeof self !== 'object' || self === null || !(#destroyed in self)) throw unboundMethod('FixedPool', method, self);
  }

  /** What a hot path throws when its call into the engine threw: the wrong `this`, or the error itself. */
  static #unboundOr(self: unknown, method: string, error: unknown): unknown {
    return typeof self === 'object' && self !== null && #destroyed in self ? error : unboundMethod('FixedPool', method, self);
  }
}
