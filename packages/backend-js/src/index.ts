import {
  arenaGeometry,
  DETACH_ON_DESTROY,
  EngineArena,
  EngineFixedPool,
  fixedPoolGeometry,
  MAX_MEMORY_BYTES,
  VERSION,
  type Arena,
  type ArenaOptions,
  type Backend,
  type FixedPool,
  type FixedPoolOptions,
  NO_SHARED_MEMORY,
  SHARED_MEMORY_AVAILABLE,
  type SharedArena,
  type SharedFixedPool,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
} from '@mempool/api';
import { JsArenaEngine } from './arena.js';
import { JsFixedPool } from './fixed-pool.js';
import { SharedJsArenaEngine } from './shared-arena.js';
import { SharedJsFixedPoolEngine } from './shared-fixed-pool.js';

/** This package's semver version: every package of memory-pool-core shares `VERSION`. */
export const version: string = VERSION;

/** `geometry`, where this environment has shared memory; else the refusal `supports.shared` announces. */
function sharedGeometry<G>(geometry: G): G {
  if (!SHARED_MEMORY_AVAILABLE) throw sharedUnsupported('js', NO_SHARED_MEMORY);
  return geometry;
}

/** Same-sized slots in a fresh `ArrayBuffer` (a `SharedArrayBuffer` with `{ shared: true }`). */
export function createFixedPool(
  objectSize: number,
  capacity: number,
  options: FixedPoolOptions & { readonly shared: true },
): SharedFixedPool;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool | SharedFixedPool {
  const geometry = fixedPoolGeometry(objectSize, capacity, options, MAX_MEMORY_BYTES);
  if (!sharedRequested(options)) return new JsFixedPool(geometry);
  return EngineFixedPool.over(geometry, new SharedJsFixedPoolEngine(sharedGeometry(geometry)));
}

/** A bump allocator over a fresh `ArrayBuffer` (a `SharedArrayBuffer` with `{ shared: true }`). */
export function createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): SharedArena;
export function createArena(bufferSize: number, options?: ArenaOptions): Arena;
export function createArena(bufferSize: number, options?: ArenaOptions): Arena | SharedArena {
  const geometry = arenaGeometry(bufferSize, options, MAX_MEMORY_BYTES);
  const engine = sharedRequested(options) ? new SharedJsArenaEngine(sharedGeometry(geometry)) : new JsArenaEngine(geometry);
  return EngineArena.over(geometry, engine);
}

/** Another holder of a shared pool (`backend.attachFixedPool`). */
function attachFixedPool(descriptor: unknown): SharedFixedPool {
  const engine = SharedJsFixedPoolEngine.attach(descriptor);
  return EngineFixedPool.over(engine.geometry, engine) as unknown as SharedFixedPool;
}

/** Another holder of a shared arena (`backend.attachArena`). */
function attachArena(descriptor: unknown): SharedArena {
  const engine = SharedJsArenaEngine.attach(descriptor);
  return EngineArena.over(engine.geometry, engine) as unknown as SharedArena;
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
  ...(SHARED_MEMORY_AVAILABLE ? { attachFixedPool, attachArena } : sharedRefusals('js', NO_SHARED_MEMORY)),
});

export default backend;
