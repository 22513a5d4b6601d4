import {
  arenaLayout,
  fixedPoolLayout,
  MAX_MEMORY_BYTES,
  VERSION,
  type ArenaOptions,
  type Backend,
  type FixedPoolOptions,
} from '@mempool/api';
import { JsArena } from './arena.js';
import { JsFixedPool } from './fixed-pool.js';

export { JsArena } from './arena.js';
export { JsFixedPool } from './fixed-pool.js';

/** This package's semver version: every package of memory-pool-core shares `VERSION`. */
export const version: string = VERSION;

/** Same-sized slots in a fresh `ArrayBuffer`. */
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): JsFixedPool {
  return new JsFixedPool(fixedPoolLayout(objectSize, capacity, options, MAX_MEMORY_BYTES));
}

/** A bump allocator over a fresh `ArrayBuffer`. */
export function createArena(bufferSize: number, options?: ArenaOptions): JsArena {
  return new JsArena(arenaLayout(bufferSize, options, MAX_MEMORY_BYTES));
}

/** The pure-TypeScript backend: runs wherever JavaScript does. */
export const backend: Backend = Object.freeze({
  name: 'js',
  version,
  supports: Object.freeze({ maxMemoryBytes: MAX_MEMORY_BYTES, absoluteAlignment: 0, gcReclaim: true }),
  createFixedPool,
  createArena,
});

export default backend;
