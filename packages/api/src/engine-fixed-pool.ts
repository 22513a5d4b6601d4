import { checkBatch, type FixedPoolGeometry } from './checks.js';
import type { FixedPool, FixedPoolStats, HandleArray, SharedFixedPoolDescriptor, SharedFixedPoolStats } from './contract.js';
import type { FixedPoolEngine } from './engine.js';
import { busy, destroyed, detached, invalidType, unboundMethod } from './errors.js';
import { batchError, freeError, Status } from './status.js';
import { FIXED_POOL_STATS_FIELDS, fixedPoolStatsFrom, sharedFixedPoolStatsFrom } from './stats.js';

/**
 * The contract's fixed pool, on every backend: everything `FixedPool` promises beyond the
 * allocator itself, which its engine is (engine.ts). One class for plain and shared pools of every
 * backend: each program's `alloc` and `free` call sites see the engines it uses, most often one.
 */
export class EngineFixedPool implements FixedPool {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;
  /** The engine EngineFixedPool.over() passes to the constructor: see `#engine`. */
  static #nextEngine: FixedPoolEngine | undefined;
  /**
   * Initialised from `#nextEngine` rather than assigned in the constructor: a field's first value
   * fixes its type in V8, so optimised code knows the engine's class and skips a map check on every
   * call (a js alloc+free pair took 8.4 ns assigned, 7.7 ns initialised, 7.6 ns before engines).
   */
  readonly #engine: FixedPoolEngine = EngineFixedPool.#takeEngine();
  /** Where the engine writes `stats()`: `FIXED_POOL_STATS_FIELDS`, then `cached` for a shared engine. */
  readonly #words = new Float64Array(FIXED_POOL_STATS_FIELDS.length + 1);
  #destroyed = false;

  /** The contract's pool around `engine`, laid out as `geometry` says (derived once by the backend). */
  static over(geometry: FixedPoolGeometry, engine: FixedPoolEngine): EngineFixedPool {
    EngineFixedPool.#nextEngine = engine;
    return new EngineFixedPool(geometry);
  }

  private constructor(geometry: FixedPoolGeometry) {
    this.objectSize = geometry.objectSize;
    this.slotSize = geometry.slotSize;
    this.capacity = geometry.capacity;
    this.align = geometry.align;
    this.dataOffset = geometry.dataOffset;
    this.memory = this.#engine.memory as ArrayBuffer;
  }

  get destroyed(): boolean {
    return EngineFixedPool.#pool(this, 'destroyed').#destroyed;
  }

  // alloc and free call the engine straight away and look at why only when it says no. Only the
  // read of `#engine` (the brand check that fails without a pool as `this`) sits in a try: with
  // the engine's inlined code inside it too, a js alloc+free pair took up to 35% longer.

  alloc(): number {
    const engine = EngineFixedPool.#engineOf(this, 'alloc');
    const handle = engine.alloc();
    if (handle === 0 && !engine.usable()) throw this.#unusable('alloc');
    return handle;
  }

  free(handle: number): void {
    const status = EngineFixedPool.#engineOf(this, 'free').free(handle);
    // `Status.OK` as a literal: an imported binding costs a hole check and a map check per call.
    if (status !== 0) throw this.#refused('free', status, 'handle', handle);
  }

  reset(): void {
    if (EngineFixedPool.#usable(this, 'reset').reset() === Status.BUSY) throw busy('FixedPool', 'reset', 'another reset is running');
  }

  allocMany(out: HandleArray, count?: number): number {
    const engine = EngineFixedPool.#usable(this, 'allocMany');
    const n = checkBatch('out', out, count, this.memory.byteLength);
    if (engine.allocMany === undefined) {
      let placed = 0;
      while (placed < n) {
        const handle = engine.alloc();
        if (handle === 0) break;
        out[placed++] = handle;
      }
      return placed;
    }
    const placed = engine.allocMany(out, n);
    if (placed < 0) throw batchError(placed, 'out', out, n);
    return placed;
  }

  freeMany(handles: HandleArray, count?: number): void {
    const engine = EngineFixedPool.#usable(this, 'freeMany');
    const n = checkBatch('handles', handles, count, this.memory.byteLength);
    const status = engine.freeMany(handles, n);
    if (status === Status.OK) return;
    if (status === Status.INVALID_ARGUMENT || status === Status.OUT_OF_MEMORY) throw batchError(status, 'handles', handles, n);
    const k = engine.refusedAt();
    throw this.#refused('freeMany', status, `handles[${k}]`, handles[k]!);
  }

  stats(): FixedPoolStats & SharedFixedPoolStats {
    const engine = EngineFixedPool.#usable(this, 'stats');
    engine.stats(this.#words);
    return engine.share === undefined ? fixedPoolStatsFrom(this.#words) : sharedFixedPoolStatsFrom(this.#words);
  }

  /** A shared pool's descriptor for `backend.attachFixedPool` (contract.ts, "Shared allocators"). */
  share(): SharedFixedPoolDescriptor {
    const engine = EngineFixedPool.#usable(this, 'share');
    if (engine.share === undefined) throw invalidType('this', 'a pool created with { shared: true }', 'an unshared pool');
    return engine.share();
  }

  destroy(): void {
    const pool = EngineFixedPool.#pool(this, 'destroy');
    if (pool.#destroyed) return;
    pool.#destroyed = true;
    pool.#engine.destroy();
  }

  [Symbol.dispose](): void {
    EngineFixedPool.#pool(this, 'destroy').destroy();
  }

  /** `receiver` as a pool; the contract's TypeError when a method lost its `this`. */
  static #pool(receiver: unknown, method: string): EngineFixedPool {
    if (typeof receiver !== 'object' || receiver === null || !(#engine in receiver)) throw unboundMethod('FixedPool', method, receiver);
    return receiver;
  }

  /** `receiver`'s engine, once it is known to be a pool that is neither destroyed nor detached. */
  static #usable(receiver: unknown, method: string): FixedPoolEngine {
    const pool = EngineFixedPool.#pool(receiver, method);
    if (pool.#destroyed || !pool.#engine.usable()) throw pool.#unusable(method);
    return pool.#engine;
  }

  /** `receiver`'s engine: reading `#engine` is the brand check, and its failure the contract's TypeError. */
  static #engineOf(receiver: EngineFixedPool, method: string): FixedPoolEngine {
    try {
      return receiver.#engine;
    } catch {
      throw unboundMethod('FixedPool', method, receiver);
    }
  }

  static #takeEngine(): FixedPoolEngine {
    const engine = EngineFixedPool.#nextEngine;
    EngineFixedPool.#nextEngine = undefined;
    if (engine === undefined) throw invalidType('engine', 'an engine, through EngineFixedPool.over(geometry, engine)', engine);
    return engine;
  }

  #unusable(method: string): Error {
    return this.#destroyed ? destroyed('FixedPool', method) : detached('FixedPool', method);
  }

  /** The error for a handle the engine refused with `status`; an unusable pool refuses everything. */
  #refused(method: string, status: number, name: string, handle: unknown): Error {
    EngineFixedPool.#usable(this, method);
    return freeError(status, name, handle, this);
  }
}
