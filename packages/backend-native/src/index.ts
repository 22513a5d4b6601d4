import { createRequire } from 'node:module';
import type { Arena, ArenaOptions, FixedPool, FixedPoolOptions } from '@mempool/api';
import { createNativeBackend, type NativeBackend } from './backend.js';
import { loadBinding } from './binding.js';

// Runtime exports are exactly the contract's: backend (also default), createFixedPool, createArena,
// version. `createNativeBackend` (over another build of the addon) is in ./backend.js.
export type { NativeBackend } from './backend.js';
export type { NativeBinding } from './binding.js';

/** This package's semver version; the C library's `mp_version()` reports the same. */
export const version: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

const binding = loadBinding();
if (binding.version !== version) {
  throw new Error(`@mempool/backend-native ${version} loaded an addon whose mp_version() is ${binding.version}: rebuild it (npm run build -w @mempool/backend-native)`);
}

/** The C library through its node-addon-api binding. */
export const backend: NativeBackend = createNativeBackend(binding, version);

/** Same-sized slots in a V8-owned `memory`, kept by the C library (`{ shared: true }` is refused). */
export function createFixedPool(objectSize: number, capacity: number, options: FixedPoolOptions & { readonly shared: true }): never;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool;
export function createFixedPool(objectSize: number, capacity: number, options?: FixedPoolOptions): FixedPool {
  return backend.createFixedPool(objectSize, capacity, options);
}
/** A bump allocator over a V8-owned `memory`, kept by the C library (`{ shared: true }` is refused). */
export function createArena(bufferSize: number, options: ArenaOptions & { readonly shared: true }): never;
export function createArena(bufferSize: number, options?: ArenaOptions): Arena;
export function createArena(bufferSize: number, options?: ArenaOptions): Arena {
  return backend.createArena(bufferSize, options);
}

export default backend;
