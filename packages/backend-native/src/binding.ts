import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** An allocator inside the addon: an External the addon recognises. */
export type NativeHandle = { readonly __nativeAllocator: unique symbol };

/**
 * What `src/addon.cc` exports. Internal: `backend.ts` checks every argument before it calls these.
 * Statuses are `Status` of `@mempool/api`; handles and marks are plain numbers.
 */
export interface NativeBinding {
  readonly version: string;
  /** A C allocator working in `memory` (which V8 owns), or a status when C refused. */
  createFixedPool(memory: ArrayBuffer, objectSize: number, capacity: number, align: number): NativeHandle | number;
  createArena(memory: ArrayBuffer, bufferSize: number, align: number): NativeHandle | number;
  /** Detaches `memory` (V8 frees it) and frees the C bookkeeping; idempotent. */
  destroy(allocator: NativeHandle, memory: ArrayBuffer): number;
  /** How many C allocators' bookkeeping is not freed yet (destroy or the GC's finalizer frees it). */
  liveAllocators(): number;
  /** How many Externals are not finalized yet. */
  liveBoxes(): number;
  sizes(): { fixedPool: number; arena: number; box: number };

  /** A handle, or 0 when full (or destroyed). */
  poolAlloc(pool: NativeHandle): number;
  /** A status. */
  poolFree(pool: NativeHandle, handle: unknown): number;
  poolReset(pool: NativeHandle): number;
  /** How many handles it wrote to `out[0..]`. */
  poolAllocMany(pool: NativeHandle, out: Uint32Array | Float64Array, count: number): number;
  /** 0, or `status - 8 * index` of the first bad handle (nothing freed then). */
  poolFreeMany(pool: NativeHandle, handles: Uint32Array | Float64Array, count: number): number;
  /** Fills `out` in `FIXED_POOL_STATS_FIELDS` order; a status. */
  poolStats(pool: NativeHandle, out: Float64Array): number;

  arenaAlloc(arena: NativeHandle, size: number, align: number): number;
  arenaReset(arena: NativeHandle): number;
  arenaMark(arena: NativeHandle): number;
  arenaRewind(arena: NativeHandle, mark: number): number;
  arenaStats(arena: NativeHandle, out: Float64Array): number;
}

/** The package's root (this file is in `src/` or `dist/`). */
export const packageRoot: string = fileURLToPath(new URL('..', import.meta.url));

/** The addon node-gyp built (`build/Release`), or a prebuild, found by node-gyp-build. */
export function loadBinding(): NativeBinding {
  const require = createRequire(import.meta.url);
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
  return nodeGypBuild(packageRoot) as NativeBinding;
}

/** An addon at an explicit path (the AddressSanitizer build of the fuzz test). */
export function loadBindingFrom(path: string): NativeBinding {
  return createRequire(import.meta.url)(path) as NativeBinding;
}
