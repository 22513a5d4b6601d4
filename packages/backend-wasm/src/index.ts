import { createRequire } from 'node:module';
import {
  arenaLayout,
  fixedPoolLayout,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
  type ArenaOptions,
  type Backend,
  type FixedPoolOptions,
} from '@mempool/api';
import { WasmArena } from './arena.js';
import { WasmFixedPool } from './fixed-pool.js';
import { MAX_MEMORY_BYTES } from './memory.js';

export { WasmArena } from './arena.js';
export { WasmFixedPool } from './fixed-pool.js';
export { wasmVersion } from './engine.js';

/** This package's semver version (build/mempool.wasm reports the same as `wasmVersion`). */
export const version: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const NO_SHARED = 'shared allocators are not available on this backend yet';

/** Same-sized slots in a fresh wasm memory of their own. */
export function createFixedPool(objectSize: number, capacity: number, options: FixedPoolOptions & { readonly shared: true }): never;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): WasmFixedPool {
  if (sharedRequested(options)) throw sharedUnsupported('wasm', NO_SHARED);
  return new WasmFixedPool(fixedPoolLayout(objectSize, capacity, options, MAX_MEMORY_BYTES));
}

/** A bump allocator over a fresh wasm memory of its own. */
export function createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): never;
export function createArena(bufferSize: number, options?: ArenaOptions): WasmArena;
export function createArena(bufferSize: number, options?: ArenaOptions): WasmArena {
  if (sharedRequested(options)) throw sharedUnsupported('wasm', NO_SHARED);
  return new WasmArena(arenaLayout(bufferSize, options, MAX_MEMORY_BYTES));
}

/** The AssemblyScript backend: one small module, one instance and one memory per allocator. */
export const backend: Backend = Object.freeze({
  name: 'wasm',
  version,
  supports: Object.freeze({ maxMemoryBytes: MAX_MEMORY_BYTES, absoluteAlignment: 0, gcReclaim: true, shared: false }),
  createFixedPool,
  createArena,
  ...sharedRefusals('wasm', NO_SHARED),
});

export default backend;
