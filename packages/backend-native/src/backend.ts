import {
  type Arena,
  type ArenaOptions,
  arenaGeometry,
  type Backend,
  DETACH_ON_DESTROY,
  EngineArena,
  EngineFixedPool,
  type FixedPool,
  type FixedPoolOptions,
  fixedPoolGeometry,
  MAX_MEMORY_BYTES,
  sharedRefusals,
} from '@mempool/api';
import { NativeArenaEngine } from './arena.js';
import { NativeFixedPoolEngine } from './fixed-pool.js';
import { refuseShared, SHARED_UNSUPPORTED } from './shared-refusal.js';

/** The native backend's allocators, over one loaded addon. */
export type NativeBackend = Backend;

/** A pool whose engine is the C library's (`fixed-pool.ts`); the contract is `EngineFixedPool`'s. */
function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool {
  const geometry = fixedPoolGeometry(objectSize, capacity, options, MAX_MEMORY_BYTES);
  refuseShared(options);
  return EngineFixedPool.over(geometry, new NativeFixedPoolEngine(geometry));
}

/** An arena whose engine is the C library's (`arena.ts`). */
function createArena(bufferSize: number, options?: ArenaOptions): Arena {
  const geometry = arenaGeometry(bufferSize, options, MAX_MEMORY_BYTES);
  refuseShared(options);
  return EngineArena.over(geometry, new NativeArenaEngine(geometry));
}

/** The backend over the package's binding (`packageBinding`). */
export function createNativeBackend(version: string): NativeBackend {
  return Object.freeze({
    name: 'native',
    version,
    // `memory` is V8's (so the GC reclaims it at once): its first byte is as aligned as V8's
    // allocator makes it, 16 bytes on 64-bit glibc/musl/Windows. The C library's own buffers
    // (mp_*_create) are 64-byte aligned. No shared allocators: see SHARED_UNSUPPORTED.
    // detachOnDestroy: at least where JavaScript can detach (the addon's Node-API may add more).
    // Every backend spells out the same `supports` fields with its own values (the manifest the
    // suite and 'auto' read), so this literal repeats the other backends' shape on purpose.
    supports: Object.freeze({
      maxMemoryBytes: MAX_MEMORY_BYTES,
      absoluteAlignment: 16,
      gcReclaim: true,
      detachOnDestroy: DETACH_ON_DESTROY,
      shared: false,
    }),
    // Never a shared allocator (refused above), so never the shared overloads' type.
    createFixedPool: createFixedPool as Backend['createFixedPool'],
    createArena: createArena as Backend['createArena'],
    ...sharedRefusals('native', SHARED_UNSUPPORTED),
  });
}
