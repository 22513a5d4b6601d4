import { ENGINE_BYTES_BASE64 } from './engine-bytes.generated.js';
import { ENGINE_BYTES_BASE64 as SHARED_ENGINE_BYTES_BASE64 } from './engine-bytes-shared.generated.js';
import { compileEngine, engineVersion } from './engine.js';
import { wasmBackend } from './backend.js';

export { WasmArena } from './arena.js';
export { WasmFixedPool } from './fixed-pool.js';
export { SharedWasmArena } from './shared-arena.js';
export { SharedWasmFixedPool } from './shared-fixed-pool.js';

/** The release engine, embedded in this module and compiled synchronously at import. */
const engine = compileEngine(ENGINE_BYTES_BASE64);
const wasm = wasmBackend('wasm', engine, SHARED_ENGINE_BYTES_BASE64);

/** This package's semver version (the wasm module reports the same as `wasmVersion`). */
export const version: string = wasm.version;
/** The module's own report of its version, from the constants it was compiled with. */
export const wasmVersion: string = engineVersion(engine);
/** Same-sized slots in a fresh wasm memory of their own. */
export const createFixedPool = wasm.createFixedPool;
/** A bump allocator over a fresh wasm memory of its own. */
export const createArena = wasm.createArena;
/** The AssemblyScript backend: one small module, one instance and two memories per allocator. */
export const backend = wasm.backend;

export default backend;
