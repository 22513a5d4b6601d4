import { encodeMark, rewindOffset, MARK_GENERATIONS, Status, type ArenaEngine, type ArenaGeometry } from '@mempool/api';
import { detach, NO_BYTES, reserveMemory } from './memory.js';

/** A bump allocator over one `ArrayBuffer` (docs/ALGORITHMS.md). */
export class JsArenaEngine implements ArenaEngine {
  readonly memory: ArrayBuffer;

  // Fields start with a value of the type they keep, as in JsFixedPoolEngine.

  readonly #bufferSize: number = 0;
  readonly #dataOffset: number = 0;
  /** One byte of `memory`, read only to learn whether it is still attached (see JsFixedPoolEngine). */
  #probe: Uint8Array = NO_BYTES;
  /** Absolute offset of the first free byte. */
  #end = 0;
  /** `dataOffset + bufferSize`: no allocation passes it. */
  #limit: number = 0;
  /** Resets so far, modulo 2^20: what makes a mark from before a reset stale. */
  #generation = 0;
  #allocations = 0;
  /** The highest `end` ever reached (absolute, like `end`): `peakOffset` is it minus `dataOffset`. */
  #peakEnd = 0;
  #failedAllocs = 0;

  constructor(geometry: ArenaGeometry) {
    this.#bufferSize = geometry.bufferSize;
    this.#dataOffset = geometry.dataOffset;
    this.memory = reserveMemory(geometry.byteLength, 0);
    this.#probe = new Uint8Array(this.memory, 0, 1);
    this.#end = geometry.dataOffset;
    this.#peakEnd = geometry.dataOffset;
    this.#limit = geometry.byteLength;
  }

  usable(): boolean {
    return this.#probe[0] !== undefined;
  }

  alloc(size: number, align: number): number {
    if (this.#probe[0] === undefined) return 0;
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
  }

  reset(): number {
    this.#end = this.#dataOffset;
    this.#generation = (this.#generation + 1) % MARK_GENERATIONS;
    return Status.OK;
  }

  mark(): number {
    return encodeMark(this.#generation, this.#end - this.#dataOffset);
  }

  rewind(mark: number): number {
    const offset = rewindOffset(mark, this.#generation, this.#end - this.#dataOffset);
    if (offset < 0) return Status.INVALID_HANDLE;
    this.#end = this.#dataOffset + offset;
    return Status.OK;
  }

  stats(words: Float64Array): void {
    const offset = this.#end - this.#dataOffset;
    words[0] = this.#bufferSize;
    words[1] = offset;
    words[2] = this.#bufferSize - offset;
    words[3] = this.#allocations;
    words[4] = this.#peakEnd - this.#dataOffset;
    words[5] = this.#failedAllocs;
  }

  destroy(): void {
    detach(this.memory);
    // Unusable from now on even where the runtime cannot detach (`supports.detachOnDestroy`).
    this.#probe = NO_BYTES;
    this.#limit = 0;
  }
}
