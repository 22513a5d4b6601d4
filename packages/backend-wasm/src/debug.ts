/**
 * `@mempool/backend-wasm/debug`: the same backend over the debug build of the engine, which
 * asserts the allocator's invariants after every call that changes its state (an `Error` naming
 * the file and line of the broken invariant, never a wrong handle). For tests and for hunting a
 * bug; a little slower than the release build.
 */
import { ENGINE_BYTES_BASE64 } from './engine-bytes-debug.generated.js';
import { ENGINE_BYTES_BASE64 as SHARED_ENGINE_BYTES_BASE64 } from './engine-bytes-shared.generated.js';
import { compileEngine, engineVersion } from './engine.js';
import { wasmBackend } from './backend.js';

const engine = compileEngine(ENGINE_BYTES_BASE64);
const wasm = wasmBackend('wasm-debug', engine, SHARED_ENGINE_BYTES_BASE64);

export const version: string = wasm.version;
export const wasmVersion: string = engineVersion(engine);
export const createFixedPool = wasm.createFixedPool;
export const createArena = wasm.createArena;
export const backend = wasm.backend;

export default backend;
