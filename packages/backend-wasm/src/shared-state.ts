import { invalidType, outOfMemory, Status } from '@mempool/api';
import { WebAssemblyApi, type WasmMemory, type WasmModule } from './webassembly.js';

/**
 * The shared engine's status for a call that needs quiescence and found another such call
 * running (`ERR_MEMPOOL_BUSY`).
 */
export const BUSY = Status.BUSY;

/** The layout version of the shared engine's state: attach refuses any other. */
export const SHARED_FORMAT = 2;

/**
 * Bytes of a shared pool's state a slot: the u32 arrays `next`, `link` and `live` of
 * assembly/shared-fixed-pool.ts (the rest of the state fits the pages `newSharedState` reserves).
 */
export const SHARED_POOL_BYTES_PER_SLOT = 3 * Uint32Array.BYTES_PER_ELEMENT;

/** What a shared allocator needs to know of its backend: its name (in descriptors) and the shared engine module. */
export interface SharedEngineModule {
  readonly name: string;
  readonly module: WasmModule;
}

/** WebAssembly.Memory's own `buffer` getter: a proxy or an object with its own `buffer` cannot pass for a memory. */
const memoryBufferOf = Object.getOwnPropertyDescriptor(
  (WebAssemblyApi as unknown as { Memory: { prototype: object } }).Memory.prototype,
  'buffer',
)?.get;

/**
 * A descriptor's `state`: the shared WebAssembly.Memory that holds the allocator's bookkeeping,
 * with its buffer as the memory itself answers (the attach checks read that, not a property).
 */
export function checkState(state: unknown): { memory: WasmMemory; buffer: SharedArrayBuffer } {
  let buffer: unknown;
  try {
    buffer = memoryBufferOf?.call(state);
  } catch {
    buffer = undefined;
  }
  if (Object.prototype.toString.call(buffer) !== '[object SharedArrayBuffer]') {
    throw invalidType('descriptor.state', 'the shared WebAssembly.Memory from share()', state);
  }
  return { memory: state as WasmMemory, buffer: buffer as SharedArrayBuffer };
}

/**
 * A shared allocator's `memory`: a zeroed `SharedArrayBuffer` of exactly `bytes` (the engine never
 * touches it, so it need not be a wasm memory), or `ERR_MEMPOOL_OUT_OF_MEMORY`.
 */
export function reserveShared(bytes: number): SharedArrayBuffer {
  try {
    return new SharedArrayBuffer(bytes);
  } catch (error) {
    throw outOfMemory(bytes, error);
  }
}
