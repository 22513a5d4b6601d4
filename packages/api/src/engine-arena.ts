import type { ArenaGeometry } from './checks.js';
import { checkArenaAlloc, isAlign } from './checks.js';
import { DEFAULT_ALIGN } from './constants.js';
import type { Arena, ArenaStats, SharedArenaDescriptor } from './contract.js';
import type { ArenaEngine } from './engine.js';
import { busy, destroyed, detached, invalidType, unboundMethod } from './errors.js';
import { markGeneration, markOffset } from './marks.js';
import { badMark, Status } from './status.js';
import { ARENA_STATS_FIELDS, arenaStatsFrom } from './stats.js';

/** The contract's arena on every backend, around its engine, as `EngineFixedPool` is for pools. */
export class EngineArena implements Arena {
  readonly bufferSize: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;
  /** The engine EngineArena.over() passes to the constructor: see `#engine`. */
  static #nextEngine: ArenaEngine | undefined;
  /** Initialised from `#nextEngine`, as `EngineFixedPool`'s is (a field's first value fixes its type). */
  readonly #engine: ArenaEngine = EngineArena.#takeEngine();
  readonly #words = new Float64Array(ARENA_STATS_FIELDS.length);
  #destroyed = false;

  /** The contract's arena around `engine`, laid out as `geometry` says (derived once by the backend). */
  static over(geometry: ArenaGeometry, engine: ArenaEngine): EngineArena {
    EngineArena.#nextEngine = engine;
    return new EngineArena(geometry);
  }

  private constructor(geometry: ArenaGeometry) {
    this.bufferSize = geometry.bufferSize;
    this.dataOffset = geometry.dataOffset;
    this.memory = this.#engine.memory as ArrayBuffer;
  }

  get destroyed(): boolean {
    return EngineArena.#arena(this, 'destroyed').#destroyed;
  }

  alloc(size: number, align: number = DEFAULT_ALIGN): number {
    try {
      const engine = this.#engine;
      // Valid arguments cost two comparisons; the rest, and why an unusable arena refuses, off this path.
      // Valid arguments, any valid align, stay on this path (arena.mixed took 10-15% longer when
      // every other align went through #checkAlloc); DEFAULT_ALIGN is written as a literal, since
      // an imported binding costs a hole check per call.
      if (!(Number.isSafeInteger(size) && size >= 1) || (align !== 8 && !isAlign(align))) this.#checkAlloc(size, align);
      const handle = engine.alloc(size, align);
      if (handle === 0 && !engine.usable()) throw this.#unusable('alloc');
      return handle;
    } catch (error) {
      throw typeof this === 'object' && this !== null && #engine in this ? error : unboundMethod('Arena', 'alloc', this);
    }
  }

  reset(): void {
    if (EngineArena.#usable(this, 'reset').reset() === Status.BUSY) throw busy('Arena', 'reset', 'another reset or rewind is running');
  }

  mark(): number {
    const mark = EngineArena.#usable(this, 'mark').mark();
    // Marks are not negative: a negative one is a shared engine's `Status.BUSY`.
    if (mark < 0) throw busy('Arena', 'mark', 'a reset or rewind ran at the same time');
    return mark;
  }

  rewind(mark: number): void {
    const engine = EngineArena.#usable(this, 'rewind');
    const status = engine.rewind(mark);
    if (status === Status.OK) return;
    if (status === Status.BUSY) throw busy('Arena', 'rewind', 'another reset or rewind is running, or other holders allocated meanwhile');
    const current = engine.mark();
    throw badMark(mark, markOffset(current), markGeneration(current));
  }

  stats(): ArenaStats {
    EngineArena.#usable(this, 'stats').stats(this.#words);
    return arenaStatsFrom(this.#words);
  }

  /** A shared arena's descriptor for `backend.attachArena` (contract.ts, "Shared allocators"). */
  share(): SharedArenaDescriptor {
    const engine = EngineArena.#usable(this, 'share');
    if (engine.share === undefined) throw invalidType('this', 'an arena created with { shared: true }', 'an unshared arena');
    return engine.share();
  }

  destroy(): void {
    const arena = EngineArena.#arena(this, 'destroy');
    if (arena.#destroyed) return;
    arena.#destroyed = true;
    arena.#engine.destroy();
  }

  [Symbol.dispose](): void {
    EngineArena.#arena(this, 'destroy').destroy();
  }

  static #arena(receiver: unknown, method: string): EngineArena {
    if (typeof receiver !== 'object' || receiver === null || !(#engine in receiver)) throw unboundMethod('Arena', method, receiver);
    return receiver;
  }

  static #usable(receiver: unknown, method: string): ArenaEngine {
    const arena = EngineArena.#arena(receiver, method);
    if (arena.#destroyed || !arena.#engine.usable()) throw arena.#unusable(method);
    return arena.#engine;
  }

  /** `alloc`'s slow path: an unusable arena refuses first, then the arguments are checked in full. */
  #checkAlloc(size: unknown, align: unknown): void {
    EngineArena.#usable(this, 'alloc');
    checkArenaAlloc(size, align);
  }

  static #takeEngine(): ArenaEngine {
    const engine = EngineArena.#nextEngine;
    EngineArena.#nextEngine = undefined;
    if (engine === undefined) throw invalidType('engine', 'an engine, through EngineArena.over(geometry, engine)', engine);
    return engine;
  }

  #unusable(method: string): Error {
    return this.#destroyed ? destroyed('Arena', method) : detached('Arena', method);
  }
}
