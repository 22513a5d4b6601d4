import { invalidRange, invalidType, outOfMemory, Status } from '@mempool/api';
import { WebAssemblyApi, type WasmMemory, type WasmModule } from './webassembly.js';

/**
 * The shared engine's status for a call that needs quiescence and found another such call
 * running (`ERR_MEMPOOL_BUSY`).
 */
export const BUSY = Status.BUSY;

/** The layout version of the shared engine's state: attach refuses any other. */
export const SHARED_FORMAT = 1;

/** What a shared allocator needs to know of its backend: its name (in descriptors) and the shared engine module. */
export interface SharedEngineModule {
  readonly name: string;
  readonly module: WasmModule;
}

/** A descriptor's `state`: the shared WebAssembly.Memory that holds the allocator's bookkeeping. */
export function checkState(state: unknown): WasmMemory {
  const Memory = (WebAssemblyApi as unknown as { Memory: abstract new (...args: never[]) => WasmMemory }).Memory;
  if (!(state instanceof Memory) || Object.prototype.toString.call(state.buffer) !== '[object SharedArrayBuffer]') {
    throw invalidType('descriptor.state', 'the shared WebAssembly.Memory from share()', state);
  }
  return state;
}

/** The error for a status the shared engine's init returned (OK throws nothing). */
export function initRefusal(status: number, attach: boolean, what: string, bytes: number): Error | undefined {
  if (status === Status.OK) return undefined;
  if (attach) return invalidRange('descriptor.state', `the state of a ${what} with this geometry, from share()`, 'another state');
  if (status === Status.INVALID_ARGUMENT) {
    return invalidRange(
      'capacity',
      'small enough that 8 bytes of bookkeeping a slot fit a wasm32 memory (about 536 million slots)',
      bytes / 8,
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
