import { outOfMemory } from '@mempool/api';
import type { Engine, SharedEngine } from './engine-exports.generated.js';
import { WebAssemblyApi, type WasmMemory, type WasmModule } from './webassembly.js';

export type { Engine, SharedEngine } from './engine-exports.generated.js';

/** The bytes of a module embedded by scripts/build-wasm.mjs (base64), decoded with the web's `atob`. */
function decodeBase64(base64: string): Uint8Array {
  const binary = (globalThis as unknown as { atob(data: string): string }).atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Compiles an embedded module synchronously (both builds are under the 4 KB that Chrome compiles
 * synchronously on its main thread), so importing the package is all it takes.
 */
export function compileEngine(base64: string): WasmModule {
  return new WebAssemblyApi.Module(decodeBase64(base64));
}

/** Pages the engine's private memory may grow to: the whole of wasm32. */
const WASM32_PAGES = 65536;

/** An engine: the instance's exports and its memory (bookkeeping and scratch). */
export interface EngineInstance<Exports = Engine> {
  readonly exports: Exports;
  readonly memory: WasmMemory;
}

/**
 * A fresh instance of `module` over a fresh private memory: one per allocator, so the module's
 * globals are its state and nothing the user can reach shares memory with its bookkeeping.
 */
export function instantiate(module: WasmModule): EngineInstance {
  return instantiateOver(module, new WebAssemblyApi.Memory({ initial: 1, maximum: WASM32_PAGES }));
}

/** Pages for the shared engine's own static data below the state, with room to spare. */
const SHARED_RESERVED_PAGES = 4;

/**
 * A fresh shared memory for an allocator's state of at most `stateBytes`. Its maximum is what the
 * state needs, not the 4 GiB wasm32 allows: an engine reserves a shared memory's whole maximum up
 * front (it can never move), and Chromium refuses new ones once a few 4 GiB reservations are alive.
 */
export function newSharedState(stateBytes: number): WasmMemory {
  const pages = Math.min(WASM32_PAGES, Math.ceil(stateBytes / 65536) + SHARED_RESERVED_PAGES);
  try {
    return new WebAssemblyApi.Memory({ initial: 1, maximum: pages, shared: true });
  } catch (error) {
    // A browser that still holds many shared memories refuses another (packages/backend-wasm/README.md, Limits).
    throw outOfMemory(pages * 65536, error, 'a shared WebAssembly.Memory for the state');
  }
}

/**
 * An instance of the shared engine over `memory`: a fresh one from `newSharedState` for a new
 * allocator, or the one `share()` handed out, for another holder of it.
 */
export function instantiateShared(module: WasmModule, memory: WasmMemory): EngineInstance<SharedEngine> {
  return instantiateOver(module, memory);
}

function instantiateOver<Exports>(module: WasmModule, memory: WasmMemory): EngineInstance<Exports> {
  // Only the debug build imports `abort`: an assertion of an invariant failed.
  const abort = (_message: number, fileName: number, line: number, column: number): never => {
    throw new Error(
      `mempool.wasm: an invariant failed at ${readString(memory, fileName)}:${line}:${column}; this is a bug in @mempool/backend-wasm`,
    );
  };
  const instance = new WebAssemblyApi.Instance(module, { env: { memory, abort } });
  return { exports: instance.exports as Exports, memory };
}

/** An AssemblyScript string (UTF-16, its byte length in the word before it) from the engine's memory. */
function readString(memory: WasmMemory, pointer: number): string {
  const address = pointer >>> 0;
  if (address < 4 || address > memory.buffer.byteLength) return '?';
  const bytes = new Uint32Array(memory.buffer, address - 4, 1)[0]!;
  return String.fromCharCode(...new Uint16Array(memory.buffer, address, Math.min(bytes >>> 1, 256)));
}

/** The module's own report of its version (VERSION_MAJOR.MINOR.PATCH, from ENGINE_FACTS). */
export function engineVersion(module: WasmModule): string {
  const { exports } = instantiate(module);
  return `${exports.VERSION_MAJOR.value}.${exports.VERSION_MINOR.value}.${exports.VERSION_PATCH.value}`;
}
