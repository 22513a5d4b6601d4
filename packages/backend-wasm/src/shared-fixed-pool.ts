import { attachedFixedPoolGeometry, FIXED_POOL_STATS_FIELDS, fixedPoolDescriptor, Status } from '@mempool/api';
import type { FixedPoolEngine, FixedPoolGeometry, HandleArray, SharedFixedPoolDescriptor } from '@mempool/api';
import type { SharedEngine } from './engine.js';
import { MAX_MEMORY_BYTES } from './memory.js';
import { attachShared, createShared, type SharedHolder } from './shared-holder.js';
import { SHARED_FORMAT, SHARED_POOL_BYTES_PER_SLOT, type SharedEngineModule } from './shared-state.js';
import type { WasmMemory } from './webassembly.js';

/** Bound after destroy() in place of the module's functions. */
const gone = (): number => 0;
const refuseAll = (): number => Status.INVALID_HANDLE;

/**
 * A holder collected without `destroy()` gives its cache and its holder record back, as `destroy()`
 * would (the held value is the instance's detach, which does not keep the holder alive):
 * otherwise every such holder would keep one of the 64 records for good. A worker that ends or is
 * terminated runs no finalizers: its record stays taken (its parked slots are still taken by the
 * others before they report full).
 */
const droppedHolders = new FinalizationRegistry<() => void>((detach) => detach());

/**
 * A fixed pool's engine for many workers at once (contract.ts, "Shared allocators"), lock-free:
 * the algorithm of the js backend's shared pool run by the shared engine
 * (assembly/shared-fixed-pool.ts), whose whole state is in a shared WebAssembly.Memory that
 * `share()` hands to other holders (so other wasm code, in any worker, can allocate from the pool).
 * `memory` is a `SharedArrayBuffer` of exactly the header and the slots, which the engine never
 * touches. Used from one thread it gives exactly the handles and stats of `WasmFixedPoolEngine`.
 * Only the contract's pool holds it, so it is collected with the pool (`droppedHolders`).
 */
export class SharedWasmFixedPoolEngine implements FixedPoolEngine {
  readonly geometry: FixedPoolGeometry;
  readonly memory: SharedArrayBuffer;
  readonly #backend: string;
  readonly #state: WasmMemory;
  /** The slot indices the running `freeMany` claimed (at most `capacity`; grown when needed). */
  #claimed = new Uint32Array(0);
  #refusedAt = 0;
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

  private constructor(geometry: FixedPoolGeometry, backend: string, { instance, memory }: SharedHolder) {
    this.geometry = geometry;
    this.memory = memory;
    this.#backend = backend;
    this.#state = instance.memory;
    const exports = instance.exports;
    this.#alloc = exports.sharedPoolAlloc;
    this.#free = exports.sharedPoolFree;
    this.#reset = exports.sharedPoolReset;
    this.#claim = exports.sharedPoolClaim;
    this.#unclaim = exports.sharedPoolUnclaim;
    this.#freeClaimed = exports.sharedPoolFreeClaimed;
    this.#stat = exports.sharedPoolStat;
    this.#cached = exports.sharedPoolCached;
    this.#detach = exports.sharedPoolDetach;
    droppedHolders.register(this, this.#detach, this);
  }

  /** A new pool of `geometry`, and its first holder. */
  static create(g: FixedPoolGeometry, engineModule: SharedEngineModule): SharedWasmFixedPoolEngine {
    const stateBytes = SHARED_POOL_BYTES_PER_SLOT * g.capacity;
    const holder = createShared(engineModule, stateBytes, g.byteLength, (engine, tag) =>
      engine.sharedPoolCreate(g.objectSize, g.slotSize, g.capacity, g.align, g.dataOffset, g.byteLength, tag),
    );
    return new SharedWasmFixedPoolEngine(g, engineModule.name, holder);
  }

  /** Another holder of the pool `descriptor` came from (`backend.attachFixedPool`). */
  static attach(descriptor: unknown, engineModule: SharedEngineModule): SharedWasmFixedPoolEngine {
    const { geometry, descriptor: d } = attachedFixedPoolGeometry(descriptor, engineModule.name, SHARED_FORMAT, MAX_MEMORY_BYTES);
    const holder = attachShared(engineModule, d, 'FixedPool', geometry, (engine) => engine.sharedPoolAttach());
    return new SharedWasmFixedPoolEngine(geometry, engineModule.name, holder);
  }

  usable(): boolean {
    return !this.#destroyed;
  }

  share(): SharedFixedPoolDescriptor {
    return fixedPoolDescriptor(this.#backend, SHARED_FORMAT, this.geometry, this.memory, this.#state);
  }

  alloc(): number {
    return this.#alloc() >>> 0;
  }

  free(handle: number): number {
    // Anything but an integer in [0, 2^32) (wasm would wrap it) names no slot.
    return typeof handle === 'number' && handle >>> 0 === handle ? this.#free(handle) : Status.INVALID_HANDLE;
  }

  reset(): number {
    return this.#reset();
  }

  // No `allocMany`: the pool then calls `alloc` until 0, as this engine would (the shared engine
  // has no batch scratch: each handle is one call into wasm either way).

  freeMany(handles: HandleArray, count: number): number {
    const capacity = this.geometry.capacity;
    // At most `capacity` claims can succeed (they are distinct live slots), so this is enough.
    if (this.#claimed.length < Math.min(count, capacity))
      this.#claimed = new Uint32Array(Math.min(Math.max(count, 2 * this.#claimed.length), capacity));
    const claimed = this.#claimed;
    // Pass 1 reads each entry once and claims its slot; on the first refusal it gives the claimed
    // ones back and refuses, having freed nothing.
    for (let k = 0; k < count; k++) {
      const handle = handles[k]!;
      const result = handle >>> 0 === handle ? this.#claim(handle) : Status.INVALID_HANDLE;
      if (result < 0) {
        for (let j = 0; j < k; j++) this.#unclaim(claimed[j]!);
        this.#refusedAt = k;
        return result;
      }
      claimed[k] = result;
    }
    for (let k = 0; k < count; k++) this.#freeClaimed(claimed[k]!);
    return Status.OK;
  }

  refusedAt(): number {
    return this.#refusedAt;
  }

  /** The stats, then `cached` (free slots parked in holders' caches) for the shared stats shape. */
  stats(words: Float64Array): void {
    for (let field = 0; field < FIXED_POOL_STATS_FIELDS.length; field++) words[field] = this.#stat(field);
    words[FIXED_POOL_STATS_FIELDS.length] = this.#cached();
  }

  /**
   * Ends this holder: its cache goes back to the pool's shared stack and its holder record is free
   * for another attach. Other holders keep the pool; both memories go when the last holder is
   * collected (a shared memory cannot be detached).
   */
  destroy(): void {
    this.#destroyed = true;
    droppedHolders.unregister(this);
    this.#detach();
    this.#free = refuseAll;
    this.#alloc = gone;
  }
}
