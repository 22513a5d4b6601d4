/**
 * The shared engine module (build/mempool.shared.wasm, built with the threads feature): pools and
 * arenas whose whole state lives in a shared WebAssembly.Memory, so that holders in any number of
 * workers (each with its own instance of this module over that memory) use one allocator at once.
 */
export * from './shared-fixed-pool';
export * from './shared-arena';
export { sharedHeaderAddress } from './shared-header';
export { BUSY } from './shared-words';
