import {
  type Arena,
  type ArenaOptions,
  type Backend,
  DETACH_ON_DESTROY,
  type FixedPool,
  type FixedPoolOptions,
  MAX_MEMORY_BYTES,
  sharedRefusals,
} from '@mempool/api';
import { NativeArena } from './arena.js';
import { NativeFixedPool } from './fixed-pool.js';
import { SHARED_UNSUPPORTED } from './shared-refusal.js';

/** The native backend's allocators, over one loaded addon. */
export type NativeBackend = Backend;

/**
 * The backend over the package's binding (`packageBinding`). Mirrors `@mempool/backend-js` method for method: arguments are
 * checked with the `@mempool/api` helpers before they reach C, and C's statuses become the
 * contract's errors with the same helpers (`fixed-pool.ts`, `arena.ts`).
 */
export function createNativeBackend(version: string): NativeBackend {
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
