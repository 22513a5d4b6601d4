/**
 * The contract every backend keeps. The rules live on the types so a reader finds them where the
 * code is; `docs/CONTRACT.md` in the repository is the long form, and where it is silent the
 * decisions below are the ones every backend follows.
 *
 * Handles. An allocation is a handle: a non-negative integer, the byte offset of the allocation
 * inside the allocator's `memory`. 0 is the null handle: never valid, returned when there is no
 * room. Handles are exact up to the backend's `supports.maxMemoryBytes` (well beyond 2^31).
 *
 * Determinism. The same constructor arguments and the same calls give the same handles, marks and
 * stats on every backend.
 *
 * Errors. Bad input throws a built-in error (`TypeError`, `RangeError` or `Error`) with a `code`
 * from {@link ErrorCode} and changes nothing. For arguments that are handles or marks: a value that
 * is not a number is a `TypeError` with `ERR_MEMPOOL_INVALID_ARGUMENT`; any number that does not
 * name a live allocation of this allocator (NaN, fractional, negative, 0, out of range, not on a
 * slot boundary, stale mark) is a `RangeError` with `ERR_MEMPOOL_INVALID_HANDLE`; a slot handle of
 * this pool whose slot is free is an `Error` with `ERR_MEMPOOL_DOUBLE_FREE`. A method called
 * without its allocator as `this` (`handles.forEach(pool.free)`) is a `TypeError` with
 * `ERR_MEMPOOL_INVALID_ARGUMENT`.
 */

declare global {
  // The two declarations `[Symbol.dispose]` needs, as TypeScript's `esnext.disposable` lib and
  // @types/node spell them (identical declarations merge), so a consumer compiling with
  // `lib: ["es2022"]` and no @types/node can use these types, and `using`, without adding a lib.
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
  interface Disposable {
    [Symbol.dispose](): void;
  }
}

/** Options of {@link Backend.createFixedPool}. */
export interface FixedPoolOptions {
  /**
   * Alignment of every slot relative to the start of `memory`: a power of two from 1 to 4096.
   * `slotSize = roundUp(objectSize, align)`. Default 8.
   */
  readonly align?: number;
}

/** Options of {@link Backend.createArena}. */
export interface ArenaOptions {
  /**
   * Alignment of the start of the data region: a power of two from 1 to 4096, default 8.
   * `dataOffset = max(HEADER_BYTES, align)`. Each `alloc` still takes its own alignment.
   */
  readonly align?: number;
}

/**
 * A snapshot of a fixed pool. `allocated + available === capacity` always. `peakAllocated`,
 * `allocCount`, `freeCount` and `failedAllocs` count over the pool's whole life: `reset` does not
 * clear them. `allocCount` counts successful allocations, `failedAllocs` the ones that returned 0.
 */
export interface FixedPoolStats {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly allocated: number;
  readonly available: number;
  readonly peakAllocated: number;
  readonly allocCount: number;
  readonly freeCount: number;
  readonly failedAllocs: number;
}

/**
 * A snapshot of an arena. `offset` is the bytes used from the start of the data region, padding
 * included; `offset + remaining === bufferSize` always. `allocations` (successful allocations),
 * `peakOffset` and `failedAllocs` count over the arena's whole life: neither `reset` nor `rewind`
 * clears them.
 */
export interface ArenaStats {
  readonly bufferSize: number;
  readonly offset: number;
  readonly remaining: number;
  readonly allocations: number;
  readonly peakOffset: number;
  readonly failedAllocs: number;
}

/** What every allocator has: its memory and its lifetime. */
export interface Allocator extends Disposable {
  /**
   * The bytes handles point into. It never changes and is never detached while the allocator
   * lives, so a view made once stays valid until `destroy()`. The first `dataOffset` bytes are
   * reserved. A backend may expose more bytes than it hands out (wasm rounds up to whole pages).
   * A backend refuses to let other code transfer it where the platform can (Node 21+'s
   * `markAsUntransferable`); where other code detaches it anyway (a BYOB stream read, a transfer
   * in a browser or on Node 20), every later call throws `ERR_MEMPOOL_DETACHED`.
   */
  readonly memory: ArrayBuffer;
  /** `max(HEADER_BYTES, align)`: where user data starts. */
  readonly dataOffset: number;
  /** Whether `destroy()` has run. */
  readonly destroyed: boolean;
  /**
   * Gives the memory back at once and detaches `memory` (views read as length 0). Idempotent;
   * every other call afterwards throws `ERR_MEMPOOL_DESTROYED`. `[Symbol.dispose]` is the same, so
   * `using pool = createFixedPool(...)` works. A dropped allocator is reclaimed by the garbage
   * collector without it.
   */
  destroy(): void;
}

/**
 * Same-sized slots. Slot `i` is at handle `dataOffset + i * slotSize`.
 */
export interface FixedPool extends Allocator {
  readonly objectSize: number;
  readonly slotSize: number;
  readonly capacity: number;
  readonly align: number;
  /**
   * O(1). A fresh or reset pool hands out slots in ascending order; freed slots are reused
   * last-freed-first before any untouched slot. Returns 0 when all slots are taken (counted in
   * `failedAllocs`, not an error).
   */
  alloc(): number;
  /**
   * O(1). Throws, changing nothing, for anything but a live allocation of this pool: `free(0)`,
   * foreign or misaligned handles (`ERR_MEMPOOL_INVALID_HANDLE`), a free slot
   * (`ERR_MEMPOOL_DOUBLE_FREE`).
   */
  free(handle: number): void;
  /** Every slot free again, in O(1): the cost does not grow with the slots in use. */
  reset(): void;
  /**
   * Exactly `count` calls of `alloc()` writing handles to `out[0..]`, stopping at the first 0
   * (which counts as one failed allocation). Returns how many it placed; `out` past that is left
   * as it was. `count` is an integer from 0 to `out.length` (default `out.length`).
   */
  allocMany(out: HandleArray, count?: number): number;
  /**
   * Frees `handles[0..count)`. Validates every handle first (duplicates within the batch
   * included): on the first bad one it throws that handle's error and frees none of them.
   */
  freeMany(handles: HandleArray, count?: number): void;
  stats(): FixedPoolStats;
}

/** Bump allocation into one region. */
export interface Arena extends Allocator {
  readonly bufferSize: number;
  /**
   * O(1) bump: the handle is the lowest multiple of `align` (a power of two from 1 to 4096,
   * default 8) at or after the current end. `size` is a positive integer. Returns 0 and changes
   * nothing but `failedAllocs` when the allocation would pass `dataOffset + bufferSize`.
   */
  alloc(size: number, align?: number): number;
  /** O(1): everything allocated since creation or the last reset is gone; older marks go stale. */
  reset(): void;
  /**
   * A position to `rewind` to: an integer that encodes the current end and the reset generation
   * (see {@link encodeMark}), identical on every backend.
   */
  mark(): number;
  /**
   * Gives back everything allocated after `mark()`. A mark past the current end, from before a
   * reset, or not a mark at all throws `ERR_MEMPOOL_INVALID_HANDLE` and changes nothing. Rewinding
   * to an earlier mark does not invalidate later ones still at or before the end (they behave as a
   * stack would).
   */
  rewind(mark: number): void;
  stats(): ArenaStats;
}

/** Where `allocMany` writes and `freeMany` reads handles. */
export type HandleArray = Uint32Array | Float64Array;

/** Optional capabilities a backend declares, so callers and the suite branch on them, not on names. */
export interface BackendSupports {
  /** The largest `memory` the backend can create, in bytes. */
  readonly maxMemoryBytes: number;
  /** Alignment of `memory`'s first byte in absolute address (0 when the backend cannot tell). */
  readonly absoluteAlignment: number;
  /** Whether a dropped allocator's memory is reclaimed by the garbage collector. */
  readonly gcReclaim: boolean;
  /**
   * Whether `destroy()` detaches `memory` on this runtime (every view then reads as length 0).
   * Where it is false, views made before `destroy()` keep reading and writing their bytes, which
   * nothing uses any more (the garbage collector frees them with the last view), and every call
   * but `destroy()` still throws `ERR_MEMPOOL_DESTROYED`.
   */
  readonly detachOnDestroy: boolean;
}

/** What every backend package exports as `backend` (and as its default export). */
export interface Backend {
  /** `'js'`, `'wasm'`, `'native'`, or a third party's name. */
  readonly name: string;
  /** The backend package's semver version. */
  readonly version: string;
  readonly supports: BackendSupports;
  /**
   * `capacity` slots of `objectSize` bytes. Both are positive integers; the whole `memory`
   * (`dataOffset + capacity * slotSize`) must fit `supports.maxMemoryBytes`
   * (`ERR_MEMPOOL_INVALID_ARGUMENT` otherwise, `ERR_MEMPOOL_OUT_OF_MEMORY` if the system refuses).
   */
  createFixedPool(objectSize: number, capacity: number, options: FixedPoolOptions & { readonly shared: true }): SharedFixedPool;
  createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool;
  /** `bufferSize` bytes of data region, a positive integer; limits as for `createFixedPool`. */
  createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): SharedArena;
  createArena(bufferSize: number, options?: ArenaOptions): Arena;
}

/** The named exports of a backend package. */
export interface BackendModule {
  readonly backend: Backend;
  readonly default: Backend;
  readonly createFixedPool: Backend['createFixedPool'];
  readonly createArena: Backend['createArena'];
  readonly version: string;
}

/*
 * Shared allocators (worker_threads, Web Workers). The block below adds them to the types above by
 * declaration merging, so the single-threaded contract reads as it did.
 *
 * `createFixedPool(objectSize, capacity, { shared: true })` and `createArena(bufferSize,
 * { shared: true })` make an allocator whose `memory` is a `SharedArrayBuffer`. `share()` gives a
 * plain, structured-cloneable descriptor; `backend.attachFixedPool(descriptor)` /
 * `backend.attachArena(descriptor)` in any worker give another allocator over the same memory and
 * the same state. Each such allocator object is a *holder*.
 *
 * Under concurrency (several holders in calls at once):
 * - `alloc`, `free`, `allocMany`, `freeMany` and the arena's `alloc` are safe from any number of
 *   workers and lock-free: a worker that stops mid-call never blocks the others. No slot and no
 *   byte is ever handed out twice; of K workers freeing the same live handle exactly one succeeds
 *   and the others get `ERR_MEMPOOL_DOUBLE_FREE`. `freeMany` claims its handles one by one and
 *   gives the claimed ones back if one is refused: a racing `free` of one of them may see it as
 *   already free meanwhile (both calls were freeing the same handle: a bug either way).
 * - `reset` (pool and arena) and `rewind` need quiescence: the caller guarantees that no other
 *   holder is in a call on this allocator and that nobody uses the allocations given back. What
 *   can be detected is refused with `ERR_MEMPOOL_BUSY`, changing nothing: two `reset`/`rewind`
 *   calls at once, and a `rewind` while the arena's end moves. A pool's `reset` that overlaps an
 *   `alloc` or `free` in another worker is not detected and can hand a slot out twice: quiescence
 *   is the caller's to guarantee.
 * - `mark`/`rewind` are per arena, not per worker: `rewind(mark)` gives back everything allocated
 *   after `mark()` by any holder.
 * - `stats()` sums every holder's counters and is exact whenever no call is in flight
 *   (`allocated + available === capacity`, `offset + remaining === bufferSize`); during calls it
 *   is a snapshot that may lag them. `peakAllocated` is exact with one holder and an upper bound
 *   (never above `capacity`) with several. A pool's stats also say how many free slots sit in
 *   holders' caches (`cached`, see {@link SharedFixedPoolStats}).
 * - Each pool holder parks free slots in a small cache of its own, so with several holders which
 *   free slot `alloc` returns is unspecified (histories are linearizable to a set model: each
 *   slot live or free). Full means full: `alloc` takes slots parked in other holders' caches, and
 *   waits for a batch another holder is moving between its cache and the shared stack, before it
 *   returns 0 (at most 50 ms, once, for a holder whose worker was terminated mid-move; the wasm
 *   backend does not wait yet: docs/SHARED.md says why).
 * - `destroy()` ends this holder only: its cache goes back to the other holders, every later call
 *   on it throws `ERR_MEMPOOL_DESTROYED`, other holders keep working, and the memory goes when the
 *   last holder is collected (a `SharedArrayBuffer` cannot be detached, so `memory` keeps its
 *   length). A pool has a fixed number of holder records: an attach when all are taken throws
 *   `ERR_MEMPOOL_BUSY`.
 * - A worker terminated while it holds slots (or mid-call) leaks those slots (and at most one
 *   batch a call was moving) until `reset`: they are never handed out twice, the slots parked in
 *   its cache are taken by the others before they report full, and the others keep working.
 * - Attach verifies, it does not trust: it reads each descriptor field once, checks them against
 *   what the bookkeeping recorded at creation and against the buffers themselves, and refuses any
 *   mismatch with `ERR_MEMPOOL_INVALID_ARGUMENT` naming the field.
 *
 * Used from one holder alone, a shared allocator gives exactly the handles, marks and stats of an
 * unshared one.
 */

export interface FixedPoolOptions {
  /**
   * `true` makes a shared pool (`memory` is a `SharedArrayBuffer`, see {@link SharedFixedPool});
   * only on a backend whose `supports.shared` is true, elsewhere `ERR_MEMPOOL_INVALID_ARGUMENT`.
   */
  readonly shared?: boolean;
}
// Typing: `createFixedPool`/`createArena` return the shared types when `shared` is the literal
// `true`; a `shared` that is only known as a boolean gets the plain type (whose `memory` may then
// be a SharedArrayBuffer at run time), so code that forwards options keeps compiling.

export interface ArenaOptions {
  /** `true` makes a shared arena (see {@link SharedArena}); as for {@link FixedPoolOptions.shared}. */
  readonly shared?: boolean;
}

export interface BackendSupports {
  /** Whether `{ shared: true }`, `share()` and `attachFixedPool`/`attachArena` work here. */
  readonly shared: boolean;
}

/** A fixed pool many workers use at once; see the shared-allocator rules above. */
export interface SharedFixedPool extends Omit<FixedPool, 'memory' | 'stats'> {
  readonly memory: SharedArrayBuffer;
  stats(): SharedFixedPoolStats;
  /** A descriptor to post to another worker, for `backend.attachFixedPool`. */
  share(): SharedFixedPoolDescriptor;
}

/**
 * What a shared pool's `stats()` adds to {@link FixedPoolStats}: `cached`, how many of the
 * `available` slots sit parked in holders' caches (docs/SHARED.md), exact whenever no call is in
 * flight. Every field of `FixedPoolStats` means what it does on an unshared pool; with several
 * holders `peakAllocated` is an upper bound (at most `capacity`) rather than exact.
 */
export interface SharedFixedPoolStats extends FixedPoolStats {
  /**
   * Not enumerable, so the stats of one holder alone compare and serialise exactly as an unshared
   * pool's. Optional until every backend's shared pool has caches (a pool without caches parks nothing).
   */
  readonly cached?: number;
}

/** An arena many workers use at once; see the shared-allocator rules above. */
export interface SharedArena extends Omit<Arena, 'memory'> {
  readonly memory: SharedArrayBuffer;
  /** A descriptor to post to another worker, for `backend.attachArena`. */
  share(): SharedArenaDescriptor;
}

/**
 * What `share()` returns: plain data and shared memory only, so `postMessage` and
 * `structuredClone` carry it. Only the backend named in `backend` attaches it.
 */
export interface SharedDescriptor {
  readonly kind: 'FixedPool' | 'Arena';
  /** The `name` of the backend that made it. */
  readonly backend: string;
  /** The backend's layout version of the shared state. */
  readonly format: number;
  readonly align: number;
  /** The allocator's `memory`. */
  readonly memory: SharedArrayBuffer;
  /** The backend's own shared bookkeeping (shared buffers or a shared `WebAssembly.Memory`). */
  readonly state: unknown;
}

export interface SharedFixedPoolDescriptor extends SharedDescriptor {
  readonly kind: 'FixedPool';
  readonly objectSize: number;
  readonly capacity: number;
}

export interface SharedArenaDescriptor extends SharedDescriptor {
  readonly kind: 'Arena';
  readonly bufferSize: number;
}

export interface Backend {
  /**
   * Another holder of the pool `descriptor` came from (`pool.share()`, possibly in another
   * worker). A descriptor of another backend, kind or layout throws `ERR_MEMPOOL_INVALID_ARGUMENT`;
   * so does any call on a backend whose `supports.shared` is false.
   */
  attachFixedPool(descriptor: SharedFixedPoolDescriptor): SharedFixedPool;
  /** Another holder of the arena `descriptor` came from; as for `attachFixedPool`. */
  attachArena(descriptor: SharedArenaDescriptor): SharedArena;
}
