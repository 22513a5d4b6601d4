import { markAsUntransferable } from 'node:worker_threads';
import {
  ARENA_STATS_FIELDS,
  arenaLayout,
  arenaStatsFrom,
  badMark,
  checkArenaAlloc,
  checkBatch,
  DEFAULT_ALIGN,
  DETACH_ON_DESTROY,
  destroyed,
  detachBuffer,
  detached,
  FIXED_POOL_STATS_FIELDS,
  fixedPoolLayout,
  fixedPoolStatsFrom,
  freeError,
  invalidRange,
  invalidType,
  markGeneration,
  markThatKeepsDetach,
  markOffset,
  MAX_MEMORY_BYTES,
  outOfMemory,
  Status,
  type Arena,
  type ArenaOptions,
  type ArenaStats,
  type Backend,
  type FixedPool,
  type FixedPoolOptions,
  type FixedPoolStats,
  type HandleArray,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
  unboundMethod,
} from '@mempool/api';
import { BLOCK, type NativeAnchor, type NativeBinding } from './binding.js';

/** The native backend's allocators, over one loaded addon. */
export type NativeBackend = Backend;

/**
 * Why `supports.shared` is false (the README says more): Node-API on Node 20 can neither create nor
 * identify a SharedArrayBuffer (only a typed-array view gives its address), and every native
 * object it offers (externals, references, finalizers) belongs to one worker's environment, so the
 * C bookkeeping's lifetime cannot follow the shared memory's.
 */
const SHARED_UNSUPPORTED =
  'Node-API on Node 20 can neither create nor identify a SharedArrayBuffer, and ties the C bookkeeping to one worker, not to the shared memory';

// The argument block's indexes, as module constants (the hot paths read them on every call).
const { id: ID, arg0: ARG0, arg1: ARG1, result: RESULT } = BLOCK;

/**
 * `markAsUntransferable` where a marked buffer can still be detached. On Node 24+ and Deno the mark
 * forbids detaching, and `napi_detach_arraybuffer` on such a buffer aborts the process (Node) or
 * panics (Deno) instead of returning a status: there `memory` is not marked, so destroy() can
 * always detach it.
 */
const mark = markThatKeepsDetach(markAsUntransferable);

/** A zeroed, V8-owned `ArrayBuffer` of `bytes`, or `ERR_MEMPOOL_OUT_OF_MEMORY` when the engine refuses it. */
function reserveMemory(bytes: number): ArrayBuffer {
  let memory: ArrayBuffer;
  try {
    memory = new ArrayBuffer(bytes);
  } catch (error) {
    throw outOfMemory(bytes, error);
  }
  // No postMessage/structuredClone may move it elsewhere, where the mark leaves it detachable
  // (see `mark`). A BYOB stream read, or a transfer where it is not marked, detaches it anyway:
  // every method checks that it is still attached before it calls the addon.
  mark?.(memory);
  return memory;
}

/**
 * Gives `memory` back at destroy(): the addon detaches it and frees the C bookkeeping; if the
 * addon could not detach it (a Node-API that refuses), the means JavaScript has are tried.
 */
function destroyIn(binding: NativeBinding, memory: ArrayBuffer, anchor: NativeAnchor): void {
  binding.destroy(memory, anchor);
  if (memory.byteLength !== 0) detachBuffer(memory);
}

/** The C library's bookkeeping per pool slot (its free stack and live epochs, `addon/allocator_table.cc`). */
const BOOKKEEPING_BYTES_PER_SLOT = 8;
/** The most that one pool's pressure buffer stands for (see `collectorPressure`). */
const MAX_PRESSURE_BYTES = 64 * 2 ** 20;
const NO_PRESSURE = new ArrayBuffer(0);

/**
 * Untouched V8-owned bytes standing for a pool's C bookkeeping, held as long as the pool is: every
 * engine counts an ArrayBuffer toward its next collection, while the addon's
 * `napi_adjust_external_memory` moves some engines not at all (Deno 2.9: a loop that drops pools
 * peaked at 5x the js backend's memory, 1.1x with this). Never written, so the engine's zero-filled
 * pages are never touched and cost no resident memory. Capped at MAX_PRESSURE_BYTES (a huge pool is
 * not dropped in a loop), and best effort: a refusal leaves only the addon's report.
 */
function collectorPressure(capacity: number): ArrayBuffer {
  try {
    return new ArrayBuffer(Math.min(capacity * BOOKKEEPING_BYTES_PER_SLOT, MAX_PRESSURE_BYTES));
  } catch {
    return NO_PRESSURE;
  }
}

/** `{ shared: true }` is refused (see `SHARED_UNSUPPORTED`). */
function refuseShared(options: unknown): void {
  if (sharedRequested(options)) throw sharedUnsupported('native', SHARED_UNSUPPORTED);
}

/**
 * The backend over `binding`. Mirrors `@mempool/backend-js` method for method: arguments are
 * checked here with the `@mempool/api` helpers before they reach C, and C's statuses become the
 * contract's errors with the same helpers. Every call names its allocator by writing its id to the
 * argument block (see `addon/addon.cc`); the hot paths (`alloc`, `free`, arena `alloc`) also pass
 * their arguments and result through it, written just before the call and read just after it,
 * with nothing between that could run other JavaScript (every value written is a number checked
 * beforehand, so no `valueOf` can run and reuse the block).
 */
export function createNativeBackend(binding: NativeBinding, version: string): NativeBackend {
  const { block, poolAlloc, poolFree, poolAllocMany, poolFreeMany, arenaAlloc, arenaMark, arenaRewind } = binding;

  /** The anchor of a new allocator (its id is in the block), or the contract's error for a refusal. */
  function created(result: NativeAnchor | number | undefined, memoryBytes: number): NativeAnchor {
    if (typeof result === 'object') return result;
    if (result === Status.INVALID_ARGUMENT) throw invalidRange('arguments', 'what the C library accepts', memoryBytes);
    if (result === Status.OUT_OF_MEMORY) {
      // The memory was reserved; the C library's bookkeeping (its size is in the block) was not.
      const bookkeepingBytes = block[RESULT]!;
      throw outOfMemory(
        memoryBytes + bookkeepingBytes,
        undefined,
        `${memoryBytes} bytes of memory + ${bookkeepingBytes} bytes of bookkeeping, the C library's free stack and live epochs; the memory was reserved, the bookkeeping refused`,
      );
    }
    throw outOfMemory(memoryBytes);
  }

  class NativeFixedPool implements FixedPool {
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
      const layout = fixedPoolLayout(objectSize, capacity, options, MAX_MEMORY_BYTES);
      refuseShared(options);
      const memory = reserveMemory(layout.byteLength);
      this.#anchor = created(binding.createFixedPool(memory, layout.objectSize, layout.capacity, layout.align), layout.byteLength);
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
      const placed = poolAllocMany(out, n);
      if (placed < 0) throw this.#batchRefused(placed, 'allocMany', 'out', out, n);
      return placed;
    }

    freeMany(handles: HandleArray, count?: number): void {
      const id = NativeFixedPool.#idOf(this, 'freeMany');
      if (this.#probe.length === 0) throw this.#unusable('freeMany');
      const n = checkBatch('handles', handles, count, this.memory.byteLength);
      block[ID] = id;
      const status = poolFreeMany(handles, n);
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

  class NativeArena implements Arena {
    readonly bufferSize: number;
    readonly dataOffset: number;
    readonly memory: ArrayBuffer;
    /** The arena's id in the addon's table: what every call writes to the block. */
    readonly #id: number;
    /** Keeps the C arena alive as long as this object is reachable; destroy() shows it to the addon. */
    readonly #anchor: NativeAnchor;
    /**
     * One byte of `memory`: its length reads 0 once `memory` is detached (by destroy() or by other
     * code), and optimized code reads it faster than `memory.byteLength`.
     */
    readonly #probe: Uint8Array;
    readonly #stats = new Float64Array(ARENA_STATS_FIELDS.length);
    #destroyed = false;

    constructor(bufferSize: number, options?: ArenaOptions) {
      const layout = arenaLayout(bufferSize, options, MAX_MEMORY_BYTES);
      refuseShared(options);
      const memory = reserveMemory(layout.byteLength);
      this.#anchor = created(binding.createArena(memory, layout.bufferSize, layout.align), layout.byteLength);
      this.#id = block[RESULT]!;
      this.bufferSize = layout.bufferSize;
      this.dataOffset = layout.dataOffset;
      this.memory = memory;
      this.#probe = new Uint8Array(memory, 0, 1);
    }

    /** `arena`'s id; the contract's error when a method was called without its arena (unbound). */
    static #idOf(arena: NativeArena, method: string): number {
      try {
        return arena.#id;
      } catch {
        throw unboundMethod('Arena', method, arena);
      }
    }

    #unusable(method: string): Error {
      return this.#destroyed ? destroyed('Arena', method) : detached('Arena', method);
    }

    get destroyed(): boolean {
      return this.#destroyed;
    }

    alloc(size: number, align: number = DEFAULT_ALIGN): number {
      const id = NativeArena.#idOf(this, 'alloc');
      if (this.#probe.length === 0) throw this.#unusable('alloc');
      checkArenaAlloc(size, align);
      // size and align are numbers here (checked above): writing them runs no JavaScript.
      block[ID] = id;
      block[ARG0] = size;
      block[ARG1] = align;
      arenaAlloc();
      return block[RESULT]!;
    }

    reset(): void {
      const id = NativeArena.#idOf(this, 'reset');
      if (this.#probe.length === 0) throw this.#unusable('reset');
      block[ID] = id;
      binding.reset();
    }

    mark(): number {
      const id = NativeArena.#idOf(this, 'mark');
      if (this.#probe.length === 0) throw this.#unusable('mark');
      block[ID] = id;
      return arenaMark();
    }

    rewind(mark: number): void {
      const id = NativeArena.#idOf(this, 'rewind');
      if (this.#probe.length === 0) throw this.#unusable('rewind');
      block[ID] = id;
      if (typeof mark !== 'number' || arenaRewind(mark) !== Status.OK) {
        const current = arenaMark();
        throw badMark(mark, markOffset(current), markGeneration(current));
      }
    }

    stats(): ArenaStats {
      const id = NativeArena.#idOf(this, 'stats');
      if (this.#probe.length === 0) throw this.#unusable('stats');
      block[ID] = id;
      binding.stats(this.#stats);
      return arenaStatsFrom(this.#stats);
    }

    destroy(): void {
      const id = NativeArena.#idOf(this, 'destroy');
      if (this.#destroyed) return;
      this.#destroyed = true;
      block[ID] = id;
      destroyIn(binding, this.memory, this.#anchor);
    }

    [Symbol.dispose](): void {
      this.destroy();
    }
  }

  return Object.freeze({
    name: 'native',
    version,
    // `memory` is V8's (so the GC reclaims it at once): its first byte is as aligned as V8's
    // allocator makes it, 16 bytes on 64-bit glibc/musl/Windows. The C library's own buffers
    // (mp_*_create) are 64-byte aligned. No shared allocators: see SHARED_UNSUPPORTED.
    // detachOnDestroy: at least where JavaScript can detach (the addon's Node-API may add more).
    supports: Object.freeze({
      maxMemoryBytes: MAX_MEMORY_BYTES,
      absoluteAlignment: 16,
      gcReclaim: true,
      detachOnDestroy: DETACH_ON_DESTROY,
      shared: false,
    }),
    // Never a shared allocator (refused in the constructors), so never the shared overloads' type.
    createFixedPool: ((objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool =>
      new NativeFixedPool(objectSize, capacity, options)) as Backend['createFixedPool'],
    createArena: ((bufferSize: number, options?: ArenaOptions): Arena => new NativeArena(bufferSize, options)) as Backend['createArena'],
    ...sharedRefusals('native', SHARED_UNSUPPORTED),
  });
}
