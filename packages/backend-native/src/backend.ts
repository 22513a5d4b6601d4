import { markAsUntransferable } from 'node:worker_threads';
import {
  arenaLayout,
  arenaStatsFrom,
  badMark,
  checkArenaAlloc,
  checkBatch,
  DEFAULT_ALIGN,
  destroyed,
  fixedPoolLayout,
  fixedPoolStatsFrom,
  freeError,
  invalidRange,
  markGeneration,
  markOffset,
  MAX_MEMORY_BYTES,
  outOfMemory,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
  Status,
  type Arena,
  type ArenaOptions,
  type ArenaStats,
  type Backend,
  type FixedPool,
  type FixedPoolOptions,
  type FixedPoolStats,
  type HandleArray,
} from '@mempool/api';
import {
  argumentBlock,
  BLOCK_ARG0,
  BLOCK_ARG1,
  BLOCK_ID,
  BLOCK_RESULT,
  type NativeBinding,
  type NativeHandle,
} from './binding.js';

const NO_SHARED = 'shared allocators are not available on this backend';

/** The native backend's allocators, over one loaded addon. */
export interface NativeBackend extends Backend {
  /** The addon this backend calls (for tests: `liveAllocators()`, `sizes()`). */
  readonly binding: NativeBinding;
}

/** A zeroed, V8-owned `ArrayBuffer` of `bytes`, or `ERR_MEMPOOL_OUT_OF_MEMORY` when the engine refuses it. */
function reserveMemory(bytes: number): ArrayBuffer {
  let memory: ArrayBuffer;
  try {
    memory = new ArrayBuffer(bytes);
  } catch (error) {
    throw outOfMemory(bytes, error);
  }
  // `memory` stays attached until destroy(): no postMessage/structuredClone may move it elsewhere.
  markAsUntransferable(memory);
  return memory;
}

/** The addon's allocator, or the contract's error for its status. */
function created(result: NativeHandle | number, byteLength: number): NativeHandle {
  if (typeof result !== 'number') return result;
  if (result === Status.INVALID_ARGUMENT) throw invalidRange('arguments', 'what the C library accepts', byteLength);
  throw outOfMemory(byteLength);
}

/**
 * The backend over `binding`. Mirrors `@mempool/backend-js` method for method: arguments are
 * checked here with the `@mempool/api` helpers before they reach C, and C's statuses become the
 * contract's errors with the same helpers. Hot paths (`alloc`, `free`, arena `alloc`) are one addon
 * call each with no JavaScript arguments and no return value: they go through the argument block
 * (see `addon/addon.cc`), written just before the call and read just after it, with nothing between
 * that could run other JavaScript (every value written is a number checked beforehand, so no
 * `valueOf` can run and reuse the block).
 */
export function createNativeBackend(binding: NativeBinding, version: string): NativeBackend {
  const block = argumentBlock(binding);
  /** The id of the allocator the last successful create call made (it is in the block's RESULT). */
  const createdId = (): number => block[BLOCK_RESULT]!;
  const {
    poolAlloc,
    poolFree,
    poolReset,
    poolAllocMany,
    poolFreeMany,
    poolStats,
    arenaAlloc,
    arenaReset,
    arenaMark,
    arenaRewind,
    arenaStats,
    destroy: destroyNative,
  } = binding;

  class NativeFixedPool implements FixedPool {
    readonly objectSize: number;
    readonly slotSize: number;
    readonly capacity: number;
    readonly align: number;
    readonly dataOffset: number;
    readonly memory: ArrayBuffer;
    readonly #pool: NativeHandle;
    /** The pool's id in the addon's table (for the argument block); refused by C once destroyed. */
    readonly #id: number;
    readonly #stats = new Float64Array(9);
    #destroyed = false;

    constructor(objectSize: number, capacity: number, options?: FixedPoolOptions) {
      const layout = fixedPoolLayout(objectSize, capacity, options, MAX_MEMORY_BYTES);
      const memory = reserveMemory(layout.byteLength);
      const pool = created(binding.createFixedPool(memory, layout.objectSize, layout.capacity, layout.align), layout.byteLength);
      this.#id = createdId();
      this.objectSize = layout.objectSize;
      this.slotSize = layout.slotSize;
      this.capacity = layout.capacity;
      this.align = layout.align;
      this.dataOffset = layout.dataOffset;
      this.memory = memory;
      this.#pool = pool;
    }

    get destroyed(): boolean {
      return this.#destroyed;
    }

    alloc(): number {
      block[BLOCK_ID] = this.#id;
      poolAlloc();
      const handle = block[BLOCK_RESULT]!;
      // A destroyed pool's native side answers 0 too: tell the two apart only then.
      if (handle === 0 && this.#destroyed) throw destroyed('FixedPool', 'alloc');
      return handle;
    }

    free(handle: number): void {
      // Only a number goes into the block (C refuses a non-integer one as INVALID_HANDLE, as it
      // refuses anything else that is not a number).
      if (typeof handle !== 'number') this.#refuse(Status.INVALID_HANDLE, 'free', 'handle', handle);
      block[BLOCK_ID] = this.#id;
      block[BLOCK_ARG0] = handle;
      poolFree();
      const status = block[BLOCK_RESULT]!;
      if (status !== Status.OK) this.#refuse(status, 'free', 'handle', handle);
    }

    reset(): void {
      if (this.#destroyed) throw destroyed('FixedPool', 'reset');
      poolReset(this.#pool);
    }

    allocMany(out: HandleArray, count?: number): number {
      if (this.#destroyed) throw destroyed('FixedPool', 'allocMany');
      const n = checkBatch('out', out, count, this.memory.byteLength);
      return poolAllocMany(this.#pool, out, n);
    }

    freeMany(handles: HandleArray, count?: number): void {
      if (this.#destroyed) throw destroyed('FixedPool', 'freeMany');
      const n = checkBatch('handles', handles, count, this.memory.byteLength);
      const result = poolFreeMany(this.#pool, handles, n);
      if (result !== 0) {
        const index = Math.floor(-result / 8);
        this.#refuse(-(-result % 8), 'freeMany', `handles[${index}]`, handles[index]);
      }
    }

    stats(): FixedPoolStats {
      if (this.#destroyed) throw destroyed('FixedPool', 'stats');
      poolStats(this.#pool, this.#stats);
      return fixedPoolStatsFrom(this.#stats);
    }

    destroy(): void {
      if (this.#destroyed) return;
      this.#destroyed = true;
      destroyNative(this.#pool, this.memory);
    }

    [Symbol.dispose](): void {
      this.destroy();
    }

    #refuse(status: number, method: string, name: string, handle: unknown): never {
      if (this.#destroyed) throw destroyed('FixedPool', method);
      throw freeError(status, name, handle, this);
    }
  }

  class NativeArena implements Arena {
    readonly bufferSize: number;
    readonly dataOffset: number;
    readonly memory: ArrayBuffer;
    readonly #arena: NativeHandle;
    /** The arena's id in the addon's table (for the argument block); refused by C once destroyed. */
    readonly #id: number;
    readonly #stats = new Float64Array(6);
    #destroyed = false;

    constructor(bufferSize: number, options?: ArenaOptions) {
      const layout = arenaLayout(bufferSize, options, MAX_MEMORY_BYTES);
      const memory = reserveMemory(layout.byteLength);
      const arena = created(binding.createArena(memory, layout.bufferSize, layout.align), layout.byteLength);
      this.#id = createdId();
      this.bufferSize = layout.bufferSize;
      this.dataOffset = layout.dataOffset;
      this.memory = memory;
      this.#arena = arena;
    }

    get destroyed(): boolean {
      return this.#destroyed;
    }

    alloc(size: number, align: number = DEFAULT_ALIGN): number {
      if (this.#destroyed) throw destroyed('Arena', 'alloc');
      checkArenaAlloc(size, align);
      // size and align are numbers here (checked above): writing them runs no JavaScript.
      block[BLOCK_ID] = this.#id;
      block[BLOCK_ARG0] = size;
      block[BLOCK_ARG1] = align;
      arenaAlloc();
      return block[BLOCK_RESULT]!;
    }

    reset(): void {
      if (this.#destroyed) throw destroyed('Arena', 'reset');
      arenaReset(this.#arena);
    }

    mark(): number {
      if (this.#destroyed) throw destroyed('Arena', 'mark');
      return arenaMark(this.#arena);
    }

    rewind(mark: number): void {
      if (this.#destroyed) throw destroyed('Arena', 'rewind');
      if (typeof mark !== 'number' || arenaRewind(this.#arena, mark) !== Status.OK) {
        const current = arenaMark(this.#arena);
        throw badMark(mark, markOffset(current), markGeneration(current));
      }
    }

    stats(): ArenaStats {
      if (this.#destroyed) throw destroyed('Arena', 'stats');
      arenaStats(this.#arena, this.#stats);
      return arenaStatsFrom(this.#stats);
    }

    destroy(): void {
      if (this.#destroyed) return;
      this.#destroyed = true;
      destroyNative(this.#arena, this.memory);
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
    // (mp_*_create) are 64-byte aligned.
    supports: Object.freeze({ maxMemoryBytes: MAX_MEMORY_BYTES, absoluteAlignment: 16, gcReclaim: true, shared: false }),
    createFixedPool: ((objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool => {
      if (sharedRequested(options)) throw sharedUnsupported('native', NO_SHARED);
      return new NativeFixedPool(objectSize, capacity, options);
    }) as NativeBackend['createFixedPool'],
    createArena: ((bufferSize: number, options?: ArenaOptions): Arena => {
      if (sharedRequested(options)) throw sharedUnsupported('native', NO_SHARED);
      return new NativeArena(bufferSize, options);
    }) as NativeBackend['createArena'],
    ...sharedRefusals('native', NO_SHARED),
    binding,
  });
}
