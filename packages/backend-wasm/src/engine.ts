import { readFileSync } from 'node:fs';
import { WebAssemblyApi, type WasmGlobal, type WasmMemory, type WasmModule } from './webassembly.js';

/**
 * The exports of build/mempool.wasm (assembly/index.ts). i32 results arrive signed: every offset
 * or count read from them goes through `>>> 0`.
 */
export interface Engine {
  readonly VERSION_MAJOR: WasmGlobal;
  readonly VERSION_MINOR: WasmGlobal;
  readonly VERSION_PATCH: WasmGlobal;

  fixedPoolInit(
    objectSize: number,
    slotSize: number,
    capacity: number,
    dataOffset: number,
    freeStack: number,
    liveEpoch: number,
    scratch: number,
  ): void;
  fixedPoolAlloc(): number;
  fixedPoolFree(handle: number): number;
  fixedPoolReset(): void;
  fixedPoolAllocMany(count: number): number;
  fixedPoolFreeManyCheck(count: number): number;
  fixedPoolFreeManyUndo(count: number): void;
  fixedPoolFreeManyCommitSlots(count: number): void;
  fixedPoolFreeManyCommit(count: number): void;
  fixedPoolRefusedAt(): number;
  fixedPoolStats(): void;

  arenaInit(dataOffset: number, bufferSize: number, scratch: number): void;
  arenaAlloc(size: number, align: number): number;
  arenaReset(): void;
  arenaOffset(): number;
  arenaGeneration(): number;
  arenaRewind(offset: number): number;
  arenaStats(): void;
}

/**
 * The module, compiled once, synchronously, when this package is imported (about 2 KB, so the
 * synchronous compile costs well under a millisecond). Every allocator instantiates it.
 */
export const wasmModule: WasmModule = new WebAssemblyApi.Module(
  readFileSync(new URL('../build/mempool.wasm', import.meta.url)),
);

/** The module's own report of its version (MP_VERSION_MAJOR.MINOR.PATCH, set from package.json at build). */
export const wasmVersion: string = (() => {
  const engine = instantiate(new WebAssemblyApi.Memory({ initial: 1, maximum: 1 }));
  return `${engine.VERSION_MAJOR.value}.${engine.VERSION_MINOR.value}.${engine.VERSION_PATCH.value}`;
})();

/**
 * The module is built with `--runtime stub` and no assertion reaches `abort` (it does not even
 * import it); should a future build import it, a trap still explains itself.
 */
function abort(message: number, fileName: number, line: number, column: number): never {
  throw new Error(`mempool.wasm aborted (message at ${message >>> 0}, file at ${fileName >>> 0}, ${line}:${column}): this is a bug in @mempool/backend-wasm`);
}

/** A fresh instance over `memory`: one per allocator, so the module's globals are its state. */
export function instantiate(memory: WasmMemory): Engine {
  return new WebAssemblyApi.Instance(wasmModule, { env: { memory, abort } }).exports as unknown as Engine;
}
