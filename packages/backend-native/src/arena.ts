import { type ArenaEngine, type ArenaGeometry, Status } from '@mempool/api';
import { BLOCK, type NativeAnchor, packageBinding } from './binding.js';
import { created, destroyIn, reserveMemory, UNUSABLE } from './memory.js';

// The argument block's indexes, as module constants (the hot paths read them on every call).
const { id: ID, arg0: ARG0, arg1: ARG1, result: RESULT } = BLOCK;
// The addon's functions as module constants: see packageBinding for why not fields.
const binding = packageBinding();
const { block, arenaAlloc, arenaMark, arenaRewind } = binding;

/**
 * An arena kept by the C library, as `EngineArena` (@mempool/api) drives it; calls name it through
 * the argument block as `NativeFixedPoolEngine`'s do (`alloc` passes its arguments and result
 * through the block too).
 */
export class NativeArenaEngine implements ArenaEngine {
  readonly memory: ArrayBuffer;
  /** The arena's id in the addon's table: what every call writes to the block. */
  readonly #id: number;
  /** Keeps the C arena alive as long as this engine is reachable; destroy() shows it to the addon. */
  readonly #anchor: NativeAnchor;
  /** One byte of `memory`, read as `NativeFixedPoolEngine`'s is. */
  #probe: Uint8Array;

  constructor(geometry: ArenaGeometry) {
    const memory = reserveMemory(geometry.byteLength);
    this.#anchor = created(binding, binding.createArena(memory, geometry.bufferSize, geometry.align), geometry.byteLength);
    this.#id = block[RESULT]!;
    this.memory = memory;
    this.#probe = new Uint8Array(memory, 0, 1);
  }

  usable(): boolean {
    return this.#probe.length !== 0;
  }

  alloc(size: number, align: number): number {
    if (this.#probe.length === 0) return 0;
    // EngineArena checked that size and align are numbers: writing them runs no JavaScript.
    block[ID] = this.#id;
    block[ARG0] = size;
    block[ARG1] = align;
    arenaAlloc();
    return block[RESULT]!;
  }

  reset(): number {
    block[ID] = this.#id;
    return binding.reset();
  }

  mark(): number {
    block[ID] = this.#id;
    return arenaMark();
  }

  rewind(mark: unknown): number {
    if (typeof mark !== 'number') return Status.INVALID_HANDLE;
    block[ID] = this.#id;
    return arenaRewind(mark);
  }

  stats(words: Float64Array): void {
    block[ID] = this.#id;
    binding.stats(words);
  }

  destroy(): void {
    block[ID] = this.#id;
    destroyIn(binding, this.memory, this.#anchor);
    this.#probe = UNUSABLE;
  }
}
