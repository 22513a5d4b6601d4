import {
  ENGINE_FACTS,
  FIXED_POOL_STATS_FIELDS,
  outOfMemory,
  Status,
  type FixedPoolEngine,
  type FixedPoolGeometry,
  type HandleArray,
} from '@mempool/api';
import { instantiate, type Engine } from './engine.js';
import { tooManySlots } from './memory.js';
import { OwnMemoryEngine } from './own-memory.js';
import type { WasmModule } from './webassembly.js';

/** Bound after destroy() in place of the module's functions, so the instance can be collected. */
const gone = (): number => 0;
/** Bound after destroy() in place of `free`: refuses every handle. */
const refuseAll = (): number => Status.INVALID_HANDLE;

/**
 * A fixed pool's engine (docs/ALGORITHMS.md): its own instance of the wasm module. `memory` holds
 * the header and the slots exactly as in the js backend, and nothing else: the bookkeeping
 * (`freeStack`, `liveEpoch`) and the batch scratch are in the instance's private memory, which no
 * write into `memory` and no batch array can reach.
 */
export class WasmFixedPoolEngine extends OwnMemoryEngine implements FixedPoolEngine {
  /** The scratch in the instance's memory: batches cross as u32 through `#batch`, stats as f64. */
  #batch: Uint32Array;
  #stats64: Float64Array;
  #refusedAt = 0;
  // The module's functions, bound once: every call is one call into wasm.
  #alloc: Engine['fixedPoolAlloc'];
  #free: Engine['fixedPoolFree'];
  #reset: Engine['fixedPoolReset'];
  #allocMany: Engine['fixedPoolAllocMany'];
  #freeManyCheck: Engine['fixedPoolFreeManyCheck'];
  #freeManyCommit: Engine['fixedPoolFreeManyCommit'];
  #chunkRefusedAt: Engine['fixedPoolRefusedAt'];
  #stats: Engine['fixedPoolStats'];

  constructor(geometry: FixedPoolGeometry, module: WasmModule) {
    // The instance first: it may refuse the capacity before 4 GiB of slots are reserved.
    const { exports, memory } = instantiate(module);
    const status = exports.fixedPoolInit(geometry.objectSize, geometry.slotSize, geometry.capacity, geometry.dataOffset);
    if (status === Status.INVALID_ARGUMENT) throw tooManySlots(geometry.capacity, ENGINE_FACTS.bookkeepingBytesPerSlot);
    if (status !== Status.OK) throw outOfMemory(ENGINE_FACTS.bookkeepingBytesPerSlot * geometry.capacity);
    const scratch = exports.engineScratch() >>> 0;
    super(geometry.byteLength);
    this.#batch = new Uint32Array(memory.buffer, scratch, exports.BATCH_ENTRIES.value);
    this.#stats64 = new Float64Array(memory.buffer, scratch, FIXED_POOL_STATS_FIELDS.length);
    this.#alloc = exports.fixedPoolAlloc;
    this.#free = exports.fixedPoolFree;
    this.#reset = exports.fixedPoolReset;
    this.#allocMany = exports.fixedPoolAllocMany;
    this.#freeManyCheck = exports.fixedPoolFreeManyCheck;
    this.#freeManyCommit = exports.fixedPoolFreeManyCommit;
    this.#chunkRefusedAt = exports.fixedPoolRefusedAt;
    this.#stats = exports.fixedPoolStats;
  }

  alloc(): number {
    return this.#alloc() >>> 0;
  }

  free(handle: number): number {
    // Anything but an integer in [0, 2^32) (wasm would wrap it) names no slot.
    return typeof handle === 'number' && handle >>> 0 === handle ? this.#free(handle) : Status.INVALID_HANDLE;
  }

  reset(): number {
    this.#reset();
    return Status.OK;
  }

  allocMany(out: HandleArray, count: number): number {
    const batch = this.#batch;
    let placed = 0;
    while (placed < count) {
      const chunk = Math.min(count - placed, batch.length);
      const got = this.#allocMany(chunk) >>> 0;
      for (let k = 0; k < got; k++) out[placed + k] = batch[k]!;
      placed += got;
      if (got < chunk) break;
    }
    return placed;
  }

  freeMany(handles: HandleArray, count: number): number {
    const batch = this.#batch;
    // Pass 1, a chunk at a time, each entry read once: wasm claims each slot (so duplicates are
    // caught) and queues it; on the first bad handle it gives back every claim and refuses.
    for (let from = 0; from < count; from += batch.length) {
      const chunk = Math.min(batch.length, count - from);
      for (let k = 0; k < chunk; k++) {
        const handle = handles[from + k]!;
        // Not an integer in [0, 2^32): 0, never a slot, so it is refused at its own position.
        batch[k] = handle >>> 0 === handle ? handle : 0;
      }
      const status = this.#freeManyCheck(chunk);
      if (status !== Status.OK) {
        this.#refusedAt = from + (this.#chunkRefusedAt() >>> 0);
        return status;
      }
    }
    // Pass 2: free the claimed slots in order.
    this.#freeManyCommit();
    return Status.OK;
  }

  refusedAt(): number {
    return this.#refusedAt;
  }

  stats(words: Float64Array): void {
    this.#stats();
    words.set(this.#stats64);
  }

  destroy(): void {
    this.detachMemory();
    // Drop every reference to the instance and its memory: the collector frees the pages.
    this.#batch = new Uint32Array(0);
    this.#stats64 = new Float64Array(0);
    this.#free = refuseAll;
    this.#alloc = this.#allocMany = this.#freeManyCheck = this.#chunkRefusedAt = gone;
    this.#reset = this.#freeManyCommit = this.#stats = gone;
  }
}
