/**
 * The mempool WebAssembly module. Every allocator instantiates it once with its own private
 * `env.memory`, so these globals are that allocator's state. Built by scripts/build-wasm.mjs:
 * `build/mempool.wasm` (release, `--noAssert`) and `build/mempool.debug.wasm` (the invariants
 * asserted after every call that changes the state).
 */
export * from './fixed-pool';
export * from './arena';
export { engineScratch } from './engine-memory';
/** The package version, as the C library's MP_VERSION_MAJOR/MINOR/PATCH (from ENGINE_FACTS). */
export { VERSION_MAJOR, VERSION_MINOR, VERSION_PATCH } from './engine-facts';
/** Handles a batch chunk carries through the scratch: `allocMany`/`freeMany` cross this many at a time. */
export { BATCH_ENTRIES } from './engine-memory';
