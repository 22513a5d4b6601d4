import {
  arenaStatsFrom,
  attachedArenaGeometry,
  badMark,
  busy,
  checkArenaAlloc,
  destroyed,
  encodeMark,
  invalidRange,
  arenaGeometry,
  rewindOffset,
  DEFAULT_ALIGN,
  MARK_GENERATIONS,
  unboundMethod,
  type ArenaGeometry,
  type ArenaStats,
  type SharedArena,
  type SharedArenaDescriptor,
} from '@mempool/api';
import {
  ARENA_KIND,
  countOne,
  IDENTITY_LINES,
  LINE,
  lineWord,
  raiseTo,
  readCount,
  reserveShared,
  newTag,
  verifyIdentity,
  writeIdentity,
} from './shared-words.js';

/** The layout version of the state below: `attachArena` refuses any other. */
export const SHARED_ARENA_FORMAT = 2;

// Lines 0 and 1 are the identity (shared-words.ts), written once at creation and checked by attach.
/** Bytes used from the start of the data region (below 2^32): the word every alloc bumps. */
const OFFSET = lineWord(IDENTITY_LINES);
/**
 * Even while no `reset` or `rewind` runs; they make it odd while they work and add 2 in all, so
 * `mark` can tell whether it read `generation` and `offset` from one state.
 */
const SEQUENCE = lineWord(IDENTITY_LINES + 1);
/** Resets so far, modulo 2^20 (what makes a mark from before a reset stale). */
const GENERATION = SEQUENCE + 1;
/**
 * Counters: `peakOffset`, then 64-bit `allocations` and `failedAllocs`. The offset only grows
 * between resets and rewinds, so the peak is `max(PEAK, offset)` and only `reset`/`rewind` record
 * it before they lower the offset: `alloc` pays nothing for it.
 */
const PEAK = lineWord(IDENTITY_LINES + 2);
const ALLOCATIONS = PEAK + 1;
const FAILED = PEAK + 3;
const STATE_BYTES = (IDENTITY_LINES + 3) * LINE;

/**
 * An arena that many workers use at once (contract.ts, "Shared allocators"), lock-free: `alloc`
 * bumps the offset with a compare-and-swap loop, so two allocations never overlap, and a failed
 * one changes nothing but `failedAllocs`. Same handles, marks and stats as `JsArena` from one
 * thread.
 */
export class SharedJsArena implements SharedArena {
  readonly bufferSize: number;
  readonly dataOffset: number;
  readonly memory: SharedArrayBuffer;

  readonly #state: SharedArrayBuffer;
  readonly #words: Uint32Array;
  readonly #align: number;
  #destroyed = false;

  /** A new arena, or (with `memory` and `state`) another holder of an existing one. */
  constructor(layout: ArenaGeometry, memory?: SharedArrayBuffer, state?: SharedArrayBuffer) {
    this.bufferSize = layout.bufferSize;
    this.dataOffset = layout.dataOffset;
    this.#align = layout.align;
    this.memory = memory ?? reserveShared(layout.byteLength);
    this.#state = state ?? reserveShared(STATE_BYTES);
    this.#words = new Uint32Array(this.#state);
    if (state === undefined) {
      writeIdentity(this.#state, this.memory, ARENA_KIND, SHARED_ARENA_FORMAT, {
        objectSize: 0,
        slotSize: 0,
        capacity: 0,
        align: layout.align,
        dataOffset: layout.dataOffset,
        bufferSize: layout.bufferSize,
        memoryBytes: this.memory.byteLength,
        stateBytes: STATE_BYTES,
        tag: newTag(),
      });
    }
  }

  /**
   * Another holder of the arena `descriptor` came from (`backend.attachArena`). The geometry comes
   * from the bookkeeping, which the descriptor must match field by field.
   */
  static attach(descriptor: unknown): SharedJsArena {
    const { descriptor: d } = attachedArenaGeometry(descriptor, 'js', SHARED_ARENA_FORMAT);
    const recorded = verifyIdentity(d, ARENA_KIND, SHARED_ARENA_FORMAT, ['bufferSize', 'align']);
    const layout = arenaGeometry(recorded.bufferSize, { align: recorded.align }, recorded.memoryBytes);
    if (layout.dataOffset !== recorded.dataOffset || layout.byteLength !== recorded.memoryBytes || recorded.stateBytes !== STATE_BYTES) {
      throw invalidRange('descriptor.state', "an arena's bookkeeping whose geometry is consistent", 'a damaged identity line');
    }
    return new SharedJsArena(layout, d.memory, d.state as SharedArrayBuffer);
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  share(): SharedArenaDescriptor {
    SharedJsArena.#check(this, 'share');
    return {
      kind: 'Arena',
      backend: 'js',
      format: SHARED_ARENA_FORMAT,
      bufferSize: this.bufferSize,
      align: this.#align,
      memory: this.memory,
      state: this.#state,
    };
  }

  alloc(size: number, align: number = DEFAULT_ALIGN): number {
    SharedJsArena.#check(this, 'alloc');
    checkArenaAlloc(size, align);
    const words = this.#words;
    for (;;) {
      const offset = Atomics.load(words, OFFSET);
      const end = this.dataOffset + offset;
      // `&` keeps the low 32 bits, and align <= 4096 needs only 12 of them: exact past 2^31 too.
      const misalignment = end & (align - 1);
      const start = misalignment === 0 ? end : end + align - misalignment;
      if (start + size > this.dataOffset + this.bufferSize) {
        countOne(words, FAILED);
        return 0;
      }
      const next = start + size - this.dataOffset;
      if (Atomics.compareExchange(words, OFFSET, offset, next) !== offset) continue;
      countOne(words, ALLOCATIONS);
      return start;
    }
  }

  reset(): void {
    SharedJsArena.#check(this, 'reset');
    const words = this.#words;
    const sequence = this.#enter('reset');
    Atomics.store(words, GENERATION, (Atomics.load(words, GENERATION) + 1) % MARK_GENERATIONS);
    raiseTo(words, PEAK, Atomics.exchange(words, OFFSET, 0));
    Atomics.store(words, SEQUENCE, sequence + 2);
  }

  mark(): number {
    SharedJsArena.#check(this, 'mark');
    const words = this.#words;
    const sequence = Atomics.load(words, SEQUENCE);
    const generation = Atomics.load(words, GENERATION);
    const offset = Atomics.load(words, OFFSET);
    if ((sequence & 1) !== 0 || Atomics.load(words, SEQUENCE) !== sequence) {
      throw busy('Arena', 'mark', 'a reset or rewind ran at the same time');
    }
    return encodeMark(generation, offset);
  }

  rewind(mark: number): void {
    SharedJsArena.#check(this, 'rewind');
    const words = this.#words;
    const sequence = this.#enter('rewind');
    const generation = Atomics.load(words, GENERATION);
    const current = Atomics.load(words, OFFSET);
    const offset = rewindOffset(mark, generation, current);
    raiseTo(words, PEAK, current);
    // Rewinding while the end moves would give back an allocation made after this call began.
    const refusal =
      offset < 0
        ? badMark(mark, current, generation)
        : Atomics.compareExchange(words, OFFSET, current, offset) !== current
          ? busy('Arena', 'rewind', 'other holders allocated meanwhile')
          : undefined;
    Atomics.store(words, SEQUENCE, sequence + (refusal === undefined ? 2 : 0));
    if (refusal !== undefined) throw refusal;
  }

  stats(): ArenaStats {
    SharedJsArena.#check(this, 'stats');
    const words = this.#words;
    const offset = Atomics.load(words, OFFSET);
    return arenaStatsFrom([
      this.bufferSize,
      offset,
      this.bufferSize - offset,
      readCount(words, ALLOCATIONS),
      Math.max(Atomics.load(words, PEAK), offset),
      readCount(words, FAILED),
    ]);
  }

  /** Ends this holder only; as `SharedJsFixedPool.destroy`. */
  destroy(): void {
    try {
      this.#destroyed = true;
    } catch {
      throw unboundMethod('Arena', 'destroy', this);
    }
  }

  [Symbol.dispose](): void {
    this.destroy();
  }

  /**
   * Throws unless \`receiver\` is a holder that is not destroyed: reading a private field is the
   * brand check, so a method that lost its \`this\` (\`handles.forEach(pool.free)\`) gets the
   * contract's TypeError, and a correct call pays for nothing but the read.
   */
  static #check(receiver: SharedJsArena, method: string): void {
    let gone: boolean;
    try {
      gone = receiver.#destroyed;
    } catch {
      throw unboundMethod('Arena', method, receiver);
    }
    if (gone) throw destroyed('Arena', method);
  }

  /** Makes `sequence` odd for a reset or rewind, or refuses when another one is running. */
  #enter(method: string): number {
    const words = this.#words;
    const sequence = Atomics.load(words, SEQUENCE);
    if ((sequence & 1) !== 0 || Atomics.compareExchange(words, SEQUENCE, sequence, sequence + 1) !== sequence) {
      throw busy('Arena', method, 'another reset or rewind is running');
    }
    return sequence;
  }
}
