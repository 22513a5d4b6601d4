/**
 * The mempool WebAssembly module. Every allocator instantiates it once with its own imported
 * `env.memory`, so these globals are that allocator's state. Built by scripts/build-wasm.mjs
 * (`asc --runtime stub --importMemory -O3`), which passes the package version as the
 * compile-time constants MP_VERSION_MAJOR/MINOR/PATCH.
 */
export * from './fixed-pool';
export * from './arena';

/** The package version, as the C library's MP_VERSION_MAJOR/MINOR/PATCH. */
export const VERSION_MAJOR: u32 = MP_VERSION_MAJOR;
export const VERSION_MINOR: u32 = MP_VERSION_MINOR;
export const VERSION_PATCH: u32 = MP_VERSION_PATCH;
