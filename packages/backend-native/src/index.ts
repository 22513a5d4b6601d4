import { VERSION } from '@mempool/api';
import { createNativeBackend, type NativeBackend } from './backend.js';
import { packageBinding } from './binding.js';

// Runtime exports are exactly the contract's: backend (also default), createFixedPool, createArena,
// version. The addon's binding stays inside the package (src/binding.ts).
export type { NativeBackend } from './backend.js';

/** This package's semver version; the C library's `mp_version()` reports the same. */
export const version: string = VERSION;

const binding = packageBinding();
if (binding.version !== version) {
  throw new Error(
    `@mempool/backend-native ${version} loaded an addon whose mp_version() is ${binding.version}: rebuild it (npm rebuild @mempool/backend-native)`,
  );
}

/** The C library through its Node-API binding. */
export const backend: NativeBackend = createNativeBackend(version);

/** Same-sized slots in a V8-owned `memory`, kept by the C library. */
export const createFixedPool: NativeBackend['createFixedPool'] = backend.createFixedPool;
/** A bump allocator over a V8-owned `memory`, kept by the C library. */
export const createArena: NativeBackend['createArena'] = backend.createArena;

export default backend;
