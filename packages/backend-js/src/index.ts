import { createRequire } from 'node:module';
import {
  arenaLayout,
  fixedPoolLayout,
  MAX_MEMORY_BYTES,
  type ArenaOptions,
  type Backend,
  type FixedPoolOptions,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
} from '@mempool/api';
import { JsArena } from './arena.js';
import { JsFixedPool } from './fixed-pool.js';

export { JsArena } from './arena.js';
export { JsFixedPool } from './fixed-pool.js';

/** This package's semver version. */
export const version: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Same-sized slots in a fresh `ArrayBuffer`. */
export function createFixedPool(objectSize: number, capacity: number, options: FixedPoolOptions & { readonly shared: true }): never;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): JsFixedPool;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): JsFixedPool {
  if (sharedRequested(options)) throw sharedUnsupported('js', 'not yet');
  return new JsFixedPool(fixedPoolLayout(objectSize, capacity, options, MAX_MEMORY_BYTES));
}

/** A bump allocator over a fresh `ArrayBuffer`. */
export function createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): never;
export function createArena(bufferSize: number, options?: ArenaOptions): JsArena;
export function createArena(bufferSize: number, options?: ArenaOptions): JsArena {
  if (sharedRequested(options)) throw sharedUnsupported('js', 'not yet');
  return new JsArena(arenaLayout(bufferSize, options, MAX_MEMORY_BYTES));
}

/** The pure-TypeScript backend: runs wherever JavaScript does. */
export const backend: Backend = Object.freeze({
  name: 'js',
  version,
  supports: Object.freeze({ maxMemoryBytes: MAX_MEMORY_BYTES, absoluteAlignment: 0, gcReclaim: true, shared: false }),
  createFixedPool,
  createArena,
  ...sharedRefusals('js', 'not yet'),
});

export default backend;
