import {
  arenaGeometry,
  EngineArena,
  EngineFixedPool,
  fixedPoolGeometry,
  sharedRefusals,
  sharedRequested,
  sharedUnsupported,
  VERSION,
  NO_SHARED_MEMORY,
  SHARED_MEMORY_AVAILABLE,
} from '@mempool/api';
import type { Arena, ArenaOptions, Backend, BackendModule, FixedPool, FixedPoolOptions, SharedArena, SharedFixedPool } from '@mempool/api';
import { WasmArenaEngine } from './arena.js';
import { compileEngine, engineVersion } from './engine.js';
import { WasmFixedPoolEngine } from './fixed-pool.js';
import { MAX_MEMORY_BYTES } from './memory.js';
import { SharedWasmArenaEngine } from './shared-arena.js';
import { SharedWasmFixedPoolEngine } from './shared-fixed-pool.js';
import type { SharedEngineModule } from './shared-state.js';
import type { WasmModule } from './webassembly.js';

/** A backend package's named exports, over one compiled engine module. */
export type WasmBackendModule = Omit<BackendModule, 'default'> & {
  /** The module's own report of its version, from the constants it was compiled with. */
  readonly wasmVersion: string;
};

/**
 * The backend `name` whose allocators each run an instance of the module embedded as `base64`
 * (compiled synchronously here), and whose shared allocators (`{ shared: true }`) run, in every
 * holder, an instance of the shared engine (embedded as `sharedBase64`, compiled on first use: a
 * page without shared memory never needs it).
 */
export function wasmBackend(name: string, base64: string, sharedBase64: string): WasmBackendModule {
  const module = compileEngine(base64);
  let sharedModule: WasmModule | undefined;
  const shared: SharedEngineModule = {
    name,
    get module() {
      return (sharedModule ??= compileEngine(sharedBase64));
    },
  };
  /** The caller's geometry, where this environment has shared memory; else the refusal `supports.shared` announces. */
  const sharedGeometry = <G>(geometry: G): G => {
    if (!SHARED_MEMORY_AVAILABLE) throw sharedUnsupported(name, NO_SHARED_MEMORY);
    return geometry;
  };
  /** Same-sized slots in a fresh wasm memory of their own. */
  function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool | SharedFixedPool {
    const geometry = fixedPoolGeometry(objectSize, capacity, options, MAX_MEMORY_BYTES);
    const engine = sharedRequested(options)
      ? SharedWasmFixedPoolEngine.create(sharedGeometry(geometry), shared)
      : new WasmFixedPoolEngine(geometry, module);
    return EngineFixedPool.over(geometry, engine);
  }
  /** A bump allocator over a fresh wasm memory of its own. */
  function createArena(bufferSize: number, options?: ArenaOptions): Arena | SharedArena {
    const geometry = arenaGeometry(bufferSize, options, MAX_MEMORY_BYTES);
    const engine = sharedRequested(options)
      ? SharedWasmArenaEngine.create(sharedGeometry(geometry), shared)
      : new WasmArenaEngine(geometry, module);
    return EngineArena.over(geometry, engine);
  }
  const attachFixedPool = (descriptor: unknown): SharedFixedPool => {
    const engine = SharedWasmFixedPoolEngine.attach(descriptor, shared);
    return EngineFixedPool.over(engine.geometry, engine) as unknown as SharedFixedPool;
  };
  const attachArena = (descriptor: unknown): SharedArena => {
    const engine = SharedWasmArenaEngine.attach(descriptor, shared);
    return EngineArena.over(engine.geometry, engine) as unknown as SharedArena;
  };
  const backend: Backend = Object.freeze({
    name,
    version: VERSION,
    // Growing a wasm memory detaches its old buffer on every engine.
    // Every backend spells out the same `supports` fields with its own values (the manifest the
    // suite and 'auto' read), so this literal repeats the other backends' shape on purpose.
    supports: Object.freeze({
      maxMemoryBytes: MAX_MEMORY_BYTES,
      absoluteAlignment: 0,
      gcReclaim: true,
      detachOnDestroy: true,
      shared: SHARED_MEMORY_AVAILABLE,
    }),
    // The overloads of `Backend` (a shared pool for `{ shared: true }`) over the one implementation.
    createFixedPool: createFixedPool as Backend['createFixedPool'],
    createArena: createArena as Backend['createArena'],
    ...(SHARED_MEMORY_AVAILABLE ? { attachFixedPool, attachArena } : sharedRefusals(name, NO_SHARED_MEMORY)),
  });
  return {
    backend,
    version: VERSION,
    wasmVersion: engineVersion(module),
    createFixedPool: backend.createFixedPool,
    createArena: backend.createArena,
  };
}
