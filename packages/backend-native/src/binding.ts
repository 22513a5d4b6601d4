import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** An allocator inside the addon: an External the addon recognises. */
export type NativeHandle = { readonly __nativeAllocator: unique symbol };

/**
 * The argument block's layout (`addon/addon.cc` mirrors it): indexes into its `Float64Array`.
 * The hot paths take no arguments and return nothing: the caller writes `ID` (and `ARG0`, `ARG1`),
 * calls, and reads `RESULT`. A create call that succeeds writes the new allocator's id to `RESULT`.
 */
export const BLOCK_ID = 0;
export const BLOCK_ARG0 = 1;
export const BLOCK_ARG1 = 2;
export const BLOCK_RESULT = 3;
export const BLOCK_LENGTH = 8;

/**
 * What `addon/addon.cc` exports. Internal: `backend.ts` checks every argument before it calls these.
 * Statuses are `Status` of `@mempool/api`; handles and marks are plain numbers.
 */
export interface NativeBinding {
  readonly version: string;
  /**
   * This env's argument block (an `ArrayBuffer` of `BLOCK_LENGTH` doubles that C owns), the first
   * time it is called; `undefined` after that. `argumentBlock()` takes it when the addon is loaded.
   */
  takeArgumentBlock(): ArrayBuffer | undefined;
  /**
   * A C allocator working in `memory` (which V8 owns), with its id written to the block's
   * `RESULT`, or a status when C refused.
   */
  createFixedPool(memory: ArrayBuffer, objectSize: number, capacity: number, align: number): NativeHandle | number;
  createArena(memory: ArrayBuffer, bufferSize: number, align: number): NativeHandle | number;
  /** Detaches `memory` (V8 frees it) and frees the C bookkeeping; idempotent. */
  destroy(allocator: NativeHandle, memory: ArrayBuffer): number;
  /** How many C allocators' bookkeeping is not freed yet (destroy or the GC's finalizer frees it). */
  liveAllocators(): number;
  /** How many Externals are not finalized yet. */
  liveBoxes(): number;
  sizes(): { fixedPool: number; arena: number; box: number; block: number };
  /** The absolute address of `memory`'s first byte (below 2^53 on every 64-bit platform): a test hook. */
  addressOf(memory: ArrayBuffer): number;

  /** Block `[ID]` -> `[RESULT]`: a handle, or 0 when full (or the id is not a live pool's). */
  poolAlloc(): undefined;
  /** Block `[ID, ARG0 = handle]` -> `[RESULT]`: a status. */
  poolFree(): undefined;
  poolReset(pool: NativeHandle): number;
  /** How many handles it wrote to `out[0..]`. */
  poolAllocMany(pool: NativeHandle, out: Uint32Array | Float64Array, count: number): number;
  /** 0, or `status - 8 * index` of the first bad handle (nothing freed then). */
  poolFreeMany(pool: NativeHandle, handles: Uint32Array | Float64Array, count: number): number;
  /** Fills `out` in `FIXED_POOL_STATS_FIELDS` order; a status. */
  poolStats(pool: NativeHandle, out: Float64Array): number;

  /** Block `[ID, ARG0 = size, ARG1 = align]` -> `[RESULT]`: a handle, or 0. */
  arenaAlloc(): undefined;
  arenaReset(arena: NativeHandle): number;
  arenaMark(arena: NativeHandle): number;
  arenaRewind(arena: NativeHandle, mark: number): number;
  arenaStats(arena: NativeHandle, out: Float64Array): number;
}

/** The package's root (this file is in `src/` or `dist/`). */
export const packageRoot: string = fileURLToPath(new URL('..', import.meta.url));

// Each loaded addon's argument block, taken once (per thread: each worker loads its own addon
// instance). Module-private: the package exports neither this map nor `argumentBlock`.
const blocks = new WeakMap<NativeBinding, Float64Array>();

/**
 * The argument block of `binding` (taken from the addon on first use). Throws when the addon does
 * not hand it out (an older build, or it was already taken by someone else).
 */
export function argumentBlock(binding: NativeBinding): Float64Array {
  let block = blocks.get(binding);
  if (block === undefined) {
    const buffer = typeof binding.takeArgumentBlock === 'function' ? binding.takeArgumentBlock() : undefined;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength < BLOCK_LENGTH * 8) {
      throw new Error('@mempool/backend-native: the addon did not hand out its argument block (rebuild it: npm run build -w @mempool/backend-native)');
    }
    block = new Float64Array(buffer, 0, BLOCK_LENGTH);
    blocks.set(binding, block);
  }
  return block;
}

/** The addon node-gyp built (`build/Release`), or a prebuild, found by node-gyp-build. */
export function loadBinding(): NativeBinding {
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  const binding = nodeGypBuild(packageRoot) as NativeBinding;
  argumentBlock(binding); // take it now, before anything else can
  return binding;
}

/** An addon at an explicit path (the AddressSanitizer build of the fuzz test). */
export function loadBindingFrom(path: string): NativeBinding {
  const binding = createRequire(import.meta.url)(path) as NativeBinding;
  argumentBlock(binding);
  return binding;
}
