import {
  arenaGeometry,
  fixedPoolGeometry,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
  VERSION,
  type ArenaOptions,
  type Backend,
  type FixedPoolOptions,
  NO_SHARED_MEMORY,
  SHARED_MEMORY_AVAILABLE,
} from '@mempool/api';
import { WasmArena } from './arena.js';
import { WasmFixedPool } from './fixed-pool.js';
import { SharedWasmArena } from './shared-arena.js';
import { SharedWasmFixedPool } from './shared-fixed-pool.js';
import { MAX_MEMORY_BYTES } from './memory.js';
import { compileEngine } from './engine.js';
import type { SharedEngineModule } from './shared-state.js';
import type { WasmModule } from './webassembly.js';

/** A backend package's named exports, over one compiled engine module. */
export interface WasmBackendModule {
  readonly backend: Backend;
  readonly version: string;
  createFixedPool(objectSize: number, capacity: number, options: FixedPoolOptions & { readonly shared: true }): SharedWasmFixedPool;
  createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool;
  createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): SharedWasmArena;
  createArena(bufferSize: number, options?: ArenaOptions): WasmArena;
}

/**
 * The backend `name` whose allocators each run an instance of `module`, and whose shared
 * allocators (`{ shared: true }`) run, in every holder, an instance of the shared engine (embedded
 * as `sharedBase64`, compiled on first use: a page without shared memory never needs it).
 */
export function wasmBackend(name: string, module: WasmModule, sharedBase64: string): WasmBackendModule {
  let sharedModule: WasmModule | undefined;
  const shared: SharedEngineModule = {
    name,
    get module() {
      return (sharedModule ??= compileEngine(sharedBase64));
    },
  };
  /** Same-sized slots in a fresh wasm memory of their own. */
  function createFixedPool(
    objectSize: number,
    capacity: number,
    options: FixedPoolOptions & { readonly shared: true },
  ): SharedWasmFixedPool;
  function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool;
  function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool | SharedWasmFixedPool {
    const wantsShared = sharedRequested(options);
    if (wantsShared && !SHARED_MEMORY_AVAILABLE) throw sharedUnsupported(name, NO_SHARED_MEMORY);
    const layout = fixedPoolGeometry(objectSize, capacity, options, MAX_MEMORY_BYTES);
    return wantsShared ? new SharedWasmFixedPool(layout, shared) : new WasmFixedPool(layout, module);
  }
  /** A bump allocator over a fresh wasm memory of its own. */
  function createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): SharedWasmArena;
  function createArena(bufferSize: number, options?: ArenaOptions): WasmArena;
  function createArena(bufferSize: number, options?: ArenaOptions): WasmArena | SharedWasmArena {
    const wantsShared = sharedRequested(options);
    if (wantsShared && !SHARED_MEMORY_AVAILABLE) throw sharedUnsupported(name, NO_SHARED_MEMORY);
    const layout = arenaGeometry(bufferSize, options, MAX_MEMORY_BYTES);
    return wantsShared ? new SharedWasmArena(layout, shared) : new WasmArena(layout, module);
  }
  const backend: Backend = Object.freeze({
    name,
    version: VERSION,
    // Growing a wasm memory detaches its old buffer on every engine.
    supports: Object.freeze({
      maxMemoryBytes: MAX_MEMORY_BYTES,
      absoluteAlignment: 0,
      gcReclaim: true,
      detachOnDestroy: true,
      shared: SHARED_MEMORY_AVAILABLE,
    }),
    createFixedPool,
    createArena,
    ...(SHARED_MEMORY_AVAILABLE
      ? {
          attachFixedPool: (descriptor: unknown) => SharedWasmFixedPool.attach(descriptor, shared),
          attachArena: (descriptor: unknown) => SharedWasmArena.attach(descriptor, shared),
        }
      : sharedRefusals(name, NO_SHARED_MEMORY)),
  });
  return { backend, version: VERSION, createFixedPool, createArena };
}
