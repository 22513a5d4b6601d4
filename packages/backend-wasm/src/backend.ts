import { arenaLayout, fixedPoolLayout, VERSION, type ArenaOptions, type Backend, type FixedPoolOptions } from '@mempool/api';
import { WasmArena } from './arena.js';
import { WasmFixedPool } from './fixed-pool.js';
import { MAX_MEMORY_BYTES } from './memory.js';
import type { WasmModule } from './webassembly.js';

/** A backend package's named exports, over one compiled engine module. */
export interface WasmBackendModule {
  readonly backend: Backend;
  readonly version: string;
  createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool;
  createArena(bufferSize: number, options?: ArenaOptions): WasmArena;
}

/** The backend `name` whose allocators each run an instance of `module`. */
export function wasmBackend(name: string, module: WasmModule): WasmBackendModule {
  /** Same-sized slots in a fresh wasm memory of their own. */
  function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool {
    return new WasmFixedPool(fixedPoolLayout(objectSize, capacity, options, MAX_MEMORY_BYTES), module);
  }
  /** A bump allocator over a fresh wasm memory of its own. */
  function createArena(bufferSize: number, options?: ArenaOptions): WasmArena {
    return new WasmArena(arenaLayout(bufferSize, options, MAX_MEMORY_BYTES), module);
  }
  const backend: Backend = Object.freeze({
    name,
    version: VERSION,
    supports: Object.freeze({ maxMemoryBytes: MAX_MEMORY_BYTES, absoluteAlignment: 0, gcReclaim: true }),
    createFixedPool,
    createArena,
  });
  return { backend, version: VERSION, createFixedPool, createArena };
}
