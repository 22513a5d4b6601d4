import { ENGINE_BYTES_BASE64 } from './engine-bytes.generated.js';
import { ENGINE_BYTES_BASE64 as SHARED_ENGINE_BYTES_BASE64 } from './engine-bytes-shared.generated.js';
import { wasmBackend } from './backend.js';

/**
 * The AssemblyScript backend over the release engine, embedded in this module and compiled
 * synchronously at import: one small module, one instance and two memories per allocator.
 * `version` is this package's semver version, which the module reports as `wasmVersion`;
 * `createFixedPool` and `createArena` make allocators in fresh wasm memories of their own.
 */
export const { backend, version, wasmVersion, createFixedPool, createArena } = wasmBackend(
  'wasm',
  ENGINE_BYTES_BASE64,
  SHARED_ENGINE_BYTES_BASE64,
);

export default backend;
