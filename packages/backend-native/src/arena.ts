import {
  ARENA_STATS_FIELDS,
  type Arena,
  type ArenaOptions,
  type ArenaStats,
  arenaGeometry,
  arenaStatsFrom,
  badMark,
  checkArenaAlloc,
  DEFAULT_ALIGN,
  destroyed,
  detached,
  MAX_MEMORY_BYTES,
  markGeneration,
  markOffset,
  Status,
  unboundMethod,
} from '@mempool/api';
import { BLOCK, type NativeAnchor, packageBinding } from './binding.js';
import { created, destroyIn, reserveMemory } from './memory.js';
import { refuseShared } from './shared-refusal.js';

// The argument block's indexes, as module constants (the hot paths read them on every call).
const { id: ID, arg0: ARG0, arg1: ARG1, result: RESULT } = BLOCK;
// The addon's functions as module constants: see packageBinding for why not fields.
const binding = packageBinding();
const { block, arenaAlloc, arenaMark, arenaRewind } = binding;

/**
 * An arena kept by the C library through the package's binding; calls name it through the argument block as
 * `NativeFixedPool`'s do (`alloc` passes its arguments and result through the block too).
 */
export class NativeArena implements Arena {
  readonly bufferSize: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;
  /** The arena's id in the addon's table: what every call writes to the block. */
  readonly #id: number;
  /** Keeps the C arena alive as long as this object is reachable; destroy() shows it to the addon. */
  readonly #anchor: NativeAnchor;
  /**
   * One byte of `memory`: its length reads 0 once `memory` is detached (by destroy() or by other
   * code), and optimized code reads it faster than `memory.byteLength`.
   */
  readonly #probe: Uint8Array;
  readonly #stats = new Float64Array(ARENA_STATS_FIELDS.length);
  #destroyed = false;

  constructor(bufferSize: number, options?: ArenaOptions) {
    const layout = arenaGeometry(bufferSize, options, MAX_MEMORY_BYTES);
    refuseShared(options);
    const memory = reserveMemory(layout.byteLength);
    this.#anchor = created(binding, binding.createArena(memory, layout.bufferSize, layout.align), layout.byteLength);
    this.#id = block[RESULT]!;
    this.bufferSize = layout.bufferSize;
    this.dataOffset = layout.dataOffset;
    this.memory = memory;
    this.#probe = new Uint8Array(memory, 0, 1);
  }

  // The constructor's tail, #idOf and #unusable repeat NativeFixedPool's: a private name (#id) is
  // reachable only inside its own class, so they cannot be written once here; one contract class
  // per allocator kind in @mempool/api (issue 20, item 1) is what removes the copy.
  /** `arena`'s id; the contract's error when a method was called without its arena (unbound). */
  static #idOf(arena: NativeArena, method: string): number {
    try {
      return arena.#id;
    } catch {
      throw unboundMethod('Arena', method, arena);
    }
  }

  #unusable(method: string): Error {
    return this.#destroyed ? destroyed('Arena', method) : detached('Arena', method);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  alloc(size: number, align: number = DEFAULT_ALIGN): number {
    const id = NativeArena.#idOf(this, 'alloc');
    if (this.#probe.length === 0) throw this.#unusable('alloc');
    checkArenaAlloc(size, align);
    // size and align are numbers here (checked above): writing them runs no JavaScript.
    block[ID] = id;
    block[ARG0] = size;
    block[ARG1] = align;
    arenaAlloc();
    return block[RESULT]!;
  }

  reset(): void {
    const id = NativeArena.#idOf(this, 'reset');
    if (this.#probe.length === 0) throw this.#unusable('reset');
    block[ID] = id;
    binding.reset();
  }

  mark(): number {
    const id = NativeArena.#idOf(this, 'mark');
    if (this.#probe.length === 0) throw this.#unusable('mark');
    block[ID] = id;
    return arenaMark();
  }

  rewind(mark: number): void {
    const id = NativeArena.#idOf(this, 'rewind');
    if (this.#probe.length === 0) throw this.#unusable('rewind');
    block[ID] = id;
    if (typeof mark !== 'number' || arenaRewind(mark) !== Status.OK) {
      const current = arenaMark();
      throw badMark(mark, markOffset(current), markGeneration(current));
    }
  }

  stats(): ArenaStats {
    const id = NativeArena.#idOf(this, 'stats');
    if (this.#probe.length === 0) throw this.#unusable('stats');
    block[ID] = id;
    binding.stats(this.#stats);
    return arenaStatsFrom(this.#stats);
  }

  destroy(): void {
    const id = NativeArena.#idOf(this, 'destroy');
    if (this.#destroyed) return;
    this.#destroyed = true;
    block[ID] = id;
    destroyIn(binding, this.memory, this.#anchor);
  }

  [Symbol.dispose](): void {
    this.destroy();
  }
}
