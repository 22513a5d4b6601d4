import {
  arenaStatsFrom,
  badMark,
  checkArenaAlloc,
  destroyed,
  detached,
  unboundMethod,
  encodeMark,
  rewindOffset,
  MARK_GENERATIONS,
  DEFAULT_ALIGN,
  type Arena,
  type ArenaGeometry,
  type ArenaStats,
} from '@mempool/api';
import { detach, NO_BYTES, reserveMemory } from './memory.js';

/** A bump allocator over one `ArrayBuffer` (docs/ALGORITHMS.md). */
export class JsArena implements Arena {
  readonly bufferSize: number;
  readonly dataOffset: number;
  readonly memory: ArrayBuffer;

  // Private fields start with a value of the type they keep, as in JsFixedPool.

  /** One byte of `memory`, read only to learn whether it is still attached (see JsFixedPool). */
  readonly #probe: Uint8Array = NO_BYTES;
  /** Absolute offset of the first free byte. */
  #end = 0;
  /** `dataOffset + bufferSize`: no allocation passes it. */
  readonly #limit: number = 0;
  /** Resets so far, modulo 2^20: what makes a mark from before a reset stale. */
  #generation = 0;
  #allocations = 0;
  /** The highest `end` ever reached (absolute, like `end`): `stats().peakOffset` is it minus `dataOffset`. */
  #peakEnd = 0;
  #failedAllocs = 0;
  #destroyed = false;

  constructor(layout: ArenaGeometry) {
    this.bufferSize = layout.bufferSize;
    this.dataOffset = layout.dataOffset;
    this.memory = reserveMemory(layout.byteLength, 0);
    this.#probe = new Uint8Array(this.memory, 0, 1);
    this.#end = layout.dataOffset;
    this.#peakEnd = layout.dataOffset;
    this.#limit = layout.byteLength;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  alloc(size: number, align: number = DEFAULT_ALIGN): number {
    try {
      // `memory` is detached by destroy(), or by other code.
      if (this.#probe[0] === undefined) throw this.#unusable('alloc');
      checkArenaAlloc(size, align);
      // `&` keeps the low 32 bits of any integer below 2^53, and align <= 4096 needs only 12 of
      // them, so this is exact for offsets past 2^31 too.
      const misalignment = this.#end & (align - 1);
      const start = misalignment === 0 ? this.#end : this.#end + align - misalignment;
      if (start + size > this.#limit) {
        this.#failedAllocs++;
        return 0;
      }
      const end = start + size;
      this.#end = end;
      this.#allocations++;
      if (end > this.#peakEnd) this.#peakEnd = end;
      return start;
    } catch (error) {
      // A call without an arena as `this` fails on its first field: explain it, on this path only.
      throw JsArena.#isArena(this) ? error : unboundMethod('Arena', 'alloc', this);
    }
  }

  reset(): void {
    JsArena.#check(this, 'reset');
    this.#end = this.dataOffset;
    this.#generation = (this.#generation + 1) % MARK_GENERATIONS;
  }

  mark(): number {
    JsArena.#check(this, 'mark');
    return encodeMark(this.#generation, this.#end - this.dataOffset);
  }

  rewind(mark: number): void {
    JsArena.#check(this, 'rewind');
    const current = this.#end - this.dataOffset;
    const offset = rewindOffset(mark, this.#generation, current);
    if (offset < 0) throw badMark(mark, current, this.#generation);
    this.#end = this.dataOffset + offset;
  }

  stats(): ArenaStats {
    JsArena.#check(this, 'stats');
    const offset = this.#end - this.dataOffset;
    return arenaStatsFrom([
      this.bufferSize,
      offset,
      this.bufferSize - offset,
      this.#allocations,
      this.#peakEnd - this.dataOffset,
      this.#failedAllocs,
    ]);
  }

  destroy(): void {
    if (!JsArena.#isArena(this)) throw unboundMethod('Arena', 'destroy', this);
    if (this.#destroyed) return;
    this.#destroyed = true;
    detach(this.memory);
  }

  [Symbol.dispose](): void {
    JsArena.prototype.destroy.call(this);
  }

  static #isArena(value: unknown): value is JsArena {
    return typeof value === 'object' && value !== null && #generation in value;
  }

  /** Throws unless `receiver` is an arena that is neither destroyed nor detached. */
  static #check(receiver: unknown, method: string): void {
    let attached: boolean;
    try {
      // Reading a private field is the brand check: it throws for anything but a Arena.
      attached = (receiver as JsArena).#probe[0] !== undefined;
    } catch {
      throw unboundMethod('Arena', method, receiver);
    }
    if (!attached) throw (receiver as JsArena).#unusable(method);
  }

  /** Why an arena whose `memory` is detached refuses every call. */
  #unusable(method: string): Error {
    return this.#destroyed ? destroyed('Arena', method) : detached('Arena', method);
  }
}
