/**
 * `@mempool/backend-wasm/debug`: the same backend over the debug build of the engine, which
 * asserts the allocator's invariants after every call that changes its state (an `Error` naming
 * the file and line of the broken invariant, never a wrong handle). For tests and for hunting a
 * bug; a little slower than the release build.
 */
import { ENGINE_BYTES_BASE64 } from './engine-bytes-debug.generated.js';
import { ENGINE_BYTES_BASE64 as SHARED_ENGINE_BYTES_BASE64 } from './engine-bytes-shared.generated.js';
import { wasmBackend } from './backend.js';

export const { backend, version, wasmVersion, createFixedPool, createArena } = wasmBackend(
  'wasm-debug',
  ENGINE_BYTES_BASE64,
  SHARED_ENGINE_BYTES_BASE64,
);

export default backend;
