import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ENGINE_FACTS, runtimeName, unavailable } from '@mempool/api';

/**
 * The argument block's layout (`addon/engine_facts.h` is generated from the same table): indexes
 * into its `Float64Array`. Every call names its allocator by writing the allocator's id to `id`;
 * the hot paths take their arguments from `arg0`/`arg1` and write their result to `result`. A
 * create call that succeeds writes the new allocator's id to `result`.
 */
export const BLOCK = ENGINE_FACTS.argumentBlock;

/** What the addon hands out for an allocator: keep it as long as the allocator is used (the GC anchor). */
export type NativeAnchor = { readonly __nativeAnchor: unique symbol };

/**
 * What `addon/addon.cc`'s `open()` hands out, once per thread. Internal: the engines call it with
 * arguments `EngineFixedPool`/`EngineArena` (@mempool/api) checked, and the package never exports it. Every function but the
 * creators finds its allocator by the id in `block[BLOCK.id]`. Statuses are `Status` of
 * `@mempool/api`.
 */
export interface NativeBinding {
  readonly version: string;
  /** The argument block (`BLOCK.length` doubles that the addon owns). */
  readonly block: Float64Array;
  /**
   * A C allocator working in `memory` (which V8 owns): its anchor, with its id written to
   * `block[BLOCK.result]`. Or a status: `INVALID_ARGUMENT`, or `OUT_OF_MEMORY` with the refused
   * bookkeeping bytes in `block[BLOCK.result]`; `undefined` when Node-API refused (a worker
   * being terminated).
   */
  createFixedPool(memory: ArrayBuffer, objectSize: number, capacity: number, align: number): NativeAnchor | number | undefined;
  createArena(memory: ArrayBuffer, bufferSize: number, align: number): NativeAnchor | number | undefined;

  /** `[id]` -> `[result]`: a handle, or 0 when full (or the id names no live pool). */
  poolAlloc(): undefined;
  /** `[id, arg0 = handle]` -> `[result]`: a status. */
  poolFree(): undefined;
  /** How many handles it wrote to `out[0..]`, or a (negative) status. */
  poolAllocMany(out: Uint32Array | Float64Array, count: number): number;
  /** A status; when a handle is refused, its index is in `block[BLOCK.result]` (nothing freed). */
  poolFreeMany(handles: Uint32Array | Float64Array, count: number): number;
  /** `[id, arg0 = size, arg1 = align]` -> `[result]`: a handle, or 0. */
  arenaAlloc(): undefined;
  /** The mark, or `NULL_POINTER`. */
  arenaMark(): number;
  arenaRewind(mark: number): number;
  /** Either kind. */
  reset(): number;
  /** Fills `out` in `ENGINE_FACTS`' stats field order for the allocator's kind; a status. */
  stats(out: Float64Array): number;
  /**
   * Detaches `memory` if it is the allocator's (V8 frees it) and frees the C bookkeeping. Refused
   * (`INVALID_ARGUMENT`) unless `anchor` is the allocator's own.
   */
  destroy(memory: ArrayBuffer, anchor: NativeAnchor): number;

  /** How many C allocators (in every thread) are not freed yet. */
  liveAllocators(): number;
  sizes(): { fixedPool: number; arena: number; block: number };
  /** The absolute address of `memory`'s first byte (below 2^53 on 64-bit platforms); `undefined` if detached. */
  addressOf(memory: ArrayBuffer): number | undefined;
}

/** What the addon module exports: `open()` hands out the binding once. */
interface NativeModule {
  readonly version?: string;
  open?(): (Omit<NativeBinding, 'block' | 'version'> & { readonly block: ArrayBuffer }) | undefined;
}

/** The package's root (this file is in `src/` or `dist/`). */
export const packageRoot: string = fileURLToPath(new URL('..', import.meta.url));

const require = createRequire(import.meta.url);

/** The binding of a loaded addon module, opened now (so nothing else can open it first). */
function open(module: NativeModule, where: string): NativeBinding {
  const opened = typeof module.open === 'function' ? module.open() : undefined;
  if (opened === undefined || !(opened.block instanceof ArrayBuffer) || opened.block.byteLength < BLOCK.length * 8) {
    throw new Error(
      `@mempool/backend-native: the addon at ${where} did not hand out its binding (it is an older build, or other code opened it first)`,
    );
  }
  return Object.freeze({ ...opened, version: String(module.version), block: new Float64Array(opened.block, 0, BLOCK.length) });
}

/** The Node-API version the addon is built against (binding.gyp's NAPI_VERSION). */
const NAPI_NEEDED = 8;

/** What to do when no addon fits the platform: the message names what to install and what to run. */
export function noAddonMessage(cause: unknown): string {
  const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  return [
    `no addon loads for ${process.platform}-${process.arch} (Node-API ${process.versions.napi}): ${reason}`,
    'No prebuilt binary in prebuilds/ fits this platform, and none was built from source at install',
    "(npm runs a dependency's install script only when the project allows it). To build it from source:",
    '  1. install python3, make and a C++ compiler (Debian/Ubuntu: apt-get install python3 make g++;',
    '     macOS: xcode-select --install; Windows: Visual Studio Build Tools with "Desktop development with C++")',
    '  2. run `npm rebuild @mempool/backend-native` in your project',
    '     (or `npx node-gyp-build` in node_modules/@mempool/backend-native)',
    'Or use @mempool/backend-js, which needs no build: same handles, same API.',
  ].join('\n');
}

/**
 * The addon node-gyp built (`build/Release`), or the prebuild for this platform, found by
 * node-gyp-build. A runtime that cannot load it is refused with `ERR_MEMPOOL_UNAVAILABLE` naming the
 * runtime and why: no Node-API, an older Node-API than the addon's, no addon for the platform, or
 * the runtime's own refusal (Deno without `--allow-ffi` says so).
 */
export function loadBinding(): NativeBinding {
  const napi = Number(process.versions.napi);
  if (!(napi >= NAPI_NEEDED)) {
    const why =
      process.versions.napi === undefined
        ? 'it has no Node-API (process.versions.napi is not set)'
        : `its Node-API is version ${process.versions.napi}; the addon needs ${NAPI_NEEDED}`;
    throw unavailable('native', runtimeName(), why);
  }
  const nodeGypBuild = require('node-gyp-build') as (dir: string) => NativeModule;
  let module: NativeModule;
  try {
    module = nodeGypBuild(packageRoot);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const why = reason.startsWith('No native build was found') ? noAddonMessage(error) : `its loader refused the addon: ${reason}`;
    throw unavailable('native', runtimeName(), why, error);
  }
  return open(module, packageRoot);
}

let packaged: NativeBinding | undefined;

/**
 * The binding the package itself uses (loaded and opened on first use). Internal: the package's
 * tests reach it through this module; the package's exports never do. `MEMPOOL_NATIVE_ADDON`, set
 * before the package is imported, names another build of the addon to load instead (the fuzz
 * test's AddressSanitizer build): the engines call the binding's functions through
 * module constants, since a call target V8 sees as constant made the alloc+free pair ~15% faster
 * than one read from a field (bench pool.pair, 31.4-32.4 ns against 36.8-37.2 ns, under load).
 */
export function packageBinding(): NativeBinding {
  const path = process.env.MEMPOOL_NATIVE_ADDON;
  packaged ??= path ? loadBindingFrom(path) : loadBinding();
  return packaged;
}

/** An addon at an explicit path (the AddressSanitizer build of the fuzz test). */
export function loadBindingFrom(path: string): NativeBinding {
  return open(require(path) as NativeModule, path);
}
