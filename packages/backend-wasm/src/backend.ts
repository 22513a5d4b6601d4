import {
  arenaLayout,
  fixedPoolLayout,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
  VERSION,
  type ArenaOptions,
  type Backend,
  type FixedPoolOptions,
} from '@mempool/api';
import { WasmArena } from './arena.js';
import { WasmFixedPool } from './fixed-pool.js';
import { MAX_MEMORY_BYTES } from './memory.js';
import type { WasmModule } from './webassembly.js';

/** A backend package's named exports, over one compiled engine module. */
export interface WasmBackendModule {
  readonly backend: Backend;
  readonly version: string;
  createFixedPool(objectSize: number, capacity: number, options: FixedPoolOptions & { readonly shared: true }): never;
  createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool;
  createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): never;
  createArena(bufferSize: number, options?: ArenaOptions): WasmArena;
}

/** The backend `name` whose allocators each run an instance of `module`. */
export function wasmBackend(name: string, module: WasmModule): WasmBackendModule {
  const noShared = 'shared allocators are not available on this backend yet';
  /** Same-sized slots in a fresh wasm memory of their own. */
  function createFixedPool(objectSize: number, capacity: number, options: FixedPoolOptions & { readonly shared: true }): never;
  function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool;
  function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool {
    if (sharedRequested(options)) throw sharedUnsupported(name, noShared);
    return new WasmFixedPool(fixedPoolLayout(objectSize, capacity, options, MAX_MEMORY_BYTES), module);
  }
  /** A bump allocator over a fresh wasm memory of its own. */
  function createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): never;
  function createArena(bufferSize: number, options?: ArenaOptions): WasmArena;
  function createArena(bufferSize: number, options?: ArenaOptions): WasmArena {
    if (sharedRequested(options)) throw sharedUnsupported(name, noShared);
    return new WasmArena(arenaLayout(bufferSize, options, MAX_MEMORY_BYTES), module);
  }
  const backend: Backend = Object.freeze({
    name,
    version: VERSION,
    supports: Object.freeze({ maxMemoryBytes: MAX_MEMORY_BYTES, absoluteAlignment: 0, gcReclaim: true, shared: false }),
    createFixedPool,
    createArena,
    ...sharedRefusals(name, noShared),
  });
  return { backend, version: VERSION, createFixedPool, createArena };
}
