import { invalidRange, invalidType, outOfMemory, Status } from '@mempool/api';
import { WebAssemblyApi, type WasmMemory, type WasmModule } from './webassembly.js';

/**
 * The shared engine's status for a call that needs quiescence and found another such call
 * running (`ERR_MEMPOOL_BUSY`).
 */
export const BUSY = Status.BUSY;

/** The layout version of the shared engine's state: attach refuses any other. */
export const SHARED_FORMAT = 2;

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

/** The error for a status a shared engine's create returned (OK throws nothing). */
export function createRefusal(status: number, bytes: number): Error | undefined {
  if (status === Status.OK) return undefined;
  if (status === Status.INVALID_ARGUMENT) {
    return invalidRange(
      'capacity',
      'small enough that 12 bytes of bookkeeping a slot fit a wasm32 memory (about 357 million slots)',
      bytes / 12,
    );
  }
  return outOfMemory(bytes);
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
