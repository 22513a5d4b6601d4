import {
  checkBatch,
  destroyed,
  fixedPoolStatsFrom,
  freeError,
  Status,
  type FixedPool,
  type FixedPoolLayout,
  type FixedPoolStats,
  type HandleArray,
} from '@mempool/api';
import { instantiate, type Engine } from './engine.js';
import type { WasmMemory } from './webassembly.js';
import { detach, fixedPoolBookkeeping, reserveMemory } from './memory.js';

/** Bound after destroy() in place of the engine's functions, so the instance can be collected. */
const gone = (): number => 0;
/** Bound after destroy() in place of `free`: refuses every handle. */
const refuseAll = (): number => Status.INVALID_HANDLE;

/**
 * A fixed pool (docs/ALGORITHMS.md) run by its own instance of the wasm module. `memory` holds the
 * header and the slots exactly as in the js backend; the bookkeeping (`freeStack`, `liveEpoch`)
 * and the batch scratch follow the last slot, so nothing written into a slot can corrupt the pool.
 * The scratch is zeroed after every use, so the bytes after the slots change only with the pool's
 * state: a call that throws leaves every byte of `memory` as it was.
 */
export class WasmFixedPool implements FixedPool {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;

  #wasmMemory: WasmMemory;
  /** The scratch after the bookkeeping: batches cross as u32 through `#batch`, stats as f64. */
  #batch: Uint32Array;
  #stats64: Float64Array;
  readonly #scratchEntries: number;
  #destroyed = false;
  // The engine's functions, bound once: every call is one call into wasm.
  #alloc: Engine['fixedPoolAlloc'];
  #free: Engine['fixedPoolFree'];
  #reset: Engine['fixedPoolReset'];
  #allocMany: Engine['fixedPoolAllocMany'];
  #freeManyCheck: Engine['fixedPoolFreeManyCheck'];
  #freeManyUndo: Engine['fixedPoolFreeManyUndo'];
  #freeManyCommitSlots: Engine['fixedPoolFreeManyCommitSlots'];
  #freeManyCommit: Engine['fixedPoolFreeManyCommit'];
  #refusedAt: Engine['fixedPoolRefusedAt'];
  #stats: Engine['fixedPoolStats'];

  constructor(layout: FixedPoolLayout) {
    this.objectSize = layout.objectSize;
    this.slotSize = layout.slotSize;
    this.capacity = layout.capacity;
    this.align = layout.align;
    this.dataOffset = layout.dataOffset;
    const books = fixedPoolBookkeeping(layout);
    this.#wasmMemory = reserveMemory(books.memoryBytes);
    this.memory = this.#wasmMemory.buffer;
    this.#batch = new Uint32Array(this.memory, books.scratch, books.scratchEntries);
    this.#stats64 = new Float64Array(this.memory, books.scratch, 9);
    this.#scratchEntries = books.scratchEntries;
    const engine = instantiate(this.#wasmMemory);
    engine.fixedPoolInit(
      layout.objectSize,
      layout.slotSize,
      layout.capacity,
      layout.dataOffset,
      books.freeStack,
      books.liveEpoch,
      books.scratch,
    );
    this.#alloc = engine.fixedPoolAlloc;
    this.#free = engine.fixedPoolFree;
    this.#reset = engine.fixedPoolReset;
    this.#allocMany = engine.fixedPoolAllocMany;
    this.#freeManyCheck = engine.fixedPoolFreeManyCheck;
    this.#freeManyUndo = engine.fixedPoolFreeManyUndo;
    this.#freeManyCommitSlots = engine.fixedPoolFreeManyCommitSlots;
    this.#freeManyCommit = engine.fixedPoolFreeManyCommit;
    this.#refusedAt = engine.fixedPoolRefusedAt;
    this.#stats = engine.fixedPoolStats;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  // alloc and free look at `destroyed` only on their failure paths: destroy() rebinds the engine's
  // functions to ones that fail (`gone`, `refuseAll`), so the hot paths are one call into wasm.
  alloc(): number {
    const handle = this.#alloc() >>> 0;
    if (handle === 0 && this.#destroyed) throw destroyed('FixedPool', 'alloc');
    return handle;
  }

  free(handle: number): void {
    // Anything but an integer in [0, 2^32) (wasm would wrap it) names no slot.
    const status = typeof handle === 'number' && handle >>> 0 === handle ? this.#free(handle) : Status.INVALID_HANDLE;
    if (status !== Status.OK) {
      if (this.#destroyed) throw destroyed('FixedPool', 'free');
      throw freeError(status, 'handle', handle, this);
    }
  }

  reset(): void {
    if (this.#destroyed) throw destroyed('FixedPool', 'reset');
    this.#reset();
  }

  allocMany(out: HandleArray, count?: number): number {
    if (this.#destroyed) throw destroyed('FixedPool', 'allocMany');
    const n = checkBatch('out', out, count, this.memory.byteLength);
    const batch = this.#batch;
    let placed = 0;
    while (placed < n) {
      const chunk = Math.min(n - placed, this.#scratchEntries);
      const got = this.#allocMany(chunk) >>> 0;
      for (let k = 0; k < got; k++) out[placed + k] = batch[k]!;
      batch.fill(0, 0, got);
      placed += got;
      if (got < chunk) break;
    }
    return placed;
  }

  freeMany(handles: HandleArray, count?: number): void {
    if (this.#destroyed) throw destroyed('FixedPool', 'freeMany');
    const n = checkBatch('handles', handles, count, this.memory.byteLength);
    const size = this.#scratchEntries;
    // Pass 1, a chunk at a time: wasm marks each handle PENDING, so duplicates are caught too.
    for (let from = 0; from < n; from += size) {
      const chunk = Math.min(size, n - from);
      this.#copyIn(handles, from, chunk);
      const status = this.#freeManyCheck(chunk);
      if (status !== Status.OK) {
        // wasm has unmarked this chunk; unmark the chunks before it, then report.
        for (let undo = 0; undo < from; undo += size) {
          this.#copyIn(handles, undo, size);
          this.#freeManyUndo(size);
        }
        this.#batch.fill(0, 0, Math.min(n, size));
        const k = from + (this.#refusedAt() >>> 0);
        throw freeError(status, `handles[${k}]`, handles[k]!, this);
      }
    }
    // Pass 2: free them in order. A batch of one chunk frees the slots pass 1 decoded.
    if (n <= size) {
      this.#freeManyCommitSlots(n);
    } else {
      for (let from = 0; from < n; from += size) {
        const chunk = Math.min(size, n - from);
        this.#copyIn(handles, from, chunk);
        this.#freeManyCommit(chunk);
      }
    }
    this.#batch.fill(0, 0, Math.min(n, size));
  }

  stats(): FixedPoolStats {
    if (this.#destroyed) throw destroyed('FixedPool', 'stats');
    this.#stats();
    const stats = fixedPoolStatsFrom(this.#stats64);
    this.#stats64.fill(0);
    return stats;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    detach(this.#wasmMemory);
    // Drop every reference to the instance and its memory: the collector frees the pages.
    this.#wasmMemory = undefined as unknown as WasmMemory;
    this.#batch = new Uint32Array(0);
    this.#stats64 = new Float64Array(0);
    this.#free = refuseAll;
    this.#alloc = this.#allocMany = this.#freeManyCheck = this.#refusedAt = gone;
    this.#reset = this.#freeManyUndo = this.#freeManyCommitSlots = this.#freeManyCommit = this.#stats = gone;
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  /**
   * Copies `handles[from..from + count)` into the scratch as u32 (a plain loop: no views, no user
   * code). A value that is not an integer in [0, 2^32) goes in as 0, which is never a slot, so
   * wasm refuses it at the same position and the error names the original value.
   */
  #copyIn(handles: HandleArray, from: number, count: number): void {
    const batch = this.#batch;
    for (let k = 0; k < count; k++) {
      const handle = handles[from + k]!;
      batch[k] = handle >>> 0 === handle ? handle : 0;
    }
  }
}
