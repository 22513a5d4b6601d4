import {
  arenaGeometry,
  DETACH_ON_DESTROY,
  fixedPoolGeometry,
  MAX_MEMORY_BYTES,
  VERSION,
  type ArenaOptions,
  type Backend,
  type FixedPoolOptions,
  NO_SHARED_MEMORY,
  SHARED_MEMORY_AVAILABLE,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
} from '@mempool/api';
import { JsArena } from './arena.js';
import { JsFixedPool } from './fixed-pool.js';
import { SharedJsArena } from './shared-arena.js';
import { SharedJsFixedPool } from './shared-fixed-pool.js';

export { JsArena } from './arena.js';
export { JsFixedPool } from './fixed-pool.js';
export { SharedJsArena } from './shared-arena.js';
export { SharedJsFixedPool } from './shared-fixed-pool.js';

/** This package's semver version: every package of memory-pool-core shares `VERSION`. */
export const version: string = VERSION;

/** `layout`, where this environment has shared memory; else the refusal `supports.shared` announces. */
function sharedLayout<L>(layout: L): L {
  if (!SHARED_MEMORY_AVAILABLE) throw sharedUnsupported('js', NO_SHARED_MEMORY);
  return layout;
}

/** Same-sized slots in a fresh `ArrayBuffer` (a `SharedArrayBuffer` with `{ shared: true }`). */
export function createFixedPool(
  objectSize: number,
  capacity: number,
  options: FixedPoolOptions & { readonly shared: true },
): SharedJsFixedPool;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): JsFixedPool;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): JsFixedPool | SharedJsFixedPool {
  const layout = fixedPoolGeometry(objectSize, capacity, options, MAX_MEMORY_BYTES);
  return sharedRequested(options) ? new SharedJsFixedPool(sharedLayout(layout)) : new JsFixedPool(layout);
}

/** A bump allocator over a fresh `ArrayBuffer` (a `SharedArrayBuffer` with `{ shared: true }`). */
export function createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): SharedJsArena;
export function createArena(bufferSize: number, options?: ArenaOptions): JsArena;
export function createArena(bufferSize: number, options?: ArenaOptions): JsArena | SharedJsArena {
  const layout = arenaGeometry(bufferSize, options, MAX_MEMORY_BYTES);
  return sharedRequested(options) ? new SharedJsArena(sharedLayout(layout)) : new JsArena(layout);
}

/** The pure-TypeScript backend: runs wherever JavaScript does. */
export const backend: Backend = Object.freeze({
  name: 'js',
  version,
  supports: Object.freeze({
    maxMemoryBytes: MAX_MEMORY_BYTES,
    absoluteAlignment: 0,
    gcReclaim: true,
    detachOnDestroy: DETACH_ON_DESTROY,
    shared: SHARED_MEMORY_AVAILABLE,
  }),
  createFixedPool,
  createArena,
  ...(SHARED_MEMORY_AVAILABLE
    ? { attachFixedPool: SharedJsFixedPool.attach, attachArena: SharedJsArena.attach }
    : sharedRefusals('js', NO_SHARED_MEMORY)),
});

export default backend;
