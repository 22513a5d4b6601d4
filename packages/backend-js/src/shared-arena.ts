import {
  arenaDescriptor,
  attachedArenaGeometry,
  encodeMark,
  invalidRange,
  arenaGeometry,
  rewindOffset,
  MARK_GENERATIONS,
  Status,
  type ArenaEngine,
  type ArenaGeometry,
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

/** The format version of the state below: `attachArena` refuses any other. */
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
export class SharedJsArenaEngine implements ArenaEngine {
  readonly geometry: ArenaGeometry;
  readonly bufferSize: number;
  readonly dataOffset: number;
  readonly memory: SharedArrayBuffer;

  readonly #state: SharedArrayBuffer;
  readonly #words: Uint32Array;
  #destroyed = false;

  /** A new arena, or (with `memory` and `state`) another holder of an existing one. */
  constructor(geometry: ArenaGeometry, memory?: SharedArrayBuffer, state?: SharedArrayBuffer) {
    this.geometry = geometry;
    this.bufferSize = geometry.bufferSize;
    this.dataOffset = geometry.dataOffset;
    this.memory = memory ?? reserveShared(geometry.byteLength);
    this.#state = state ?? reserveShared(STATE_BYTES);
    this.#words = new Uint32Array(this.#state);
    if (state === undefined) {
      writeIdentity(this.#state, this.memory, ARENA_KIND, SHARED_ARENA_FORMAT, {
        objectSize: 0,
        slotSize: 0,
        capacity: 0,
        align: geometry.align,
        dataOffset: geometry.dataOffset,
        bufferSize: geometry.bufferSize,
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
  static attach(descriptor: unknown): SharedJsArenaEngine {
    const { descriptor: d } = attachedArenaGeometry(descriptor, 'js', SHARED_ARENA_FORMAT);
    const recorded = verifyIdentity(d, ARENA_KIND, SHARED_ARENA_FORMAT, ['bufferSize', 'align']);
    const geometry = arenaGeometry(recorded.bufferSize, { align: recorded.align }, recorded.memoryBytes);
    if (
      geometry.dataOffset !== recorded.dataOffset ||
      geometry.byteLength !== recorded.memoryBytes ||
      recorded.stateBytes !== STATE_BYTES
    ) {
      throw invalidRange('descriptor.state', "an arena's bookkeeping whose geometry is consistent", 'a damaged identity line');
    }
    return new SharedJsArenaEngine(geometry, d.memory, d.state as SharedArrayBuffer);
  }

  usable(): boolean {
    return !this.#destroyed;
  }

  share(): SharedArenaDescriptor {
    return arenaDescriptor('js', SHARED_ARENA_FORMAT, this.geometry, this.memory, this.#state);
  }

  alloc(size: number, align: number): number {
    if (this.#destroyed) return 0;
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

  reset(): number {
    const words = this.#words;
    const sequence = this.#enter();
    if (sequence < 0) return Status.BUSY;
    Atomics.store(words, GENERATION, (Atomics.load(words, GENERATION) + 1) % MARK_GENERATIONS);
    raiseTo(words, PEAK, Atomics.exchange(words, OFFSET, 0));
    Atomics.store(words, SEQUENCE, sequence + 2);
    return Status.OK;
  }

  mark(): number {
    const words = this.#words;
    const sequence = Atomics.load(words, SEQUENCE);
    const generation = Atomics.load(words, GENERATION);
    const offset = Atomics.load(words, OFFSET);
    if ((sequence & 1) !== 0 || Atomics.load(words, SEQUENCE) !== sequence) return Status.BUSY;
    return encodeMark(generation, offset);
  }

  rewind(mark: number): number {
    const words = this.#words;
    const sequence = this.#enter();
    if (sequence < 0) return Status.BUSY;
    const generation = Atomics.load(words, GENERATION);
    const current = Atomics.load(words, OFFSET);
    const offset = rewindOffset(mark, generation, current);
    raiseTo(words, PEAK, current);
    // Rewinding while the end moves would give back an allocation made after this call began.
    const status =
      offset < 0 ? Status.INVALID_HANDLE : Atomics.compareExchange(words, OFFSET, current, offset) !== current ? Status.BUSY : Status.OK;
    Atomics.store(words, SEQUENCE, sequence + (status === Status.OK ? 2 : 0));
    return status;
  }

  stats(words: Float64Array): void {
    const state = this.#words;
    const offset = Atomics.load(state, OFFSET);
    words[0] = this.bufferSize;
    words[1] = offset;
    words[2] = this.bufferSize - offset;
    words[3] = readCount(state, ALLOCATIONS);
    words[4] = Math.max(Atomics.load(state, PEAK), offset);
    words[5] = readCount(state, FAILED);
  }

  /** Ends this holder only: the other holders keep the arena. */
  destroy(): void {
    this.#destroyed = true;
  }

  /** Makes `sequence` odd for a reset or rewind and returns it, or -1 when another one is running. */
  #enter(): number {
    const words = this.#words;
    const sequence = Atomics.load(words, SEQUENCE);
    if ((sequence & 1) !== 0 || Atomics.compareExchange(words, SEQUENCE, sequence, sequence + 1) !== sequence) return -1;
    return sequence;
  }
}
