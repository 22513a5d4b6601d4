import type { HandleArray, SharedArenaDescriptor, SharedFixedPoolDescriptor } from './contract.js';

/*
 * What a backend supplies: the allocator itself, speaking handles, marks and statuses (`Status`),
 * as the C library and the wasm module do. The contract lives once, in the classes around an engine
 * (`EngineFixedPool`, `EngineArena`): argument checks, the unbound / destroyed / detached guards,
 * statuses turned into errors, batch checks, the stats objects and `using`. Plain and shared
 * allocators are engines alike.
 *
 * An engine trusts nothing it is given on the paths below: a handle or a mark may be any value, and
 * anything that is not one of its live allocations is refused with a status, changing nothing. What
 * the class checks for it: `count` of a batch (a genuine typed array, `count` within its length),
 * `size` and `align` of an arena's `alloc`, and that the engine is usable before every call but
 * `alloc` and `free` (which report it themselves, see `usable`).
 */

/** What an engine shares by both kinds. */
export interface Engine {
  /** The allocator's memory: an `ArrayBuffer`, a `SharedArrayBuffer` for a shared engine. */
  readonly memory: ArrayBuffer | SharedArrayBuffer;
  /**
   * False once `destroy()` ran or other code detached `memory`: `alloc` then returns 0 and counts
   * nothing, `free` refuses every handle, and the class asks this to say why.
   */
  usable(): boolean;
  /** Gives the memory and the bookkeeping back (a shared engine: this holder's part); called once. */
  destroy(): void;
}

/** A fixed pool's engine. */
export interface FixedPoolEngine extends Engine {
  /** A free slot's handle; 0 when every slot is taken (counted in `failedAllocs`) or the engine is not usable. */
  alloc(): number;
  /** `Status.OK`, or why `handle` names no live slot of this pool. */
  free(handle: number): number;
  /** `Status.OK`, or `Status.BUSY` (a shared engine's reset that overlapped another). */
  reset(): number;
  /**
   * `count` calls of `alloc()` into `out[0..]`, stopping at the first 0: how many it placed, or a
   * negative status refusing the array. Optional: without it the class calls `alloc()` `count` times.
   */
  allocMany?(out: HandleArray, count: number): number;
  /**
   * Frees `handles[0..count)` all or nothing: `Status.OK`; the status of the first refused entry,
   * whose index `refusedAt()` then gives; or another negative status refusing the array itself.
   */
  freeMany(handles: HandleArray, count: number): number;
  refusedAt(): number;
  /** Writes the stats in `FIXED_POOL_STATS_FIELDS` order; a shared engine adds `cached`. */
  stats(words: Float64Array): void;
  /** A shared engine's descriptor for `attachFixedPool`; absent on an unshared engine. */
  share?(): SharedFixedPoolDescriptor;
}

/** An arena's engine. */
export interface ArenaEngine extends Engine {
  /** The bump (docs/ALGORITHMS.md): a handle, or 0 when it does not fit (counted) or the engine is not usable. */
  alloc(size: number, align: number): number;
  /** `Status.OK`, or `Status.BUSY` (a shared engine's reset that overlapped another). */
  reset(): number;
  /** The current mark (`encodeMark`), or `Status.BUSY` (a shared engine's reset or rewind ran meanwhile). */
  mark(): number;
  /** `Status.OK`; `Status.INVALID_HANDLE` for anything but a mark `rewind` accepts; `Status.BUSY` (shared). */
  rewind(mark: number): number;
  /** Writes the stats in `ARENA_STATS_FIELDS` order. */
  stats(words: Float64Array): void;
  /** A shared engine's descriptor for `attachArena`; absent on an unshared engine. */
  share?(): SharedArenaDescriptor;
}
