import {
  attachedFixedPoolGeometry,
  busy,
  checkBatch,
  destroyed,
  FIXED_POOL_STATS_FIELDS,
  freeError,
  sharedFixedPoolStatsFrom,
  invalidRange,
  Status,
  unboundMethod,
  type FixedPoolGeometry,
  type HandleArray,
  type SharedFixedPool,
  type SharedFixedPoolDescriptor,
  type SharedFixedPoolStats,
} from '@mempool/api';
import { instantiateShared, newSharedState, type EngineInstance, type SharedEngine } from './engine.js';
import { MAX_MEMORY_BYTES } from './memory.js';
import { BUSY, createRefusal, reserveShared, SHARED_FORMAT, type SharedEngineModule } from './shared-state.js';
import { newTag, verifiedEngine, writeTag } from './shared-verify.js';
import type { WasmMemory } from './webassembly.js';

/** Bound after destroy() in place of the engine's functions. */
const gone = (): number => 0;
const refuseAll = (): number => Status.INVALID_HANDLE;

/**
 * A holder collected without `destroy()` gives its cache and its holder record back, as `destroy()`
 * would (the held value is the engine instance's detach, which does not keep the holder alive):
 * otherwise every such holder would keep one of the 64 records for good. A worker that ends or is
 * terminated runs no finalizers: its record stays taken (its parked slots are still taken by the
 * others before they report full).
 */
const droppedHolders = new FinalizationRegistry<() => void>((detach) => detach());

/**
 * A fixed pool that many workers use at once (contract.ts, "Shared allocators"), lock-free: the
 * algorithm of the js backend's `SharedJsFixedPool` run by the shared engine
 * (assembly/shared-fixed-pool.ts), whose whole state is in a shared WebAssembly.Memory that
 * `share()` hands to other holders (so other wasm code, in any worker, can allocate from the pool).
 * `memory` is a `SharedArrayBuffer` of exactly the header and the slots, which the engine never
 * touches. Used from one thread it gives exactly the handles and stats of `WasmFixedPool`.
 */
export class SharedWasmFixedPool implements SharedFixedPool {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly memory: SharedArrayBuffer;

  readonly #backend: string;
  readonly #state: WasmMemory;
  /** The slot indices the running `freeMany` claimed (at most `capacity`; grown when needed). */
  #claimed = new Uint32Array(0);
  #destroyed = false;
  #alloc: SharedEngine['sharedPoolAlloc'];
  #free: SharedEngine['sharedPoolFree'];
  #reset: SharedEngine['sharedPoolReset'];
  #claim: SharedEngine['sharedPoolClaim'];
  #unclaim: SharedEngine['sharedPoolUnclaim'];
  #freeClaimed: SharedEngine['sharedPoolFreeClaimed'];
  #stat: SharedEngine['sharedPoolStat'];
  #cached: SharedEngine['sharedPoolCached'];
  #detach: SharedEngine['sharedPoolDetach'];

  /** A new pool, or (with `attached`, an engine already attached to its state) another holder of an existing one. */
  constructor(
    layout: FixedPoolGeometry,
    engineModule: SharedEngineModule,
    attached?: { memory: SharedArrayBuffer; engine: EngineInstance<SharedEngine> },
  ) {
    this.objectSize = layout.objectSize;
    this.slotSize = layout.slotSize;
    this.capacity = layout.capacity;
    this.align = layout.align;
    this.dataOffset = layout.dataOffset;
    this.#backend = engineModule.name;
    let engine = attached?.engine;
    const tag = newTag();
    if (engine === undefined) {
      // The state's arrays take 12 bytes a slot (next, link, live); the rest fits the reserved pages.
      const stateBytes = 12 * layout.capacity;
      engine = instantiateShared(engineModule.module, newSharedState(stateBytes));
      const refusal = createRefusal(
        engine.exports.sharedPoolCreate(
          layout.objectSize,
          layout.slotSize,
          layout.capacity,
          layout.align,
          layout.dataOffset,
          layout.byteLength,
          tag,
        ),
        stateBytes,
      );
      if (refusal) throw refusal;
    }
    this.#state = engine.memory;
    if (attached) this.memory = attached.memory;
    else {
      this.memory = reserveShared(layout.byteLength);
      writeTag(this.memory, tag);
    }
    this.#alloc = engine.exports.sharedPoolAlloc;
    this.#free = engine.exports.sharedPoolFree;
    this.#reset = engine.exports.sharedPoolReset;
    this.#claim = engine.exports.sharedPoolClaim;
    this.#unclaim = engine.exports.sharedPoolUnclaim;
    this.#freeClaimed = engine.exports.sharedPoolFreeClaimed;
    this.#stat = engine.exports.sharedPoolStat;
    this.#cached = engine.exports.sharedPoolCached;
    this.#detach = engine.exports.sharedPoolDetach;
    droppedHolders.register(this, this.#detach, this);
  }

  /** Another holder of the pool `descriptor` came from (`backend.attachFixedPool`). */
  static attach(descriptor: unknown, engineModule: SharedEngineModule): SharedWasmFixedPool {
    const { geometry: layout, descriptor: d } = attachedFixedPoolGeometry(descriptor, engineModule.name, SHARED_FORMAT, MAX_MEMORY_BYTES);
    const engine = verifiedEngine(engineModule, d, 'FixedPool', layout);
    const status = engine.exports.sharedPoolAttach();
    if (status === BUSY)
      throw busy(
        'FixedPool',
        'attach',
        `all ${engine.exports.HOLDERS.value} holder records of the pool are claimed (destroy() a holder to free one)`,
      );
    if (status !== Status.OK) throw invalidRange('descriptor.state', 'the state of a FixedPool, from share()', 'another state');
    return new SharedWasmFixedPool(layout, engineModule, { memory: d.memory, engine });
  }

  get destroyed(): boolean {
    SharedWasmFixedPool.#own(this, 'destroyed');
    return this.#destroyed;
  }

  share(): SharedFixedPoolDescriptor {
    SharedWasmFixedPool.#own(this, 'share');
    if (this.#destroyed) throw destroyed('FixedPool', 'share');
    return {
      kind: 'FixedPool',
      backend: this.#backend,
      format: SHARED_FORMAT,
      objectSize: this.objectSize,
      capacity: this.capacity,
      align: this.align,
      memory: this.memory,
      state: this.#state,
    };
  }

  alloc(): number {
    let handle: number;
    try {
      handle = this.#alloc() >>> 0;
    } catch (error) {
      throw SharedWasmFixedPool.#unboundOr(this, 'alloc', error);
    }
    if (handle === 0 && this.#destroyed) throw destroyed('FixedPool', 'alloc');
    return handle;
  }

  free(handle: number): void {
    let status: number;
    try {
      status = typeof handle === 'number' && handle >>> 0 === handle ? this.#free(handle) : Status.INVALID_HANDLE;
    } catch (error) {
      throw SharedWasmFixedPool.#unboundOr(this, 'free', error);
    }
    if (status !== Status.OK) {
      // A handle that is not a number never reached the engine: check \`this\` here instead.
      SharedWasmFixedPool.#own(this, 'free');
      if (this.#destroyed) throw destroyed('FixedPool', 'free');
      throw freeError(status, 'handle', handle, this);
    }
  }

  reset(): void {
    SharedWasmFixedPool.#own(this, 'reset');
    if (this.#destroyed) throw destroyed('FixedPool', 'reset');
    if (this.#reset() === BUSY) throw busy('FixedPool', 'reset', 'another reset is running');
  }

  allocMany(out: HandleArray, count?: number): number {
    SharedWasmFixedPool.#own(this, 'allocMany');
    if (this.#destroyed) throw destroyed('FixedPool', 'allocMany');
    const n = checkBatch('out', out, count, this.memory.byteLength);
    let placed = 0;
    while (placed < n) {
      const handle = this.#alloc() >>> 0;
      if (handle === 0) break;
      out[placed++] = handle;
    }
    return placed;
  }

  freeMany(handles: HandleArray, count?: number): void {
    SharedWasmFixedPool.#own(this, 'freeMany');
    if (this.#destroyed) throw destroyed('FixedPool', 'freeMany');
    const n = checkBatch('handles', handles, count, this.memory.byteLength);
    // At most `capacity` claims can succeed (they are distinct live slots), so this is enough.
    if (this.#claimed.length < Math.min(n, this.capacity))
      this.#claimed = new Uint32Array(Math.min(Math.max(n, 2 * this.#claimed.length), this.capacity));
    const claimed = this.#claimed;
    // Pass 1 reads each entry once and claims its slot; on the first refusal it gives the claimed
    // ones back and throws, having freed nothing.
    for (let k = 0; k < n; k++) {
      const handle = handles[k]!;
      const result = handle >>> 0 === handle ? this.#claim(handle) : Status.INVALID_HANDLE;
      if (result < 0) {
        for (let j = 0; j < k; j++) this.#unclaim(claimed[j]!);
        throw freeError(result, `handles[${k}]`, handle, this);
      }
      claimed[k] = result;
    }
    for (let k = 0; k < n; k++) this.#freeClaimed(claimed[k]!);
  }

  stats(): SharedFixedPoolStats & { readonly cached: number } {
    SharedWasmFixedPool.#own(this, 'stats');
    if (this.#destroyed) throw destroyed('FixedPool', 'stats');
    // Then `cached` (free slots parked in holders' caches), for the api's shared stats shape.
    const values = FIXED_POOL_STATS_FIELDS.map((_, field) => this.#stat(field));
    values.push(this.#cached());
    return sharedFixedPoolStatsFrom(values);
  }

  /**
   * Ends this holder: its cache goes back to the pool's shared stack, its holder record is free for
   * another attach, and every later call on it throws `ERR_MEMPOOL_DESTROYED`. Other holders keep
   * the pool; both memories go when the last holder is collected (a shared memory cannot be
   * detached).
   */
  destroy(): void {
    SharedWasmFixedPool.#own(this, 'destroy');
    if (this.#destroyed) return;
    this.#destroyed = true;
    droppedHolders.unregister(this);
    this.#detach();
    this.#free = refuseAll;
    this.#alloc = gone;
  }

  [Symbol.dispose](): void {
    SharedWasmFixedPool.#own(this, 'destroy');
    this.destroy();
  }

  static #own(self: unknown, method: string): void {
    if (typeof self !== 'object' || self === null || !(#destroyed in self)) throw unboundMethod('FixedPool', method, self);
  }

  static #unboundOr(self: unknown, method: string, error: unknown): unknown {
    return typeof self === 'object' && self !== null && #destroyed in self ? error : unboundMethod('FixedPool', method, self);
  }
}
