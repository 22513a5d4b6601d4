import { detach, reserveMemory } from './memory.js';
import type { WasmMemory } from './webassembly.js';

/**
 * What the plain engines share: `memory` is a wasm memory of the allocator's own (the header and
 * the data region, nothing else), which `destroy()` detaches, so every view over it reads as
 * length 0. The engine's bookkeeping is in its instance's private memory, not here.
 */
export abstract class OwnMemoryEngine {
  readonly memory: ArrayBuffer;
  #wasmMemory: WasmMemory | undefined;

  constructor(byteLength: number) {
    this.#wasmMemory = reserveMemory(byteLength);
    this.memory = this.#wasmMemory.buffer;
  }

  usable(): boolean {
    return this.#wasmMemory !== undefined;
  }

  /** Detaches `memory` and drops it; the subclass then drops its instance, so the collector frees both. */
  protected detachMemory(): void {
    if (this.#wasmMemory !== undefined) detach(this.#wasmMemory);
    this.#wasmMemory = undefined;
  }
}
